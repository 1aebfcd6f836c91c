package cli

import (
	"testing"
	"time"
)

func TestSessionState(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	s := newSessionState()
	k := sessionKey("hubtap-me@box", "mqtt.flespi.io:8883")
	if s.had(k) {
		t.Fatal("a fresh state remembers a session")
	}
	s.left(k, time.Hour)
	if !s.had(k) {
		t.Fatal("a persistent session left behind is forgotten")
	}
	s.left(k, 0)
	if s.had(k) {
		t.Fatal("a clean session is remembered")
	}
}
