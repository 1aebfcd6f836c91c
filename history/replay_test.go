package history

import (
	"context"
	"testing"
	"time"

	"hubtap/broker"
)

func recording(n int, every time.Duration) []broker.Message {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	out := make([]broker.Message, n)
	for i := range out {
		out[i] = broker.Message{Seq: uint64(i + 1), Topic: "t", Received: t0.Add(time.Duration(i) * every)}
	}
	return out
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// TestReplayKeepsTimingScaled: a 60 s recording at 10x takes 6 s of wall
// time; half-way through, half the messages are out.
func TestReplayKeepsTimingScaled(t *testing.T) {
	msgs := recording(601, 100*time.Millisecond) // 0 … 60 s
	clk := &fakeClock{t: time.Unix(1000, 0)}
	r := NewReplay(msgs, 10, clk.now)
	emitted := 0
	step := func(d time.Duration) {
		clk.t = clk.t.Add(d)
		b, _ := r.due(clk.t)
		emitted += len(b)
	}
	step(0)
	if emitted != 1 {
		t.Fatalf("at start: %d emitted, want the first message only", emitted)
	}
	step(3 * time.Second) // 30 s of recorded time
	if emitted != 301 {
		t.Fatalf("after 3 s at 10x: %d emitted, want 301", emitted)
	}
	r.TogglePause()
	step(10 * time.Second)
	if emitted != 301 {
		t.Fatalf("paused replay emitted %d", emitted)
	}
	r.TogglePause()
	step(2999 * time.Millisecond)
	if emitted != 600 {
		t.Fatalf("just before 6 s: %d emitted, want 600", emitted)
	}
	step(time.Millisecond)
	if emitted != 601 || r.Status().Pos != 601 {
		t.Fatalf("at 6 s: %d emitted, want all 601", emitted)
	}
}

func TestReplaySpeedChangeAndSeek(t *testing.T) {
	msgs := recording(100, time.Second)
	clk := &fakeClock{t: time.Unix(0, 0)}
	r := NewReplay(msgs, 1, clk.now)
	r.due(clk.t)
	clk.t = clk.t.Add(10 * time.Second)
	b, _ := r.due(clk.t)
	if r.Status().Pos != 11 || len(b) != 10 {
		t.Fatalf("1x for 10 s: pos %d", r.Status().Pos)
	}
	r.SetSpeed(100) // no jump: the clock continues from 10 s
	b, _ = r.due(clk.t)
	if len(b) != 0 {
		t.Fatalf("speed change emitted %d at once", len(b))
	}
	clk.t = clk.t.Add(500 * time.Millisecond) // 50 s of recording
	r.due(clk.t)
	if p := r.Status().Pos; p != 61 {
		t.Fatalf("100x for 0.5 s from 10 s: pos %d, want 61", p)
	}
	r.Seek(20) // backwards: start over, re-send 0..20 at once
	b, reset := r.due(clk.t)
	if !reset || len(b) != 21 || b[0].Seq != 1 {
		t.Fatalf("seek back: reset %v, %d messages", reset, len(b))
	}
	r.SetSpeed(0)
	b, _ = r.due(clk.t)
	if len(b) != 79 || r.Status().Pos != 100 {
		t.Fatalf("max speed: %d messages, pos %d", len(b), r.Status().Pos)
	}
}

func TestReplayRunDelivers(t *testing.T) {
	r := NewReplay(recording(5000, time.Millisecond), 0, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go r.Run(ctx)
	got := 0
	for got < 5000 {
		b, ok := r.Next(ctx)
		if !ok {
			t.Fatalf("timed out after %d", got)
		}
		for i, m := range b.Msgs {
			if m.Seq != uint64(got+i+1) {
				t.Fatalf("out of order: %d at %d", m.Seq, got+i)
			}
		}
		got += len(b.Msgs)
	}
}
