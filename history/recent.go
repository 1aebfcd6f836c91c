package history

import "hash/maphash"

// recentWindow is how many recent messages a redelivery is looked for in.
// A broker resends what was in flight when the connection dropped, a
// receive-maximum's worth at most, but some brokers resend a whole offline
// queue after every cut (mochi does), so the window is generous: 64 Ki
// hashes, about 2.5 MB.
const recentWindow = 1 << 16

// recentSet remembers hashes of the last recentWindow messages (topic and
// payload), and which of those copies carried the DUP flag. Bounded: a ring
// of hashes (the lowest bit says DUP) plus two counting maps.
type recentSet struct {
	seed  maphash.Seed
	ring  []uint64
	next  int
	count map[uint64]uint16 // copies in the window, by hash (lowest bit clear)
	dups  map[uint64]uint16 // of those, copies that had DUP set
}

// seen adds (topic, payload), a copy with the DUP flag dup, and reports
// whether a copy was already in the window (was) and whether one of those
// had DUP set (wasDup).
func (r *recentSet) seen(topic string, payload []byte, dup bool) (was, wasDup bool) {
	if r.count == nil {
		r.seed = maphash.MakeSeed()
		r.ring = make([]uint64, 0, recentWindow)
		r.count = make(map[uint64]uint16, recentWindow)
		r.dups = make(map[uint64]uint16)
	}
	var h maphash.Hash
	h.SetSeed(r.seed)
	h.WriteString(topic)
	h.WriteByte(0)
	h.Write(payload)
	key := h.Sum64() &^ 1
	was, wasDup = r.count[key] > 0, r.dups[key] > 0
	slot := key
	if dup {
		slot |= 1
	}
	if len(r.ring) < recentWindow {
		r.ring = append(r.ring, slot)
	} else {
		old := r.ring[r.next]
		k := old &^ 1
		if r.count[k]--; r.count[k] == 0 {
			delete(r.count, k)
		}
		if old&1 != 0 {
			if r.dups[k]--; r.dups[k] == 0 {
				delete(r.dups, k)
			}
		}
		r.ring[r.next] = slot
		r.next = (r.next + 1) % recentWindow
	}
	r.count[key]++
	if dup {
		r.dups[key]++
	}
	return was, wasDup
}
