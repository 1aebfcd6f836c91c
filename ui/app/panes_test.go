package app

import (
	"fmt"
	"slices"

	"github.com/charmbracelet/x/ansi"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
)

func TestLayoutCells(t *testing.T) {
	for _, kind := range []layoutKind{layoutGrid, layoutStacked, layoutSide} {
		for _, n := range []int{1, 2, 3, 4, 5, 7, 9} {
			for _, size := range [][2]int{{80, 22}, {120, 38}, {250, 68}, {97, 31}} {
				w, h := size[0], size[1]
				cells := layoutCells(kind, n, w, h)
				if len(cells) != n {
					t.Fatalf("%v n=%d: %d cells", kind, n, len(cells))
				}
				area := 0
				for _, c := range cells {
					if c.w <= 0 || c.h <= 0 || c.x+c.w > w || c.y+c.h > h {
						t.Fatalf("%v n=%d %dx%d: bad cell %+v", kind, n, w, h, c)
					}
					area += c.w * c.h
				}
				if area != w*h {
					t.Fatalf("%v n=%d %dx%d: cells cover %d of %d cells", kind, n, w, h, area, w*h)
				}
			}
		}
	}
	if c := layoutCells(layoutGrid, 4, 120, 40); c[0].w != 60 || c[0].h != 20 || c[3].x != 60 || c[3].y != 20 {
		t.Fatalf("2×2 grid: %+v", c)
	}
	if c := layoutCells(layoutStacked, 3, 100, 30); c[1].y != 10 || c[1].w != 100 {
		t.Fatalf("stacked: %+v", c)
	}
	if c := layoutCells(layoutSide, 2, 100, 30); c[1].x != 50 || c[1].h != 30 {
		t.Fatalf("side by side: %+v", c)
	}
}

// submitPrompt opens a prompt with a key, replaces what it offers with
// value, and presses enter.
func submitPrompt(t *testing.T, m Model, keyText, value string) Model {
	t.Helper()
	nm, cmd := m.Update(press(keyText))
	m = run(t, nm.(Model), cmd)
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, value)
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	return run(t, nm.(Model), cmd)
}

func deviceMsg(seq, dev int) broker.Message {
	m := flespiMsg(seq, fmt.Sprintf("3526250660%05d", dev), 50)
	m.Topic = fmt.Sprintf("flespi/message/gw/devices/%d", 182000+dev)
	return m
}

// TestPanesRouteByTopic: three panes (a channel, one device, a state topic)
// each show only their topics; tab, 1-9, zoom and layouts keep every frame
// whole at several sizes.
func TestPanesRouteByTopic(t *testing.T) {
	m := newModel(t, 160, 48, "flespi/message/gw/channels/+/+")
	m = submitPrompt(t, m, "n", "flespi/message/gw/devices/182007")
	m = submitPrompt(t, m, "N", "truck 7")
	m = submitPrompt(t, m, "n", "flespi/state/gw/devices/+/connected")
	if len(m.panes) != 3 || m.cur != 2 {
		t.Fatalf("%d panes, focus %d", len(m.panes), m.cur)
	}
	state := broker.Message{Seq: 99, Topic: "flespi/state/gw/devices/182007/connected", Payload: []byte("true"), Retain: true, Received: t0}
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "352625066000007", 10), deviceMsg(2, 7), deviceMsg(3, 8), state}))
	s := screen(t, m)
	// Titles give way to the counts in narrow panes (the counts stay whole).
	for _, want := range []string{"[1] flespi/message/gw/channel", "[2] truck 7 · flespi/message/", "[3] flespi/state/gw/devic", "1 msgs"} {
		if !strings.Contains(s, want) {
			t.Fatalf("screen lacks %q:\n%s", want, s)
		}
	}
	rows := func(i int) int {
		n := 0
		for _, l := range strings.Split(ansi.Strip(m.panes[i].p.View()), "\n") {
			if strings.Contains(l, ":00.000") || strings.Contains(l, ":01.000") || strings.Contains(l, ":02.000") || strings.Contains(l, ":03.000") {
				n++
			}
		}
		return n
	}
	if rows(0) != 1 || rows(1) != 1 || rows(2) != 1 {
		t.Fatalf("rows per pane %d %d %d, want 1 1 1", rows(0), rows(1), rows(2))
	}
	// Focus: tab cycles through the panes then the detail; 1 jumps back.
	m = update(t, m, press("tab"))
	if m.focus != focusDetail {
		t.Fatalf("tab from the last pane went to %v", m.focus)
	}
	m = update(t, m, press("tab"))
	if m.focus != focusList || m.cur != 0 {
		t.Fatalf("tab wrapped to pane %d (%v)", m.cur, m.focus)
	}
	m = update(t, m, press("2"))
	if m.cur != 1 {
		t.Fatalf("2 focused pane %d", m.cur)
	}
	// Zoom shows only the focused pane; layouts keep frames whole.
	m = update(t, m, press("z"))
	if s = screen(t, m); strings.Contains(s, "[1] ") || !strings.Contains(s, "[2] truck 7") {
		t.Fatalf("zoom:\n%s", s)
	}
	m = update(t, m, press("z"))
	for _, size := range [][2]int{{80, 24}, {120, 40}, {250, 70}} {
		m = update(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for i := 0; i < 3; i++ {
			screen(t, m)
			m = update(t, m, press("L"))
		}
		m = update(t, m, press("T"))
		screen(t, m)
		m = update(t, m, press("T"))
	}
	// Closing a pane keeps the others.
	m = update(t, m, press("x"))
	if len(m.panes) != 2 || strings.Contains(screen(t, m), "truck 7") {
		t.Fatal("x did not close the focused pane")
	}
}

func TestTopicTreeCountsAndOpens(t *testing.T) {
	m := newModel(t, 120, 40, "#")
	var msgs []broker.Message
	for i := 1; i <= 30; i++ {
		msgs = append(msgs, deviceMsg(i, i%3))
	}
	m = update(t, m, batch(msgs))
	m = update(t, m, press("T"))
	s := screen(t, m)
	if !strings.Contains(s, "3 topics") {
		t.Fatalf("tree:\n%s", s)
	}
	for d := 0; d < 3; d++ {
		if got := m.tree.Count(fmt.Sprintf("flespi/message/gw/devices/%d", 182000+d)); got != 10 {
			t.Fatalf("device %d counted %d, want 10", d, got)
		}
	}
	// Down to the first device leaf and open a pane on it.
	for i := 0; i < 5; i++ {
		m = update(t, m, press("down"))
	}
	nm, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = run(t, nm.(Model), cmd)
	if len(m.panes) != 2 || len(m.cp().Topics()) != 1 {
		t.Fatalf("enter opened %d panes, topics %v", len(m.panes), m.cp().Topics())
	}
	if s = screen(t, m); !strings.Contains(s, "10 msgs") {
		t.Fatalf("the new pane does not show the topic's 10 messages:\n%s", s)
	}
}

func TestResumedSessionRestoresPanes(t *testing.T) {
	for _, present := range []bool{true, false} { // flespi's property counts whatever Session Present says
		t.Run(fmt.Sprint("present=", present), func(t *testing.T) { testRestoresPanes(t, present) })
	}
}

func testRestoresPanes(t *testing.T, present bool) {
	m := newModel(t, 120, 40, "flespi/message/gw/channels/+/+")
	subs := `[{"topic":"flespi/message/gw/channels/+/+","qos":1},{"topic":"flespi/log/gw/devices/+/#","qos":1,"no_local":false}]`
	connected := broker.Event{Kind: broker.EventState, State: broker.StateConnected, Session: broker.SessionInfo{
		Present: present, Persistent: true, User: []broker.UserProperty{{Key: "subscriptions", Value: subs}}}}
	nm, cmd := m.Update(batch([]broker.Message{flespiMsg(1, "352625066000001", 1), flespiMsg(2, "352625066000002", 1)}, connected))
	m = run(t, nm.(Model), cmd)
	m = update(t, m, batch(nil, broker.Event{Kind: broker.EventSubscribe, Subs: []broker.SubResult{{Filter: "flespi/message/gw/channels/+/+", Granted: 1, Code: 1}}}))
	if len(m.panes) != 2 || !slices.Contains(m.panes[1].p.Topics(), "flespi/log/gw/devices/+/#") {
		t.Fatalf("no restored pane: %d panes", len(m.panes))
	}
	s := screen(t, m)
	if !strings.Contains(s, "restored · flespi/log/gw/devices/+/#") {
		t.Fatalf("restored pane title:\n%s", s)
	}
}

func TestTopicPromptCompletes(t *testing.T) {
	m := newModel(t, 120, 40, "#")
	m = update(t, m, batch([]broker.Message{deviceMsg(1, 7)}))
	nm, cmd := m.Update(press("n"))
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, "flespi/message/gw/dev")
	nm, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	m = nm.(Model)
	if v := m.prompt.Value(); v != "flespi/message/gw/devices/+" && v != "flespi/message/gw/devices/182007" && v != "flespi/message/gw/devices/#" {
		t.Fatalf("tab completed to %q", v)
	}
	found := false
	for _, s := range m.prompt.Suggestions() {
		found = found || s == "flespi/message/gw/devices/182007"
	}
	if !found {
		t.Fatal("a topic seen is not offered")
	}
}

func TestMouseClickAndWheel(t *testing.T) {
	m := newModel(t, 120, 40, "flespi/message/gw/channels/+/+")
	m = submitPrompt(t, m, "n", "flespi/message/gw/devices/+")
	var msgs []broker.Message
	for i := 1; i <= 10; i++ {
		msgs = append(msgs, flespiMsg(i, fmt.Sprintf("3526250660%05d", i), i), deviceMsg(100+i, i))
	}
	m = update(t, m, batch(msgs))
	if v := m.View(); v.MouseMode != tea.MouseModeCellMotion {
		t.Fatal("mouse not enabled")
	}
	// Click the third row of the first pane (its frame starts at the top left).
	c := m.cells[0]
	m = update(t, m, tea.MouseClickMsg{X: c.x + 5, Y: c.y + 3, Button: tea.MouseLeft})
	if m.cur != 0 || m.cp().Following() {
		t.Fatalf("click did not focus and pause pane 1 (cur %d)", m.cur)
	}
	if e := m.cp().Selected(); e == nil || e.Seq != 3 {
		t.Fatalf("click selected %v, want the third message", e)
	}
	// The wheel over the second pane scrolls it (three rows a notch).
	c = m.cells[1]
	m = update(t, m, tea.MouseWheelMsg{X: c.x + 5, Y: c.y + 5, Button: tea.MouseWheelUp})
	if m.cur != 1 {
		t.Fatalf("wheel over pane 2 left focus on %d", m.cur)
	}
	if e := m.cp().Selected(); e == nil || e.Seq != 107 {
		t.Fatalf("wheel up selected %v, want seq 107 (three above the newest)", e)
	}
	screen(t, m)
}

func TestCommandPalette(t *testing.T) {
	m := newModel(t, 120, 40, "#")
	m = update(t, m, batch([]broker.Message{deviceMsg(1, 1)}))
	nm, cmd := m.Update(press(":"))
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, "zoom")
	s := screen(t, m)
	if !strings.Contains(s, "zoom pane") {
		t.Fatalf("palette does not offer zoom:\n%s", s)
	}
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = run(t, nm.(Model), cmd)
	if !m.zoom || m.overlay != overlayNone {
		t.Fatalf("enter did not run the zoom command (zoom %v, overlay %d)", m.zoom, m.overlay)
	}
}

func devMsg(seq int, ident string, ts float64, speed int) broker.Message {
	return broker.Message{Seq: uint64(seq), Topic: "flespi/message/gw/channels/1234/" + ident, QoS: 1, Received: t0.Add(time.Duration(seq) * time.Second),
		Payload: []byte(fmt.Sprintf(`{"ident":"%s","timestamp":%.1f,"server.timestamp":%.1f,"position.speed":%d,"battery.voltage":4.1}`, ident, ts, ts+1, speed))}
}

func TestDeviceViewDiffAndAnomalies(t *testing.T) {
	m := newModel(t, 160, 48, "flespi/message/gw/channels/+/+")
	base := float64(t0.Unix())
	m = update(t, m, batch([]broker.Message{
		devMsg(1, "111", base, 10),
		devMsg(2, "111", base+10, 20),
		devMsg(3, "222", base+5, 30),
		devMsg(4, "111", base+3600, 25), // a gap of almost an hour
	}))
	// The gap is flagged in the list and selectable by the filter language.
	if s := screen(t, m); !strings.Contains(s, "!") {
		t.Fatalf("no anomaly marker:\n%s", s)
	}
	nm, cmd := m.Update(press("/"))
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, `flags contains "gap"`)
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = run(t, nm.(Model), cmd)
	if s := screen(t, m); !strings.Contains(s, "1 of 4") || !strings.Contains(s, "anomaly   gap") {
		t.Fatalf("flags filter / anomaly line:\n%s", s)
	}
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	m = run(t, nm.(Model), cmd)
	// The diff against the device's previous message.
	m = update(t, m, press("d"))
	s := screen(t, m)
	if !strings.Contains(s, "diff against this device's previous different message (seq 2") || !strings.Contains(s, "~ position.speed: 20 → 25") {
		t.Fatalf("diff:\n%s", s)
	}
	// Off and on again, and a new batch with the same selection: still there.
	m = update(t, m, press("d"))
	m = update(t, m, press("d"))
	m = update(t, m, batch(nil))
	if s = screen(t, m); !strings.Contains(s, "~ position.speed: 20 → 25") {
		t.Fatalf("diff after toggling:\n%s", s)
	}
	// The device view lists both devices; enter opens a pane on one.
	m = update(t, m, press("V"))
	s = screen(t, m)
	if !strings.Contains(s, "2 devices") || !strings.Contains(s, "111") || !strings.Contains(s, "! 111") {
		t.Fatalf("device view:\n%s", s)
	}
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = run(t, nm.(Model), cmd)
	if len(m.panes) != 2 || !strings.HasPrefix(m.cp().FilterSource(), "ident == ") {
		t.Fatalf("enter in the device view: %d panes, filter %q", len(m.panes), m.cp().FilterSource())
	}
}

func TestColumnsAndConnectionInfo(t *testing.T) {
	m := newModel(t, 140, 40, "flespi/message/gw/channels/+/+")
	base := float64(t0.Unix())
	var msgs []broker.Message
	for i := 1; i <= 6; i++ {
		msgs = append(msgs, devMsg(i, "111", base+float64(i), i*10))
	}
	m = update(t, m, batch(msgs, broker.Event{Kind: broker.EventState, State: broker.StateConnected, Session: broker.SessionInfo{
		ClientID: "hubtap-test", Persistent: true, ExpirySeconds: 3600,
		User: []broker.UserProperty{{Key: "token", Value: `{"id":42,"cid":8201,"key":"TOPSECRETKEYVALUEthatmustneverbeshown0123456789","expire":0}`}}}}))
	m = submitPrompt(t, m, "c", "position.speed battery.voltage")
	s := screen(t, m)
	for _, want := range []string{"position.speed", "battery.voltage", "60", "4.1", "▁"} {
		if !strings.Contains(s, want) {
			t.Fatalf("columns view lacks %q:\n%s", want, s)
		}
	}
	m = update(t, m, press("i"))
	s = screen(t, m)
	if !strings.Contains(s, "cid = 8201") || !strings.Contains(s, "key = [hidden]") || strings.Contains(s, "TOPSECRET") {
		t.Fatalf("connection info:\n%s", s)
	}
	if !strings.Contains(s, "hubtap-test") || !strings.Contains(s, "persistent, expiry 3600 s") {
		t.Fatalf("connection info:\n%s", s)
	}
}
