// Package filterbar is the filter input: a one-line editor that validates
// the expression as it is typed, shows a caret under a syntax error, keeps a
// history (up/down), and reports valid changes to the root after a short
// pause in typing, so the list narrows while the user types.
package filterbar

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/filters"
	"hubtap/themes"
	"hubtap/ui/common"
)

// debounce is the pause in typing after which a valid filter is applied.
const debounce = 120 * time.Millisecond

// maxHistory bounds the remembered filters.
const maxHistory = 100

// ChangedMsg asks the root to apply a valid filter to the pane (Expr nil
// with Src "" clears it).
type ChangedMsg struct {
	Pane int
	Src  string
	Expr *filters.Expr
}

// ClosedMsg says the bar closed. On cancel the root restores Restore.
type ClosedMsg struct {
	Pane      int
	Cancelled bool
	Restore   string // the filter the pane had when the bar opened
}

type settleMsg struct{ gen uint64 }

// KeyMap lists the bar's bindings. It satisfies help.KeyMap. Every other
// key edits the text (bubbles' textinput keys).
type KeyMap struct{ Apply, Cancel, Older, Newer key.Binding }

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Apply:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel: key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel, restore")),
		Older:  key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "older filter")),
		Newer:  key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "newer filter")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Apply, k.Cancel, k.Older, k.Newer} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Apply, k.Cancel}, {k.Older, k.Newer}}
}

// hint is the bar's help line while the text is valid: its keys, from
// ShortHelp, and an example.
func (k KeyMap) hint() string {
	var b strings.Builder
	for _, kb := range k.ShortHelp() {
		h := kb.Help()
		b.WriteString(h.Key + " " + h.Desc + " · ")
	}
	b.WriteString(`e.g. position.speed > 80 && ident in ["352…"] · see docs/FILTERS.md`)
	return b.String()
}

// Model is the filter bar. Its View is two lines: the error (or help) line
// and the input line.
type Model struct {
	keys    KeyMap
	hint    string // keys.hint(), built once
	st      *themes.Styles
	input   textinput.Model
	open    bool
	pane    int
	restore string
	applied string // last source reported in a ChangedMsg
	err     *filters.SyntaxError
	errText string
	gen     uint64
	history []string
	hpos    int // index into history while browsing; len(history) = editing
	width   int
}

const prompt = "filter ▸ "

// New returns a closed filter bar.
func New(st *themes.Styles) Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = `ident == "352625066004561" && position.speed > 80`
	in.CharLimit = filters.MaxLen
	keys := DefaultKeyMap()
	return Model{keys: keys, hint: keys.hint(), st: st, input: in}
}

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// SetWidth sets the width of both lines.
func (m *Model) SetWidth(w int) {
	m.width = w
	m.input.SetWidth(max(w-ansi.StringWidth(prompt)-1, 1))
}

// Open starts editing the filter of pane, which currently is current.
func (m *Model) Open(pane int, current string) tea.Cmd {
	m.open, m.pane, m.restore, m.applied = true, pane, current, current
	m.err, m.errText = nil, ""
	m.input.SetValue(current)
	m.input.CursorEnd()
	m.hpos = len(m.history)
	return m.input.Focus()
}

// IsOpen reports whether the bar takes the keyboard.
func (m Model) IsOpen() bool { return m.open }

// KeyMap returns the bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// Remember adds src to the history (most recent last, no duplicates). It
// builds a new slice (at most maxHistory strings) rather than editing the
// one that earlier copies of the model share.
func (m *Model) Remember(src string) {
	src = strings.TrimSpace(src)
	if src == "" {
		return
	}
	h := make([]string, 0, len(m.history)+1)
	for _, old := range m.history {
		if old != src {
			h = append(h, old)
		}
	}
	h = append(h, src)
	m.history = h[max(len(h)-maxHistory, 0):]
}

// History returns the remembered filters, oldest first.
func (m Model) History() []string { return m.history }

// Update edits, validates and reports.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.open {
		return m, nil
	}
	switch msg := msg.(type) {
	case settleMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		return m, m.report()
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Apply):
			if m.err != nil {
				return m, nil // keep editing; the caret shows what is wrong
			}
			cmd := m.report()
			m.Remember(m.input.Value())
			m.close()
			return m, tea.Batch(cmd, closed(m.pane, false, m.restore))
		case key.Matches(msg, m.keys.Cancel):
			m.close()
			return m, closed(m.pane, true, m.restore)
		case key.Matches(msg, m.keys.Older):
			if m.hpos > 0 {
				m.hpos--
				m.input.SetValue(m.history[m.hpos])
				m.input.CursorEnd()
				return m, m.changed()
			}
			return m, nil
		case key.Matches(msg, m.keys.Newer):
			if m.hpos < len(m.history) {
				m.hpos++
				v := ""
				if m.hpos < len(m.history) {
					v = m.history[m.hpos]
				}
				m.input.SetValue(v)
				m.input.CursorEnd()
				return m, m.changed()
			}
			return m, nil
		}
	}
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() != before {
		return m, tea.Batch(cmd, m.changed())
	}
	return m, cmd
}

func (m *Model) close() {
	m.open = false
	m.input.Blur()
}

func closed(pane int, cancelled bool, restore string) tea.Cmd {
	return func() tea.Msg { return ClosedMsg{Pane: pane, Cancelled: cancelled, Restore: restore} }
}

// changed validates the text now and schedules applying it.
func (m *Model) changed() tea.Cmd {
	m.gen++
	_, err := filters.Compile(m.input.Value())
	m.err, m.errText = nil, ""
	if err != nil {
		var se *filters.SyntaxError
		if errors.As(err, &se) {
			m.err = se
		}
		m.errText = err.Error()
		return nil // an invalid filter never replaces the applied one
	}
	gen := m.gen
	return tea.Tick(debounce, func(time.Time) tea.Msg { return settleMsg{gen: gen} })
}

// report returns a ChangedMsg for the current text, if valid and new.
func (m *Model) report() tea.Cmd {
	src := strings.TrimSpace(m.input.Value())
	if src == m.applied {
		return nil
	}
	expr, err := filters.Compile(src)
	if err != nil {
		return nil
	}
	m.applied = src
	pane := m.pane
	return func() tea.Msg { return ChangedMsg{Pane: pane, Src: src, Expr: expr} }
}

// View renders two lines of exactly width cells: the message line (an error
// with a caret under its column, or the keys) and the input.
func (m Model) View() string {
	var top string
	switch {
	case m.err != nil:
		// The caret sits under the error's column: the input shows the text
		// from its start unless it scrolled, which long filters may do.
		runes := []rune(m.err.Src)
		before := string(runes[:min(max(m.err.Col-1, 0), len(runes))])
		col := ansi.StringWidth(prompt) + ansi.StringWidth(before)
		caret := strings.Repeat(" ", max(col, 0)) + "^ "
		top = m.st.Input.Error.Render(caret + m.err.Msg)
		if ansi.StringWidth(caret)+ansi.StringWidth(m.err.Msg) > m.width {
			top = m.st.Input.Error.Render(ansi.Truncate(caret, max(m.width-1, 0), "") + "^")
		}
	case m.errText != "":
		top = m.st.Input.Error.Render(m.errText)
	default:
		top = m.st.Help.Desc.Render(m.hint)
	}
	return common.Fit(top, m.width) + "\n" + common.Fit(m.input.View(), m.width)
}
