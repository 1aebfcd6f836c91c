package history

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
)

// BenchmarkIngestMillion appends 1,000,000 flespi-like ~550-byte messages (with
// flespi's two user properties) in
// UI-sized batches with the store's budget, under the soft memory limit the
// UI sets (budget + 48 MiB), and reports bytes per kept message and the
// process's peak RSS. Run: go test -run x -bench IngestMillion -benchtime 1x ./history
// HUBTAP_BENCH_BUDGET (bytes) overrides the default 256 MiB budget.
func BenchmarkIngestMillion(b *testing.B) {
	budget := DefaultBudget
	if v, err := strconv.ParseInt(os.Getenv("HUBTAP_BENCH_BUDGET"), 10, 64); err == nil {
		budget = v
	}
	old := debug.SetMemoryLimit(budget + 48<<20)
	defer debug.SetMemoryLimit(old)
	const total, batch = 1_000_000, 1000
	for b.Loop() {
		s := NewStore(budget)
		msgs := make([]broker.Message, batch)
		buf := make([]byte, 0, 1024)
		start := time.Now()
		for i := 0; i < total; i += batch {
			for j := range msgs {
				k := i + j
				p := fmt.Appendf(buf[:0], `{"ident":"3526250660%05d","timestamp":%d.0,"server.timestamp":%d.418732,`+
					`"channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213","device.id":%d,"device.name":"Truck %d",`+
					`"device.type.id":744,"position.latitude":52.229676,"position.longitude":21.012229,"position.altitude":112,`+
					`"position.speed":%d,"position.direction":281,"position.satellites":14,"position.hdop":0.8,"position.valid":true,`+
					`"engine.ignition.status":true,"external.powersource.voltage":27.9,"battery.voltage":4.05,`+
					`"gsm.signal.level":80,"gsm.mcc":260}`, k%50, 1715843521+k, 1715843521+k, 182000+k%50, k%50, k%120)
				msgs[j] = broker.Message{Seq: uint64(k), Topic: "flespi/message/gw/channels/1234/3526250660" + strconv.Itoa(10000+k%50),
					Payload: slices.Clone(p), QoS: 1, Received: start, // exact size, as broker.FromPaho keeps it
					Props: &broker.Properties{User: []broker.UserProperty{{Key: "timestamp", Value: "1715843522.418732"}, {Key: "cid", Value: "8201"}}}}
			}
			s.Append(msgs)
		}
		el := time.Since(start)
		st := s.Stats()
		b.ReportMetric(float64(len(msgs[0].Payload)), "payloadB")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(total)/el.Seconds(), "msgs/s")
		b.ReportMetric(float64(st.Bytes)/float64(st.Kept), "B/msg")
		b.ReportMetric(float64(st.Kept), "kept")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heapMiB")
		b.ReportMetric(peakRSSMiB(), "peakRSSMiB")
	}
}

// peakRSSMiB reads VmHWM (peak resident set) from /proc/self/status.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkGCFullStore fills a store to the history share of the default
// 256 MiB budget with flespi-like messages (with flespi's two user
// properties), then reports what one garbage collection costs with it: the
// scannable heap (runtime/metrics /gc/scan/heap:bytes) and the time of a
// forced collection. Under a burst the UI collects many times a second with
// a full history, so this is the floor of its GC cost (docs/BENCHMARKS.md).
func BenchmarkGCFullStore(b *testing.B) {
	s := NewStore(HistoryBytes(DefaultBudget))
	const batch = 1000
	msgs := make([]broker.Message, batch)
	start := time.Now()
	for i := 0; s.Stats().Evicted == 0; i += batch {
		for j := range msgs {
			k := i + j
			p := fmt.Appendf(nil, `{"ident":"3526250660%05d","timestamp":%d.0,"channel.id":1234,"device.id":%d,`+
				`"position.latitude":52.229676,"position.longitude":21.012229,"position.speed":%d,"position.valid":true,`+
				`"engine.ignition.status":true,"external.powersource.voltage":27.9,"battery.voltage":4.05,"gsm.signal.level":80,`+
				`"peer":"85.12.34.56:40213","device.name":"Truck %d","device.type.id":744,"position.altitude":112,"position.direction":281}`,
				k%50, 1715843521+k, 182000+k%50, k%120, k%50)
			msgs[j] = broker.Message{Seq: uint64(k), Topic: "flespi/message/gw/channels/1234/3526250660" + strconv.Itoa(10000+k%50),
				Payload: p, QoS: 1, Received: start.Add(time.Duration(k) * time.Millisecond),
				Props: &broker.Properties{User: []broker.UserProperty{{Key: "timestamp", Value: "1715843522.418732"}, {Key: "cid", Value: "8201"}}}}
		}
		s.Append(msgs)
	}
	runtime.GC()
	samples := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(samples)
	var el time.Duration
	for b.Loop() {
		t0 := time.Now()
		runtime.GC()
		el += time.Since(t0)
	}
	b.ReportMetric(float64(samples[0].Value.Uint64())/(1<<20), "scanHeapMiB")
	b.ReportMetric(float64(s.Len()), "kept")
	b.ReportMetric(float64(el.Microseconds())/1000/float64(b.N), "ms/GC")
	b.ReportMetric(0, "ns/op")
	runtime.KeepAlive(s)
}
