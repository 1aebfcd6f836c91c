// Package headless is `hubtap sub`: the broker connection without a UI,
// writing messages to a stream (stdout) as JSONL or a template. Unlike the
// UI it never drops: when the reader is slow it stops reading from the
// broker, which then queues (QoS 1, persistent session) instead of losing.
package headless

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"hubtap/broker"
	"hubtap/filters"
)

// Config is what `hubtap sub` needs.
type Config struct {
	Broker broker.Options
	Format Format        // nil: JSONL
	Filter *filters.Expr // nil: everything
	Count  int           // stop after this many written messages; 0 = run until ctx ends
	// Errors receives connection problems in plain words (stderr); nil = discard.
	Errors io.Writer
	Logger *slog.Logger
	// Quiet suppresses the "connected" and "subscribed" lines on Errors.
	Quiet bool
}

// queueLen is the channel between paho's goroutine and the writer. A full
// queue blocks paho (back-pressure to the broker); it never drops.
const queueLen = 4096

// sink blocks instead of dropping.
type sink struct {
	msgs   chan broker.Message
	events chan broker.Event
	done   chan struct{}
}

func (s *sink) Offer(m broker.Message) bool {
	select {
	case s.msgs <- m:
		return true
	case <-s.done:
		return false
	}
}

func (s *sink) OfferEvent(e broker.Event) {
	select {
	case s.events <- e:
	default: // events are for the operator; a flood of them is not worth blocking paho
	}
}

// ErrRefused is returned when the broker refuses the connection or every
// subscription; the message says why.
var ErrRefused = errors.New("refused")

// Run connects, subscribes and writes until Count messages were written,
// ctx ends, or the broker refuses us. It returns how many it wrote.
func Run(ctx context.Context, cfg Config, out io.Writer) (int, error) {
	if cfg.Format == nil {
		cfg.Format = JSONL
	}
	errw := cfg.Errors
	if errw == nil {
		errw = io.Discard
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &sink{msgs: make(chan broker.Message, queueLen), events: make(chan broker.Event, 64), done: make(chan struct{})}
	defer close(s.done)
	c, err := broker.Connect(ctx, cfg.Broker, s)
	if err != nil {
		return 0, err
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer ccancel()
		_ = c.Close(cctx)
	}()

	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	var written int
	var buf []byte
	var cur *broker.Message
	in := filters.Input{User: func(k string) (string, bool) { return cur.UserValue(k) }}
	for {
		var m broker.Message
		select {
		case <-ctx.Done():
			return written, nil
		case e := <-s.events:
			if err := report(errw, e, cfg.Quiet); err != nil {
				return written, err
			}
			continue
		case m = <-s.msgs:
		}
		if cfg.Filter != nil {
			cur = &m
			in.Topic, in.Payload, in.QoS, in.Retain, in.Dup = m.Topic, m.Payload, m.QoS, m.Retain, m.Duplicate
			if !cfg.Filter.Eval(&in) {
				continue
			}
		}
		buf = cfg.Format(buf[:0], &m)
		if _, err := w.Write(buf); err != nil {
			return written, fmt.Errorf("write: %w", err)
		}
		written++
		if cfg.Count > 0 && written >= cfg.Count {
			return written, w.Flush()
		}
		if len(s.msgs) == 0 { // the queue ran dry: show what we have now
			if err := w.Flush(); err != nil {
				return written, fmt.Errorf("write: %w", err)
			}
		}
	}
}

// report writes connection events for the operator and decides whether
// they are fatal: a refused CONNACK or every subscription refused.
func report(w io.Writer, e broker.Event, quiet bool) error {
	switch e.Kind {
	case broker.EventState:
		switch e.State {
		case broker.StateConnected:
			if !quiet {
				fmt.Fprintf(w, "hubtap sub: connected to %s (%s)\n", e.Server, sessionWords(e.Session))
			}
		case broker.StateDisconnected:
			if e.Err == nil {
				return nil
			}
			var re *broker.ReasonError
			if errors.As(e.Err, &re) && re.Packet == "CONNACK" {
				return fmt.Errorf("%w: %v", ErrRefused, e.Err)
			}
			fmt.Fprintf(w, "hubtap sub: %v\n", e.Err)
		case broker.StateWaiting:
			fmt.Fprintf(w, "hubtap sub: reconnecting in %s\n", e.RetryIn.Round(time.Second))
		}
	case broker.EventSubscribe:
		granted := 0
		for _, r := range e.Subs {
			if r.Err != nil {
				fmt.Fprintf(w, "hubtap sub: %s: %v\n", r.Filter, r.Err)
				continue
			}
			granted++
			if !quiet {
				fmt.Fprintf(w, "hubtap sub: subscribed %s (QoS %d)\n", r.Filter, r.Granted)
			}
		}
		if e.Err != nil {
			fmt.Fprintf(w, "hubtap sub: %v\n", e.Err)
		}
		if granted == 0 && len(e.Subs) > 0 {
			return fmt.Errorf("%w: no subscription was granted", ErrRefused)
		}
	}
	return nil
}

func sessionWords(s broker.SessionInfo) string {
	switch {
	case s.Lost:
		return "session lost: messages sent while away are gone"
	case s.Present:
		return "session resumed"
	case s.Persistent:
		return "new persistent session"
	}
	return "clean session"
}
