// Package detail shows one message in full: topic, MQTT 5 properties and
// the payload as coloured, pretty-printed JSON (or text, or a hex dump).
package detail

import (
	"slices"
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
	// sc scrolls the body lines: Top is the first visible line, Cursor the
	// selected line while focused (quick filters act on it).
	sc common.Scroller
	// pickField: a new message; the next clamp puts the cursor on its
	// first field line (or its first line).
	pickField bool

	hl     Highlights
	diff   *Diff    // nil: diff off
	alsoOn []string // other topics the same message arrived on (history.Store.AlsoOn)

	cache      []string
	refs       []ref // per cached line: the JSON field it shows, if any
	cacheW     int
	cacheSt    *themes.Styles
	cacheEntry *history.Entry
	cacheHL    Highlights
	cacheDiff  *Diff
	cacheAlso  []string
}

// SetDiff shows (or, with nil, hides) what changed against the device's
// previous message.
func (m *Model) SetDiff(d *Diff) { m.diff = d }

// SetAlsoOn lists the other topics the shown message also arrived on (the
// same message, e.g. a flespi device message on its channel and its device
// topic: history.Store.AlsoOn); nil shows none.
func (m *Model) SetAlsoOn(topics []string) { m.alsoOn = topics }

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
		m.sc.Top, m.sc.Cursor, m.pickField = 0, 0, true
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
	if m.cacheEntry != m.entry || m.cacheW != w || m.cacheSt != m.st || !m.cacheHL.equal(m.hl) || m.cacheDiff != m.diff ||
		!slices.Equal(m.cacheAlso, m.alsoOn) {
		m.cache, m.refs = renderEntry(m.st, m.entry, w, m.hl, m.diff, m.alsoOn)
		m.cacheEntry, m.cacheW, m.cacheSt, m.cacheHL, m.cacheDiff, m.cacheAlso = m.entry, w, m.st, m.hl, m.diff, m.alsoOn
	}
	return m.cache
}

// Prepare renders the current entry into the cache. The root calls it in
// Update after the selection changes, so View never does the heavy work.
func (m *Model) Prepare() { m.lines(); m.clamp() }

func (m *Model) clamp() {
	_, h := m.inner()
	m.sc.Height, m.sc.Len = h, len(m.cache)
	if m.entry == nil {
		m.sc.Len = 0
	}
	if m.pickField { // first field line, else the first line
		m.sc.Cursor, m.pickField = 0, false
		for i, r := range m.refs {
			if r.path != "" {
				m.sc.Cursor = i
				break
			}
		}
	}
	if m.focused { // keep the cursor visible
		m.sc.Clamp()
	} else { // the cursor is not drawn: keep the top of the message in view
		m.sc.ClampTop()
	}
}

// Selected returns the field under the cursor (path and value), if any.
func (m Model) Selected() (path, value string, ok bool) {
	c := m.sc.Cursor
	if m.pickField || c >= len(m.refs) || m.refs[c].path == "" {
		return "", "", false
	}
	r := m.refs[c]
	return r.path, r.value, true
}

// Update handles scrolling keys and the mouse wheel while focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.focused {
		return m, nil
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.MouseWheelMsg:
	default:
		return m, nil
	}
	m.lines()
	m.clamp()
	if wh, ok := msg.(tea.MouseWheelMsg); ok {
		m.sc.Wheel(wh)
		return m, nil
	}
	kp := msg.(tea.KeyPressMsg)
	switch {
	case key.Matches(kp, m.keys.Up):
		m.sc.Up()
	case key.Matches(kp, m.keys.Down):
		m.sc.Down()
	case key.Matches(kp, m.keys.PageUp):
		m.sc.PageUp()
	case key.Matches(kp, m.keys.PageDown):
		m.sc.PageDown()
	case key.Matches(kp, m.keys.Top):
		m.sc.Home()
	case key.Matches(kp, m.keys.Bottom):
		m.sc.End()
	case key.Matches(kp, m.keys.Include, m.keys.Exclude):
		if c := m.sc.Cursor; c < len(m.refs) && m.refs[c].path != "" {
			clause := m.refs[c].Clause(key.Matches(kp, m.keys.Exclude))
			return m, func() tea.Msg { return QuickFilterMsg{Clause: clause} }
		}
	}
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
		top := m.sc.Top
		end := min(top+h, len(all))
		if top < end {
			lines = all[top:end]
			if c := m.sc.Cursor; m.focused && c >= top && c < end {
				lines = append([]string(nil), lines...)
				lines[c-top] = m.st.Detail.Cursor.Render(common.Fit(ansi.Strip(lines[c-top]), max(m.width-2, 0)))
			}
		}
		if len(all) > h {
			info = strconv.Itoa(top+1) + "-" + strconv.Itoa(end) + " of " + strconv.Itoa(len(all))
		}
	}
	return common.Frame(m.st, m.focused, "message", info, m.width, m.height, lines)
}
