package headless

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"hubtap/broker"
)

// runState is what Run remembers between connection events.
type runState struct {
	cfg       *Config
	w         io.Writer // stderr
	client    *broker.Client
	failures  int  // permanent failures in a row since the last connection up
	permanent bool // the last failure was permanent
}

// report writes a connection event for the operator and decides whether
// Run must end: a permanent error Retry times in a row, or every
// subscription refused.
func (st *runState) report(ctx context.Context, e broker.Event) error {
	w, quiet := st.w, st.cfg.Quiet
	switch e.Kind {
	case broker.EventState:
		switch e.State {
		case broker.StateConnected:
			st.failures, st.permanent = 0, false
			if !quiet {
				fmt.Fprintf(w, "hubtap sub: connected to %s (%s)\n", e.Server, sessionWords(e.Session))
			}
			if len(st.cfg.Unsubscribe) > 0 {
				go st.unsubscribe(ctx)
			}
		case broker.StateDisconnected:
			if e.Err == nil {
				return nil
			}
			st.permanent = broker.Permanent(e.Err)
			if !st.permanent {
				fmt.Fprintf(w, "hubtap sub: %v\n", e.Err)
				return nil
			}
			st.failures++
			if st.cfg.Retry != RetryForever && st.failures >= st.cfg.Retry {
				return giveUp(e.Err, st.failures)
			}
			if st.cfg.Retry == RetryForever { // a daemon's log says every failure
				fmt.Fprintf(w, "hubtap sub: %v\n", e.Err)
			} // else quiet until it gives up: one sentence on stderr, not one per try
		case broker.StateWaiting:
			if !st.permanent || st.cfg.Retry == RetryForever {
				fmt.Fprintf(w, "hubtap sub: reconnecting in %s\n", e.RetryIn.Round(100*time.Millisecond))
			}
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
		if granted == 0 && len(e.Subs) > 0 && st.cfg.Retry != RetryForever {
			return fmt.Errorf("%w: the broker refused every subscription", ErrRefused)
		}
	}
	return nil
}

// giveUp is Run's last word after tries permanent failures: one sentence.
func giveUp(err error, tries int) error {
	kind := ErrGaveUp
	if broker.Refused(err) {
		kind = ErrRefused
	}
	word := "tries"
	if tries == 1 {
		word = "try"
	}
	return &stopError{kind: kind, msg: fmt.Sprintf("gave up after %d %s: %v (--retry forever keeps trying)", tries, word, err), err: err}
}

// stopError is why Run gave up: errors.Is matches both its kind (ErrRefused
// or ErrGaveUp) and the broker's error.
type stopError struct {
	kind error
	msg  string
	err  error
}

func (e *stopError) Error() string   { return e.msg }
func (e *stopError) Unwrap() []error { return []error{e.kind, e.err} }

// unsubscribe sends -U's filters once a connection is up.
func (st *runState) unsubscribe(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := st.client.UnsubscribeSession(ctx, st.cfg.Unsubscribe...); err != nil {
		fmt.Fprintf(st.w, "hubtap sub: -U: %v\n", err)
		return
	}
	if !st.cfg.Quiet {
		for _, f := range st.cfg.Unsubscribe {
			fmt.Fprintf(st.w, "hubtap sub: unsubscribed %s\n", f)
		}
	}
}

// Exit codes of `hubtap sub` (ExitCode); documented in `hubtap sub --help`
// and the README.
const (
	ExitOK      = 0  // Count reached, interrupted, or the reader went away
	ExitError   = 1  // anything else, e.g. a failed write
	ExitUsage   = 2  // bad flags or template (set by the caller)
	ExitConnect = 3  // could not connect: host not found, connection refused, TLS or certificate error, wrong scheme
	ExitRefused = 4  // the broker refused: credentials, not authorized, every subscription refused
	ExitTimeout = 27 // -W passed without a message (mosquitto_sub's timeout code, which it uses even when messages came)
)

// ExitCode maps Run's error to the process exit code.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrTimeout):
		return ExitTimeout
	case errors.Is(err, ErrRefused):
		return ExitRefused
	case errors.Is(err, ErrGaveUp):
		return ExitConnect
	}
	return ExitError
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
