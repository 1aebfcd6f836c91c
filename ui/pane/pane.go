// Package pane is the live message list: a virtualised window onto history
// that follows the newest message until the user pauses or scrolls.
package pane

import (
	"sort"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/history"
	"hubtap/themes"
)

// Model is one live pane. It renders only the visible rows.
type Model struct {
	id      int
	keys    KeyMap
	st      *themes.Styles
	store   *history.Store
	rows    Rows
	topics  []string     // topic filters this pane shows; none: every message
	fields  []column     // JSON fields shown as columns instead of the summary
	filter  *filterState // set when topics or a filter expression narrow the pane
	gen     uint64
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
	// inPlace is the resume mode: space on a paused pane keeps the position
	// (detached) instead of jumping to the newest message.
	inPlace bool
	// detached: resumed in place. The pane is live again (no pause counter)
	// but stays where the user reads; reaching the newest row follows again.
	detached bool
}

// New returns a following pane showing every entry of store. id names the
// pane in the messages it produces.
func New(id int, st *themes.Styles, keys KeyMap, store *history.Store, title string) Model {
	return Model{id: id, keys: keys, st: st, store: store, rows: StoreRows{S: store}, title: title, follow: true}
}

// ID returns the pane's id.
func (m Model) ID() int { return m.id }

// Topics returns the topic filters the pane shows (nil: everything).
func (m Model) Topics() []string { return m.topics }

func (m Model) selectedAbs() (uint64, bool) {
	pos, ok := m.cursorPos()
	if !ok {
		return 0, false
	}
	return m.rows.Abs(pos), true
}

// reanchor keeps a paused selection on the same message (or the next newer
// one shown) after the rows changed.
func (m *Model) reanchor(sel uint64, ok bool) {
	if m.follow || !ok {
		return
	}
	m.cursor, m.top = sel, sel
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
func (m Model) visible() int {
	h := m.height - 2 - m.bannerRows()
	if len(m.fields) > 0 {
		h-- // the column header
	}
	return max(h, 0)
}

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

// Update handles keys while focused, and the pane's own results. It
// returns the concrete type.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if done, ok := msg.(FilterDoneMsg); ok {
		m.filterDone(done)
		return m, nil
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	for _, b := range []struct {
		b key.Binding
		a Action
	}{{m.keys.Follow, TogglePause}, {m.keys.Up, Older}, {m.keys.Down, Newer}, {m.keys.PageUp, PageOlder},
		{m.keys.PageDown, PageNewer}, {m.keys.Oldest, Oldest}, {m.keys.Newest, Newest}} {
		if key.Matches(kp, b.b) {
			m.Do(b.a)
			break
		}
	}
	return m, nil
}

// Action is something the list does on a key or from the command palette.
type Action int

// The list's actions.
const (
	TogglePause Action = iota // pause, or resume (live or in place)
	Older                     // select the previous message
	Newer                     // select the next message
	PageOlder
	PageNewer
	Oldest
	Newest // select the newest and follow
)

// Do performs a; keys and the command palette both come here.
func (m *Model) Do(a Action) {
	n := m.rows.Len()
	if n == 0 {
		if a == TogglePause {
			m.setFollow(!m.follow)
		}
		return
	}
	top, cur := m.window()
	page := max(m.visible()-1, 1)
	switch a {
	case TogglePause:
		if m.follow || m.detached {
			m.pin(top, cur) // pause (again): the counter starts from now
		} else {
			m.resume()
		}
	case Older:
		m.moveTo(top, cur-1)
	case Newer:
		m.moveTo(top, cur+1)
	case PageOlder:
		m.moveTo(top-page, cur-page)
	case PageNewer:
		m.moveTo(top+page, cur+page)
	case Oldest:
		m.moveTo(0, 0)
	case Newest:
		m.setFollow(true)
	}
}

// pin stops following at the current window.
func (m *Model) pin(top, cur int) {
	m.follow = false
	n := m.rows.Len()
	if n == 0 {
		// Nothing shown yet: pause before the first message to come.
		m.top, m.cursor = m.store.End(), m.store.End()
		m.pauseLast, m.hasPause, m.detached = m.store.End()-1, m.store.End() > 0, false
		return
	}
	m.top, m.cursor = m.rows.Abs(top), m.rows.Abs(cur)
	m.pauseLast, m.hasPause, m.detached = m.rows.Abs(n-1), true, false
}

// resume ends a pause the way the resume mode says: at live (follow the
// newest) or in place (keep the position; new messages queue below and
// following starts again once the selection reaches the newest row).
func (m *Model) resume() {
	if !m.inPlace {
		m.setFollow(true)
		return
	}
	m.hasPause, m.detached = false, true
	if pos, ok := m.cursorPos(); !ok || pos >= m.rows.Len()-1 {
		m.setFollow(true)
	}
}

// SetResumeInPlace chooses what resuming a paused pane does: keep the
// position (true) or jump to the newest message and follow (false).
func (m *Model) SetResumeInPlace(on bool) { m.inPlace = on }

// ResumeInPlace reports the resume mode.
func (m Model) ResumeInPlace() bool { return m.inPlace }

// Paused reports whether the pane is paused (not following and not resumed
// in place).
func (m Model) Paused() bool { return !m.follow && !m.detached }

// Below returns how many shown rows are newer than the selection while the
// pane is not following (0 when it follows).
func (m Model) Below() int {
	if m.follow {
		return 0
	}
	pos, ok := m.cursorPos()
	if !ok {
		return 0
	}
	return m.rows.Len() - 1 - pos
}

func (m *Model) setFollow(on bool) {
	if on {
		m.follow, m.hasPause, m.detached = true, false, false
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
	if m.detached && cur == n-1 {
		m.setFollow(true) // resumed in place and caught up: follow again
		return
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

// JumpTo pauses the pane on the first shown message received at or after t
// (the newest if none). It reports false when the pane is empty.
func (m *Model) JumpTo(t time.Time) bool {
	n := m.rows.Len()
	if n == 0 {
		return false
	}
	pos := sort.Search(n, func(i int) bool {
		e := m.rows.At(i)
		return e != nil && !e.Received.Before(t)
	})
	if pos == n {
		pos = n - 1
	}
	top, _ := m.window()
	if m.follow {
		m.pin(top, pos)
	}
	m.moveTo(pos-m.visible()/2, pos)
	return true
}

// Newest returns the receive time of the newest shown message.
func (m Model) Newest() (time.Time, bool) {
	n := m.rows.Len()
	if n == 0 {
		return time.Time{}, false
	}
	return m.rows.At(n - 1).Received, true
}

// SelectedAbs returns the absolute index of the selected message (0 when
// the pane is empty; check Selected first).
func (m Model) SelectedAbs() uint64 {
	abs, _ := m.selectedAbs()
	return abs
}

// ClickRow selects the message on visible row r (0 = the first row under
// the frame's top border and any banner) and pauses the pane. It reports
// whether a message was there.
func (m *Model) ClickRow(r int) bool {
	r -= m.bannerRows()
	n := m.rows.Len()
	if r < 0 || n == 0 || r >= m.visible() {
		return false
	}
	top, _ := m.window()
	pos := top + r
	if pos >= n {
		return false
	}
	if m.follow {
		m.pin(top, pos)
	}
	m.moveTo(top, pos)
	return true
}
