// Package form is a small dialog of labelled one-line fields (the publish
// and REST dialogs): tab moves between fields, each field validates as it
// is typed, enter on the last field (or ctrl+s anywhere) submits.
package form

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
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

// SubmitMsg carries the values, in field order, to the form's owner.
type SubmitMsg struct {
	ID     string
	Values []string
}

// CancelMsg says the form was closed without submitting.
type CancelMsg struct{ ID string }

// Model is an open form.
type Model struct {
	id     string
	title  string
	notes  []string // lines shown under the fields (history, hints)
	fields []Field
	inputs []textinput.Model
	errs   []string
	cur    int
	st     *themes.Styles
}

// New opens a form; id comes back in its messages.
func New(st *themes.Styles, id, title string, fields []Field, notes []string) (Model, tea.Cmd) {
	m := Model{id: id, title: title, fields: fields, notes: notes, st: st}
	for _, f := range fields {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = f.Placeholder
		in.SetValue(f.Value)
		in.CharLimit = 1 << 20
		if len(f.Choices) > 0 {
			in.ShowSuggestions = true
			in.SetSuggestions(f.Choices)
		}
		m.inputs = append(m.inputs, in)
	}
	m.errs = make([]string, len(fields))
	for i := range fields {
		m.validate(i)
	}
	return m, m.inputs[0].Focus()
}

func (m *Model) validate(i int) {
	m.errs[i] = ""
	if c := m.fields[i].Check; c != nil {
		if err := c(m.inputs[i].Value()); err != nil {
			m.errs[i] = err.Error()
		}
	}
}

// SetNotes replaces the lines under the fields.
func (m *Model) SetNotes(n []string) { m.notes = n }

// Update edits the focused field and moves between fields.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var cmd tea.Cmd
		m.inputs[m.cur], cmd = m.inputs[m.cur].Update(msg)
		return m, cmd
	}
	switch kp.String() {
	case "esc", "ctrl+c":
		id := m.id
		return m, func() tea.Msg { return CancelMsg{ID: id} }
	case "tab", "down":
		if kp.String() == "tab" && m.inputs[m.cur].ShowSuggestions && m.inputs[m.cur].CurrentSuggestion() != "" &&
			m.inputs[m.cur].CurrentSuggestion() != m.inputs[m.cur].Value() {
			break // let the input accept the completion
		}
		return m, m.focus((m.cur + 1) % len(m.inputs))
	case "shift+tab", "up":
		return m, m.focus((m.cur - 1 + len(m.inputs)) % len(m.inputs))
	case "enter", "ctrl+s":
		if kp.String() == "enter" && m.cur < len(m.inputs)-1 {
			return m, m.focus(m.cur + 1)
		}
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
		id := m.id
		return m, func() tea.Msg { return SubmitMsg{ID: id, Values: vals} }
	}
	var cmd tea.Cmd
	m.inputs[m.cur], cmd = m.inputs[m.cur].Update(msg)
	m.validate(m.cur)
	return m, cmd
}

func (m *Model) focus(i int) tea.Cmd {
	m.inputs[m.cur].Blur()
	m.cur = i
	return m.inputs[i].Focus()
}

// View draws the form in a framed w×h box.
func (m Model) View(w, h int) string {
	inner := max(w-2, 10)
	labelW := 0
	for _, f := range m.fields {
		labelW = max(labelW, len(f.Label))
	}
	var lines []string
	for i, f := range m.fields {
		in := m.inputs[i]
		in.SetWidth(max(inner-labelW-3, 5))
		label := m.st.Detail.Label.Render(common.Fit(f.Label, labelW+1))
		if i == m.cur {
			label = m.st.Input.Prompt.Render(common.Fit(f.Label, labelW+1))
		}
		lines = append(lines, label+" "+in.View())
		if m.errs[i] != "" {
			lines = append(lines, strings.Repeat(" ", labelW+2)+m.st.Input.Error.Render(m.errs[i]))
		}
	}
	lines = append(lines, "")
	lines = append(lines, m.notes...)
	return common.Frame(m.st, true, m.title, "tab next · enter/ctrl+s send · esc close", w, h, lines)
}
