package broker

import (
	"context"
	"sync/atomic"
	"time"
	"unsafe"
)

// Batch is what the UI receives at most once per frame. Msgs and Events are
// owned by the receiver once delivered.
type Batch struct {
	Msgs    []Message
	Events  []Event
	Dropped uint64 // total messages dropped by the bridge so far (cumulative)
	// Reset says the source started over (a replay seeking backwards): the
	// receiver drops what this source sent before Msgs. The bridge never sets it.
	Reset bool

	weight int64 // Weight of Msgs, released from the bridge's byte count by Next
}

// BridgeLimits bound what waits in a Bridge and what one batch carries. A
// zero byte limit means no byte limit.
type BridgeLimits struct {
	// Queue is the capacity, in messages, of the channel from paho's
	// goroutine to Run. Run empties it continuously; it only fills when Run
	// gets no CPU.
	Queue int
	// Backlog is how many messages may wait in Run for the UI to ask.
	Backlog int
	// Bytes bounds the weight (Weight) of every message inside the bridge:
	// in the queue, in the backlog, and in a batch not yet taken by Next.
	// Offer drops beyond it. This is what keeps a burst from growing memory.
	Bytes int64
	// Batch and BatchBytes bound one batch: what the UI ingests between two
	// frames. They keep a frame's work small whatever the offered rate.
	Batch      int
	BatchBytes int64
	// Every is how long the first message of a batch waits for company
	// (about one frame), so a steady stream gives the UI one batch a frame,
	// not one per message. A full batch goes at once.
	Every time.Duration
	// Rest paces a UI that is behind: after taking a batch for d (from
	// handing it over to the next Next), the UI gets the next one no sooner
	// than Rest×d later (at most 250 ms). With 0.5 the UI spends at most
	// two thirds of its time on batches and the rest on keys and frames,
	// however many messages are offered; the excess waits in the backlog
	// and, when that is full, is dropped. 0 means no pacing.
	Rest float64
}

// maxRest bounds a pause made by BridgeLimits.Rest.
const maxRest = 250 * time.Millisecond

// UILimits are the limits for the TUI, with queueBytes for the bridge's
// byte limit (history.QueueBytes). A batch of at most 512 messages or
// 512 KiB is about 2.5 ms of the UI goroutine's work on this project's
// 2-core test machine (BenchmarkFrame: ~5 µs a message, plus
// history.Prepare's ~3.6 µs on another goroutine), and Rest 1 leaves the UI
// half its time for keys and frames when it is behind: however many
// messages are offered, frames keep coming and a key waits for one small
// batch at most. The most the UI takes is 512 messages per twice a batch's
// time, some 100,000 a second on an idle core; beyond that the bridge drops.
func UILimits(queueBytes int64) BridgeLimits {
	return BridgeLimits{Queue: 1 << 14, Backlog: 1 << 20, Bytes: queueBytes, Batch: 512, BatchBytes: 512 << 10,
		Every: 16 * time.Millisecond, Rest: 1}
}

// Bridge moves messages from paho's goroutine to the UI. Offer never blocks:
// when the bridge is full the message is dropped and counted, so paho keeps
// acknowledging at full speed whatever the UI does. Run keeps what arrives
// in a backlog; Next takes a batch of at most BridgeLimits.Batch messages
// and BatchBytes bytes from its front. A UI that keeps up gets one batch per
// Every; a UI that falls behind gets the next full batch as soon as it asks
// (after a rest, with BridgeLimits.Rest), and the excess is dropped at Offer
// (counted: Dropped) once the backlog reaches its byte or message limit. A
// frame's work is thus bounded by the batch size, and memory by the byte
// limit, whatever the offered rate.
//
// Queues: in (Queue messages; drops when full), the backlog (Backlog
// messages; drops beyond), every message's weight (Bytes; Offer drops
// beyond), events (capacity 1024; drops the newest when full, counted in
// DroppedEvents), out (capacity 1: one batch handed over at a time).
type Bridge struct {
	in   chan Message
	ev   chan Event
	out  chan Batch
	want chan struct{} // Next asks for a batch
	lim  BridgeLimits

	queued        atomic.Int64 // weight of the messages inside the bridge
	stopped       atomic.Bool  // Stop: Offer refuses everything
	dropped       atomic.Uint64
	droppedEvents atomic.Uint64
	offered       atomic.Uint64
}

// NewBridge makes a bridge with an input queue of capacity messages, sealing
// a batch every interval, holding at most maxBatch messages waiting and
// handing out at most maxBatch at once, with no byte limit.
func NewBridge(capacity int, every time.Duration, maxBatch int) *Bridge {
	return NewBridgeLimits(BridgeLimits{Queue: capacity, Backlog: maxBatch, Batch: maxBatch, Every: every})
}

// NewBridgeLimits makes a bridge with the given limits (values below 1 count
// as 1, byte limits of 0 as none).
func NewBridgeLimits(l BridgeLimits) *Bridge {
	l.Queue, l.Backlog, l.Batch = max(l.Queue, 1), max(l.Backlog, 1), max(l.Batch, 1)
	return &Bridge{
		in:   make(chan Message, l.Queue),
		ev:   make(chan Event, 1024),
		out:  make(chan Batch, 1),
		want: make(chan struct{}, 1),
		lim:  l,
	}
}

// Weight is what a message is charged inside the bridge: its struct, topic,
// payload and properties, which it keeps alive until history copies them.
func Weight(m *Message) int64 {
	w := int64(unsafe.Sizeof(*m)) + int64(len(m.Topic)) + int64(len(m.Payload))
	if p := m.Props; p != nil {
		w += int64(unsafe.Sizeof(*p)) + int64(len(p.ContentType)+len(p.ResponseTopic)+len(p.CorrelationData)+8*len(p.SubscriptionIDs))
		for _, u := range p.User {
			w += int64(unsafe.Sizeof(u)) + int64(len(u.Key)+len(u.Value))
		}
	}
	return w
}

// Offer queues m for the UI. It never blocks; when the bridge is full (in
// messages or bytes) it drops m and counts it (Dropped). It reports whether
// it took m, queued or dropped and counted: false only after Stop, so that
// the client leaves m unacknowledged (Options.HoldRefused). Safe for
// concurrent use.
func (b *Bridge) Offer(m Message) bool {
	if b.stopped.Load() {
		return false
	}
	b.offered.Add(1)
	w := Weight(&m)
	if n := b.queued.Add(w); b.lim.Bytes > 0 && n > b.lim.Bytes {
		b.queued.Add(-w)
		b.dropped.Add(1)
		return true
	}
	select {
	case b.in <- m:
	default:
		b.queued.Add(-w)
		b.dropped.Add(1)
	}
	return true
}

// Stop makes Offer refuse every later message: the UI has quit, and with
// Options.HoldRefused what arrives until the connection closes stays
// queued in the broker's session for the next run.
func (b *Bridge) Stop() { b.stopped.Store(true) }

// OfferEvent queues a connection event. It never blocks.
func (b *Bridge) OfferEvent(e Event) {
	select {
	case b.ev <- e:
	default:
		b.droppedEvents.Add(1)
	}
}

// Dropped returns how many messages never reached a batch.
func (b *Bridge) Dropped() uint64 { return b.dropped.Load() }

// DroppedEvents returns how many events were dropped (the event queue was full).
func (b *Bridge) DroppedEvents() uint64 { return b.droppedEvents.Load() }

// Offered returns how many messages were offered in all.
func (b *Bridge) Offered() uint64 { return b.offered.Load() }

// Queued returns the weight of the messages inside the bridge now.
func (b *Bridge) Queued() int64 { return b.queued.Load() }

// Run collects offered messages and events into its backlog and hands
// batches to Next until ctx ends. An idle bridge sleeps: its timer only runs
// while something waits.
func (b *Bridge) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	pacer := time.NewTimer(time.Hour)
	pacer.Stop()
	defer pacer.Stop()
	var (
		q      backlog
		evs    []Event
		wanted bool             // Next is waiting for a batch
		ready  bool             // what waits may go: it waited Every, or a batch is full
		tick   <-chan time.Time // nil unless the timer runs
		rest   <-chan time.Time // nil unless the UI is resting (Rest)
		sentAt time.Time        // when the last batch was handed over (with Rest only)
	)
	wait := func() { // something waits: start the clock unless it runs or is done
		if !ready && tick == nil {
			timer.Reset(b.lim.Every)
			tick = timer.C
		}
	}
	for {
		if wanted && ready && rest == nil && (q.len() > 0 || len(evs) > 0) {
			batch := q.front(b.lim.Batch, b.lim.BatchBytes)
			batch.Events, batch.Dropped = evs, b.dropped.Load()
			select {
			case b.out <- batch:
				q.pop(len(batch.Msgs), batch.weight)
				evs, wanted, ready = nil, false, false
				if b.lim.Rest > 0 {
					sentAt = time.Now()
				}
				timer.Stop()
				tick = nil
				switch {
				case q.len() >= b.lim.Batch || b.lim.BatchBytes > 0 && q.bytes >= b.lim.BatchBytes:
					ready = true // the UI is behind: the next full batch goes as soon as it asks
				case q.len() > 0:
					wait()
				}
			default:
				// out still holds a batch that an abandoned Next left:
				// the next Next takes that one first.
				wanted = false
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.want:
			wanted = true
			if !sentAt.IsZero() {
				if d := time.Duration(float64(time.Since(sentAt)) * b.lim.Rest); d > time.Millisecond {
					pacer.Reset(min(d, maxRest))
					rest = pacer.C
				}
				sentAt = time.Time{}
			}
		case <-rest:
			rest = nil
		case m := <-b.in:
			if q.len() >= b.lim.Backlog {
				b.queued.Add(-Weight(&m))
				b.dropped.Add(1)
				continue
			}
			q.push(m)
			if q.len() >= b.lim.Batch || b.lim.BatchBytes > 0 && q.bytes >= b.lim.BatchBytes {
				ready = true
			}
			wait()
		case e := <-b.ev:
			evs = append(evs, e)
			wait()
		case <-tick:
			tick, ready = nil, true
		}
	}
}

// Next waits for the next batch. It reports false when ctx ends first. Only
// one caller at a time (the UI keeps exactly one waiting Cmd).
func (b *Bridge) Next(ctx context.Context) (Batch, bool) {
	select {
	case b.want <- struct{}{}:
	default: // already asked
	}
	select {
	case batch := <-b.out:
		b.queued.Add(-batch.weight)
		return batch, true
	case <-ctx.Done():
		return Batch{}, false
	}
}

// backlog is Run's FIFO of waiting messages.
type backlog struct {
	msgs  []Message // msgs[head:] wait, oldest first
	head  int
	bytes int64 // their weight
}

func (q *backlog) len() int { return len(q.msgs) - q.head }

func (q *backlog) push(m Message) {
	q.msgs = append(q.msgs, m)
	q.bytes += Weight(&m)
}

// front copies the oldest messages, at most n and (past the first) at most
// maxBytes of weight, into a batch the receiver will own.
func (q *backlog) front(n int, maxBytes int64) Batch {
	wait := q.msgs[q.head:]
	var w int64
	k := 0
	for k < len(wait) && k < n {
		mw := Weight(&wait[k])
		if k > 0 && maxBytes > 0 && w+mw > maxBytes {
			break
		}
		w += mw
		k++
	}
	if k == 0 {
		return Batch{}
	}
	msgs := make([]Message, k)
	copy(msgs, wait)
	return Batch{Msgs: msgs, weight: w}
}

// pop removes the n oldest messages, of weight w.
func (q *backlog) pop(n int, w int64) {
	clear(q.msgs[q.head : q.head+n]) // let their payloads go once the receiver is done
	q.head += n
	q.bytes -= w
	switch {
	case q.head == len(q.msgs) && cap(q.msgs) > 1<<14:
		q.msgs, q.head = nil, 0 // a burst is over: let its array go
	case q.head == len(q.msgs):
		q.msgs, q.head = q.msgs[:0], 0
	case q.head >= 4096 && q.head*2 >= len(q.msgs):
		k := copy(q.msgs, q.msgs[q.head:])
		clear(q.msgs[k:])
		q.msgs, q.head = q.msgs[:k], 0
	}
}
