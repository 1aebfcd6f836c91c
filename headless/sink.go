package headless

import (
	"bufio"
	"fmt"
	"io"
	"sync"
	"time"

	"hubtap/broker"
	"hubtap/filters"
)

// flushDelay is how long a written message may wait in the output buffer
// before it is flushed. Under load the 64 KiB buffer fills and flushes on
// its own long before; when messages trickle in, this is the latency a
// reader sees. A timer (not a flush per message) keeps the write(2) calls
// to at most a few hundred per second whatever the rate.
const flushDelay = 2 * time.Millisecond

// outBuf is the size of the output buffer.
const outBuf = 64 << 10

// sink writes each message from paho's callback goroutine straight into a
// buffered writer: no channel hop, no copy of the message. When the reader
// of the output is slow the write blocks, which blocks paho's router, which
// stops reading from the broker: the broker queues (QoS 1, persistent
// session) instead of anything being dropped. Connection events go through
// a small channel to Run, which reports them.
type sink struct {
	mu      sync.Mutex
	w       *bufio.Writer
	format  Format
	filter  *filters.Expr
	in      filters.Input
	msg     broker.Message // the message being written: a field, so that &msg never escapes per message
	keep    *keepRules     // -R, --retained-only, -T; nil = keep all
	safe    bool           // stdout is a terminal: show control bytes as visible markers
	safeBuf []byte
	count   int // stop after this many written messages; 0 = never
	written int
	stopped bool
	err     error         // the write error that stopped the sink
	done    chan struct{} // closed once when the sink stops (count reached, write error, --retained-only)
	timer   *time.Timer
	armed   bool
	seen    bool // a message arrived (for -W)

	events chan broker.Event
}

func newSink(out io.Writer, cfg *Config, safe bool) *sink {
	s := &sink{
		w:      bufio.NewWriterSize(out, outBuf),
		format: cfg.Format,
		filter: cfg.Filter,
		keep:   cfg.keepRules(),
		safe:   safe,
		count:  cfg.Count,
		done:   make(chan struct{}),
		events: make(chan broker.Event, 64),
	}
	s.in.User = func(k string) (string, bool) { return s.msg.UserValue(k) }
	s.timer = time.AfterFunc(time.Hour, s.timedFlush)
	s.timer.Stop()
	return s
}

// Offer writes m. It runs on paho's goroutine and blocks while the output
// blocks. It returns false when it did not take m because the sink has
// stopped (or stops at m: a write error, --retained-only): the client then
// leaves m unacknowledged, for the persistent session to keep
// (broker.Options.HoldRefused).
func (s *sink) Offer(m broker.Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	s.seen = true
	s.msg = m
	mp := &s.msg
	if s.keep != nil {
		show, stop := s.keep.apply(mp)
		if stop {
			s.stopLocked(s.w.Flush())
			return false
		}
		if !show {
			return true
		}
	}
	if s.filter != nil {
		in := &s.in
		in.Topic, in.Payload, in.QoS, in.Retain, in.Dup = mp.Topic, mp.Payload, mp.QoS, mp.Retain, mp.Duplicate
		if !s.filter.Eval(in) {
			return true
		}
	}
	var err error
	// Make room first, so the record is formatted straight into the
	// buffer's free space without growing a copy of it (no allocation).
	if need := 2*len(mp.Payload) + len(mp.Topic) + 512; s.w.Available() < need && need <= outBuf {
		if err = s.w.Flush(); err != nil {
			s.stopLocked(fmt.Errorf("write: %w", err))
			return false
		}
	}
	if s.safe {
		s.safeBuf = s.format(s.safeBuf[:0], mp)
		_, err = s.w.Write(appendSafe(s.w.AvailableBuffer(), s.safeBuf))
	} else {
		// Format straight into the writer's free space: no copy when it fits.
		_, err = s.w.Write(s.format(s.w.AvailableBuffer(), mp))
	}
	s.msg = broker.Message{} // do not keep paho's buffers alive
	if err != nil {
		s.stopLocked(fmt.Errorf("write: %w", err))
		return false
	}
	s.written++
	if s.count > 0 && s.written >= s.count {
		s.stopLocked(s.w.Flush())
		return true // written: the last one
	}
	if !s.armed && s.w.Buffered() > 0 {
		s.armed = true
		s.timer.Reset(flushDelay)
	}
	return true
}

// OfferEvent hands a connection event to Run. It never blocks: events are
// for the operator, and a flood of them is not worth blocking paho.
func (s *sink) OfferEvent(e broker.Event) {
	select {
	case s.events <- e:
	default:
	}
}

// flushForAck is broker.Options.BeforeAck: what was written goes out
// before the broker hears that it arrived. An output that failed fails it,
// so that the messages lost with the buffer stay queued on the broker.
func (s *sink) flushForAck() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

func (s *sink) timedFlush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = false
	_ = s.flushLocked()
}

// flushLocked writes out what is buffered unless the sink has stopped; a
// write error stops it. It returns the error that stopped the sink, if
// any. s.mu is held.
func (s *sink) flushLocked() error {
	if s.err != nil || s.stopped || s.w.Buffered() == 0 {
		return s.err
	}
	if err := s.w.Flush(); err != nil {
		s.stopLocked(fmt.Errorf("write: %w", err))
	}
	return s.err
}

// stopLocked stops the sink once; s.mu is held.
func (s *sink) stopLocked(err error) {
	if s.stopped {
		return
	}
	s.stopped, s.err = true, err
	s.timer.Stop()
	close(s.done)
}

// finish stops the sink and flushes what is buffered. A write blocked on a
// stuck reader holds the lock: finish waits at most wait for it.
func (s *sink) finish(wait time.Duration) (int, error) {
	type result struct {
		n   int
		err error
	}
	fin := make(chan result, 1)
	go func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.stopped {
			s.stopLocked(s.w.Flush())
		}
		fin <- result{s.written, s.err}
	}()
	select {
	case r := <-fin:
		return r.n, r.err
	case <-time.After(wait):
		return 0, fmt.Errorf("write: the output is blocked")
	}
}

// arrived reports whether any message arrived (for -W).
func (s *sink) arrived() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen
}
