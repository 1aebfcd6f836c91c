package history

import (
	"context"
	"sync"
	"time"

	"hubtap/broker"
)

// Replay re-emits recorded messages with their original spacing, scaled by
// a speed (1x, 10x, 100x, or 0 for as fast as the UI takes them). It is a
// batch source like the broker bridge. Control methods are safe from any
// goroutine; Run must run in its own goroutine.
type Replay struct {
	msgs []broker.Message // oldest first, by receive time
	now  func() time.Time
	out  chan broker.Batch
	wake chan struct{}

	mu       sync.Mutex
	speed    float64 // 0: max
	paused   bool
	pos      int       // next message to emit
	baseWall time.Time // wall time at which the replay clock read baseRT
	baseRT   time.Time // replay clock (in recorded time) at baseWall
	reset    bool      // the next batch starts over
}

// replayTick is how often a running replay emits a batch (one frame).
const replayTick = 16 * time.Millisecond

// replayMaxBatch caps one batch at max speed, so the UI stays responsive.
const replayMaxBatch = 8192

// NewReplay prepares a replay of msgs (sorted by receive time) at speed
// (0 = max). now is the wall clock (nil: time.Now).
func NewReplay(msgs []broker.Message, speed float64, now func() time.Time) *Replay {
	if now == nil {
		now = time.Now
	}
	r := &Replay{msgs: msgs, now: now, out: make(chan broker.Batch), wake: make(chan struct{}, 1), speed: speed}
	if len(msgs) > 0 {
		r.baseWall, r.baseRT = now(), msgs[0].Received
	}
	return r
}

// Snapshot messages for a replay: the entries at ids (all when all), as
// Messages sharing the entries' payloads.
func (sn Snapshot) Messages(ids []uint64, all bool) []broker.Message {
	var out []broker.Message
	if all {
		out = make([]broker.Message, 0, sn.Len())
		for abs := sn.first; abs < sn.end; abs++ {
			e, _ := sn.Get(abs)
			out = append(out, e.Msg())
		}
		return out
	}
	out = make([]broker.Message, 0, len(ids))
	for _, abs := range ids {
		if e, ok := sn.Get(abs); ok {
			out = append(out, e.Msg())
		}
	}
	return out
}

// clock returns the replay clock at wall time w (mu held).
func (r *Replay) clock(w time.Time) time.Time {
	if r.paused || r.speed == 0 {
		return r.baseRT
	}
	return r.baseRT.Add(time.Duration(float64(w.Sub(r.baseWall)) * r.speed))
}

// due returns the messages to emit at wall time w and advances (mu held).
func (r *Replay) due(w time.Time) (batch []broker.Message, reset bool) {
	reset, r.reset = r.reset, false
	if r.paused || r.pos >= len(r.msgs) {
		return nil, reset
	}
	end := r.pos
	if r.speed == 0 {
		end = min(r.pos+replayMaxBatch, len(r.msgs))
	} else {
		rt := r.clock(w)
		for end < len(r.msgs) && !r.msgs[end].Received.After(rt) && end-r.pos < replayMaxBatch {
			end++
		}
	}
	batch = r.msgs[r.pos:end:end]
	r.pos = end
	if r.speed == 0 && r.pos < len(r.msgs) {
		r.baseRT = r.msgs[r.pos].Received
	}
	return batch, reset
}

// Run emits batches until the end, or until ctx ends. The replay clock stops
// while paused; at the end Run keeps serving control calls (a seek
// backwards restarts it) until ctx ends.
func (r *Replay) Run(ctx context.Context) {
	t := time.NewTicker(replayTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.wake:
		}
		r.mu.Lock()
		batch, reset := r.due(r.now())
		r.mu.Unlock()
		if len(batch) == 0 && !reset {
			continue
		}
		select {
		case r.out <- broker.Batch{Msgs: batch, Reset: reset}:
		case <-ctx.Done():
			return
		}
	}
}

// Next waits for the next batch (a BatchSource, like the bridge).
func (r *Replay) Next(ctx context.Context) (broker.Batch, bool) {
	select {
	case b := <-r.out:
		return b, true
	case <-ctx.Done():
		return broker.Batch{}, false
	}
}

func (r *Replay) rebase() {
	w := r.now()
	r.baseRT, r.baseWall = r.clock(w), w
	if r.pos < len(r.msgs) && r.baseRT.Before(r.msgs[r.pos].Received) && r.speed == 0 {
		r.baseRT = r.msgs[r.pos].Received
	}
}

func (r *Replay) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// SetSpeed changes the speed (0 = max) without a jump in replay time.
func (r *Replay) SetSpeed(s float64) {
	r.mu.Lock()
	r.rebase()
	r.speed = s
	r.mu.Unlock()
	r.poke()
}

// TogglePause stops or restarts the replay clock.
func (r *Replay) TogglePause() {
	r.mu.Lock()
	r.rebase()
	r.paused = !r.paused
	r.mu.Unlock()
	r.poke()
}

// Seek moves to message index i (clamped). Moving back starts the
// receiver over (Batch.Reset) and re-sends the messages before i at once;
// moving forward sends the skipped messages at once.
func (r *Replay) Seek(i int) {
	r.mu.Lock()
	i = max(min(i, len(r.msgs)), 0)
	if i < r.pos {
		r.reset, r.pos = true, 0
	}
	// The skipped part is emitted as fast as possible by pretending the
	// clock reads message i's time.
	if i < len(r.msgs) {
		r.baseRT = r.msgs[i].Received
	} else if len(r.msgs) > 0 {
		r.baseRT = r.msgs[len(r.msgs)-1].Received
	}
	r.baseWall = r.now()
	r.mu.Unlock()
	r.poke()
}

// ReplayStatus describes a replay for the status bar.
type ReplayStatus struct {
	Pos, Total int
	Speed      float64
	Paused     bool
	Clock      time.Time // replay time (recorded time of the newest emitted message)
}

// Status returns where the replay is.
func (r *Replay) Status() ReplayStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := ReplayStatus{Pos: r.pos, Total: len(r.msgs), Speed: r.speed, Paused: r.paused}
	if r.pos > 0 {
		st.Clock = r.msgs[r.pos-1].Received
	}
	return st
}
