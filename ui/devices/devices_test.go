package devices

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/telematics"
	"hubtap/themes"
)

var t0 = time.Date(2026, 11, 26, 10, 42, 0, 0, time.UTC)

// observe feeds one message per (ident, speed, receive offset) to tr. An
// empty ident sends a bare value on a flespi parameter topic instead.
func observe(tr *telematics.Tracker, msgs ...struct {
	ident string
	speed int
	at    time.Duration
}) {
	for i, x := range msgs {
		ts := float64(t0.Add(x.at).Unix()) - 1
		m := broker.Message{Seq: uint64(i + 1), Topic: "flespi/message/gw/channels/1/" + x.ident, Received: t0.Add(x.at),
			Payload: fmt.Appendf(nil, `{"ident":%q,"timestamp":%.1f,"position.speed":%d}`, x.ident, ts, x.speed)}
		if x.ident == "" {
			m.Topic, m.Payload = "flespi/state/gw/devices/7/telemetry/battery.voltage", []byte("4.1")
		}
		e := history.NewEntry(m)
		tr.Observe(uint64(i), &e)
	}
}

type msg = struct {
	ident string
	speed int
	at    time.Duration
}

// fleet is a focused 120×h device view over three devices and one
// parameter topic, refreshed at t0+10s: 333 was last heard 20 min earlier.
func fleet(t *testing.T, h int) (Model, *telematics.Tracker) {
	t.Helper()
	tr := telematics.NewTracker(telematics.Config{Now: func() time.Time { return t0.Add(10 * time.Second) }})
	observe(tr,
		msg{"333", 50, -20 * time.Minute},
		msg{"111", 10, 1 * time.Second}, msg{"111", 12, 2 * time.Second}, msg{"111", 10, 3 * time.Second},
		msg{"222", 80, 5 * time.Second},
		msg{"", 0, 6 * time.Second})
	m := New(themes.Build(themes.Plain()), tr)
	m.SetSize(120, h)
	m.Focus()
	m.Refresh(t0.Add(10 * time.Second))
	return m, tr
}

func frame(t *testing.T, m Model, w, h int) string {
	t.Helper()
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, ansi.Strip(v))
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("line %d is %d cells, max %d: %q", i, n, w, ansi.Strip(l))
		}
	}
	return ansi.Strip(v)
}

// order returns the device labels of the body rows, top to bottom.
func order(v string) string {
	lines := strings.Split(v, "\n")
	var out []string
	for _, l := range lines[2 : len(lines)-1] { // below the border and header
		f := strings.Fields(strings.Trim(l, "│"))
		if len(f) > 0 && (f[0] == "z" || f[0] == "!") {
			f = f[1:]
		}
		if len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return strings.Join(out, " ")
}

func press(m Model, keys ...string) Model {
	for _, k := range keys {
		var kp tea.KeyPressMsg
		switch k {
		case "down":
			kp = tea.KeyPressMsg{Code: tea.KeyDown}
		case "up":
			kp = tea.KeyPressMsg{Code: tea.KeyUp}
		case "pgdown":
			kp = tea.KeyPressMsg{Code: tea.KeyPgDown}
		default:
			kp = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		m, _ = m.Update(kp)
	}
	return m
}

// TestDevicesRowsSortAndOpen: one row per ident, newest first; o and O
// change the order; the cursor stays on its device; enter opens a pane on
// the device's messages.
func TestDevicesRowsSortAndOpen(t *testing.T) {
	m, _ := fleet(t, 10)
	v := frame(t, m, 120, 10)
	if got := order(v); got != "222 111 333" {
		t.Fatalf("rows %q, want newest first 222 111 333:\n%s", got, v)
	}
	if !strings.Contains(v, "3 devices") || !strings.Contains(v, "by last seen ↓") {
		t.Fatalf("border info:\n%s", v)
	}
	if !strings.Contains(v, "111                 3") { // label, then its message count
		t.Fatalf("111 has not 3 messages:\n%s", v)
	}
	m = press(m, "down", "o") // on 111; by speed, fastest first
	v = frame(t, m, 120, 10)
	if got := order(v); got != "222 333 111" || !strings.Contains(v, "by speed ↓") {
		t.Fatalf("by speed: rows %q:\n%s", got, v)
	}
	m = press(m, "O")
	if got := order(frame(t, m, 120, 10)); got != "111 333 222" {
		t.Fatalf("by speed, reversed: rows %q", got)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter produced no command")
	}
	open, ok := cmd().(OpenMsg)
	if !ok || open.Key != "111" || open.Filter != `ident == "111"` {
		t.Fatalf("enter on the cursor's device (111) gave %#v", cmd())
	}
}

// TestDevicesStaleByInjectedClock: a device silent longer than the stale
// threshold is marked z and counted; as the clock moves on, all are.
func TestDevicesStaleByInjectedClock(t *testing.T) {
	m, _ := fleet(t, 10)
	v := frame(t, m, 120, 10)
	if !strings.Contains(v, "z 333") || strings.Contains(v, "z 111") || !strings.Contains(v, "1 stale (> 10m0s)") {
		t.Fatalf("at t0+10s only 333 is stale:\n%s", v)
	}
	m.Refresh(t0.Add(30 * time.Minute))
	v = frame(t, m, 120, 10)
	if !strings.Contains(v, "z 111") || !strings.Contains(v, "z 222") || !strings.Contains(v, "3 stale") {
		t.Fatalf("at t0+30m every device is stale:\n%s", v)
	}
}

// TestDevicesParameterTopics: bare values on parameter topics are hidden
// until a is pressed.
func TestDevicesParameterTopics(t *testing.T) {
	m, _ := fleet(t, 10)
	if v := frame(t, m, 120, 10); !strings.Contains(v, "1 parameter topics hidden (a)") || strings.Contains(v, "telemetry") {
		t.Fatalf("parameter topic not hidden:\n%s", v)
	}
	m = press(m, "a")
	if v := frame(t, m, 120, 10); !strings.Contains(v, "4 devices") || !strings.Contains(v, "flespi/state") {
		t.Fatalf("a does not show the parameter topic:\n%s", v)
	}
}

// TestDevicesScroll: with more devices than rows the window follows the
// cursor; the wheel moves three rows; an unfocused view ignores keys.
func TestDevicesScroll(t *testing.T) {
	tr := telematics.NewTracker(telematics.Config{Now: func() time.Time { return t0.Add(time.Minute) }})
	var ms []msg
	for i := range 12 {
		ms = append(ms, msg{fmt.Sprintf("d%02d", i), i, time.Duration(i) * time.Second})
	}
	observe(tr, ms...)
	m := New(themes.Build(themes.Plain()), tr)
	m.SetSize(120, 7) // 4 body rows
	m.Focus()
	m.Refresh(t0.Add(time.Minute)) // newest first: d11 … d00
	if got := order(frame(t, m, 120, 7)); got != "d11 d10 d09 d08" {
		t.Fatalf("first page %q", got)
	}
	m = press(m, "pgdown") // a page is 3 rows
	if got := order(frame(t, m, 120, 7)); got != "d08 d07 d06 d05" {
		t.Fatalf("after page down %q", got)
	}
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown}) // cursor d08 → d05
	if got := order(frame(t, m, 120, 7)); got != "d08 d07 d06 d05" {
		t.Fatalf("the wheel inside the window scrolled it: %q", got)
	}
	m = press(m, "down")
	if got := order(frame(t, m, 120, 7)); got != "d07 d06 d05 d04" {
		t.Fatalf("down past the bottom row %q", got)
	}
	m = press(m, "O") // oldest first: the cursor stays on d04, now in the top row
	if got := order(frame(t, m, 120, 7)); got != "d04 d05 d06 d07" {
		t.Fatalf("after reversing, the window around d04 is %q", got)
	}
	m.Blur()
	if got := order(frame(t, press(m, "down", "down"), 120, 7)); got != "d04 d05 d06 d07" {
		t.Fatalf("an unfocused view scrolled: %q", got)
	}
}
