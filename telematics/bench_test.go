package telematics

import (
	"strconv"
	"testing"
	"time"

	"hubtap/history"
)

// realistic returns n messages of devices flespi devices (docs/FLESPI.md §5
// Example A, ~550 bytes each), round-robin, one per device per second.
func realistic(devices, n int) []*history.Entry {
	out := make([]*history.Entry, n)
	for i := range out {
		dev := i % devices
		ident := strconv.Itoa(352625066000000 + dev)
		ts := time.Duration(i/devices) * time.Second
		out[i] = entry("flespi/message/gw/channels/1234/"+ident, flespi(ident, ts, ts+1418732*time.Microsecond,
			`"channel.id":1234`, `"protocol.id":14`, `"peer":"85.12.34.56:40213"`,
			`"device.id":`+strconv.Itoa(182001+dev), `"device.name":"Truck `+strconv.Itoa(dev)+`"`, `"device.type.id":744`,
			`"position.latitude":52.229676`, `"position.longitude":21.012229`, `"position.altitude":112`,
			`"position.speed":`+strconv.Itoa(i%110), `"position.direction":281`, `"position.satellites":14`,
			`"position.hdop":0.8`, `"position.valid":true`, `"engine.ignition.status":true`, `"movement.status":true`,
			`"external.powersource.voltage":27.9`, `"battery.voltage":4.05`, `"gsm.signal.level":80`,
			`"gsm.mcc":260`, `"gsm.mnc":2`, `"din":1`, `"vehicle.mileage":123456.7`, `"event.priority.enum":0`),
			at(ts+2*time.Second))
	}
	return out
}

// BenchmarkObserve measures Observe on realistic flespi messages of 50
// devices, in steady state (every device already seen).
func BenchmarkObserve(b *testing.B) {
	msgs := realistic(50, 5000)
	tr := NewTracker(Config{})
	for i, e := range msgs {
		tr.Observe(uint64(i), e)
	}
	bytes := 0
	for _, e := range msgs {
		bytes += len(e.Payload)
	}
	b.SetBytes(int64(bytes / len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tr.Observe(uint64(i), msgs[i%len(msgs)])
	}
}

// TestObserveDoesNotAllocate checks the benchmark's claim without running it.
func TestObserveDoesNotAllocate(t *testing.T) {
	msgs := realistic(5, 50)
	tr := NewTracker(Config{})
	for i, e := range msgs[:5] {
		tr.Observe(uint64(i), e)
	}
	i := 5
	allocs := testing.AllocsPerRun(40, func() {
		tr.Observe(uint64(i), msgs[i%len(msgs)])
		i++
	})
	if allocs != 0 {
		t.Errorf("Observe allocates %.1f times per message", allocs)
	}
}
