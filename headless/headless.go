// Package headless is `hubtap sub`: the broker connection without a UI,
// writing messages to a stream (stdout) as JSONL or a template. Unlike the
// UI it never drops: when the reader is slow it stops reading from the
// broker, which then queues (QoS 1, persistent session) instead of losing.
package headless

import (
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
	// Output says whether control bytes reach out as they are (see Output).
	Output Output
	// Retry is how many connection attempts in a row may fail with a
	// permanent error (bad credentials, unknown host, certificate, ...)
	// before Run gives up: 0 means DefaultRetry, RetryForever never gives
	// up. Transient errors (reset, broker restart) never count.
	Retry int
	// SkipRetained drops retained messages (mosquitto_sub -R).
	SkipRetained bool
	// RetainedOnly writes retained messages and stops at the first one
	// that is not (mosquitto_sub --retained-only).
	RetainedOnly bool
	// Hide drops messages whose topic matches one of these filters (-T).
	Hide []string
	// Unsubscribe lists filters to unsubscribe from once connected, for a
	// persistent session that still has them (-U).
	Unsubscribe []string
	// Timeout ends Run this long after the first connection (-W); Run
	// then returns ErrTimeout if no message arrived.
	Timeout time.Duration
}

// DefaultRetry is how many connection attempts in a row may fail with a
// permanent error before `hubtap sub` gives up (Config.Retry).
const DefaultRetry = 3

// RetryForever makes Run keep trying whatever the error (Config.Retry).
const RetryForever = -1

// Errors Run returns; ExitCode maps them to exit codes.
var (
	// ErrRefused: the broker refused the connection or every subscription.
	ErrRefused = errors.New("refused")
	// ErrGaveUp: the connection failed with a permanent error Retry times in a row.
	ErrGaveUp = errors.New("gave up")
	// ErrTimeout: Timeout passed without a single message (-W).
	ErrTimeout = errors.New("timed out")
)

// Run connects, subscribes and writes until Count messages were written,
// ctx ends, the broker refuses us, or a permanent error repeats Retry
// times. It returns how many it wrote. Messages are written from paho's
// goroutine (see sink); Run itself only reports connection events.
func Run(ctx context.Context, cfg Config, out io.Writer) (int, error) {
	if cfg.Format == nil {
		cfg.Format = JSONL()
	}
	errw := cfg.Errors
	if errw == nil {
		errw = io.Discard
	}
	if cfg.Retry == 0 {
		cfg.Retry = DefaultRetry
	}
	if cfg.Broker.Backoff == nil {
		cfg.Broker.Backoff = backoff
	}
	// A message that arrives after the sink stopped (-C reached, -W, an
	// interrupt, a closed output) is not acknowledged, nor one whose bytes
	// are still in the output buffer (BeforeAck, below): the persistent
	// session keeps them.
	cfg.Broker.HoldRefused = true
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := newSink(out, &cfg, cfg.Output.safe(out))
	cfg.Broker.BeforeAck = s.flushForAck
	c, err := broker.Connect(ctx, cfg.Broker, s)
	if err != nil {
		return 0, err
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer ccancel()
		_ = c.Close(cctx)
	}()

	st := &runState{cfg: &cfg, w: errw, client: c}
	var timeout <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return s.finish(time.Second)
		case <-s.done:
			return s.finish(time.Second)
		case <-timeout:
			n, err := s.finish(time.Second)
			if err == nil && !s.arrived() {
				err = fmt.Errorf("%w: no message within %s", ErrTimeout, cfg.Timeout)
			}
			return n, err
		case e := <-s.events:
			if err := st.report(ctx, e); err != nil {
				n, _ := s.finish(time.Second)
				return n, err
			}
			if cfg.Timeout > 0 && timeout == nil && e.Kind == broker.EventState && e.State == broker.StateConnected {
				timeout = time.After(cfg.Timeout) // mosquitto_sub starts -W once connected
			}
		}
	}
}

// backoff is the reconnect delay of `hubtap sub`: 1 s, 2 s, 4 s ... up to
// 30 s, without jitter, so that the default retry policy gives up on a
// permanent error within a few seconds.
func backoff(attempt int) time.Duration {
	if attempt < 1 {
		return 0
	}
	return min(time.Second<<min(attempt-1, 5), 30*time.Second)
}
