package sim

import (
	"slices"
	"sync"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// resumeOrder makes a resumed session's queue arrive as flespi and mosquitto
// deliver it: in publish order, with DUP set only on messages the previous
// connection really sent (docs/FLESPI.md §9). mochi v2.7.9 does neither:
//
//   - Shuffled: on a resumed session mochi resends the inherited queue with
//     Client.ResendInflightMessages, in the order of Inflight.GetAll, which
//     sorts by uint16(Packet.Created). Created is the publish time in whole
//     Unix seconds, so every message of one second ties (sort.Slice is not
//     stable and the inflight store is a map: random order), and the uint16
//     cut misorders queues that span a 65536 s boundary.
//   - DUP on everything: ResendInflightMessages sets FixedHeader.Dup on every
//     resent PUBLISH, including the messages queued while the client was
//     offline, which were never sent.
//
// The workaround, all in hooks:
//
//   - OnPublish stamps every publish's Created with a broker-wide sequence
//     number (seq) instead of the time. Nothing else reads Created while
//     Capabilities.MaximumMessageExpiryInterval is 0 (mochi uses it only to
//     enforce that cap; message expiry uses Packet.Expiry, computed before
//     OnPublish), which TestCapabilities keeps so.
//   - OnPacketSent records, per client ID, the highest sequence number of a
//     QoS 1 PUBLISH written to the socket (sent).
//   - When the CONNACK of a resumed session is encoded, the session's queue
//     has been inherited and not yet resent: resume sorts it by sequence
//     number, notes which messages were never sent, and rewrites their
//     Created with consecutive numbers in one 65536 block below every future
//     sequence number, so mochi's uint16 sort gives publish order.
//   - OnPacketEncode clears DUP on a resent PUBLISH that was never sent.
type resumeOrder struct {
	seq  atomic.Int64
	sent sync.Map // client ID → *atomic.Int64: highest sequence number written

	mu    sync.Mutex
	fresh map[*mqtt.Client]map[uint16]struct{} // queued, never sent: resent without DUP
}

// seqStart leaves room below the first sequence number for rewritten queues.
const seqStart = 1 << 32

func newResumeOrder() *resumeOrder {
	o := &resumeOrder{fresh: map[*mqtt.Client]map[uint16]struct{}{}}
	o.seq.Store(seqStart)
	return o
}

// stamp gives a publish its sequence number.
func (o *resumeOrder) stamp(pk *packets.Packet) { pk.Created = o.seq.Add(1) }

// wrote records that a QoS 1 PUBLISH reached cl's socket.
func (o *resumeOrder) wrote(cl *mqtt.Client, pk *packets.Packet) {
	if pk.FixedHeader.Type != packets.Publish || pk.FixedHeader.Qos == 0 {
		return
	}
	v, ok := o.sent.Load(cl.ID)
	if !ok {
		v, _ = o.sent.LoadOrStore(cl.ID, new(atomic.Int64))
	}
	hw := v.(*atomic.Int64)
	for cur := hw.Load(); pk.Created > cur && !hw.CompareAndSwap(cur, pk.Created); cur = hw.Load() {
	}
}

// resume prepares cl's inherited queue for mochi's resend (see resumeOrder).
// It runs while the CONNACK is encoded, before the resend, with the
// simulator's publishes held by the takeover gate.
func (o *resumeOrder) resume(cl *mqtt.Client) {
	all := cl.State.Inflight.GetAll(false)
	if len(all) == 0 {
		return
	}
	slices.SortFunc(all, func(a, b packets.Packet) int {
		if a.Created != b.Created {
			if a.Created < b.Created {
				return -1
			}
			return 1
		}
		return int(a.PacketID) - int(b.PacketID)
	})
	var hw int64
	if v, ok := o.sent.Load(cl.ID); ok {
		hw = v.(*atomic.Int64).Load()
	}
	fresh := make(map[uint16]struct{}, len(all))
	// A block of len(all) numbers that does not cross a multiple of 65536
	// (mochi compares uint16(Created)) and ends below the next sequence
	// number; the queue is at most MaximumInflight (< 65536) long.
	base := (o.seq.Load() - int64(len(all))) &^ 0xffff
	for i, pk := range all {
		if pk.FixedHeader.Type == packets.Publish && pk.Created > hw {
			fresh[pk.PacketID] = struct{}{}
		}
		pk.Created = base + int64(i)
		cl.State.Inflight.Set(pk)
	}
	o.mu.Lock()
	o.fresh[cl] = fresh
	o.mu.Unlock()
}

// undup clears DUP on a resent PUBLISH that cl's session never sent.
func (o *resumeOrder) undup(cl *mqtt.Client, pk *packets.Packet) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.fresh[cl]
	if _, ok := f[pk.PacketID]; ok {
		pk.FixedHeader.Dup = false
		delete(f, pk.PacketID)
	}
}

// resumed forgets cl's fresh set once mochi has resent the queue.
func (o *resumeOrder) resumed(cl *mqtt.Client) {
	o.mu.Lock()
	delete(o.fresh, cl)
	o.mu.Unlock()
}

// forget drops a client ID's record when its session ends.
func (o *resumeOrder) forget(id string) { o.sent.Delete(id) }
