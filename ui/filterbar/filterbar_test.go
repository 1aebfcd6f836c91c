package filterbar

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/themes"
)

const width = 100

// opened is a bar of width cells editing pane 2's filter, which was cur.
func opened(cur string) Model {
	m := New(themes.Build(themes.Plain()))
	m.SetWidth(width)
	m.Open(2, cur) // the returned Cmd starts the cursor blink; not run here
	return m
}

// typeText types s one key at a time.
func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// clear deletes the text with ctrl+u (textinput's delete-before-cursor).
func clear(m Model) Model {
	m, _ = m.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	return m
}

// lines checks the two-line frame (each exactly width cells) and returns
// the message line and the input line, escapes stripped.
func lines(t *testing.T, m Model) (top, input string) {
	t.Helper()
	l := strings.Split(m.View(), "\n")
	if len(l) != 2 {
		t.Fatalf("view has %d lines, want 2: %q", len(l), m.View())
	}
	for i, s := range l {
		if w := ansi.StringWidth(s); w != width {
			t.Fatalf("line %d is %d cells, want %d: %q", i, w, width, ansi.Strip(s))
		}
	}
	return ansi.Strip(l[0]), ansi.Strip(l[1])
}

// msgs runs cmd and returns the messages it yields, a tea.Batch's
// included. Only call it on commands that return at once.
func msgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, msgs(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// TestBadExpressionShowsError: a syntax error shows with a caret under its
// column, is never reported to the root, and enter keeps the bar open.
func TestBadExpressionShowsError(t *testing.T) {
	m := clear(opened(""))
	m = typeText(m, "position.speed >")
	top, input := lines(t, m)
	if !strings.Contains(input, "filter ▸ position.speed >") {
		t.Fatalf("input line %q", input)
	}
	caret := strings.Index(top, "^")
	if caret < 0 || !strings.Contains(top, "expected") {
		t.Fatalf("no caret and message on the error line: %q", top)
	}
	// The caret sits under the end of the text (where a value is missing).
	if want := ansi.StringWidth("filter ▸ position.speed >"); ansi.StringWidth(top[:caret]) != want {
		t.Fatalf("caret at cell %d, want %d:\n%s\n%s", ansi.StringWidth(top[:caret]), want, top, input)
	}
	if m.err == nil {
		t.Fatal("no syntax error recorded")
	}
	// A settle for the invalid text reports nothing.
	nm, cmd := m.Update(settleMsg{gen: m.gen})
	if got := msgs(cmd); len(got) != 0 {
		t.Fatalf("an invalid filter was reported: %#v", got)
	}
	nm, cmd = nm.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if !nm.IsOpen() || cmd != nil {
		t.Fatalf("enter on an invalid filter: open %v, cmd %v; want open, no command", nm.IsOpen(), cmd != nil)
	}
	// Fixing it clears the error and shows the keys again.
	m = typeText(nm, " 80")
	if top, _ := lines(t, m); !strings.HasPrefix(top, "enter apply · esc cancel, restore") {
		t.Fatalf("after fixing the error the message line is %q", top)
	}
}

// TestGoodExpressionReports: after the typing pause a valid filter is
// reported for the bar's pane; a stale pause (older text) is dropped;
// enter reports any change not yet reported and closes, remembering it.
func TestGoodExpressionReports(t *testing.T) {
	m := typeText(clear(opened(`ident == "1"`)), "position.speed > 8")
	stale := m.gen
	m = typeText(m, "0")
	if _, cmd := m.Update(settleMsg{gen: stale}); cmd != nil {
		t.Fatal("a settle for older text produced a command")
	}
	nm, cmd := m.Update(settleMsg{gen: m.gen})
	got := msgs(cmd)
	if len(got) != 1 {
		t.Fatalf("settle gave %#v, want one ChangedMsg", got)
	}
	ch, ok := got[0].(ChangedMsg)
	if !ok || ch.Pane != 2 || ch.Src != "position.speed > 80" || ch.Expr == nil {
		t.Fatalf("settle gave %#v, want ChangedMsg{Pane: 2, Src: %q}", got[0], "position.speed > 80")
	}
	// The same text again is not reported twice; enter just closes.
	nm, cmd = nm.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	got = msgs(cmd)
	if nm.IsOpen() || len(got) != 1 {
		t.Fatalf("enter: open %v, messages %#v; want closed, one ClosedMsg", nm.IsOpen(), got)
	}
	if c, ok := got[0].(ClosedMsg); !ok || c.Cancelled || c.Pane != 2 {
		t.Fatalf("enter gave %#v, want ClosedMsg{Pane: 2}", got[0])
	}
	if h := nm.History(); len(h) != 1 || h[0] != "position.speed > 80" {
		t.Fatalf("history %q", h)
	}
	// Enter right after typing reports and closes at once.
	m = typeText(clear(opened("")), "qos == 1")
	_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	got = msgs(cmd)
	if len(got) != 2 {
		t.Fatalf("enter after typing gave %#v, want ChangedMsg and ClosedMsg", got)
	}
	if ch, ok := got[0].(ChangedMsg); !ok || ch.Src != "qos == 1" {
		t.Fatalf("first message %#v, want ChangedMsg for qos == 1", got[0])
	}
}

// TestEscRestores: esc closes the bar and asks the root to restore the
// filter the pane had when the bar opened.
func TestEscRestores(t *testing.T) {
	m := typeText(clear(opened(`ident == "1"`)), "qos == 2")
	nm, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	got := msgs(cmd)
	if nm.IsOpen() || len(got) != 1 {
		t.Fatalf("esc: open %v, messages %#v", nm.IsOpen(), got)
	}
	want := ClosedMsg{Pane: 2, Cancelled: true, Restore: `ident == "1"`}
	if got[0] != want {
		t.Fatalf("esc gave %#v, want %#v", got[0], want)
	}
	if len(nm.History()) != 0 {
		t.Fatalf("a cancelled filter was remembered: %q", nm.History())
	}
	if _, cmd := nm.Update(tea.KeyPressMsg{Code: 'x', Text: "x"}); cmd != nil {
		t.Fatal("a closed bar reacted to a key")
	}
}

// TestHistoryBrowsing: up and down walk the remembered filters, newest
// first, and down past the newest empties the input.
func TestHistoryBrowsing(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	m.SetWidth(width)
	for _, f := range []string{"qos == 0", "qos == 1", "qos == 0", " retain "} {
		m.Remember(f)
	}
	if got := strings.Join(m.History(), "|"); got != "qos == 1|qos == 0|retain" {
		t.Fatalf("history %q: want oldest first, no duplicates, trimmed", got)
	}
	m.Open(0, "")
	up, down := tea.KeyPressMsg{Code: tea.KeyUp}, tea.KeyPressMsg{Code: tea.KeyDown}
	for i, step := range []struct {
		key  tea.KeyPressMsg
		want string
	}{{up, "retain"}, {up, "qos == 0"}, {up, "qos == 1"}, {up, "qos == 1"}, {down, "qos == 0"}, {down, "retain"}, {down, ""}} {
		m, _ = m.Update(step.key)
		if _, input := lines(t, m); strings.TrimSpace(strings.TrimPrefix(input, "filter ▸ ")) != step.want &&
			!(step.want == "" && strings.Contains(input, "ident ==")) { // the placeholder
			t.Fatalf("step %d: input %q, want %q", i, input, step.want)
		}
	}
}

// TestHistoryIsBounded keeps the newest maxHistory filters.
func TestHistoryIsBounded(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	for i := range maxHistory + 5 {
		m.Remember(fmt.Sprintf("qos == %d", i))
	}
	h := m.History()
	if len(h) != maxHistory || h[0] != "qos == 5" || h[len(h)-1] != fmt.Sprintf("qos == %d", maxHistory+4) {
		t.Fatalf("history has %d entries, %q … %q", len(h), h[0], h[len(h)-1])
	}
}

// TestCopyUnchangedByUpdate: an Update (typing, applying) on the bar
// leaves an earlier copy's text and history as they were.
func TestCopyUnchangedByUpdate(t *testing.T) {
	m := opened("")
	for _, f := range []string{"qos == 0", "qos == 1", "qos == 2"} {
		m.Remember(f)
	}
	m = typeText(clear(m), "qos")
	cp := m
	top, input := lines(t, cp)
	m = typeText(m, " == 0")
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) // moves qos == 0 to the end
	if gt, gi := lines(t, cp); gt != top || gi != input {
		t.Fatalf("the copy's view changed:\n%s\n%s\nwas:\n%s\n%s", gt, gi, top, input)
	}
	if got := strings.Join(cp.History(), "|"); got != "qos == 0|qos == 1|qos == 2" {
		t.Fatalf("the copy's history changed to %q", got)
	}
	if got := strings.Join(m.History(), "|"); got != "qos == 1|qos == 2|qos == 0" {
		t.Fatalf("the original's history is %q", got)
	}
}

// TestKeyMapHelp: the bar's keys have help, and the message line shows it.
func TestKeyMapHelp(t *testing.T) {
	k := DefaultKeyMap()
	if len(k.ShortHelp()) != 4 || len(k.FullHelp()) != 2 {
		t.Fatalf("ShortHelp %d bindings, FullHelp %d columns", len(k.ShortHelp()), len(k.FullHelp()))
	}
	h := help.New()
	h.SetWidth(200)
	full := h.FullHelpView(k.FullHelp())
	for _, want := range []string{"enter", "apply", "esc", "cancel, restore", "↑", "older filter", "↓", "newer filter"} {
		if !strings.Contains(full, want) {
			t.Errorf("full help lacks %q:\n%s", want, full)
		}
	}
	top, _ := lines(t, opened(""))
	if !strings.HasPrefix(top, "enter apply · esc cancel, restore · ↑ older filter · ↓ newer filter · e.g.") {
		t.Fatalf("message line %q", top)
	}
}
