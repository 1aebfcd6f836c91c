// Package msglog is the message log (l, or "message log" in the palette):
// every connection event, refusal, warning, notice and error with its time,
// in full words, scrollable and copyable. Notices that leave the status bar
// stay here. It holds a bounded number of entries and counts what it let go.
package msglog

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// Level is how much an entry matters.
type Level int

// The levels, least first.
const (
	Info Level = iota
	Warn
	Error
)

func (l Level) String() string {
	switch l {
	case Warn:
		return "warn"
	case Error:
		return "error"
	}
	return "info"
}

// Entry is one line of the log.
type Entry struct {
	At     time.Time
	Level  Level
	Text   string    // sanitised, one line
	Count  int       // how many times it came in a row (1 or more)
	Latest time.Time // when it last came, with Count > 1
}

// CopyMsg asks the root to put Text on the clipboard.
type CopyMsg struct{ Text string }

// CloseMsg says the log was closed.
type CloseMsg struct{}

// KeyMap lists the log's bindings.
type KeyMap struct {
	common.ScrollKeys
	Copy, Close key.Binding
}

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		ScrollKeys: common.DefaultScrollKeys("older", "newer"),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy line")),
		Close:      key.NewBinding(key.WithKeys("esc", "l", "q"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Copy, k.Close} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Top, k.Bottom, k.Copy, k.Close}}
}

// Model is the log. Entries live in a ring of fixed capacity; it is shared
// by copies of the model (the root owns the only one that adds).
type Model struct {
	keys    KeyMap
	st      *themes.Styles
	ring    *ring
	cursor  int // index into the entries; -1 follows the newest
	w, h    int
	focused bool
}

type ring struct {
	buf     []Entry
	start   int
	n       int
	dropped uint64
	unseen  int // errors and warnings added since the log was last open
}

// New returns an empty log that keeps the newest capacity entries.
func New(st *themes.Styles, capacity int) Model {
	return Model{keys: DefaultKeyMap(), st: st, ring: &ring{buf: make([]Entry, max(capacity, 1))}, cursor: -1}
}

// Add appends an entry (text is sanitised to one line).
func (m *Model) Add(at time.Time, lvl Level, text string) {
	r := m.ring
	e := Entry{At: at, Level: lvl, Text: history.SanitizeLine(text), Count: 1}
	// The same words again (a retry loop): count them on the last entry.
	if r.n > 0 {
		last := &r.buf[(r.start+r.n-1)%len(r.buf)]
		if last.Text == e.Text && last.Level == e.Level {
			last.Count++
			last.Latest = at
			if lvl > Info && !m.focused {
				r.unseen++
			}
			return
		}
	}
	if r.n == len(r.buf) {
		r.buf[r.start] = e
		r.start = (r.start + 1) % len(r.buf)
		r.dropped++
	} else {
		r.buf[(r.start+r.n)%len(r.buf)] = e
		r.n++
	}
	if lvl > Info && !m.focused {
		r.unseen++
	}
}

// Len returns how many entries are kept.
func (m Model) Len() int { return m.ring.n }

// Dropped returns how many of the oldest entries were let go.
func (m Model) Dropped() uint64 { return m.ring.dropped }

// Unseen returns how many warnings and errors came since the log was last
// open (the status bar points at the log while it is non-zero).
func (m Model) Unseen() int { return m.ring.unseen }

// At returns entry i (0 is the oldest kept).
func (m Model) At(i int) Entry { return m.ring.buf[(m.ring.start+i)%len(m.ring.buf)] }

// Line formats one entry as text: "10:42:05 warn  words".
func (e Entry) Line() string {
	s := e.At.Format("15:04:05") + " " + common.Fit(e.Level.String(), 5) + " " + e.Text
	if e.Count > 1 {
		s += " (×" + strconv.Itoa(e.Count) + ", last at " + e.Latest.Format("15:04:05") + ")"
	}
	return s
}

// Lines returns every entry as text, oldest first.
func (m Model) Lines() []string {
	out := make([]string, m.Len())
	for i := range out {
		out[i] = m.At(i).Line()
	}
	return out
}

// SetSize sets the area the log draws in.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Focus opens the log at the newest entry and marks everything as seen.
func (m *Model) Focus() {
	m.focused, m.cursor = true, -1
	m.ring.unseen = 0
}

// Blur closes it.
func (m *Model) Blur() { m.focused = false }

// KeyMap returns the bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

func (m Model) pos() int {
	if m.cursor < 0 || m.cursor >= m.Len() {
		return m.Len() - 1
	}
	return m.cursor
}

// Update scrolls and copies.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	sc := common.Scroller{Cursor: max(m.pos(), 0), Height: m.rows(), Len: m.Len()}
	switch {
	case key.Matches(kp, m.keys.Close):
		return m, func() tea.Msg { return CloseMsg{} }
	case key.Matches(kp, m.keys.Copy):
		if m.Len() > 0 {
			text := m.At(sc.Cursor).Line()
			return m, func() tea.Msg { return CopyMsg{Text: text} }
		}
	case m.keys.Apply(kp, &sc):
		m.cursor = sc.Cursor
		if m.cursor >= m.Len()-1 {
			m.cursor = -1 // at the newest: follow new entries
		}
	}
	return m, nil
}

func (m Model) rows() int { return max(m.h-2, 1) }

// View draws the log, framed, exactly the set size. Long entries wrap, so
// every sentence is shown in full.
func (m Model) View() string {
	inner := max(m.w-2, 1)
	cur := m.pos()
	var lines []string
	// Walk back from the selected entry (bottom) until the frame is full.
	for i := cur; i >= 0 && len(lines) < m.rows(); i-- {
		e := m.At(i)
		st := m.st.Detail.Value
		switch e.Level {
		case Warn:
			st = m.st.Status.Warn
		case Error:
			st = m.st.Status.Err
		}
		// The text wraps in its own column; continuation lines sit under it.
		line := e.Line()
		const head = 15 // "15:04:05 error "
		wrapped := common.Wrap(line[min(head, len(line)):], max(inner-head, 10))
		for j := range wrapped {
			if j == 0 {
				wrapped[j] = line[:min(head, len(line))] + wrapped[j]
			} else {
				wrapped[j] = strings.Repeat(" ", head) + wrapped[j]
			}
		}
		for j := range wrapped {
			if i == cur {
				wrapped[j] = m.st.List.Selected.Render(common.Fit(wrapped[j], inner))
			} else {
				wrapped[j] = st.Render(wrapped[j])
			}
		}
		lines = append(wrapped, lines...)
	}
	if len(lines) > m.rows() {
		lines = lines[len(lines)-m.rows():]
	}
	if m.Len() == 0 {
		lines = []string{m.st.List.Hint.Render("nothing has happened yet")}
	}
	title := "message log · " + strconv.Itoa(m.Len()) + " entries"
	if m.ring.dropped > 0 {
		title += " (" + common.Commas(int(m.ring.dropped)) + " older let go)"
	}
	return common.Frame(m.st, true, title, "y copies · esc closes", m.w, m.h, lines)
}

// Text returns the whole log as text, one entry per line.
func (m Model) Text() string { return strings.Join(m.Lines(), "\n") }
