package broker

import (
	"context"
	"sync/atomic"
	"time"
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
}

// Bridge moves messages from paho's goroutine to the UI. Offer never blocks:
// when the input queue is full the message is dropped and counted, so paho
// keeps acknowledging at full speed whatever the UI does. Run collects what
// arrives into one batch per interval; Next hands out a sealed batch.
//
// Queues: in (capacity given to NewBridge; drops when full), the open batch
// (at most maxBatch messages; drops beyond), events (capacity 1024; drops the
// newest when full, counted in DroppedEvents), out (capacity 1; Run keeps
// collecting while the UI has not taken the previous batch).
type Bridge struct {
	in       chan Message
	ev       chan Event
	out      chan Batch
	every    time.Duration
	maxBatch int

	dropped       atomic.Uint64
	droppedEvents atomic.Uint64
	offered       atomic.Uint64
}

// NewBridge makes a bridge with an input queue of capacity messages, sealing
// a batch every interval and holding at most maxBatch messages in one batch.
func NewBridge(capacity int, every time.Duration, maxBatch int) *Bridge {
	if capacity < 1 {
		capacity = 1
	}
	if maxBatch < 1 {
		maxBatch = 1
	}
	return &Bridge{
		in:       make(chan Message, capacity),
		ev:       make(chan Event, 1024),
		out:      make(chan Batch, 1),
		every:    every,
		maxBatch: maxBatch,
	}
}

// Offer queues m for the UI. It never blocks; it reports false and counts a
// drop when the queue is full. Safe for concurrent use.
func (b *Bridge) Offer(m Message) bool {
	b.offered.Add(1)
	select {
	case b.in <- m:
		return true
	default:
		b.dropped.Add(1)
		return false
	}
}

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

// Run collects offered messages and events into batches until ctx ends. An
// idle bridge sleeps: its timer only runs while a batch is open.
func (b *Bridge) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var (
		cur   []Message
		evs   []Event
		flush <-chan time.Time // nil until a batch opens, so an idle bridge never wakes
	)
	open := func() {
		if flush == nil {
			timer.Reset(b.every)
			flush = timer.C
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-b.in:
			if len(cur) >= b.maxBatch {
				b.dropped.Add(1)
				continue
			}
			if cur == nil {
				cur = make([]Message, 0, 256)
			}
			cur = append(cur, m)
			open()
		case e := <-b.ev:
			evs = append(evs, e)
			open()
		case <-flush:
			select {
			case b.out <- Batch{Msgs: cur, Events: evs, Dropped: b.dropped.Load()}:
				cur, evs, flush = nil, nil, nil // the receiver owns the sealed slices now
			default:
				timer.Reset(b.every) // the UI is still busy: keep collecting, retry next tick
			}
		}
	}
}

// Next waits for the next batch. It reports false when ctx ends first. Only
// one caller at a time (the UI keeps exactly one waiting Cmd).
func (b *Bridge) Next(ctx context.Context) (Batch, bool) {
	select {
	case batch := <-b.out:
		return batch, true
	case <-ctx.Done():
		return Batch{}, false
	}
}
