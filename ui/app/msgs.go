package app

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/common"
	"hubtap/ui/msglog"
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

func subscribe(ctx context.Context, s Subscriber, filters []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, err := s.Subscribe(ctx, filters...)
		return subscribeDoneMsg{filters: filters, err: err}
	}
}

func unsubscribeCmd(ctx context.Context, s Subscriber, filters []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := s.Unsubscribe(ctx, filters...); err != nil {
			return common.ErrMsg{Op: "unsubscribe", Err: err}
		}
		return nil
	}
}

// unsubscribe drops filters no pane shows any more.
func (m *Model) unsubscribe(filters []string) tea.Cmd {
	if len(filters) == 0 {
		return nil
	}
	var keep []string
	for _, t := range m.topics {
		if !slices.Contains(filters, t) {
			keep = append(keep, t)
		}
	}
	m.topics = keep
	for _, f := range filters {
		delete(m.subs, f)
	}
	m.refreshPane()
	if m.cfg.Client == nil {
		return nil
	}
	return tea.Batch(unsubscribeCmd(m.ctx, m.cfg.Client, filters), m.notify("unsubscribed from "+joinFilters(filters), msglog.Info))
}
