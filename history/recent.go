package history

import "hash/maphash"

// recentWindow is how many recent messages a redelivery is looked for in.
// A broker resends what was in flight when the connection dropped, a
// receive-maximum's worth at most, but some brokers resend a whole offline
// queue after every cut (mochi does), so the window is generous: 64 Ki
// hashes, about 2.5 MB.
const recentWindow = 1 << 16

// recentSet remembers hashes of the last recentWindow messages (topic and
// payload). Bounded: a ring of hashes plus a counting map.
type recentSet struct {
	seed  maphash.Seed
	ring  []uint64
	next  int
	count map[uint64]uint16
}

// seen adds (topic, payload) and reports whether it was already there.
func (r *recentSet) seen(topic string, payload []byte) bool {
	if r.count == nil {
		r.seed = maphash.MakeSeed()
		r.ring = make([]uint64, 0, recentWindow)
		r.count = make(map[uint64]uint16, recentWindow)
	}
	var h maphash.Hash
	h.SetSeed(r.seed)
	h.WriteString(topic)
	h.WriteByte(0)
	h.Write(payload)
	sum := h.Sum64()
	was := r.count[sum] > 0
	if len(r.ring) < recentWindow {
		r.ring = append(r.ring, sum)
	} else {
		old := r.ring[r.next]
		if r.count[old]--; r.count[old] == 0 {
			delete(r.count, old)
		}
		r.ring[r.next] = sum
		r.next = (r.next + 1) % recentWindow
	}
	r.count[sum]++
	return was
}
