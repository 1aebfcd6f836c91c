package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// noSource never delivers: model tests feed batches by hand.
type noSource struct{}

func (noSource) Next(ctx context.Context) (broker.Batch, bool) {
	<-ctx.Done()
	return broker.Batch{}, false
}

var t0 = time.Date(2026, 11, 26, 10, 42, 0, 0, time.UTC)

func newModel(t *testing.T, w, h int, topics ...string) Model {
	t.Helper()
	now := t0
	m := New(Config{
		Styles: themes.Build(themes.Plain()),
		Store:  history.NewStore(64 << 20),
		Source: noSource{},
		Target: "mqtt://127.0.0.1:1883",
		Topics: topics,
		Now:    func() time.Time { return now },
	})
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	nm, _ := m.Update(msg)
	return nm.(Model)
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// flespiMsg is a flespi channel message from device ident, sent by the
// device seq−2 s after t0 (so each device's timestamps increase with seq),
// stamped by flespi 1.418732 s later and received at t0+seq s.
func flespiMsg(seq int, ident string, speed int) broker.Message {
	ts := float64(t0.Unix()+int64(seq)) - 2
	srv := strconv.FormatFloat(ts+1.418732, 'f', 6, 64)
	payload := fmt.Sprintf(`{"ident":"%s","timestamp":%.1f,"server.timestamp":%s,`+
		`"channel.id":1234,"device.id":182083,"device.name":"Truck 17","position.latitude":52.229676,`+
		`"position.longitude":21.012229,"position.speed":%d,"engine.ignition.status":true,"battery.voltage":4.05,"gsm.signal.level":80}`, ident, ts, srv, speed)
	return broker.Message{
		Seq: uint64(seq), Topic: "flespi/message/gw/channels/1234/" + ident, Payload: []byte(payload), QoS: 1,
		Received: t0.Add(time.Duration(seq) * time.Second),
		Props:    &broker.Properties{User: []broker.UserProperty{{Key: "timestamp", Value: srv}, {Key: "cid", Value: "8201"}}},
	}
}

// batch is a bridge batch as waitForBatch delivers it: with its entries
// prepared (rawBatch: without, as a source that does not prepare them).
func batch(msgs []broker.Message, events ...broker.Event) common.BatchMsg {
	return common.BatchMsg{Batch: broker.Batch{Msgs: msgs, Events: events}, Entries: history.Prepare(msgs)}
}

func rawBatch(msgs []broker.Message) common.BatchMsg {
	return common.BatchMsg{Batch: broker.Batch{Msgs: msgs}}
}

// TestIngestPreparedOrNot: a batch with prepared entries and one without
// end up the same in history and on screen.
func TestIngestPreparedOrNot(t *testing.T) {
	msgs := []broker.Message{flespiMsg(1, "111111111111111", 10), flespiMsg(2, "222222222222222", 95)}
	a := update(t, newModel(t, 100, 30, "flespi/#"), batch(msgs))
	b := update(t, newModel(t, 100, 30, "flespi/#"), rawBatch(msgs))
	if sa, sb := screen(t, a), screen(t, b); sa != sb || !strings.Contains(sa, "speed=95km/h") {
		t.Fatalf("prepared:\n%s\nnot prepared:\n%s", sa, sb)
	}
	ea, _ := a.Store().Get(1)
	eb, _ := b.Store().Get(1)
	if ea.Summary != eb.Summary || ea.Ident != eb.Ident || a.Store().Bytes() != b.Store().Bytes() {
		t.Fatalf("entries differ: %+v / %+v", ea, eb)
	}
}

// assertFrame checks the frame invariant: exactly h lines, none wider than w.
func assertFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, view)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Fatalf("line %d is %d cells wide, max %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func screen(t *testing.T, m Model) string {
	t.Helper()
	v := m.View()
	if !v.AltScreen {
		t.Error("the UI must use the alternate screen")
	}
	assertFrame(t, v.Content, m.width, m.height)
	return ansi.Strip(v.Content)
}

func TestLiveMessagesAndDetail(t *testing.T) {
	m := newModel(t, 120, 40, "flespi/message/gw/channels/+/+")
	connected := broker.Event{Kind: broker.EventState, State: broker.StateConnected,
		Session: broker.SessionInfo{Persistent: true, Present: true}}
	m = update(t, m, batch([]broker.Message{
		flespiMsg(1, "352625066004561", 47),
		flespiMsg(2, "352625066004562", 81),
	}, connected))
	s := screen(t, m)
	for _, want := range []string{
		"352625066004561", "352625066004562", // idents in the list
		"speed=81km/h",                // summary of the newest
		`"position.speed": 81`,        // detail: pretty JSON of the selected (newest) message
		"timestamp=1795689721.418732", // MQTT 5 user property (server.timestamp of seq 2)
		"● connected", "session resumed", "msg/s", "2 recv", "dropped 0",
		"flespi/message/gw/channels/+/+", // pane title
	} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	if m.Received() != 2 || m.Store().Len() != 2 {
		t.Fatalf("received %d, stored %d", m.Received(), m.Store().Len())
	}
}

func TestPauseKeepsRecordingAndCountsNew(t *testing.T) {
	m := newModel(t, 100, 30, "flespi/#")
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "111111111111111", 10), flespiMsg(2, "222222222222222", 20)}))
	m = update(t, m, press("space")) // pause on the newest (222…)
	m = update(t, m, batch([]broker.Message{flespiMsg(3, "333333333333333", 30), flespiMsg(4, "444444444444444", 40)}))
	s := screen(t, m)
	if !strings.Contains(s, "paused, 2 new") {
		t.Fatalf("screen lacks the paused counter:\n%s", s)
	}
	if !strings.Contains(s, `"ident": "222222222222222"`) {
		t.Fatalf("the paused selection moved:\n%s", s)
	}
	m = update(t, m, press("up"))
	if s = screen(t, m); !strings.Contains(s, `"ident": "111111111111111"`) {
		t.Fatalf("up did not select the older message:\n%s", s)
	}
	m = update(t, m, press("space")) // follow again: newest selected
	s = screen(t, m)
	if strings.Contains(s, "paused") || !strings.Contains(s, `"ident": "444444444444444"`) {
		t.Fatalf("resume did not jump to the newest:\n%s", s)
	}
	if m.Store().Len() != 4 {
		t.Fatalf("stored %d, want 4", m.Store().Len())
	}
}

// TestResumeInPlace: M switches every pane to resuming in place; space then
// keeps the message being read selected, the pane is live again (no pause
// counter) and tells how many newer messages are below.
func TestResumeInPlace(t *testing.T) {
	m := newModel(t, 100, 30, "flespi/#")
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "111111111111111", 10), flespiMsg(2, "222222222222222", 20)}))
	m = update(t, m, press("space"))
	m = update(t, m, press("up")) // read 111…
	m = update(t, m, batch([]broker.Message{flespiMsg(3, "333333333333333", 30), flespiMsg(4, "444444444444444", 40)}))
	m = update(t, m, press("M"))
	if s := screen(t, m); !strings.Contains(s, "resume mode: in place") {
		t.Fatalf("M gave no notice:\n%s", s)
	}
	if m.ResumeMode() != "in-place" {
		t.Fatalf("ResumeMode %q", m.ResumeMode())
	}
	m = update(t, m, press("space"))
	s := screen(t, m)
	if strings.Contains(s, "paused") || !strings.Contains(s, "live, 3 below") || !strings.Contains(s, `"ident": "111111111111111"`) {
		t.Fatalf("resume in place:\n%s", s)
	}
	m = update(t, m, batch([]broker.Message{flespiMsg(5, "555555555555555", 50)}))
	if s = screen(t, m); !strings.Contains(s, "live, 4 below") || !strings.Contains(s, `"ident": "111111111111111"`) {
		t.Fatalf("a new message moved the view resumed in place:\n%s", s)
	}
	m = update(t, m, press("G"))
	if s = screen(t, m); strings.Contains(s, "below") || !strings.Contains(s, `"ident": "555555555555555"`) {
		t.Fatalf("G did not follow the newest:\n%s", s)
	}
	m = update(t, m, press("M"))
	if m.ResumeMode() != "live" {
		t.Fatalf("M again: %q", m.ResumeMode())
	}
}

func TestEmptyWorkspaceExplainsSubscribing(t *testing.T) {
	m := newModel(t, 80, 24)
	s := screen(t, m)
	for _, want := range []string{"No subscriptions yet", "flespi/message/gw/channels/+/+", "hubtap --token"} {
		if !strings.Contains(s, want) {
			t.Errorf("empty workspace lacks %q:\n%s", want, s)
		}
	}
}

func TestConnectRefusedIsASentence(t *testing.T) {
	m := newModel(t, 120, 30, "flespi/#")
	m = update(t, m, batch(nil, broker.Event{Kind: broker.EventState, State: broker.StateDisconnected,
		Err: &broker.ReasonError{Packet: "CONNACK", Code: 0x87}}))
	s := screen(t, m)
	if !strings.Contains(s, "✕ disconnected") || !strings.Contains(s, "not authorized") {
		t.Fatalf("refusal not explained:\n%s", s)
	}
	m = update(t, m, batch(nil, broker.Event{Kind: broker.EventState, State: broker.StateWaiting, RetryIn: 4 * time.Second}))
	if s = screen(t, m); !strings.Contains(s, "retry in 4s") {
		t.Fatalf("no retry countdown:\n%s", s)
	}
}

func TestSubscriptionRefusalShown(t *testing.T) {
	m := newModel(t, 120, 30, "flespi/message/gw/channels/1234/+", "flespi/message/gw/devices/+")
	m = update(t, m, batch(nil, broker.Event{Kind: broker.EventSubscribe, Subs: []broker.SubResult{
		{Filter: "flespi/message/gw/channels/1234/+", Code: 1, Granted: 1},
		{Filter: "flespi/message/gw/devices/+", Code: 0x87, Err: &broker.ReasonError{Packet: "SUBACK", Code: 0x87}},
	}}))
	s := screen(t, m)
	if !strings.Contains(s, "flespi/message/gw/devices/+: not authorized") {
		t.Fatalf("refusal not shown:\n%s", s)
	}
	if !strings.Contains(s, "flespi/message/gw/channels/1234/+ ✓") || !strings.Contains(s, "flespi/message/gw/devices/+ ✕") {
		t.Fatalf("per-filter marks missing:\n%s", s)
	}
}

func TestHostilePayloadsRenderSafely(t *testing.T) {
	payloads := []string{
		"\x1b[2J\x1b[31mred\x1b]52;c;aGVsbG8=\x07 \x1b]8;;http://x\x07link\x1b]8;;\x07",
		"\x9b31m C1 \u202Eevil\u202C \r\b\a\x00 end",
		`{"a":"\u001b[31m","b":"` + "\u202E" + `x","c":"\u0085"}`,
		"\xff\xfe\x00\x01binary",
		strings.Repeat("[", 1000) + strings.Repeat("]", 1000),
		"世界🚗" + strings.Repeat("wide", 200),
		"",
	}
	var msgs []broker.Message
	for i, p := range payloads {
		msgs = append(msgs, broker.Message{Seq: uint64(i + 1), Topic: "evil/\x1b[31mtopic/" + fmt.Sprint(i), Payload: []byte(p), Received: t0})
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		m := newModel(t, size[0], size[1], "#")
		m = update(t, m, batch(msgs))
		for range payloads { // select each message in turn, newest to oldest
			raw := m.View().Content
			assertFrame(t, raw, size[0], size[1])
			for _, bad := range []string{"\x1b]", "\x1b[2J", "\a", "\u009b", "\u202E", "\r", "\b", "\x00"} {
				if strings.Contains(raw, bad) {
					t.Fatalf("%dx%d: raw output holds %q", size[0], size[1], bad)
				}
			}
			for _, r := range ansi.Strip(raw) {
				if r != '\n' && (r < 0x20 || unicode.IsControl(r)) {
					t.Fatalf("%dx%d: control rune %U on screen", size[0], size[1], r)
				}
			}
			m = update(t, m, press("up"))
		}
	}
}

func TestFrameAtManySizes(t *testing.T) {
	for _, size := range [][2]int{{40, 10}, {80, 24}, {120, 40}, {160, 48}, {250, 70}} {
		m := newModel(t, size[0], size[1], "flespi/#")
		var msgs []broker.Message
		for i := 1; i <= 200; i++ {
			msgs = append(msgs, flespiMsg(i, fmt.Sprintf("3526250660%05d", i), i%120))
		}
		m = update(t, m, batch(msgs))
		screen(t, m)
		m = update(t, m, press("?"))
		screen(t, m)
		m = update(t, m, press("tab"))
		m = update(t, m, press("down"))
		screen(t, m)
	}
}

func TestQuit(t *testing.T) {
	m := newModel(t, 80, 24)
	_, cmd := m.Update(press("q"))
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
}
