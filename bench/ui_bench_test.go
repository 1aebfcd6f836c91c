package bench

import (
	"context"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/app"
	"hubtap/ui/common"
)

// noSource is a BatchSource that never delivers: the benchmarks hand
// batches to Update themselves.
type noSource struct{}

func (noSource) Next(ctx context.Context) (broker.Batch, bool) {
	<-ctx.Done()
	return broker.Batch{}, false
}

// pool is the messages the benchmarks cycle through (payloads are shared,
// as they are between the broker and history).
var pool = Messages(1 << 13)

// newUI returns the root model at 120x40 with a history of budget bytes
// already full (evicting), so every benchmark runs in steady state.
func newUI(b *testing.B, budget int64) (app.Model, *history.Store) {
	b.Helper()
	store := history.NewStore(budget)
	var m tea.Model = app.New(app.Config{Store: store, Source: noSource{}, Styles: themes.Build(themes.Dark()),
		Target: "mqtt://127.0.0.1:1883", Topics: []string{"flespi/message/gw/channels/+/+"}})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for i := 0; store.Stats().Evicted == 0; i = (i + 1024) % len(pool) {
		store.Append(pool[i : i+1024])
	}
	return m.(app.Model), store
}

// BenchmarkFrame is the UI goroutine's work for one frame at a given rate:
// the bridge's batch for 1/60 s (Update: history ingest, pane and detail
// refresh) and View. The batch's entries come prepared, as waitForBatch
// delivers them (history.Prepare runs on the goroutine that waited for the
// batch: BenchmarkPrepare). msgs/s is how many messages per second one core
// could take in this way; the UI goroutine also runs bubbletea's terminal
// diff (not included).
func BenchmarkFrame(b *testing.B) {
	prepared := history.Prepare(pool)
	for _, rate := range []int{20000, 50000, 100000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			per := rate / 60
			var m tea.Model
			m, _ = newUI(b, 64<<20)
			batch := make([]broker.Message, per)
			entries := make([]history.Entry, per)
			b.ReportAllocs()
			i, n := 0, 0
			for b.Loop() {
				for k := range batch {
					batch[k] = pool[(i+k)%len(pool)]
					entries[k] = prepared[(i+k)%len(pool)]
				}
				i += per
				m, _ = m.Update(common.BatchMsg{Batch: broker.Batch{Msgs: batch}, Entries: entries})
				_ = m.View()
				n += per
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/frame")
		})
	}
}

// BenchmarkPrepare is the part of ingest that runs off the UI goroutine:
// history.Prepare (classify, summary, ident) of realistic messages.
func BenchmarkPrepare(b *testing.B) {
	b.ReportAllocs()
	i, n := 0, 0
	for b.Loop() {
		_ = history.Prepare(pool[i : i+256])
		i = (i + 256) % len(pool)
		n += 256
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/msg")
}

// BenchmarkView renders the whole screen (120x40, following a full history)
// with nothing new: the cost bubbletea pays after every message it handles.
func BenchmarkView(b *testing.B) {
	m, _ := newUI(b, 64<<20)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkIngest is history's part alone: Store.Append of realistic
// messages into a full store (NewEntry: classify, summary, ident; eviction).
func BenchmarkIngest(b *testing.B) {
	_, store := newUI(b, 64<<20)
	b.ReportAllocs()
	i, n := 0, 0
	for b.Loop() {
		store.Append(pool[i : i+256])
		i = (i + 256) % len(pool)
		n += 256
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/msg")
}
