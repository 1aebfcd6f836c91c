// Package form is a small dialog of labelled one-line fields (the publish
// and REST dialogs). Every field behaves like every other input of hubtap
// (see common.Input): a prefilled value is replaced by the first typed key,
// and its check's error shows in full under it until the next edit fixes it.
// tab/↓ move to the next field, ctrl+s submits from anywhere, and enter
// submits from any field of a one-step form (SubmitOnEnter) or moves to the
// next field of a longer one (submitting from the last).
package form

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/themes"
	"hubtap/ui/common"
)

// Field describes one input.
type Field struct {
	Label, Placeholder, Value string
	// Check validates the text; an error is shown under the field and
	// blocks submitting. nil accepts anything.
	Check func(string) error
	// Choices, if set, are offered as completions (tab accepts).
	Choices []string
}

// Spec describes a form.
type Spec struct {
	ID, Title string
	Fields    []Field
	Notes     []string // lines shown under the fields (history, hints)
	// SubmitOnEnter: enter sends from any field (a request whose later
	// fields are optional); otherwise enter moves to the next field.
	SubmitOnEnter bool
}

// SubmitMsg carries the values, in field order, to the form's owner.
type SubmitMsg struct {
	ID     string
	Values []string
}

// CancelMsg says the form was closed without submitting.
type CancelMsg struct{ ID string }

// KeyMap lists the form's bindings.
type KeyMap struct{ Next, Prev, Enter, Submit, Cancel key.Binding }

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field")),
		Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send")),
		Cancel: key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Next, k.Enter, k.Submit, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp(), {k.Prev}} }

// Model is a form. The zero value is an empty, closed form.
type Model struct {
	keys   KeyMap
	spec   Spec
	inputs []common.Input
	errs   []string
	cur    int
	st     *themes.Styles
	w, h   int
}

// New builds a form (blurred: Focus gives it the keyboard).
func New(st *themes.Styles, spec Spec) Model {
	m := Model{keys: DefaultKeyMap(), spec: spec, st: st}
	if spec.SubmitOnEnter {
		m.keys.Enter.SetHelp("enter", "send")
	}
	for _, f := range spec.Fields {
		in := common.NewInput()
		in.Prompt = ""
		in.Placeholder = f.Placeholder
		in.Prefill(f.Value)
		if len(f.Choices) > 0 {
			in.ShowSuggestions = true
			in.SetSuggestions(f.Choices)
		}
		m.inputs = append(m.inputs, in)
	}
	m.errs = make([]string, len(spec.Fields))
	for i := range spec.Fields {
		m.validate(i)
	}
	return m
}

// ID returns the form's id (what its messages carry).
func (m Model) ID() string { return m.spec.ID }

// Value returns field i's text.
func (m Model) Value(i int) string { return m.inputs[i].Value() }

// Err returns field i's error ("" none).
func (m Model) Err(i int) string { return m.errs[i] }

func (m *Model) validate(i int) {
	m.errs[i] = ""
	if c := m.spec.Fields[i].Check; c != nil {
		if err := c(m.inputs[i].Value()); err != nil {
			m.errs[i] = err.Error()
		}
	}
}

// SetNotes replaces the lines under the fields.
func (m *Model) SetNotes(n []string) { m.spec.Notes = n }

// SetSize sets the area the form draws in.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Focus gives the current field the keyboard.
func (m *Model) Focus() tea.Cmd {
	if len(m.inputs) == 0 {
		return nil
	}
	return m.inputs[m.cur].Focus()
}

// Blur takes the keyboard away.
func (m *Model) Blur() {
	if len(m.inputs) > 0 {
		m.inputs[m.cur].Blur()
	}
}

// KeyMap returns the bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update edits the focused field, moves between fields and submits.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if len(m.inputs) == 0 {
		return m, nil
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var cmd tea.Cmd
		m.inputs[m.cur], cmd = m.inputs[m.cur].Update(msg)
		return m, cmd
	}
	in := m.inputs[m.cur]
	switch {
	case key.Matches(kp, m.keys.Cancel):
		id := m.spec.ID
		return m, func() tea.Msg { return CancelMsg{ID: id} }
	case kp.String() == "tab" && in.ShowSuggestions && in.CurrentSuggestion() != "" && in.CurrentSuggestion() != in.Value():
		// tab accepts the completion on offer (below)
	case key.Matches(kp, m.keys.Next):
		return m, m.focus((m.cur + 1) % len(m.inputs))
	case key.Matches(kp, m.keys.Prev):
		return m, m.focus((m.cur - 1 + len(m.inputs)) % len(m.inputs))
	case key.Matches(kp, m.keys.Enter) && !m.spec.SubmitOnEnter && m.cur < len(m.inputs)-1:
		return m, m.focus(m.cur + 1)
	case key.Matches(kp, m.keys.Enter), key.Matches(kp, m.keys.Submit):
		return m.submit()
	}
	var cmd tea.Cmd
	m.inputs[m.cur], cmd = m.inputs[m.cur].Update(msg)
	m.validate(m.cur)
	return m, cmd
}

// submit sends the values, or moves to the first field in error.
func (m Model) submit() (Model, tea.Cmd) {
	for i := range m.inputs {
		m.validate(i)
		if m.errs[i] != "" {
			return m, m.focus(i)
		}
	}
	vals := make([]string, len(m.inputs))
	for i, in := range m.inputs {
		vals[i] = in.Value()
	}
	id := m.spec.ID
	return m, func() tea.Msg { return SubmitMsg{ID: id, Values: vals} }
}

func (m *Model) focus(i int) tea.Cmd {
	m.inputs[m.cur].Blur()
	m.cur = i
	return m.inputs[i].Focus()
}

// View draws the form in a frame of exactly the set size. Errors are shown
// in full, wrapped under their field.
func (m Model) View() string {
	inner := max(m.w-2, 10)
	labelW := 0
	for _, f := range m.spec.Fields {
		labelW = max(labelW, len(f.Label))
	}
	var lines []string
	for i, f := range m.spec.Fields {
		in := m.inputs[i]
		in.SetWidth(max(inner-labelW-3, 5))
		label := m.st.Detail.Label.Render(common.Fit(f.Label, labelW+1))
		if i == m.cur {
			label = m.st.Input.Prompt.Render(common.Fit(f.Label, labelW+1))
		}
		lines = append(lines, label+" "+in.View())
		if m.errs[i] != "" {
			for _, l := range common.Wrap(m.errs[i], max(inner-labelW-2, 10)) {
				lines = append(lines, strings.Repeat(" ", labelW+2)+m.st.Input.Error.Render(l))
			}
		}
	}
	lines = append(lines, "")
	lines = append(lines, m.spec.Notes...)
	hint := "tab next · enter next · ctrl+s send · esc close"
	if m.spec.SubmitOnEnter {
		hint = "tab next · enter/ctrl+s send · esc close"
	}
	return common.Frame(m.st, true, m.spec.Title, hint, m.w, m.h, lines)
}
