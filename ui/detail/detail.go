// Package detail shows one message in full: topic, MQTT 5 properties and
// the payload as coloured, pretty-printed JSON (or text, or a hex dump).
package detail

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// Model is the detail view. Rendering is cached per (message, width, styles),
// so a frame only draws the visible lines.
type Model struct {
	keys    KeyMap
	st      *themes.Styles
	entry   *history.Entry
	focused bool
	width   int
	height  int
	offset  int // first visible body line

	hl   Highlights
	diff *Diff // nil: diff off

	cache      []string
	refs       []ref // per cached line: the JSON field it shows, if any
	cursor     int   // selected line while focused (quick filters act on it)
	cacheW     int
	cacheSt    *themes.Styles
	cacheEntry *history.Entry
	cacheHL    Highlights
	cacheDiff  *Diff
}

// SetDiff shows (or, with nil, hides) what changed against the device's
// previous message.
func (m *Model) SetDiff(d *Diff) { m.diff = d }

// SetHighlights marks what the pane's filter looks at.
func (m *Model) SetHighlights(h Highlights) { m.hl = h }

// New returns an empty detail view.
func New(st *themes.Styles, keys KeyMap) Model { return Model{st: st, keys: keys} }

// SetSize sets the outer size, frame included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// SetStyles swaps the styles (theme change).
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// QuickFilterMsg asks the root to narrow the pane by the selected field:
// Clause is e.g. `position.speed == 47` (or `!=` to exclude).
type QuickFilterMsg struct{ Clause string }

// SetEntry shows e (nil clears). Selecting another message scrolls to its
// top and puts the line cursor on its first field.
func (m *Model) SetEntry(e *history.Entry) {
	if e != m.entry {
		m.offset, m.cursor = 0, -1
	}
	m.entry = e
}

// Entry returns the message shown.
func (m Model) Entry() *history.Entry { return m.entry }

// Focus gives the view the keyboard (scrolling).
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// KeyMap returns the bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

func (m Model) inner() (w, h int) { return max(m.width-2, 0), max(m.height-2, 0) }

// lines returns the rendered body, from the cache when it is still valid.
// Update and Prepare keep the cache in the model they return; View works on
// a copy, so it only renders when the root forgot to Prepare.
func (m *Model) lines() []string {
	if m.entry == nil {
		return nil
	}
	w, _ := m.inner()
	if m.cacheEntry != m.entry || m.cacheW != w || m.cacheSt != m.st || !m.cacheHL.equal(m.hl) || m.cacheDiff != m.diff {
		m.cache, m.refs = renderEntry(m.st, m.entry, w, m.hl, m.diff)
		m.cacheEntry, m.cacheW, m.cacheSt, m.cacheHL, m.cacheDiff = m.entry, w, m.st, m.hl, m.diff
	}
	return m.cache
}

// Prepare renders the current entry into the cache. The root calls it in
// Update after the selection changes, so View never does the heavy work.
func (m *Model) Prepare() { m.lines(); m.clamp() }

func (m *Model) clamp() {
	_, h := m.inner()
	n := len(m.cache)
	if m.entry == nil {
		n = 0
	}
	if m.cursor < 0 { // first field line, else the first line
		m.cursor = 0
		for i, r := range m.refs {
			if r.path != "" {
				m.cursor = i
				break
			}
		}
	}
	m.cursor = max(min(m.cursor, n-1), 0)
	if m.focused && h > 0 { // keep the cursor visible
		if m.cursor < m.offset {
			m.offset = m.cursor
		}
		if m.cursor >= m.offset+h {
			m.offset = m.cursor - h + 1
		}
	}
	m.offset = max(min(m.offset, n-h), 0)
}

// Selected returns the field under the cursor (path and value), if any.
func (m Model) Selected() (path, value string, ok bool) {
	if m.cursor < 0 || m.cursor >= len(m.refs) || m.refs[m.cursor].path == "" {
		return "", "", false
	}
	r := m.refs[m.cursor]
	return r.path, r.value, true
}

// Update handles scrolling keys while focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	_, h := m.inner()
	n := len(m.lines())
	m.clamp()
	switch {
	case key.Matches(kp, m.keys.Up):
		m.cursor--
	case key.Matches(kp, m.keys.Down):
		m.cursor++
	case key.Matches(kp, m.keys.PageUp):
		m.cursor -= max(h-1, 1)
		m.offset -= max(h-1, 1)
	case key.Matches(kp, m.keys.PageDown):
		m.cursor += max(h-1, 1)
		m.offset += max(h-1, 1)
	case key.Matches(kp, m.keys.Top):
		m.cursor, m.offset = 0, 0
	case key.Matches(kp, m.keys.Bottom):
		m.cursor, m.offset = n-1, n
	case key.Matches(kp, m.keys.Include, m.keys.Exclude):
		if m.cursor < len(m.refs) && m.refs[m.cursor].path != "" {
			clause := m.refs[m.cursor].Clause(key.Matches(kp, m.keys.Exclude))
			return m, func() tea.Msg { return QuickFilterMsg{Clause: clause} }
		}
		return m, nil
	}
	m.clamp()
	return m, nil
}

// View renders exactly height lines of at most width cells.
func (m Model) View() string {
	_, h := m.inner()
	var lines []string
	info := ""
	if m.entry == nil {
		lines = []string{m.st.List.Hint.Render("no message selected")}
	} else {
		all := m.lines()
		end := min(m.offset+h, len(all))
		if m.offset < end {
			lines = all[m.offset:end]
			if m.focused && m.cursor >= m.offset && m.cursor < end {
				lines = append([]string(nil), lines...)
				i := m.cursor - m.offset
				lines[i] = m.st.Detail.Cursor.Render(common.Fit(ansi.Strip(lines[i]), max(m.width-2, 0)))
			}
		}
		if len(all) > h {
			info = strconv.Itoa(m.offset+1) + "-" + strconv.Itoa(end) + " of " + strconv.Itoa(len(all))
		}
	}
	return common.Frame(m.st, m.focused, "message", info, m.width, m.height, lines)
}
