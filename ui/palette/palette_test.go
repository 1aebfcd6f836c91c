package palette

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/themes"
)

var cmds = []Command{
	{ID: "record", Key: "r", Desc: "record on/off", Group: "history"},
	{ID: "zoom", Key: "z", Desc: "zoom pane", Group: "panes"},
	{ID: "log", Key: "l", Desc: "message log", Group: "global"},
}

func typeIn(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

func TestFuzzyRanksAndRuns(t *testing.T) {
	m := New(themes.Build(themes.Plain()), cmds)
	m.SetSize(60, 10)
	m.Focus()
	if got := len(m.Matches()); got != 3 {
		t.Fatalf("empty query lists %d commands, want 3", got)
	}
	m = typeIn(m, "rcrd")
	if ms := m.Matches(); len(ms) != 1 || ms[0].ID != "record" {
		t.Fatalf("rcrd matches %+v, want record only", ms)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if msg, ok := cmd().(RunMsg); !ok || msg.ID != "record" {
		t.Fatalf("enter gave %#v, want RunMsg{record}", cmd())
	}
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != 10 {
		t.Fatalf("view has %d lines, want 10", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 60 {
			t.Fatalf("line %d is %d wide, want 60", i, w)
		}
	}
	if !strings.Contains(ansi.Strip(v), "record on/off") || strings.Contains(ansi.Strip(v), "zoom pane") {
		t.Fatalf("view:\n%s", ansi.Strip(v))
	}
}

func TestNoMatchAndClose(t *testing.T) {
	m := New(themes.Build(themes.Plain()), cmds)
	m.SetSize(60, 10)
	m.Focus()
	m = typeIn(m, "xyzzy")
	if len(m.Matches()) != 0 || !strings.Contains(m.View(), "no command matches") {
		t.Fatalf("xyzzy: %+v", m.Matches())
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd != nil {
		t.Fatal("enter with no match ran something")
	}
	_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if _, ok := cmd().(CloseMsg); !ok {
		t.Fatal("esc did not close")
	}
}
