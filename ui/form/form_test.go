package form

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

func spec(enter bool) Spec {
	notEmpty := func(s string) error {
		if s == "" {
			return errors.New("needed")
		}
		return nil
	}
	return Spec{ID: "x", Title: "t", SubmitOnEnter: enter, Fields: []Field{
		{Label: "method", Value: "get", Check: notEmpty}, {Label: "uri", Value: "gw/devices/all", Check: notEmpty}, {Label: "body"}}}
}

func TestEnterSubmitsOneStepForm(t *testing.T) {
	m := New(themes.Build(themes.Plain()), spec(true))
	m.SetSize(60, 10)
	m.Focus()
	m = typeIn(m, "post") // replaces the prefilled "get"
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	sub, ok := cmd().(SubmitMsg)
	if !ok || sub.Values[0] != "post" || sub.Values[1] != "gw/devices/all" {
		t.Fatalf("enter gave %#v", cmd())
	}
}

func TestEnterMovesInLongerForm(t *testing.T) {
	m := New(themes.Build(themes.Plain()), spec(false))
	m.SetSize(60, 10)
	m.Focus()
	m, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd != nil {
		if _, ok := cmd().(SubmitMsg); ok {
			t.Fatal("enter on the first field submitted a multi-field form")
		}
	}
	// The uri field: delete the prefill, and the error shows until typing fixes it.
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if m.Err(1) == "" || !strings.Contains(ansi.Strip(m.View()), "needed") {
		t.Fatalf("empty uri not flagged:\n%s", ansi.Strip(m.View()))
	}
	_, cmd = m.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if cmd != nil {
		if _, ok := cmd().(SubmitMsg); ok {
			t.Fatal("ctrl+s submitted a form with an error")
		}
	}
	m = typeIn(m, "a")
	if m.Err(1) != "" {
		t.Fatalf("error stayed: %q", m.Err(1))
	}
	_, cmd = m.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if sub, ok := cmd().(SubmitMsg); !ok || sub.Values[1] != "a" {
		t.Fatalf("ctrl+s gave %#v", cmd())
	}
	for i, l := range strings.Split(m.View(), "\n") {
		if w := ansi.StringWidth(l); w != 60 {
			t.Fatalf("line %d is %d wide", i, w)
		}
	}
}
