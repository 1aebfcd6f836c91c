package pane

import (
	"sort"

	"hubtap/history"
)

// Rows is the read-only window of history a pane shows, oldest first.
// Positions run from 0 to Len()-1; absolute indices are the store's and
// never change, so a selection survives eviction and new arrivals.
type Rows interface {
	Len() int
	At(pos int) *history.Entry
	Abs(pos int) uint64
	// Pos returns the position of entry abs or, if it is gone or filtered
	// out, of the next newer one (Len() if none).
	Pos(abs uint64) int
}

// StoreRows shows every entry of a history store.
type StoreRows struct{ S *history.Store }

// Len implements Rows.
func (r StoreRows) Len() int { return r.S.Len() }

// At implements Rows.
func (r StoreRows) At(pos int) *history.Entry {
	e, _ := r.S.Get(r.S.First() + uint64(pos))
	return e
}

// Abs implements Rows.
func (r StoreRows) Abs(pos int) uint64 { return r.S.First() + uint64(pos) }

// Pos implements Rows.
func (r StoreRows) Pos(abs uint64) int {
	first, end := r.S.First(), r.S.End()
	switch {
	case abs < first:
		return 0
	case abs >= end:
		return int(end - first)
	}
	return int(abs - first)
}

// FilterRows shows the entries whose absolute indices are listed, oldest
// first. The list only ever names kept entries: Trim drops the evicted ones
// after every Append, so it is bounded by the store.
type FilterRows struct {
	s   *history.Store
	ids []uint64
	off int // ids[:off] were evicted
}

// Trim forgets ids of evicted entries. Call it after every store Append.
func (r *FilterRows) Trim() {
	first := r.s.First()
	for r.off < len(r.ids) && r.ids[r.off] < first {
		r.off++
	}
	if r.off > 4096 && r.off > len(r.ids)/2 {
		r.ids = append([]uint64(nil), r.ids[r.off:]...)
		r.off = 0
	}
}

// Add appends the absolute index of a newer matching entry.
func (r *FilterRows) Add(abs uint64) { r.ids = append(r.ids, abs) }

// prepend puts older ids (all smaller than any held) in front.
func (r *FilterRows) prepend(older []uint64) {
	r.ids = append(older, r.ids[r.off:]...)
	r.off = 0
	r.Trim()
}

// Len implements Rows.
func (r *FilterRows) Len() int { return len(r.ids) - r.off }

// At implements Rows.
func (r *FilterRows) At(pos int) *history.Entry {
	e, _ := r.s.Get(r.ids[r.off+pos])
	return e
}

// Abs implements Rows.
func (r *FilterRows) Abs(pos int) uint64 { return r.ids[r.off+pos] }

// Pos implements Rows.
func (r *FilterRows) Pos(abs uint64) int {
	live := r.ids[r.off:]
	return sort.Search(len(live), func(i int) bool { return live[i] >= abs })
}
