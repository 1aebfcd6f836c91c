// Package tree is the topic tree pane: every topic seen so far as a tree of
// levels, with message counts (per node and its subtree), a rate, the last
// payload's summary, and retained topics marked. Enter on a node asks the
// root to open a message pane on it.
package tree

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// MaxTopics bounds the topics the tree keeps; more are counted in Dropped.
const MaxTopics = 100_000

// OpenMsg asks the root to open a message pane on Topic (a topic, or a
// node's filter ending in /#).
type OpenMsg struct{ Topic string }

// KeyMap lists the tree's bindings.
type KeyMap struct {
	common.ScrollKeys
	Open, Collapse key.Binding
}

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		ScrollKeys: common.DefaultScrollKeys("up", "down"),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open pane on topic")),
		Collapse:   key.NewBinding(key.WithKeys("space", "left", "right"), key.WithHelp("space", "fold/unfold")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Open, k.Collapse, k.Up, k.Down} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Top, k.Bottom, k.Open, k.Collapse}}
}

type node struct {
	name     string
	path     string
	depth    int
	kids     map[string]*node
	sorted   []*node
	own      uint64 // messages on exactly this topic
	total    uint64 // messages on this topic and below
	prev     uint64 // total at the last tick
	rate     float64
	summary  string
	retained bool
}

// Model is the topic tree.
//
// Ownership: the nodes under root (names, counts, rates, summaries) are
// shared by every copy of a Model, and only the pointer-receiver methods
// Ingest and Tick change them; the root model calls those on the one Model
// it keeps. What Update changes is the copy's own: the folds (a map that
// is replaced, never written: copy on write), the visible order (rebuilt
// into a new slice) and the cursor. So an older copy keeps drawing what it
// drew, apart from counts that arrived since.
type Model struct {
	keys     KeyMap
	st       *themes.Styles
	root     *node
	topics   int
	dropped  uint64
	folded   map[string]bool // paths of folded nodes; copy on write
	flat     []*node         // visible nodes in order; rebuilt when the shape changes
	dirty    bool
	sc       common.Scroller // over flat
	focused  bool
	width    int
	height   int
	lastTick time.Time
}

// New returns an empty tree.
func New(st *themes.Styles) Model {
	return Model{keys: DefaultKeyMap(), st: st, root: &node{kids: map[string]*node{}, depth: -1}}
}

// SetSize sets the outer size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.sc.SetHeight(m.visible())
}

// SetStyles swaps styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Focus gives the tree the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes it away.
func (m *Model) Blur() { m.focused = false }

// KeyMap returns the bindings.
func (m Model) KeyMap() KeyMap { return m.keys }

// Topics returns how many distinct topics were seen (and how many more
// were not kept because of MaxTopics).
func (m Model) Topics() (int, uint64) { return m.topics, m.dropped }

// Count returns the messages counted for exactly topic.
func (m Model) Count(topic string) uint64 {
	n := m.root
	for _, l := range strings.Split(topic, "/") {
		if n = n.kids[l]; n == nil {
			return 0
		}
	}
	return n.own
}

// Ingest counts the store's entries [first, first+n). The tree keeps its
// own counts, so eviction from history does not change them.
func (m *Model) Ingest(s *history.Store, first, n uint64) {
	for abs := first; abs < first+n; abs++ {
		e, ok := s.Get(abs)
		if !ok {
			continue
		}
		m.add(e)
	}
}

func (m *Model) add(e *history.Entry) {
	n := m.root
	n.total++
	levels := strings.Split(e.Topic, "/")
	for i, l := range levels {
		k := n.kids[l]
		if k == nil {
			if i == len(levels)-1 && m.topics >= MaxTopics {
				m.dropped++
				return
			}
			if n.kids == nil {
				n.kids = map[string]*node{}
			}
			k = &node{name: history.SanitizeLine(l), path: strings.Join(levels[:i+1], "/"), depth: i}
			n.kids[l] = k
			n.sorted = nil
			m.dirty = true
		}
		k.total++
		n = k
	}
	if n.own == 0 {
		m.topics++
	}
	n.own++
	// A copy: the entry's summary lives in a history slab that the tree
	// must not keep alive after the entry is evicted (history/arena.go).
	n.summary, n.retained = strings.Clone(e.Summary), e.Retain
}

// Tick updates rates (messages per second over the last interval).
func (m *Model) Tick(now time.Time) {
	dt := now.Sub(m.lastTick).Seconds()
	m.lastTick = now
	if dt <= 0 || dt > 60 {
		dt = 0
	}
	var walk func(n *node)
	walk = func(n *node) {
		if dt > 0 {
			n.rate = float64(n.total-n.prev) / dt
		}
		n.prev = n.total
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(m.root)
}

// rebuild recomputes the visible order (depth first, names sorted) into a
// new slice: copies of the model may still hold the old one.
func (m *Model) rebuild() {
	m.flat = make([]*node, 0, len(m.flat))
	var walk func(n *node)
	walk = func(n *node) {
		if n.sorted == nil || len(n.sorted) != len(n.kids) {
			n.sorted = make([]*node, 0, len(n.kids))
			for _, k := range n.kids {
				n.sorted = append(n.sorted, k)
			}
			sort.Slice(n.sorted, func(i, j int) bool { return n.sorted[i].name < n.sorted[j].name })
		}
		for _, k := range n.sorted {
			m.flat = append(m.flat, k)
			if !m.folded[k.path] {
				walk(k)
			}
		}
	}
	walk(m.root)
	m.dirty = false
	m.sc.SetLen(len(m.flat))
}

// toggleFold folds or unfolds n, copying the fold set rather than writing
// the one older copies of the model share.
func (m *Model) toggleFold(n *node) {
	f := make(map[string]bool, len(m.folded)+1)
	for p := range m.folded {
		f[p] = true
	}
	if m.folded[n.path] {
		delete(f, n.path)
	} else {
		f[n.path] = true
	}
	m.folded = f
	m.rebuild()
}

// Prepare rebuilds the visible order if topics appeared; call it in Update.
func (m *Model) Prepare() {
	if m.dirty {
		m.rebuild()
	}
}

func (m Model) visible() int { return max(m.height-2, 0) }

// Update handles keys and the mouse wheel while focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.focused {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		m.Prepare()
		m.sc.Wheel(msg)
	case tea.KeyPressMsg:
		m.Prepare()
		return m.onKey(msg)
	}
	return m, nil
}

func (m Model) onKey(kp tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case m.keys.Apply(kp, &m.sc):
	case key.Matches(kp, m.keys.Collapse):
		if c := m.sc.Cursor; c < len(m.flat) && len(m.flat[c].kids) > 0 {
			m.toggleFold(m.flat[c])
		}
	case key.Matches(kp, m.keys.Open):
		if c := m.sc.Cursor; c < len(m.flat) {
			n := m.flat[c]
			topic := n.path
			if len(n.kids) > 0 {
				topic += "/#" // a node with children: everything below (and itself)
			}
			return m, func() tea.Msg { return OpenMsg{Topic: topic} }
		}
	}
	return m, nil
}

// View renders exactly height lines of at most width cells.
func (m Model) View() string {
	inner, h := max(m.width-2, 0), m.visible()
	if m.dirty {
		m.rebuild() // on a copy: Prepare in Update avoids this
	}
	from, to := m.sc.Visible()
	lines := make([]string, 0, h)
	if len(m.flat) == 0 {
		lines = append(lines, m.st.List.Hint.Render("No topics yet."))
	}
	countW := 9
	for i := from; i < to; i++ {
		n := m.flat[i]
		var b strings.Builder
		b.WriteString(strings.Repeat("  ", n.depth))
		switch {
		case len(n.kids) > 0 && m.folded[n.path]:
			b.WriteString("▸ ")
		case len(n.kids) > 0:
			b.WriteString("▾ ")
		default:
			b.WriteString("  ")
		}
		name := b.String() + n.name
		if n.retained {
			name += " R"
		}
		nameW := min(max(inner/2, 24), max(inner-22, 8))
		cnt := common.Commas(int(n.total))
		rate := strconv.FormatFloat(n.rate, 'f', 1, 64) + "/s"
		line := common.Fit(name, nameW) + " " + common.PadLeft(cnt, countW) + " " + common.PadLeft(rate, 9) + "  "
		if len(n.kids) == 0 || n.own > 0 {
			line += n.summary
		}
		line = ansi.Truncate(line, inner, "…")
		if i == m.sc.Cursor {
			st := m.st.List.Selected
			if !m.focused {
				st = m.st.List.SelectedBlurred
			}
			line = st.Render(common.Fit(line, inner))
		}
		lines = append(lines, line)
	}
	info := common.Commas(m.topics) + " topics"
	if m.dropped > 0 {
		info += " · " + common.Commas(int(m.dropped)) + " not kept"
	}
	return common.Frame(m.st, m.focused, "topic tree", info, m.width, m.height, lines)
}

// Seen returns topic filters for completion: every topic seen, and every
// inner level as "level/#", sorted, at most limit of them.
func (m Model) Seen(limit int) []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		for _, k := range n.kids {
			if len(out) >= limit {
				return
			}
			if k.own > 0 {
				out = append(out, k.path)
			}
			if len(k.kids) > 0 {
				out = append(out, k.path+"/#")
				walk(k)
			}
		}
	}
	walk(m.root)
	sort.Strings(out)
	return out
}
