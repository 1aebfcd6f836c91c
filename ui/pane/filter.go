package pane

import (
	"context"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/filters"
	"hubtap/history"
	"hubtap/telematics"
)

// FilterDoneMsg ends a filter pass over history started by SetFilter.
type FilterDoneMsg struct {
	Pane int
	Gen  uint64
	IDs  []uint64 // matching entries of the snapshot, oldest first
	Err  error    // context.Canceled when a newer filter replaced this one
}

// filterState is the pane's active filter. ids holds what matched so far:
// arrivals since the filter was set at once, and the history pass's result
// when it comes back.
//
// Ownership: copies of a Model share the *filterState. The pointer-receiver
// methods (SetFilter, SetTopics, Ingest, Close), which the root calls on
// the Model it keeps, change it in place; Update, a value receiver, never
// writes it: it installs a changed copy (filterDone), so an earlier
// copy of the Model keeps its rows. progress is shared on purpose with the
// running history pass, and cancel may be called from any copy.
type filterState struct {
	src      string
	expr     *filters.Expr
	match    func(*history.Entry) bool // topics, then expr; UI goroutine only
	rows     *FilterRows
	gen      uint64
	cancel   context.CancelFunc
	pending  bool
	progress *atomic.Int64 // entries checked by the history pass
	total    int           // entries in its snapshot
}

// FilterSource returns the active filter's source text ("" for none).
func (m Model) FilterSource() string {
	if m.filter == nil {
		return ""
	}
	return m.filter.src
}

// Filter returns the active filter expression (nil for none).
func (m Model) Filter() *filters.Expr {
	if m.filter == nil {
		return nil
	}
	return m.filter.expr
}

// Filtering reports whether a pass over history is running, and its progress.
func (m Model) Filtering() (running bool, done, total int) {
	if m.filter == nil || !m.filter.pending {
		return false, 0, 0
	}
	return true, int(m.filter.progress.Load()), m.filter.total
}

// SetFilter shows only entries matching expr (nil shows all) within the
// pane's topics. New arrivals are filtered at once; the existing history is
// filtered by the returned Cmd, off the UI goroutine, over a snapshot. A
// newer SetFilter or SetTopics cancels it.
func (m *Model) SetFilter(src string, expr *filters.Expr) tea.Cmd {
	if expr == nil {
		src = ""
	}
	return m.rescope(m.topics, src, expr)
}

// SetTopics makes the pane show only messages whose topic matches one of
// topics (MQTT wildcards, $share/ and flespi comma lists); none shows all.
func (m *Model) SetTopics(topics []string) tea.Cmd {
	return m.rescope(append([]string(nil), topics...), m.FilterSource(), m.Filter())
}

// matcher builds the pane's predicate; each goroutine needs its own.
func matcher(topics []string, expr *filters.Expr) func(*history.Entry) bool {
	mt := history.NewMatcher(expr)
	mt.SetFlagNames(flagNames)
	if len(topics) == 0 {
		return mt.Match
	}
	return func(e *history.Entry) bool {
		for _, t := range topics {
			if broker.MatchTopic(t, e.Topic) {
				return mt.Match(e)
			}
		}
		return false
	}
}

func (m *Model) rescope(topics []string, src string, expr *filters.Expr) tea.Cmd {
	if m.filter != nil && m.filter.cancel != nil {
		m.filter.cancel()
	}
	m.gen++
	m.topics = topics
	sel, ok := m.selectedAbs()
	if expr == nil && len(topics) == 0 {
		m.filter = nil
		m.rows = StoreRows{S: m.store}
		m.reanchor(sel, ok)
		return nil
	}
	snap := m.store.Snapshot()
	ctx, cancel := context.WithCancel(context.Background())
	f := &filterState{src: src, expr: expr, match: matcher(topics, expr), rows: &FilterRows{s: m.store},
		gen: m.gen, cancel: cancel, pending: true, progress: new(atomic.Int64), total: snap.Len()}
	m.filter, m.rows = f, f.rows
	m.reanchor(sel, ok)
	id, gen, prog := m.id, m.gen, f.progress
	return func() tea.Msg {
		ids, err := snap.SelectFunc(ctx, matcher(topics, expr), func(done, _ int) { prog.Store(int64(done)) })
		return FilterDoneMsg{Pane: id, Gen: gen, IDs: ids, Err: err}
	}
}

// Ingest tells the pane that the store appended [first, first+n). Call it
// after every Append, before View: it drops evicted rows and filters the
// new ones.
func (m *Model) Ingest(first, n uint64) {
	f := m.filter
	if f == nil {
		return
	}
	for abs := first; abs < first+n; abs++ {
		if e, ok := m.store.Get(abs); ok && f.match(e) {
			f.rows.Add(abs)
		}
	}
	f.rows.Trim()
}

// Close cancels a running filter pass.
func (m *Model) Close() {
	if m.filter != nil && m.filter.cancel != nil {
		m.filter.cancel()
	}
}

// filterDone takes a history pass's result, unless a newer filter won.
// It installs a changed copy of the filter state (copy on write): older
// copies of the Model keep theirs.
func (m *Model) filterDone(done FilterDoneMsg) {
	if done.Pane != m.id || m.filter == nil || done.Gen != m.filter.gen {
		return // a newer filter won
	}
	f := *m.filter
	f.pending = false
	if done.Err == nil {
		rows := *f.rows
		rows.prepend(done.IDs) // a new ids slice: the shared one is not written
		f.rows = &rows
	}
	m.filter, m.rows = &f, f.rows
}

// Shown returns the absolute indices of the messages the pane shows now,
// oldest first, for export. nil with all=true means every kept message.
func (m Model) Shown() (ids []uint64, all bool) {
	if m.filter == nil {
		return nil, true
	}
	r := m.filter.rows
	return append([]uint64(nil), r.ids[r.off:]...), false
}

// flagNames spells telematics anomaly flags for the filter's flags field.
func flagNames(f uint8) string { return telematics.Flags(f).String() }
