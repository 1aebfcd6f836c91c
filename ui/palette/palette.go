// Package palette is the command palette (: or ctrl+p): fuzzy search over
// every action of the root keymap; enter runs the chosen one. It only
// chooses: the root runs the command named in RunMsg through the same
// handler its key uses.
package palette

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"hubtap/themes"
	"hubtap/ui/common"
)

// Command is one entry: an action's id (what RunMsg carries), the key that
// also runs it, what it does and the group it belongs to.
type Command struct {
	ID, Key, Desc, Group string
}

// RunMsg asks the root to run a command.
type RunMsg struct{ ID string }

// CloseMsg says the palette was closed without running anything.
type CloseMsg struct{}

// KeyMap lists the palette's bindings.
type KeyMap struct{ Run, Close, Up, Down key.Binding }

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Run:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		Close: key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "close")),
		Up:    key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "previous")),
		Down:  key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "next")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Run, k.Close, k.Up, k.Down} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Model is the palette.
type Model struct {
	keys    KeyMap
	st      *themes.Styles
	in      common.Input
	all     []Command
	matches []match
	cursor  int
	top     int
	w, h    int
}

type match struct {
	c   Command
	hit []int // indexes into c.Desc of the matched runes' bytes
}

// New returns a palette over cmds (in the order shown when nothing is typed).
func New(st *themes.Styles, cmds []Command) Model {
	m := Model{keys: DefaultKeyMap(), st: st, in: common.NewInput(), all: cmds}
	m.in.Prompt = "command ▸ "
	m.in.Placeholder = "type to search: filter, zoom, record, replay, export…"
	m.refilter()
	return m
}

// Commands returns every command the palette offers.
func (m Model) Commands() []Command { return m.all }

// Matches returns the commands that match what is typed, best first.
func (m Model) Matches() []Command {
	out := make([]Command, len(m.matches))
	for i, x := range m.matches {
		out[i] = x.c
	}
	return out
}

// SetSize sets the area the palette draws in.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.in.SetWidth(max(w-14, 10))
}

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Focus gives the input the keyboard.
func (m *Model) Focus() tea.Cmd { return m.in.Focus() }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.in.Blur() }

// KeyMap returns the bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update moves the selection, edits the query, and answers RunMsg or
// CloseMsg.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, m.keys.Close):
			return m, func() tea.Msg { return CloseMsg{} }
		case key.Matches(kp, m.keys.Up):
			m.cursor = max(m.cursor-1, 0)
			return m, nil
		case key.Matches(kp, m.keys.Down):
			m.cursor = min(m.cursor+1, max(len(m.matches)-1, 0))
			return m, nil
		case key.Matches(kp, m.keys.Run):
			if m.cursor < len(m.matches) {
				id := m.matches[m.cursor].c.ID
				return m, func() tea.Msg { return RunMsg{ID: id} }
			}
			return m, nil
		}
	}
	before := m.in.Value()
	var cmd tea.Cmd
	m.in, cmd = m.in.Update(msg)
	if m.in.Value() != before {
		m.cursor, m.top = 0, 0
		m.refilter()
	}
	return m, cmd
}

// refilter ranks the commands against the query: fuzzy over the
// description (and the key), with the matched letters remembered for
// highlighting.
func (m *Model) refilter() {
	q := strings.TrimSpace(m.in.Value())
	m.matches = m.matches[:0]
	if q == "" {
		for _, c := range m.all {
			m.matches = append(m.matches, match{c: c})
		}
		return
	}
	data := make([]string, len(m.all))
	for i, c := range m.all {
		data[i] = c.Desc + " · " + c.Key
	}
	for _, r := range fuzzy.Find(q, data) {
		var hit []int
		for _, ix := range r.MatchedIndexes {
			if ix < len(m.all[r.Index].Desc) {
				hit = append(hit, ix)
			}
		}
		m.matches = append(m.matches, match{c: m.all[r.Index], hit: hit})
	}
	m.cursor = min(m.cursor, max(len(m.matches)-1, 0))
}

// View draws the palette as a framed list of exactly the set size.
func (m Model) View() string {
	rows := max(m.h-4, 1) // frame and input line and a gap
	top := m.top
	if m.cursor < top {
		top = m.cursor
	}
	if m.cursor >= top+rows {
		top = m.cursor - rows + 1
	}
	lines := []string{m.in.View(), ""}
	for i := top; i < len(m.matches) && i < top+rows; i++ {
		x := m.matches[i]
		k := common.Fit(x.c.Key, 10)
		desc := m.highlight(x)
		group := m.st.Help.Sep.Render("  " + x.c.Group)
		if i == m.cursor {
			lines = append(lines, m.st.List.Selected.Render(k+" "+x.c.Desc)+group)
			continue
		}
		lines = append(lines, m.st.Help.Key.Render(k)+" "+desc+group)
	}
	if len(m.matches) == 0 {
		lines = append(lines, m.st.List.Hint.Render("no command matches"))
	}
	return common.Frame(m.st, true, "commands", "enter runs · esc closes", m.w, m.h, lines)
}

// highlight renders a match's description with the matched letters marked.
func (m Model) highlight(x match) string {
	if len(x.hit) == 0 {
		return x.c.Desc
	}
	var b strings.Builder
	hit := map[int]bool{}
	for _, i := range x.hit {
		hit[i] = true
	}
	for i, r := range x.c.Desc {
		if hit[i] {
			b.WriteString(m.st.Detail.Match.Render(string(r)))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
