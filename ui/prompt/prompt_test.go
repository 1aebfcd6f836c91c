package prompt

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/themes"
)

func typeIn(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

func TestPrefillReplacedAndErrorsClear(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	m.SetSize(50)
	m.Open(Spec{Kind: Export, Label: "export to ▸ ", Value: "hubtap-export.jsonl"})
	m = typeIn(m, "a.jsonl")
	if m.Value() != "a.jsonl" {
		t.Fatalf("typing into the prefill gave %q", m.Value())
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if sub, ok := cmd().(SubmitMsg); !ok || sub.Value != "a.jsonl" || sub.Kind != Export {
		t.Fatalf("enter gave %#v", cmd())
	}
	m.SetError(errors.New("open a.jsonl: permission denied, and a long explanation that must wrap rather than be cut off"))
	if m.Height() < 3 {
		t.Fatalf("a long error takes %d lines, want it wrapped in full", m.Height())
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(strings.Join(strings.Fields(v), " "), "must wrap rather than be cut off") {
		t.Fatalf("error not in full:\n%s", v)
	}
	for i, l := range strings.Split(m.View(), "\n") {
		if w := ansi.StringWidth(l); w != 50 {
			t.Fatalf("line %d is %d wide", i, w)
		}
	}
	m = typeIn(m, "x")
	if m.Error() != "" || m.Height() != 1 {
		t.Fatalf("the error stayed after an edit: %q", m.Error())
	}
	// Moving first keeps the prefill for editing.
	m.Open(Spec{Kind: Rename, Label: "name ▸ ", Value: "truck"})
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	m = typeIn(m, "s")
	if m.Value() != "trucsk" {
		t.Fatalf("editing the prefill after a move gave %q, want trucsk", m.Value())
	}
	m, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if _, ok := cmd().(CancelMsg); !ok || m.IsOpen() {
		t.Fatal("esc did not cancel")
	}
}
