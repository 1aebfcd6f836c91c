package pane

import "hubtap/history"

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
