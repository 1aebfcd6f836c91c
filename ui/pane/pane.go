// Package pane is the live message list: a virtualised window onto history
// that follows the newest message until the user pauses or scrolls.
package pane

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/history"
	"hubtap/themes"
)

// Model is one live pane. It renders only the visible rows.
type Model struct {
	keys    KeyMap
	st      *themes.Styles
	rows    Rows
	title   string
	hint    []string // shown while there are no rows
	banner  []string // warnings pinned above the rows (e.g. refused subscriptions)
	focused bool
	follow  bool
	width   int
	height  int

	cursor    uint64 // absolute index of the selected entry (when not following)
	top       uint64 // absolute index of the first visible entry (when not following)
	pauseLast uint64 // absolute index of the newest entry when the pane was paused
	hasPause  bool
}

// New returns a following pane over rows.
func New(st *themes.Styles, keys KeyMap, rows Rows, title string) Model {
	return Model{keys: keys, st: st, rows: rows, title: title, follow: true}
}

// SetSize sets the outer size, frame included.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// SetStyles swaps the styles (theme change).
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// SetTitle sets the frame title (usually the subscribed topics).
func (m *Model) SetTitle(t string) { m.title = t }

// SetHint sets the text shown while the pane has no messages.
func (m *Model) SetHint(lines []string) { m.hint = lines }

// SetBanner pins warning lines above the rows (nil removes them).
func (m *Model) SetBanner(lines []string) { m.banner = lines }

// Focus gives the pane the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Following reports whether the pane tracks the newest message.
func (m Model) Following() bool { return m.follow }

// KeyMap returns the pane's bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// NewSincePause returns how many rows arrived since the pane was paused.
func (m Model) NewSincePause() int {
	if m.follow || !m.hasPause {
		return 0
	}
	n := m.rows.Len()
	return n - min(m.rows.Pos(m.pauseLast+1), n)
}

// Selected returns the selected entry, or nil when the pane is empty.
func (m Model) Selected() *history.Entry {
	pos, ok := m.cursorPos()
	if !ok {
		return nil
	}
	return m.rows.At(pos)
}

// visible is the number of list rows inside the frame.
func (m Model) visible() int { return max(m.height-2-m.bannerRows(), 0) }

// bannerRows is how many rows the banner takes: at most half the pane.
func (m Model) bannerRows() int { return min(len(m.banner), max(m.height-2, 0)/2) }

func (m Model) cursorPos() (int, bool) {
	n := m.rows.Len()
	if n == 0 {
		return 0, false
	}
	if m.follow {
		return n - 1, true
	}
	return min(m.rows.Pos(m.cursor), n-1), true
}

// window returns the first visible position and the cursor position.
func (m Model) window() (top, cur int) {
	n, h := m.rows.Len(), m.visible()
	cur, _ = m.cursorPos()
	if m.follow {
		return max(n-h, 0), cur
	}
	top = min(m.rows.Pos(m.top), n)
	if cur < top {
		top = cur
	}
	if h > 0 && cur >= top+h {
		top = cur - h + 1
	}
	return max(top, 0), cur
}

// Update handles keys while focused. It returns the concrete type.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	n := m.rows.Len()
	if n == 0 {
		if key.Matches(kp, m.keys.Follow) {
			m.setFollow(!m.follow)
		}
		return m, nil
	}
	top, cur := m.window()
	page := max(m.visible()-1, 1)
	switch {
	case key.Matches(kp, m.keys.Follow):
		if m.follow {
			m.pin(top, cur)
		} else {
			m.setFollow(true)
		}
		return m, nil
	case key.Matches(kp, m.keys.Up):
		m.moveTo(top, cur-1)
	case key.Matches(kp, m.keys.Down):
		m.moveTo(top, cur+1)
	case key.Matches(kp, m.keys.PageUp):
		m.moveTo(top-page, cur-page)
	case key.Matches(kp, m.keys.PageDown):
		m.moveTo(top+page, cur+page)
	case key.Matches(kp, m.keys.Oldest):
		m.moveTo(0, 0)
	case key.Matches(kp, m.keys.Newest):
		m.setFollow(true)
	}
	return m, nil
}

// pin stops following at the current window.
func (m *Model) pin(top, cur int) {
	m.follow = false
	m.top, m.cursor = m.rows.Abs(top), m.rows.Abs(cur)
	if n := m.rows.Len(); n > 0 {
		m.pauseLast, m.hasPause = m.rows.Abs(n-1), true
	}
}

func (m *Model) setFollow(on bool) {
	if on {
		m.follow, m.hasPause = true, false
		return
	}
	top, cur := m.window()
	m.pin(top, cur)
}

// moveTo selects position cur (clamped) and scrolls so it is visible. Moving
// pauses the pane; moving down past the newest row does not resume it
// (press G or space for that), so reading is never interrupted.
func (m *Model) moveTo(top, cur int) {
	n := m.rows.Len()
	cur = max(min(cur, n-1), 0)
	top = max(min(top, n-1), 0)
	if m.follow {
		m.pin(top, cur)
	}
	h := m.visible()
	if cur < top {
		top = cur
	}
	if h > 0 && cur >= top+h {
		top = cur - h + 1
	}
	m.top, m.cursor = m.rows.Abs(top), m.rows.Abs(cur)
}
