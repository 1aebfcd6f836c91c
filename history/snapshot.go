package history

import (
	"context"

	"hubtap/filters"
)

// Snapshot is a read-only view of a Store's entries at one moment, safe to
// read from any goroutine while the Store goes on appending and evicting.
// It holds the chunks it covers, so keeping one alive keeps their memory.
type Snapshot struct {
	chunks     []*chunk
	first, end uint64
}

// Snapshot returns a view of the entries kept now. UI goroutine only (like
// every Store method); the Snapshot itself may travel anywhere.
func (s *Store) Snapshot() Snapshot {
	return Snapshot{chunks: append([]*chunk(nil), s.chunks...), first: s.first, end: s.end}
}

// First is the absolute index of the oldest entry in the snapshot.
func (sn Snapshot) First() uint64 { return sn.first }

// End is one past the newest entry in the snapshot.
func (sn Snapshot) End() uint64 { return sn.end }

// Len is the number of entries in the snapshot.
func (sn Snapshot) Len() int { return int(sn.end - sn.first) }

// Get returns the entry at absolute index abs, or false outside [First, End).
func (sn Snapshot) Get(abs uint64) (*Entry, bool) {
	if abs < sn.first || abs >= sn.end {
		return nil, false
	}
	return &sn.chunks[abs>>chunkBits-sn.first>>chunkBits].entries()[abs&chunkMask], true
}

// Matcher evaluates one filter over entries, reusing its input, so a pass
// over history allocates nothing per entry. Not safe for concurrent use.
type Matcher struct {
	expr  *filters.Expr
	in    filters.Input
	cur   *Entry
	names func(uint8) string // Entry.Flags to the flags field's text
}

// SetFlagNames sets how Entry.Flags read in the filter's flags field
// (e.g. "gap,latency"); without it the field is always "".
func (m *Matcher) SetFlagNames(fn func(uint8) string) { m.names = fn }

// NewMatcher returns a Matcher for expr; a nil expr matches everything.
func NewMatcher(expr *filters.Expr) *Matcher {
	m := &Matcher{expr: expr}
	m.in.User = func(key string) (string, bool) { return m.cur.UserValue(key) }
	return m
}

// Match reports whether e passes the filter.
func (m *Matcher) Match(e *Entry) bool {
	if m.expr == nil {
		return true
	}
	m.cur = e
	m.in.Topic, m.in.Payload, m.in.QoS, m.in.Retain, m.in.Dup = e.Topic, e.Payload, e.QoS, e.Retain, e.Duplicate
	m.in.Flags = ""
	if e.Flags != 0 && m.names != nil {
		m.in.Flags = m.names(e.Flags)
	}
	if e.Kind == KindJSON {
		m.in.JSON = filters.JSONValid
	} else {
		m.in.JSON = filters.JSONInvalid
	}
	return m.expr.Eval(&m.in)
}

// selectChunk is how many entries Select checks between context checks and
// progress reports.
const selectChunk = 16384

// Select returns the absolute indices of the snapshot's entries that match
// expr, oldest first. It checks ctx and calls progress (if not nil) every
// few thousand entries, so a long pass can be cancelled and shown.
func (sn Snapshot) Select(ctx context.Context, expr *filters.Expr, progress func(done, total int)) ([]uint64, error) {
	return sn.SelectFunc(ctx, NewMatcher(expr).Match, progress)
}

// SelectFunc is Select with any predicate (called from this goroutine only).
func (sn Snapshot) SelectFunc(ctx context.Context, match func(*Entry) bool, progress func(done, total int)) ([]uint64, error) {
	var ids []uint64
	total := sn.Len()
	for abs := sn.first; abs < sn.end; abs++ {
		if (abs-sn.first)%selectChunk == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil && abs > sn.first {
				progress(int(abs-sn.first), total)
			}
		}
		e, _ := sn.Get(abs)
		if match(e) {
			ids = append(ids, abs)
		}
	}
	return ids, nil
}
