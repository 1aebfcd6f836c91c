package statusbar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
)

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// clock is what the bars under test see as the time.
var clock = now

func TestStatesInWords(t *testing.T) {
	cases := []struct {
		ev   broker.Event
		want []string
	}{
		{broker.Event{State: broker.StateConnecting}, []string{"◌ connecting", "mqtts://mqtt.flespi.io:8883"}},
		{broker.Event{State: broker.StateConnected, Session: broker.SessionInfo{Persistent: true, Present: true}}, []string{"● connected", "session resumed"}},
		{broker.Event{State: broker.StateConnected, Session: broker.SessionInfo{Persistent: true, Lost: true}}, []string{"session lost"}},
		{broker.Event{State: broker.StateDisconnected, Err: &broker.ReasonError{Packet: "DISCONNECT", Code: 0x8E}}, []string{"✕ disconnected", "session taken over"}},
		{broker.Event{State: broker.StateDisconnected, Err: errors.New("boom\x1b[31m")}, []string{"· boom␛[31m"}},
		{broker.Event{State: broker.StateWaiting, RetryIn: 8 * time.Second}, []string{"retry in 8s"}},
	}
	for _, c := range cases {
		m := New(themes.Build(themes.Plain()), "mqtts://mqtt.flespi.io:8883", func() time.Time { return clock })
		m.SetSize(220)
		m.Event(c.ev, now)
		m.SetCounts(1234.5, 1234567, history.Stats{Kept: 1000, Evicted: 5}, 7)
		v := m.View()
		if w := ansi.StringWidth(v); w != 220 {
			t.Fatalf("width %d, want 220", w)
		}
		s := ansi.Strip(v)
		for _, want := range append(c.want, "1234.5 msg/s", "1,234,567 recv", "evicted 5", "dropped 7") {
			if !strings.Contains(s, want) {
				t.Errorf("%v: status %q lacks %q", c.ev.State, s, want)
			}
		}
	}
}

func TestNarrowAndNotice(t *testing.T) {
	m := New(themes.Build(themes.Plain()), "mqtt://127.0.0.1:1883", func() time.Time { return clock })
	m.Notice("subscribe a/b: not authorized: the token's access rights do not cover this topic", true, now)
	for _, w := range []int{20, 40, 80, 120} {
		m.SetSize(w)
		if got := ansi.StringWidth(m.View()); got != w {
			t.Fatalf("width %d rendered as %d", w, got)
		}
	}
	m.SetSize(120)
	if s := ansi.Strip(m.View()); !strings.Contains(s, "not authorized: the token's access rights") {
		t.Fatalf("notice cut: %q", s)
	}
	clock = now.Add(time.Minute)
	defer func() { clock = now }()
	if s := ansi.Strip(m.View()); strings.Contains(s, "not authorized") {
		t.Fatalf("notice did not expire: %q", s)
	}
}

// TestCriticalNeverCut: with every part active at once (an insecure-TLS
// warning, a recording, a long server name, a connection error, drops), the
// error sentence and the dropped count are shown in full at 80, 120 and 200
// columns; what can wait gives way first, and the bar wraps to more lines
// only when the critical parts alone are wider than the screen.
func TestCriticalNeverCut(t *testing.T) {
	reason := "not authorized: the broker refused the token (CONNACK 0x87)"
	for _, w := range []int{80, 120, 200} {
		m := New(themes.Build(themes.Plain()), "mqtts://a-rather-long-broker-host-name.example.com:8883", func() time.Time { return clock })
		m.SetSize(w)
		m.SetWarning("TLS certificate NOT verified (--insecure)")
		m.SetRecording(history.RecordStatus{Active: true, Path: "hubtap-20261126-104200.jsonl", Lines: 123456})
		m.Event(broker.Event{Kind: broker.EventState, State: broker.StateDisconnected, Err: errors.New(reason)}, now)
		m.SetCounts(20000, 12345678, history.Stats{Kept: 1234567, Evicted: 621000}, 4321)
		lines := strings.Split(m.View(), "\n")
		if len(lines) != m.Height() {
			t.Fatalf("%d cols: %d lines, Height says %d", w, len(lines), m.Height())
		}
		for i, l := range lines {
			if got := ansi.StringWidth(l); got != w {
				t.Fatalf("%d cols: line %d is %d wide", w, i, got)
			}
		}
		all := strings.Join(lines, "")
		flat := strings.Join(strings.Fields(ansi.Strip(all)), " ")
		for _, want := range []string{reason, "dropped 4", "✕ disconnected"} {
			if !strings.Contains(flat, want) {
				t.Errorf("%d cols: %q lacks %q", w, flat, want)
			}
		}
		if w >= 200 && !strings.Contains(flat, "dropped 4,321") {
			t.Errorf("%d cols: the dropped count is not in full: %q", w, flat)
		}
		if w == 200 && (len(lines) != 1 || !strings.Contains(flat, "● REC")) {
			t.Errorf("200 cols: want one line with REC, got %d: %q", len(lines), flat)
		}
	}
}

// TestResumedSessionWords: a resumed session says so, with the count of
// queued messages, even at 80 columns beside a warning.
func TestResumedSessionWords(t *testing.T) {
	for _, w := range []int{80, 120, 200} {
		m := New(themes.Build(themes.Plain()), "mqtt://127.0.0.1:1883", func() time.Time { return clock })
		m.SetSize(w)
		m.SetWarning("credentials sent unencrypted (mqtt://): use mqtts:// or wss://")
		m.Event(broker.Event{Kind: broker.EventState, State: broker.StateConnected, Session: broker.SessionInfo{Persistent: true, Present: true}}, now)
		m.SetQueued(500)
		m.SetCounts(10, 1500, history.Stats{Kept: 1500}, 0)
		s := ansi.Strip(m.View())
		if !strings.Contains(s, "resumed") || !strings.Contains(s, "500") {
			t.Errorf("%d cols: %q lacks the resumed session and its 500 queued", w, s)
		}
	}
}

func TestShortCounters(t *testing.T) {
	m := New(themes.Build(themes.Plain()), "", func() time.Time { return clock })
	m.SetSize(60)
	m.Event(broker.Event{Kind: broker.EventState, State: broker.StateConnected}, now)
	m.SetCounts(50000, 12345678, history.Stats{Kept: 1234567}, 0)
	if s := ansi.Strip(m.View()); !strings.Contains(s, "50000/s") && !strings.Contains(s, "50000.0 msg/s") {
		t.Errorf("rate missing at 60 columns: %q", s)
	}
}
