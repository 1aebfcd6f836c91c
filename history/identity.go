package history

import (
	"encoding/binary"
	"hash/maphash"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"

	"hubtap/internal/jsonscan"
)

// Message identity (docs/FLESPI.md §3): flespi publishes each device message
// on its channel topic, flespi/message/gw/channels/{cid}/{ident}, and, for a
// registered device, on flespi/message/gw/devices/{id} with device.* fields
// added. A workspace with a channel pane and a device pane, a $share/ copy
// next to a plain subscription, or overlapping panes receive one message
// several times. History keeps every copy (each pane lists what its own
// subscriptions received), and marks the later ones with Entry.CopyOf, so
// that counts, rates, anomaly checks and the diff see one message.
//
// Two entries are one message when, within copyWindow of each other and of
// the last copyRing messages, they have the same identity key and arrived
// on different topics or through different subscriptions (Subscription
// Identifiers). The same topic through the same subscriptions twice is two
// messages (a device or broker duplicate; a redelivery is Entry.Repeat).
//
// The key is (ident, timestamp, server.timestamp) for a flespi message: the
// three are equal on the channel and device topics although the payloads
// differ. Other payloads are identified by their bytes; a short one (under
// shortPayload bytes: `true`, `21.5`) is too common to identify a message
// on its own, so its topic is part of the key.
const (
	copyRing     = 1 << 16          // first copies remembered: 64 Ki slots of 32 bytes, 2 MB
	copyWindow   = 10 * time.Second // copies arrive together; later equal keys are new messages
	shortPayload = 24
)

// copySlot is one remembered message: its key, where its first copy is,
// and what a copy must differ in.
type copySlot struct {
	key    uint64
	abs    uint64 // absolute index of the first copy
	recv   int64  // its receive time, ns
	via    uint64 // hash of its topic and subscription identifiers
	filled bool
}

// copySet finds copies in O(1) per message with bounded memory: a ring of
// slots and a map from key to slot.
type copySet struct {
	ring  []copySlot
	next  int
	byKey map[uint64]int32
}

// copyOf returns how far back the first copy of e is (0: e is the first),
// and remembers e when it is a new message.
func (c *copySet) copyOf(seed maphash.Seed, abs uint64, e *Entry) uint32 {
	if c.byKey == nil {
		c.ring = make([]copySlot, copyRing)
		c.byKey = make(map[uint64]int32, copyRing)
	}
	key := e.idKey
	via := viaHash(seed, e)
	recv := e.Received.UnixNano()
	if i, ok := c.byKey[key]; ok {
		s := &c.ring[i]
		if d := recv - s.recv; d >= -int64(copyWindow) && d <= int64(copyWindow) && abs-s.abs < 1<<32 {
			if s.via != via {
				return uint32(abs - s.abs)
			}
			return 0 // the same topic and subscriptions again: a message of its own; the first stays the reference
		}
	}
	s := &c.ring[c.next]
	if s.filled {
		if j, ok := c.byKey[s.key]; ok && int(j) == c.next {
			delete(c.byKey, s.key)
		}
	}
	*s = copySlot{key: key, abs: abs, recv: recv, via: via, filled: true}
	c.byKey[key] = int32(c.next)
	c.next = (c.next + 1) % copyRing
	return 0
}

// viaHash hashes what differs between copies: the topic and the
// subscription identifiers.
func viaHash(seed maphash.Seed, e *Entry) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(e.Topic)
	var b [8]byte
	e.subscriptionIDs(func(id int) {
		binary.LittleEndian.PutUint64(b[:], uint64(id))
		h.Write(b[:])
	})
	return h.Sum64()
}

// identitySeed is fixed per process so that Prepare, on any goroutine, and
// the Store agree on keys without sharing state.
var identitySeed = maphash.MakeSeed()

// identityKey computes e's identity key (see the comment at the top). It
// runs in Prepare, off the UI goroutine: one walk over the top-level
// members for a flespi message, one hash of the payload otherwise.
func identityKey(e *Entry) uint64 {
	var h maphash.Hash
	h.SetSeed(identitySeed)
	if e.Kind == KindJSON && e.Ident != "" {
		if ts, srv, ok := flespiTimes(e.Payload); ok {
			h.WriteByte('f')
			h.WriteString(e.Ident)
			h.WriteByte(0)
			h.WriteString(ts)
			h.WriteByte(0)
			h.WriteString(srv)
			return h.Sum64()
		}
	}
	h.WriteByte('p')
	if len(e.Payload) < shortPayload {
		h.WriteString(e.Topic)
		h.WriteByte(0)
	}
	h.Write(e.Payload)
	return h.Sum64()
}

// flespiTimes finds the raw "timestamp" and "server.timestamp" numbers of a
// JSON object in one walk over its top-level members, without allocating.
func flespiTimes(p []byte) (ts, srv string, ok bool) {
	js := unsafe.String(unsafe.SliceData(p), len(p))
	m, ok := jsonscan.NewMembers(js)
	if !ok {
		return "", "", false
	}
	for ts == "" || srv == "" {
		k, esc, v, more := m.Next()
		if !more {
			return "", "", false
		}
		if esc || jsonscan.RawType(v) != gjson.Number {
			continue
		}
		switch k {
		case "timestamp":
			if ts == "" {
				ts = v
			}
		case "server.timestamp":
			if srv == "" {
				srv = v
			}
		}
	}
	return ts, srv, true
}

// Original returns the absolute index of the first copy of the message at
// abs: abs itself unless the entry is a copy (CopyOf > 0).
func (e *Entry) Original(abs uint64) uint64 { return abs - uint64(e.CopyOf) }

// Copies returns the absolute indices of every kept copy of the message at
// abs, the first copy first, abs included; nil when abs is not kept. It
// scans forward from the first copy while entries arrived within the copy
// window of it (at most copyRing entries), so it is for one message on
// demand (the detail view), not for every message.
func (s *Store) Copies(abs uint64) []uint64 {
	e, ok := s.Get(abs)
	if !ok {
		return nil
	}
	orig := e.Original(abs)
	ref := e.Received
	if first, ok := s.Get(orig); ok {
		ref = first.Received
	}
	limit := ref.Add(copyWindow)
	var out []uint64
	for i := max(orig, s.first); i < s.end && i-orig < copyRing; i++ {
		c, _ := s.Get(i)
		if i > abs && c.Received.After(limit) {
			break
		}
		if i == orig || (c.CopyOf != 0 && c.Original(i) == orig) {
			out = append(out, i)
		}
	}
	return out
}

// AlsoOn returns the sanitized topics the message at abs also arrived on,
// besides its own topic, in arrival order and without repeats: for the
// detail's "also on flespi/message/gw/devices/182020". Nil when there are
// none.
func (s *Store) AlsoOn(abs uint64) []string {
	e, ok := s.Get(abs)
	if !ok {
		return nil
	}
	var out []string
	for _, i := range s.Copies(abs) {
		c, _ := s.Get(i)
		if c.Topic == e.Topic {
			continue
		}
		dup := false
		for _, t := range out {
			dup = dup || t == c.TopicSafe
		}
		if !dup {
			out = append(out, c.TopicSafe)
		}
	}
	return out
}
