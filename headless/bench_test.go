package headless

import (
	"bufio"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"hubtap/bench"
	"hubtap/broker"
)

// benchMessage is a flespi-like ~550-byte message, as the drain benchmark
// publishes.
func benchMessage() broker.Message {
	rng := rand.New(rand.NewPCG(1, 7))
	return broker.Message{Seq: 12345, Topic: bench.Topic(17), Payload: bench.AppendMessage(nil, rng, 17, 12345), QoS: 1,
		Received: time.Date(2026, 12, 6, 0, 40, 1, 123456789, time.UTC)}
}

// BenchmarkSinkOffer is the whole per-message path of `hubtap sub` after
// paho: Offer formats into the buffered output. It must not allocate.
// Every message has the same receive time, as the messages of one network
// read do; JSONL_newtime gives each message a time of its own.
func BenchmarkSinkOffer(b *testing.B) {
	pct, _ := ParseTemplate("%p")
	for _, c := range []struct {
		name    string
		format  Format
		newTime bool
	}{{"JSONL", JSONL(), false}, {"JSONL_newtime", JSONL(), true}, {"F_p", pct, false}} {
		b.Run(c.name, func(b *testing.B) {
			m := benchMessage()
			s := newSink(io.Discard, &Config{Format: c.format}, false)
			b.ReportAllocs()
			b.SetBytes(int64(len(m.Payload)))
			for b.Loop() {
				if c.newTime {
					m.Received = m.Received.Add(time.Microsecond)
				}
				s.Offer(m)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkFormat is the formatting alone, into a reused buffer.
func BenchmarkFormat(b *testing.B) {
	pct, _ := ParseTemplate("%p")
	for _, c := range []struct {
		name   string
		format Format
	}{{"JSONL", JSONL()}, {"F_p", pct}} {
		b.Run(c.name, func(b *testing.B) {
			m := benchMessage()
			w := bufio.NewWriterSize(io.Discard, 64<<10)
			b.ReportAllocs()
			for b.Loop() {
				_, _ = w.Write(c.format(w.AvailableBuffer(), &m))
			}
		})
	}
}
