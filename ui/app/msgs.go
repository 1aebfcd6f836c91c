package app

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/common"
)

// BatchSource is where batches come from: a *broker.Bridge, or a test double.
type BatchSource interface {
	Next(ctx context.Context) (broker.Batch, bool)
}

// Subscriber subscribes to topic filters. *broker.Client implements it.
type Subscriber interface {
	Subscribe(ctx context.Context, filters ...string) ([]broker.SubResult, error)
	Unsubscribe(ctx context.Context, filters ...string) error
}

// tickMsg drives the msg/s figure and countdowns; it runs only while
// something changes (idle means idle).
type tickMsg struct{ at time.Time }

// subscribeDoneMsg is the result of a subscribe started from the prompt.
// Per-filter SUBACK results also arrive as a broker event; this carries
// only failures of the request as a whole (timeout, not connected).
type subscribeDoneMsg struct {
	filters []string
	err     error
}

// waitForBatch blocks until the bridge seals a batch, and builds its
// history entries right there (summaries, idents: reading every payload),
// so that the UI goroutine only stores them. Exactly one is outstanding:
// the BatchMsg case re-arms it.
func waitForBatch(ctx context.Context, src BatchSource) tea.Cmd {
	return func() tea.Msg {
		b, ok := src.Next(ctx)
		if !ok {
			return nil
		}
		return common.BatchMsg{Batch: b, Entries: history.Prepare(b.Msgs)}
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg{at: t} })
}

func subscribe(ctx context.Context, s Subscriber, filters []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, err := s.Subscribe(ctx, filters...)
		return subscribeDoneMsg{filters: filters, err: err}
	}
}

func unsubscribe(ctx context.Context, s Subscriber, filters []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := s.Unsubscribe(ctx, filters...); err != nil {
			return common.ErrMsg{Op: "unsubscribe", Err: err}
		}
		return nil
	}
}
