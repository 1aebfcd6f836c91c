package info

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/themes"
)

func text(m Model) string { return ansi.Strip(strings.Join(m.Lines(), "\n")) }

// TestAskedBeforeGranted: before the first CONNACK the panel shows what was
// asked (not a blank client ID and a clean session); after it, what the
// broker granted, with its limits and the token without its secret.
func TestAskedBeforeGranted(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	m.SetSize(100, 40)
	req := Requested{ClientID: "hubtap-me", SessionExpiry: time.Hour, QoS: 1, Scheme: "mqtts",
		Creds: broker.Credentials{Kind: "flespi token", TokenLen: 64}, Notes: []string{"the token was given with --token"}}
	m.Set(State{Target: "mqtts://mqtt.flespi.io:8883", Requested: req, Problem: "connection refused"})
	s := text(m)
	for _, want := range []string{"hubtap-me", "persistent, expiry 1h0m0s", "flespi token", "not connected yet", "✕ connection refused", "given with --token"} {
		if !strings.Contains(s, want) {
			t.Errorf("before connecting, the panel lacks %q:\n%s", want, s)
		}
	}
	m.Set(State{Target: "x", Requested: req, Connected: true, Session: broker.SessionInfo{ClientID: "hubtap-me", Persistent: true,
		Present: true, ExpirySeconds: 3600, Limits: broker.Limits{MaxPacketSize: 1 << 20, MaxQoS: 1, Wildcards: true, SharedSubs: true},
		User: []broker.UserProperty{{Key: "token", Value: `{"cid":8201,"key":"0123456789012345678901234567890123456789012345678901234567890123"}`}}},
		Subs: []Sub{{Filter: "flespi/#", Result: broker.SubResult{Code: 1, Granted: 1}}, {Filter: "a/b", Pending: true}}})
	s = text(m)
	for _, want := range []string{"resumed", "max packet 1,048,576 bytes", "max QoS 1", "retain no", "shared subs yes", "cid = 8201", "key = [hidden]", "granted QoS 1", "pending"} {
		if !strings.Contains(s, want) {
			t.Errorf("after the CONNACK, the panel lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "0123456789012345") {
		t.Fatal("the token key is on screen")
	}
	v := m.View()
	if lines := strings.Split(v, "\n"); len(lines) != 40 || ansi.StringWidth(lines[0]) != 100 {
		t.Fatalf("frame: %d lines", len(lines))
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if _, ok := cmd().(CloseMsg); !ok {
		t.Fatal("esc did not close")
	}
}
