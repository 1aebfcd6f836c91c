// Package toolbox is the panel the flespi toolbox answers in: a title,
// lines of text (each with a level: plain, hint, ok, warning, error), an
// optional cursor over selectable rows, and a yes/no question the panel
// asks before a write (deleting a session, sending a command). The root
// fills it; the panel never does I/O.
package toolbox

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// Level says how a line is drawn.
type Level int

// The levels of a line.
const (
	Plain Level = iota
	Hint
	OK
	Warn
	Err
	Label
)

// Line is one line of the panel. Untrusted text is sanitized when set.
type Line struct {
	Text  string
	Level Level
	// Row is the selectable row this line belongs to (-1: none). Rows are
	// counted from 0 in the order they appear.
	Row int
}

// Spec is what the panel shows.
type Spec struct {
	Title string
	Lines []Line
	// Rows is how many selectable rows Lines holds; 0: no cursor.
	Rows int
	// CanDelete offers d on the selected row (sessions).
	CanDelete bool
}

// CloseMsg says the panel was closed (esc).
type CloseMsg struct{}

// DeleteMsg asks the root to confirm deleting row Row (d).
type DeleteMsg struct{ Row int }

// RefreshMsg asks the root to fetch the panel's content again (r).
type RefreshMsg struct{}

// AnswerMsg is the answer to Ask: Yes is true for y.
type AnswerMsg struct {
	Tag string
	Yes bool
}

// KeyMap lists the panel's bindings.
type KeyMap struct{ Up, Down, Delete, Refresh, Yes, No, Close key.Binding }

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Delete:  key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "delete the selected one (asks first)")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "fetch again")),
		Yes:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "no")),
		Close:   key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Refresh, k.Close} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Refresh, k.Close}, {k.Delete, k.Yes, k.No}}
}

// Model is the panel.
type Model struct {
	keys    KeyMap
	st      *themes.Styles
	spec    Spec
	sc      common.Scroller
	focused bool
	w, h    int
	top     int    // first line shown when there are no rows
	ask     string // the open question ("" none)
	askTag  string
}

// New returns an empty panel.
func New(st *themes.Styles) Model { return Model{keys: DefaultKeyMap(), st: st} }

// Set replaces the content. The cursor stays on its row when it still
// exists; the scroll position is kept.
func (m *Model) Set(s Spec) {
	for i := range s.Lines {
		s.Lines[i].Text = history.SanitizeLine(s.Lines[i].Text)
	}
	m.spec = s
	m.sc.SetLen(s.Rows)
	m.top = min(m.top, max(len(s.Lines)-1, 0))
}

// Spec returns what the panel shows (for tests and the root).
func (m Model) Spec() Spec { return m.spec }

// Cursor returns the selected row (0 when there is none).
func (m Model) Cursor() int { return m.sc.Cursor }

// Ask shows a yes/no question; the answer comes as AnswerMsg with tag.
func (m *Model) Ask(question, tag string) { m.ask, m.askTag = history.SanitizeLine(question), tag }

// Asking reports whether a question is open.
func (m Model) Asking() bool { return m.ask != "" }

// SetSize sets the area the panel draws in.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.sc.SetHeight(max(h-2, 1))
}

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Focus gives the panel the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes it away and drops an open question.
func (m *Model) Blur() { m.focused, m.ask = false, "" }

// KeyMap returns the bindings.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update handles keys while focused. With a question open only y, n and
// esc count (esc and n answer no).
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	if m.ask != "" {
		tag := m.askTag
		switch {
		case key.Matches(kp, m.keys.Yes):
			m.ask = ""
			return m, func() tea.Msg { return AnswerMsg{Tag: tag, Yes: true} }
		case key.Matches(kp, m.keys.No), key.Matches(kp, m.keys.Close):
			m.ask = ""
			return m, func() tea.Msg { return AnswerMsg{Tag: tag} }
		}
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.Close):
		return m, func() tea.Msg { return CloseMsg{} }
	case key.Matches(kp, m.keys.Up) && m.spec.Rows == 0:
		m.top = max(m.top-1, 0)
	case key.Matches(kp, m.keys.Down) && m.spec.Rows == 0:
		m.top = min(m.top+1, max(len(m.spec.Lines)-max(m.h-2, 1), 0))
	case key.Matches(kp, m.keys.Up):
		m.sc.Up()
	case key.Matches(kp, m.keys.Down):
		m.sc.Down()
	case key.Matches(kp, m.keys.Refresh):
		return m, func() tea.Msg { return RefreshMsg{} }
	case key.Matches(kp, m.keys.Delete) && m.spec.CanDelete && m.spec.Rows > 0:
		row := m.sc.Cursor
		return m, func() tea.Msg { return DeleteMsg{Row: row} }
	}
	return m, nil
}

// View draws the panel, framed, exactly the set size.
func (m Model) View() string {
	inner := max(m.w-2, 0)
	var lines []string
	sel := -1
	for i, l := range m.spec.Lines {
		text := common.Fit(l.Text, inner)
		st := m.st.Detail.Value
		switch l.Level {
		case Hint:
			st = m.st.List.Hint
		case OK:
			st = m.st.Status.OK
		case Warn:
			st = m.st.Status.Warn
		case Err:
			st = m.st.Status.Err
		case Label:
			st = m.st.Detail.Label
		}
		if m.spec.Rows > 0 && l.Row == m.sc.Cursor && l.Row >= 0 {
			st = m.st.List.Selected
			if sel < 0 {
				sel = i
			}
		}
		lines = append(lines, st.Render(text))
	}
	body := max(m.h-2, 0)
	if m.ask != "" {
		body = max(body-2, 0)
	}
	top := m.top
	if m.spec.Rows > 0 {
		top = 0
	}
	if sel >= body {
		top = sel - body + 1
	}
	if top < len(lines) {
		lines = lines[top:]
	}
	if len(lines) > body {
		lines = lines[:body]
	}
	if m.ask != "" {
		for len(lines) < body {
			lines = append(lines, "")
		}
		lines = append(lines, "", m.st.Status.Warn.Render(common.Fit(m.ask+"  y yes · n no", inner)))
	}
	info := "esc closes · r again"
	if m.spec.CanDelete {
		info = "d deletes · " + info
	}
	return common.Frame(m.st, true, m.spec.Title, info, m.w, m.h, lines)
}
