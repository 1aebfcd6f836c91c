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
		m := New(themes.Build(themes.Plain()), "mqtts://mqtt.flespi.io:8883")
		m.SetSize(140)
		m.Event(c.ev, now)
		m.SetCounts(1234.5, 1234567, history.Stats{Kept: 1000, Evicted: 5}, 7)
		v := m.View(now)
		if w := ansi.StringWidth(v); w != 140 {
			t.Fatalf("width %d, want 140", w)
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
	m := New(themes.Build(themes.Plain()), "mqtt://127.0.0.1:1883")
	m.Notice("subscribe a/b: not authorized: the token's access rights do not cover this topic", true, now)
	for _, w := range []int{20, 40, 80, 120} {
		m.SetSize(w)
		if got := ansi.StringWidth(m.View(now)); got != w {
			t.Fatalf("width %d rendered as %d", w, got)
		}
	}
	m.SetSize(120)
	if s := ansi.Strip(m.View(now)); !strings.Contains(s, "not authorized: the token's access rights") {
		t.Fatalf("notice cut: %q", s)
	}
	if s := ansi.Strip(m.View(now.Add(time.Minute))); strings.Contains(s, "not authorized") {
		t.Fatalf("notice did not expire: %q", s)
	}
}
