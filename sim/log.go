package sim

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// throttleHandler passes at most one record per message text per interval
// and adds a "suppressed" count to the next one that passes. mochi logs some
// conditions once per message (for example "client store quota reached" for
// every message an over-full offline session misses), which at 20k msg/s
// would flood the log.
type throttleHandler struct {
	next slog.Handler
	st   *throttleState // shared by the handlers WithAttrs/WithGroup derive
}

type throttleState struct {
	mu    sync.Mutex
	every time.Duration
	seen  map[string]*throttleEntry // cap maxThrottleKeys; cleared when full
}

type throttleEntry struct {
	last       time.Time
	suppressed int
}

const maxThrottleKeys = 256

func newThrottleHandler(next slog.Handler, every time.Duration) *throttleHandler {
	return &throttleHandler{next: next, st: &throttleState{every: every, seen: make(map[string]*throttleEntry)}}
}

func (h *throttleHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *throttleHandler) Handle(ctx context.Context, r slog.Record) error {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	st := h.st
	st.mu.Lock()
	e := st.seen[r.Message]
	if e == nil {
		if len(st.seen) >= maxThrottleKeys {
			clear(st.seen)
		}
		e = &throttleEntry{}
		st.seen[r.Message] = e
	}
	if !e.last.IsZero() && t.Sub(e.last) < st.every {
		e.suppressed++
		st.mu.Unlock()
		return nil
	}
	n := e.suppressed
	e.last, e.suppressed = t, 0
	st.mu.Unlock()
	if n > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", n))
	}
	return h.next.Handle(ctx, r)
}

func (h *throttleHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &throttleHandler{next: h.next.WithAttrs(as), st: h.st}
}

func (h *throttleHandler) WithGroup(name string) slog.Handler {
	return &throttleHandler{next: h.next.WithGroup(name), st: h.st}
}
