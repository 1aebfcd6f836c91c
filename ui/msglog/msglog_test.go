package msglog

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/themes"
)

var t0 = time.Date(2026, 11, 26, 10, 42, 0, 0, time.UTC)

func TestLogKeepsCountsAndCopies(t *testing.T) {
	m := New(themes.Build(themes.Plain()), 3)
	m.SetSize(60, 8)
	m.Add(t0, Info, "connected")
	for i := 0; i < 4; i++ {
		m.Add(t0.Add(time.Duration(i)*time.Second), Error, "disconnected: not authorized")
	}
	if m.Len() != 2 || m.Unseen() != 4 {
		t.Fatalf("len %d unseen %d, want 2 entries (repeats folded) and 4 unseen", m.Len(), m.Unseen())
	}
	if got := m.At(1).Line(); got != "10:42:00 error disconnected: not authorized (×4, last at 10:42:03)" {
		t.Fatalf("folded line %q", got)
	}
	m.Add(t0, Warn, "w1")
	m.Add(t0, Info, "i1\x1b[31m")
	if m.Len() != 3 || m.Dropped() != 1 || m.At(0).Text != "disconnected: not authorized" {
		t.Fatalf("ring: len %d dropped %d first %q", m.Len(), m.Dropped(), m.At(0).Text)
	}
	if strings.ContainsRune(m.At(2).Text, 0x1b) {
		t.Fatal("an escape reached the log")
	}
	m.Focus()
	if m.Unseen() != 0 {
		t.Fatal("opening the log did not mark it seen")
	}
	v := m.View()
	if lines := strings.Split(v, "\n"); len(lines) != 8 || ansi.StringWidth(lines[0]) != 60 {
		t.Fatalf("frame %d lines", len(lines))
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if c, ok := cmd().(CopyMsg); !ok || !strings.Contains(c.Text, "w1") {
		t.Fatalf("y after up copied %#v, want the w1 line", cmd())
	}
}
