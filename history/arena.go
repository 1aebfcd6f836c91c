package history

import (
	"slices"
	"unsafe"

	"hubtap/broker"
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
	buf   []byte                // current byte slab; len is what is used
	props []broker.Properties   // current properties slab
	users []broker.UserProperty // current user-property slab
}

const (
	slabBytes = 256 << 10
	slabProps = 512
	slabUsers = 2048
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
	return n
}

// bytes returns a copy of b inside the current slab (b itself when empty or
// above packMax) and what it is charged.
func (a *arena) bytes(b []byte) ([]byte, int64) {
	if len(b) == 0 {
		return b, 0
	}
	if len(b) > packMax {
		if cap(b)-len(b) > len(b)/4 {
			b = slices.Clone(b) // a reader's slack (io.ReadAll) would be kept for hours
		}
		return b, allocSize(cap(b))
	}
	n := put(a, b)
	return a.buf[n:len(a.buf):len(a.buf)], int64(len(b))
}

// str is bytes for strings; the result points into the slab, which is never
// written again at that place.
func (a *arena) str(s string) (string, int64) {
	if len(s) == 0 {
		return s, 0
	}
	if len(s) > packMax {
		return s, allocSize(len(s))
	}
	n := put(a, s)
	return unsafe.String(&a.buf[n], len(s)), int64(len(s))
}

// pack moves e's own bytes into the arena and returns e's charge: the
// entry's slot plus what it takes in the slabs (and any allocation kept
// apart). Strings the interner shares stay shared and cost nothing;
// topicShared says whether e.Topic is (the caller interned it).
func (a *arena) pack(e *Entry, in *interner, topicShared bool) int64 {
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
		cost += a.packProps(e, in)
	}
	return cost
}

func (a *arena) packProps(e *Entry, in *interner) int64 {
	if len(a.props) == cap(a.props) {
		a.props = make([]broker.Properties, 0, slabProps)
	}
	a.props = append(a.props, *e.Props)
	p := &a.props[len(a.props)-1]
	e.Props = p
	cost := int64(unsafe.Sizeof(*p))
	var n int64
	p.ContentType, n = a.str(p.ContentType)
	cost += n
	p.ResponseTopic, n = a.str(p.ResponseTopic)
	cost += n
	p.CorrelationData, n = a.bytes(p.CorrelationData)
	cost += n
	if p.PayloadFormat != nil {
		cost += 8
	}
	if p.MessageExpiry != nil {
		cost += 8
	}
	cost += allocSize(len(p.SubscriptionIDs) * int(unsafe.Sizeof(int(0))))
	if len(p.User) == 0 {
		return cost
	}
	if len(p.User) > slabUsers/4 {
		p.User = append([]broker.UserProperty(nil), p.User...)
		cost += allocSize(len(p.User) * int(unsafe.Sizeof(broker.UserProperty{})))
	} else {
		if cap(a.users)-len(a.users) < len(p.User) {
			a.users = make([]broker.UserProperty, 0, slabUsers)
		}
		k := len(a.users)
		a.users = append(a.users, p.User...)
		p.User = a.users[k:len(a.users):len(a.users)]
		cost += int64(len(p.User)) * int64(unsafe.Sizeof(broker.UserProperty{}))
	}
	for i := range p.User {
		u := &p.User[i] // the store's own copy: the message's slice is not touched
		var shared bool
		if u.Key, shared = in.str(u.Key); !shared {
			u.Key, n = a.str(u.Key)
			cost += n
		}
		shared = false
		if len(u.Value) <= 8 {
			u.Value, shared = in.str(u.Value) // short values repeat (flespi's "cid")
		}
		if !shared { // longer values are never interned
			u.Value, n = a.str(u.Value)
			cost += n
		}
	}
	return cost
}
