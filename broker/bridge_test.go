package broker

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestBridgeBatchesInOrder(t *testing.T) {
	b := NewBridge(1000, 5*time.Millisecond, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	const n = 500
	for i := 1; i <= n; i++ {
		if !b.Offer(Message{Seq: uint64(i)}) {
			t.Fatalf("offer %d dropped with room in the queue", i)
		}
	}
	b.OfferEvent(Event{Kind: EventState, State: StateConnected})
	var got []uint64
	events := 0
	batches := 0
	for len(got) < n {
		batch, ok := b.Next(ctx)
		if !ok {
			t.Fatalf("timed out after %d messages", len(got))
		}
		batches++
		for _, m := range batch.Msgs {
			got = append(got, m.Seq)
		}
		events += len(batch.Events)
	}
	for i, s := range got {
		if s != uint64(i+1) {
			t.Fatalf("message %d has seq %d: order lost", i, s)
		}
	}
	if events != 1 {
		t.Fatalf("got %d events, want 1", events)
	}
	if batches > n/2 {
		t.Fatalf("%d batches for %d messages: not batching", batches, n)
	}
	if b.Dropped() != 0 {
		t.Fatalf("dropped %d", b.Dropped())
	}
}

// TestBridgeDropsAndCounts: with nobody draining, Offer never blocks, and
// every message either arrives or is counted as dropped, exactly.
func TestBridgeDropsAndCounts(t *testing.T) {
	b := NewBridge(10, time.Millisecond, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	const n = 10000
	for i := 0; i < n; i++ {
		b.Offer(Message{Seq: uint64(i)}) // must not block even though Next is never called yet
	}
	// Drain whatever was kept; the input queue empties into batches.
	var kept uint64
	for kept+b.Dropped() < n {
		batch, ok := b.Next(ctx)
		if !ok {
			t.Fatalf("timed out: kept %d dropped %d of %d", kept, b.Dropped(), n)
		}
		kept += uint64(len(batch.Msgs))
	}
	if kept+b.Dropped() != n || b.Offered() != n {
		t.Fatalf("kept %d + dropped %d != offered %d (%d)", kept, b.Dropped(), n, b.Offered())
	}
	if b.Dropped() == 0 {
		t.Fatal("expected drops with a 10-slot queue and no reader")
	}
}

func TestBridgeIdleDeliversNothing(t *testing.T) {
	b := NewBridge(10, time.Millisecond, 10)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.Run(ctx) })
	short, cancelShort := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancelShort()
	if batch, ok := b.Next(short); ok {
		t.Fatalf("idle bridge delivered %+v", batch)
	}
	cancel()
	wg.Wait()
}

func BenchmarkBridge(b *testing.B) {
	br := NewBridge(1<<16, 16*time.Millisecond, 1<<17)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = br.Run(ctx) })
	wg.Go(func() {
		for {
			if _, ok := br.Next(ctx); !ok {
				return
			}
		}
	})
	m := Message{Topic: "flespi/message/gw/devices/1", Payload: make([]byte, 550)}
	b.ReportAllocs()
	for b.Loop() {
		br.Offer(m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	cancel()
	wg.Wait()
}

// TestBridgeBoundsBytes: with nobody taking batches, what waits in the
// bridge never weighs more than the byte limit; the rest is dropped and
// counted; once everything is taken, nothing is left charged.
func TestBridgeBoundsBytes(t *testing.T) {
	m := Message{Topic: "flespi/message/gw/devices/1", Payload: make([]byte, 1000)}
	w := Weight(&m)
	b := NewBridgeLimits(BridgeLimits{Queue: 1000, Backlog: 1 << 20, Bytes: 50 * w, Batch: 8, BatchBytes: 4 * w, Every: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	const n = 5000
	for i := 0; i < n; i++ {
		b.Offer(m)
		if q := b.Queued(); q > 50*w {
			t.Fatalf("after %d offers %d bytes wait in the bridge, more than the limit %d", i+1, q, 50*w)
		}
	}
	var kept uint64
	for kept+b.Dropped() < n {
		batch, ok := b.Next(ctx)
		if !ok {
			t.Fatalf("timed out: kept %d dropped %d of %d", kept, b.Dropped(), n)
		}
		if len(batch.Msgs) > 4 {
			t.Fatalf("a batch of %d messages, more than BatchBytes allows (4)", len(batch.Msgs))
		}
		kept += uint64(len(batch.Msgs))
	}
	if kept > 50 || kept+b.Dropped() != n {
		t.Fatalf("kept %d (at most 50 fit) + dropped %d, want %d in all", kept, b.Dropped(), n)
	}
	if q := b.Queued(); q != 0 {
		t.Fatalf("%d bytes still charged with nothing inside", q)
	}
}

// TestBridgeFullBatchGoesAtOnce: a UI that falls behind gets full batches
// of at most Batch messages as soon as it asks, without waiting for Every
// (an hour here), in order.
func TestBridgeFullBatchGoesAtOnce(t *testing.T) {
	b := NewBridgeLimits(BridgeLimits{Queue: 1000, Backlog: 1000, Batch: 100, Every: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	for i := 1; i <= 250; i++ {
		b.Offer(Message{Seq: uint64(i)})
	}
	next := uint64(1)
	for range 2 {
		batch, ok := b.Next(ctx)
		if !ok {
			t.Fatalf("no full batch within 10 s (it must not wait for Every); got up to seq %d", next-1)
		}
		if len(batch.Msgs) != 100 {
			t.Fatalf("batch of %d messages, want 100", len(batch.Msgs))
		}
		for _, m := range batch.Msgs {
			if m.Seq != next {
				t.Fatalf("seq %d, want %d: order lost", m.Seq, next)
			}
			next++
		}
	}
}

// TestBridgeRestPacesASlowUI: with Rest, a UI that took d to take a batch
// gets the next one no sooner than Rest×d after asking. The UI here takes
// 40 ms (it waits on a timer, standing in for a slow frame); with Rest 1
// the next batch cannot come within 40 ms of the ask.
func TestBridgeRestPacesASlowUI(t *testing.T) {
	b := NewBridgeLimits(BridgeLimits{Queue: 100000, Backlog: 100000, Batch: 10, Every: time.Millisecond, Rest: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	for i := 0; i < 1000; i++ {
		b.Offer(Message{Seq: uint64(i)})
	}
	if _, ok := b.Next(ctx); !ok {
		t.Fatal("no first batch")
	}
	slow := time.NewTimer(40 * time.Millisecond) // the UI's work on the first batch
	<-slow.C
	asked := time.Now()
	if _, ok := b.Next(ctx); !ok {
		t.Fatal("no second batch")
	}
	if waited := time.Since(asked); waited < 40*time.Millisecond {
		t.Fatalf("the second batch came %v after the ask; with Rest 1 after 40 ms of work it must wait at least 40 ms", waited)
	}
}

// TestBridgeStopRefuses: a full bridge drops, counts and still takes the
// message (paho may acknowledge it: the UI shows the drop); a stopped one
// refuses without counting, so the client holds the message unacknowledged.
func TestBridgeStopRefuses(t *testing.T) {
	b := NewBridge(1, time.Hour, 1)
	if !b.Offer(Message{Seq: 1}) || !b.Offer(Message{Seq: 2}) {
		t.Fatal("a bridge that queues or drops and counts must report the message taken")
	}
	if b.Dropped() != 1 || b.Offered() != 2 {
		t.Fatalf("dropped %d of %d offered, want 1 of 2", b.Dropped(), b.Offered())
	}
	b.Stop()
	if b.Offer(Message{Seq: 3}) {
		t.Fatal("a stopped bridge took a message")
	}
	if b.Dropped() != 1 || b.Offered() != 2 {
		t.Fatalf("after Stop: dropped %d of %d offered, want still 1 of 2", b.Dropped(), b.Offered())
	}
}
