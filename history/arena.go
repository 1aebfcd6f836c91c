package history

import (
	"slices"
	"unsafe"
)

// arena packs what an entry owns (payload, summary, ident, properties) into
// large shared slabs, so that a full history is a few
// thousand heap objects instead of five or six per message. The garbage
// collector marks a slab once for all the entries in it, and the byte slabs
// hold no pointers, so it never scans them: a cycle over a full 256 MiB
// history costs a fraction of what one object per string cost, and that
// cycle runs every few seconds at tens of thousands of messages per second
// (docs/BENCHMARKS.md).
//
// Slabs are only ever appended to, never rewritten, so a Snapshot reading
// older entries on another goroutine never races with packing. A slab lives
// while any entry in it does; since entries are evicted oldest first, slabs
// are released in order and the waste is at most one slab of each kind at
// either end of the history (~0.5 MiB), not charged. Whatever keeps a
// string of an entry after the entry may be evicted (a device's ident, the
// topic tree's last summary) must copy it (strings.Clone), or it would keep
// that entry's whole slab alive.
type arena struct {
	buf     []byte // current byte slab; len is what is used
	scratch []byte // packProps encodes here first
	// held lists what the entries packed since the last Store.push point
	// into: the slabs written to and the allocations kept apart. push moves
	// it into the entry's chunk, whose memory the collector does not scan
	// (store.go, chunk).
	held []unsafe.Pointer
}

// hold records p for the next push (see held), skipping a repeat of the
// last one.
func (a *arena) hold(p unsafe.Pointer) {
	if p != nil && (len(a.held) == 0 || a.held[len(a.held)-1] != p) {
		a.held = append(a.held, p)
	}
}

const (
	slabBytes = 256 << 10
	// Payloads above packMax keep their own allocation: a slab would be
	// mostly one message, and a huge one would waste the rest of its slab.
	packMax = 16 << 10
)

// put appends s (at most packMax bytes) to the current slab, starting a
// new slab when it does not fit, and returns where it starts there.
func put[S ~string | ~[]byte](a *arena, s S) int {
	if cap(a.buf)-len(a.buf) < len(s) {
		a.buf = make([]byte, 0, slabBytes)
	}
	n := len(a.buf)
	a.buf = append(a.buf, s...)
	a.hold(unsafe.Pointer(unsafe.SliceData(a.buf)))
	return n
}

// bytes returns a copy of b inside the current slab (b itself when empty or
// above packMax) and what it is charged.
func (a *arena) bytes(b []byte) ([]byte, int64) {
	if len(b) == 0 {
		return nil, 0 // no pointer to anything (an empty slice may still point into a buffer)
	}
	if len(b) > packMax {
		if cap(b)-len(b) > len(b)/4 {
			b = slices.Clone(b) // a reader's slack (io.ReadAll) would be kept for hours
		}
		a.hold(unsafe.Pointer(unsafe.SliceData(b)))
		return b, allocSize(cap(b))
	}
	n := put(a, b)
	return a.buf[n:len(a.buf):len(a.buf)], int64(len(b))
}

// str is bytes for strings; the result points into the slab, which is never
// written again at that place.
func (a *arena) str(s string) (string, int64) {
	if len(s) == 0 {
		return "", 0
	}
	if len(s) > packMax {
		a.hold(unsafe.Pointer(unsafe.StringData(s)))
		return s, allocSize(len(s))
	}
	n := put(a, s)
	return unsafe.String(&a.buf[n], len(s)), int64(len(s))
}

// pack moves e's own bytes into the arena and returns e's charge: the
// entry's slot plus what it takes in the slabs (and any allocation kept
// apart). Strings the interner shares stay shared and cost nothing;
// topicShared says whether e.Topic is (the caller interned it).
func (a *arena) pack(e *Entry, topicShared bool) int64 {
	cost := EntryOverhead
	var n int64
	e.Payload, n = a.bytes(e.Payload)
	cost += n
	// Topics stay where they are (interned, almost always): views that
	// outlive an entry (the topic tree, the device list) keep them.
	if !topicShared {
		cost += allocSize(len(e.Topic))
	}
	if len(e.TopicSafe) > 0 && unsafe.StringData(e.TopicSafe) != unsafe.StringData(e.Topic) {
		cost += allocSize(len(e.TopicSafe))
	}
	e.Summary, n = a.str(e.Summary)
	cost += n
	e.Ident, n = a.str(e.Ident)
	cost += n
	if e.Props != nil {
		cost += a.packProps(e)
	}
	return cost
}

// packProps encodes e.Props into the current slab (props.go) and clears
// e.Props; it returns what that costs.
func (a *arena) packProps(e *Entry) int64 {
	a.scratch = encodeProps(a.scratch[:0], e.Props)
	e.Props = nil
	if len(a.scratch) > packMax {
		e.props = string(a.scratch) // its own allocation, as a huge payload has
		a.hold(unsafe.Pointer(unsafe.StringData(e.props)))
		return allocSize(len(e.props))
	}
	n := put(a, a.scratch)
	e.props = unsafe.String(&a.buf[n], len(a.scratch))
	return int64(len(a.scratch))
}
