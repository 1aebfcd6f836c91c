package history

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"hubtap/broker"
)

// realistic returns n flespi-like device messages of about 550 bytes, with
// 50 idents and varying values, as they arrive from the broker.
func realistic(n int) []broker.Message {
	msgs := make([]broker.Message, n)
	now := time.Unix(1715843522, 0)
	for i := range msgs {
		dev := 182000 + i%50
		p := fmt.Sprintf(`{"ident":"3526250660%05d","timestamp":%d.0,"server.timestamp":%d.418732,`+
			`"channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213",`+
			`"device.id":%d,"device.name":"Truck %d","device.type.id":744,`+
			`"position.latitude":%.6f,"position.longitude":%.6f,"position.altitude":112,`+
			`"position.speed":%d,"position.direction":281,"position.satellites":14,"position.hdop":0.8,`+
			`"position.valid":true,"engine.ignition.status":%t,"movement.status":true,`+
			`"external.powersource.voltage":27.9,"battery.voltage":4.05,"gsm.signal.level":%d,`+
			`"din":1,"event.priority.enum":0}`,
			dev, 1715843521+i, 1715843522+i, dev, dev%100,
			52.229676+float64(i%1000)*1e-5, 21.012229-float64(i%700)*1e-5, i%130, i%3 != 0, 40+i%60)
		msgs[i] = broker.Message{
			Seq: uint64(i + 1), Topic: fmt.Sprintf("flespi/message/gw/devices/%d", dev),
			Payload: []byte(p), QoS: 1, Received: now.Add(time.Duration(i) * time.Millisecond),
		}
	}
	return msgs
}

// BenchmarkAppend appends batches of 256 realistic messages to a 32 MiB
// store (steady state includes eviction). One op is one batch.
func BenchmarkAppend(b *testing.B) {
	const batch = 256
	src := realistic(64 * batch)
	avg := 0
	for _, m := range src {
		avg += len(m.Payload)
	}
	b.Logf("average payload %d bytes", avg/len(src))
	s := NewStore(32 << 20)
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	i, n := 0, 0
	for b.Loop() {
		s.Append(src[i : i+batch])
		i = (i + batch) % len(src)
		n += batch
	}
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(n), "allocs/msg")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/msg")
}

// BenchmarkNewEntry measures one realistic message's ingest work alone.
func BenchmarkNewEntry(b *testing.B) {
	src := realistic(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = NewEntry(src[i&1023])
		i++
	}
}
