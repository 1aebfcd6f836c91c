package toolbox

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/themes"
)

func kp(s string) tea.KeyPressMsg {
	if s == "esc" {
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	if s == "down" {
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func msgOf(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	return cmd()
}

func sessions() Spec {
	return Spec{Title: "sessions", Rows: 2, CanDelete: true, Lines: []Line{
		{Text: "2 sessions", Level: Label, Row: -1},
		{Text: "a  connected", Row: 0},
		{Text: "b  offline\x1b[31m", Row: 1},
	}}
}

func TestFrameAndSanitizing(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	m.SetSize(30, 6)
	m.Set(sessions())
	v := ansi.Strip(m.View())
	ls := strings.Split(v, "\n")
	if len(ls) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(ls), v)
	}
	for _, l := range ls {
		if w := ansi.StringWidth(l); w > 30 {
			t.Errorf("line %q is %d cells wide, want ≤ 30", l, w)
		}
	}
	if strings.Contains(m.View(), "\x1b[31m") {
		t.Error("an escape sequence from the content reached the screen")
	}
}

func TestDeleteAsksAndAnswers(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	m.SetSize(60, 10)
	m.Set(sessions())
	m.Focus()
	m, _ = m.Update(kp("down"))
	m, cmd := m.Update(kp("d"))
	if got, ok := msgOf(t, cmd).(DeleteMsg); !ok || got.Row != 1 {
		t.Fatalf("d on the second row gave %#v, want DeleteMsg{Row: 1}", msgOf(t, cmd))
	}
	m.Ask("Delete session b?", "del:b")
	m, cmd = m.Update(kp("x"))
	if cmd != nil || !m.Asking() {
		t.Fatal("a key other than y, n or esc answered the question")
	}
	if !strings.Contains(ansi.Strip(m.View()), "Delete session b?  y yes · n no") {
		t.Errorf("the question is not on screen:\n%s", ansi.Strip(m.View()))
	}
	m, cmd = m.Update(kp("y"))
	if got, ok := msgOf(t, cmd).(AnswerMsg); !ok || !got.Yes || got.Tag != "del:b" || m.Asking() {
		t.Fatalf("y gave %#v (asking %v), want AnswerMsg{del:b, yes}", msgOf(t, cmd), m.Asking())
	}
	m.Ask("again?", "x")
	m, cmd = m.Update(kp("esc"))
	if got, ok := msgOf(t, cmd).(AnswerMsg); !ok || got.Yes {
		t.Fatalf("esc on a question gave %#v, want a no", msgOf(t, cmd))
	}
	_, cmd = m.Update(kp("esc"))
	if _, ok := msgOf(t, cmd).(CloseMsg); !ok {
		t.Fatalf("esc gave %#v, want CloseMsg", msgOf(t, cmd))
	}
}

func TestNoDeleteWithoutRowsAndBlurred(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	m.SetSize(60, 10)
	m.Set(Spec{Title: "ident", Lines: []Line{{Text: "x", Row: -1}}})
	if _, cmd := m.Update(kp("d")); cmd != nil {
		t.Fatal("a blurred panel answered a key")
	}
	m.Focus()
	if _, cmd := m.Update(kp("d")); cmd != nil {
		t.Fatal("d acted on a panel without rows")
	}
}
