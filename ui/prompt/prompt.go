// Package prompt is the one-line prompt at the bottom of the screen
// (subscribe, new pane, pane topics, rename, columns, jump to a time,
// export). It asks; its owner acts on SubmitMsg and may answer with an error
// that shows in the prompt until the next edit.
package prompt

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/themes"
	"hubtap/ui/common"
)

// Kind says what the prompt asks for; it comes back in SubmitMsg.
type Kind int

// The kinds of question.
const (
	Subscribe Kind = iota
	Jump
	Export    // the pane's messages
	ExportOne // the selected message
	NewPane
	Topics
	Rename
	Columns
)

// Spec opens a prompt: Label before the input, Value prefilled (replaced by
// the first typed key), Placeholder shown when empty, Suggestions offered
// for completion (tab accepts, ctrl+n/ctrl+p cycle).
type Spec struct {
	Kind               Kind
	Label, Value, Hint string
	Placeholder        string
	Suggestions        []string
}

// SubmitMsg carries the typed value to the owner. The prompt stays open:
// the owner closes it (Close) or shows an error (SetError).
type SubmitMsg struct {
	Kind  Kind
	Value string
}

// CancelMsg says the prompt was closed with esc.
type CancelMsg struct{ Kind Kind }

// KeyMap lists the prompt's bindings.
type KeyMap struct{ Submit, Cancel, Complete key.Binding }

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel:   key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Submit, k.Cancel, k.Complete} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Model is the prompt. The zero value is not usable; use New.
type Model struct {
	keys  KeyMap
	st    *themes.Styles
	in    common.Input
	spec  Spec
	open  bool
	width int
}

// New returns a closed prompt.
func New(st *themes.Styles) Model {
	return Model{keys: DefaultKeyMap(), st: st, in: common.NewInput()}
}

// Open shows the prompt for spec and gives it the keyboard.
func (m *Model) Open(spec Spec) tea.Cmd {
	m.spec, m.open = spec, true
	m.in = common.NewInput()
	m.in.Prompt, m.in.Placeholder = spec.Label, spec.Placeholder
	m.in.ShowSuggestions = len(spec.Suggestions) > 0
	m.in.SetSuggestions(spec.Suggestions)
	m.in.Prefill(spec.Value)
	m.SetSize(m.width)
	return m.Focus()
}

// Close hides the prompt.
func (m *Model) Close() {
	m.open = false
	m.in.Blur()
}

// IsOpen reports whether the prompt is on screen.
func (m Model) IsOpen() bool { return m.open }

// Kind returns what the open prompt asks for.
func (m Model) Kind() Kind { return m.spec.Kind }

// Value returns the text typed so far.
func (m Model) Value() string { return m.in.Value() }

// Suggestions returns the completions that match what is typed.
func (m Model) Suggestions() []string { return m.in.AvailableSuggestions() }

// SetError shows an error in the prompt until the next edit.
func (m *Model) SetError(err error) { m.in.SetError(err) }

// Error returns the error on show ("" none).
func (m Model) Error() string { return m.in.Error() }

// SetSize sets the width (the prompt is one line, two with an error).
func (m *Model) SetSize(w int) {
	m.width = w
	m.in.SetWidth(max(w-common.Width(m.spec.Label)-2, 10))
}

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Focus gives the input the keyboard.
func (m *Model) Focus() tea.Cmd { return m.in.Focus() }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.in.Blur() }

// KeyMap returns the bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update takes every key while open: enter submits, esc cancels, the rest
// edits.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.open {
		return m, nil
	}
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, m.keys.Cancel):
			m.Close()
			kind := m.spec.Kind
			return m, func() tea.Msg { return CancelMsg{Kind: kind} }
		case key.Matches(kp, m.keys.Submit):
			sub := SubmitMsg{Kind: m.spec.Kind, Value: m.in.Value()}
			return m, func() tea.Msg { return sub }
		}
	}
	var cmd tea.Cmd
	m.in, cmd = m.in.Update(msg)
	return m, cmd
}

// Height is how many lines View draws: the input line, plus the error (in
// full, wrapped) or the hint.
func (m Model) Height() int { return len(m.above()) + 1 }

func (m Model) above() []string {
	switch {
	case m.in.Error() != "":
		lines := common.Wrap("✕ "+m.in.Error(), m.width)
		for i := range lines {
			lines[i] = common.Fit(m.st.Status.Err.Render(lines[i]), m.width)
		}
		return lines
	case m.spec.Hint != "":
		return []string{common.Fit(m.st.List.Hint.Render(m.spec.Hint), m.width)}
	}
	return nil
}

// View draws the prompt: the error (or the hint) above the input line.
func (m Model) View() string {
	lines := append(m.above(), common.Fit(m.in.View(), m.width))
	return strings.Join(lines, "\n")
}
