package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/telematics"
)

func TestDrawFault(t *testing.T) {
	cases := []struct {
		name string
		f    Faults
	}{
		{name: "default", f: DefaultFaults()},
		{name: "uneven", f: Faults{Future: 0.1, Gap: 0.02, Duplicate: 0.05, OutOfOrder: 0.2}},
		{name: "over 1: later kinds get the rest", f: Faults{Future: 0.7, Gap: 0.7, Duplicate: 0.5}},
	}
	const n = 200_000
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f.clean()
			rng := rand.New(rand.NewPCG(1, 2))
			var got [5]int
			for range n {
				got[drawFault(&f, rng)]++
			}
			left := 1.0
			for k, p := range []float64{f.Future, f.Gap, f.Duplicate, f.OutOfOrder} {
				want := min(p, max(0, left)) * n
				left -= p
				if d := math.Abs(float64(got[k+1]) - want); d > 5*math.Sqrt(want+1) {
					t.Errorf("kind %d: %d draws, want about %.0f", k+1, got[k+1], want)
				}
			}
		})
	}
	t.Run("zero draws nothing and leaves the generator alone", func(t *testing.T) {
		var f Faults
		a, b := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
		for range 100 {
			if k := drawFault(&f, a); k != faultNone {
				t.Fatalf("zero Faults drew %d", k)
			}
		}
		if a.Uint64() != b.Uint64() {
			t.Error("zero Faults consumed random numbers")
		}
	})
	t.Run("clean", func(t *testing.T) {
		c := Faults{Future: -1, Gap: math.NaN(), Duplicate: 2, OutOfOrder: 0.5}.clean()
		if c != (Faults{Duplicate: 1, OutOfOrder: 0.5}) {
			t.Errorf("clean: %+v", c)
		}
	})
}

// collect reads exactly n messages, failing at the deadline.
func collect(ctx context.Context, t *testing.T, c *testClient, n int) []*paho.Publish {
	t.Helper()
	out := make([]*paho.Publish, 0, n)
	for len(out) < n {
		select {
		case m := <-c.msgs:
			out = append(out, m)
		case <-ctx.Done():
			t.Fatalf("got %d of %d messages before the deadline", len(out), n)
		}
	}
	return out
}

// TestFaultsFlagged publishes a seeded run with faults through the broker
// and checks that telematics flags exactly what was injected, and that the
// injected counts follow the rates. The test drives the publisher itself
// (Rate < 0 leaves the pacer idle) with a synthetic clock: 2 s per message.
func TestFaultsFlagged(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rates := Faults{Future: 0.03, Gap: 0.01, Duplicate: 0.03, OutOfOrder: 0.03}
	// Three devices: the fourth would have QuirkClockAhead (every message future).
	s := startSim(t, Config{Devices: 3, Unregistered: -1, Rate: -1, Seed: 7, Faults: rates})
	c := mustConnect(ctx, t, s, DemoToken, "faults", 8192)
	mustSubscribe(ctx, t, c, "flespi/message/gw/channels/+/+")
	// Millisecond timestamps: with whole seconds a late record can land on
	// the very second of an earlier message and is then rightly flagged a
	// duplicate, so the injected and flagged kinds would not pair up. The
	// publisher is idle (Rate < 0): the devices are the test's to change.
	for _, d := range s.devs {
		d.wholeSec = false
	}

	const n = 3000
	now := time.Now()
	for i := range n {
		s.publishNext(now.Add(time.Duration(i) * 2 * time.Second))
	}
	inj := s.InjectedFaults()
	msgs := collect(ctx, t, c, n+int(inj.Duplicate))

	for _, k := range []struct {
		name      string
		got, want float64
	}{
		{"future", float64(inj.Future), rates.Future * n},
		{"duplicate", float64(inj.Duplicate), rates.Duplicate * n},
		{"out-of-order", float64(inj.OutOfOrder), rates.OutOfOrder * n},
	} {
		if math.Abs(k.got-k.want) > 0.35*k.want {
			t.Errorf("%s: %v injected, want about %v", k.name, k.got, k.want)
		}
	}
	// A gap is injected only once the device has caught up with the last
	// one: 100 simulated minutes allow a few per device.
	if inj.Gap < 3 || inj.Gap > uint64(rates.Gap*n) {
		t.Errorf("gap: %d injected, want 3..%v", inj.Gap, rates.Gap*n)
	}

	tr := telematics.NewTracker(telematics.Config{})
	var future, gap, dup, late, latency uint64
	for i, m := range msgs {
		us, err := strconv.ParseFloat(userProp(m, "timestamp"), 64)
		if err != nil {
			t.Fatalf("timestamp property: %v", err)
		}
		e := history.NewEntry(broker.Message{Topic: m.Topic, Payload: m.Payload, Received: time.UnixMicro(int64(us * 1e6))})
		f := tr.Observe(uint64(i), &e)
		switch {
		case f.Has(telematics.FlagLatency): // the simulator's own black-box records
			latency++
			continue
		case f.Has(telematics.FlagFuture):
			future++
		case f.Has(telematics.FlagGap):
			gap++
		case f.Has(telematics.FlagDuplicate):
			dup++
		case f.Has(telematics.FlagOutOfOrder):
			late++
		}
		if f&(f-1) != 0 {
			t.Errorf("message %d: several flags %v: %s", i, f, m.Payload)
		}
	}
	got := FaultCounts{Future: future, Gap: gap, Duplicate: dup, OutOfOrder: late}
	if got != inj {
		t.Errorf("flagged %+v, injected %+v", got, inj)
	}
	if latency > 5 {
		t.Errorf("%d black-box records, want about one per 4000 messages", latency)
	}
	for _, d := range tr.Devices() {
		if d.Messages < n/4 || d.Stale(d.LastSeen) {
			t.Errorf("device %s: %d messages", d.Key, d.Messages)
		}
	}
}

// TestNoFaultsNoFlags checks the default demo stays clean.
func TestNoFaultsNoFlags(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := startSim(t, Config{Devices: 3, Unregistered: -1, Rate: -1, Seed: 8})
	c := mustConnect(ctx, t, s, DemoToken, "clean", 2048)
	mustSubscribe(ctx, t, c, "flespi/message/gw/channels/+/+", "flespi/message/gw/devices/+")
	now := time.Now()
	for i := range 500 {
		s.publishNext(now.Add(time.Duration(i) * time.Second))
	}
	tr := telematics.NewTracker(telematics.Config{})
	for i, m := range collect(ctx, t, c, 1000) {
		e := history.NewEntry(broker.Message{Topic: m.Topic, Payload: m.Payload, Received: now})
		if f := tr.Observe(uint64(i), &e); f != 0 && !f.Has(telematics.FlagLatency) {
			t.Errorf("message %d flagged %v without faults: %s", i, f, m.Payload)
		}
	}
	if inj := s.InjectedFaults(); inj != (FaultCounts{}) {
		t.Errorf("injected %+v with zero Faults", inj)
	}
	for _, d := range tr.Devices() {
		if d.Copies != d.Messages/2 {
			t.Errorf("%s: %d copies of %d messages on two topics", d.Key, d.Copies, d.Messages)
		}
	}
}

// TestFastDemoNoFlags: at a rate far above one message per device per
// second (hubtap --demo --demo-rate 5000 has 50 devices), a tracker that
// reports whole seconds must not repeat its timestamp, which hubtap rightly
// flags as a duplicate: the default demo at any rate stays clean.
func TestFastDemoNoFlags(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := startSim(t, Config{Devices: 3, Unregistered: -1, Rate: -1, Seed: 8})
	c := mustConnect(ctx, t, s, DemoToken, "fast", 2048)
	mustSubscribe(ctx, t, c, "flespi/message/gw/channels/+/+")
	now := time.Now()
	for i := range 600 {
		s.publishNext(now.Add(time.Duration(i) * 10 * time.Millisecond)) // 100 msg/s: ~33 per device per second
	}
	tr := telematics.NewTracker(telematics.Config{})
	for i, m := range collect(ctx, t, c, 600) {
		e := history.NewEntry(broker.Message{Topic: m.Topic, Payload: m.Payload, Received: now})
		if f := tr.Observe(uint64(i), &e); f != 0 && !f.Has(telematics.FlagLatency) {
			t.Errorf("message %d flagged %v at 100 msg/s without faults: %s", i, f, m.Payload)
		}
	}
}

func TestStopAndStale(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := startSim(t, Config{Devices: 4, Unregistered: -1, Rate: -1, Seed: 9, Stale: 2})
	devs := s.Devices()
	c := mustConnect(ctx, t, s, DemoToken, "stale", 1024)
	mustSubscribe(ctx, t, c, "flespi/message/gw/channels/+/+")
	st := mustConnect(ctx, t, s, DemoToken, "stale-state", 64)
	mustSubscribe(ctx, t, st, "flespi/state/gw/devices/+/connected")
	connected := map[string]string{} // topic → last payload
	for _, m := range collect(ctx, t, st, 4) {
		connected[m.Topic] = string(m.Payload)
	}

	now := time.Now()
	step := 0
	publish := func(n int) map[string]int {
		t.Helper()
		for range n {
			s.publishNext(now.Add(time.Duration(step) * time.Second))
			step++
		}
		per := map[string]int{}
		for _, m := range collect(ctx, t, c, n) {
			per[field(m.Payload, "ident").Str]++
		}
		return per
	}
	want := func(per map[string]int, counts ...int) {
		t.Helper()
		for i, d := range devs {
			if per[d.Ident] != counts[i] {
				t.Errorf("device %d (%s): %d messages, want %d (all: %v)", i, d.Ident, per[d.Ident], counts[i], per)
			}
		}
	}
	connTopic := func(i int) string {
		return "flespi/state/gw/devices/" + strconv.FormatInt(devs[i].ID, 10) + "/connected"
	}
	state := func(n int) {
		t.Helper()
		for _, m := range collect(ctx, t, st, n) {
			connected[m.Topic] = string(m.Payload)
		}
	}

	// Config.Stale: the first two devices send one message, then nothing.
	want(publish(40), 1, 1, 19, 19)
	state(2)
	if got := s.StoppedDevices(); len(got) != 2 || got[0] != devs[0].Ident || got[1] != devs[1].Ident {
		t.Errorf("StoppedDevices %v", got)
	}
	if connected[connTopic(0)] != "false" || connected[connTopic(1)] != "false" || connected[connTopic(2)] != "true" {
		t.Errorf("connected state %v", connected)
	}

	// A stopped device publishes nothing; the others keep the total rate.
	if !s.StopDevice(devs[2].Ident) || s.StopDevice("000000000000000") || s.ResumeDevice("nope") {
		t.Error("StopDevice/ResumeDevice: wrong result for a known or unknown ident")
	}
	state(1)
	want(publish(10), 0, 0, 0, 10)
	if !s.StopDevice(devs[2].Ident) { // stopping twice is fine and publishes no state
		t.Error("second StopDevice")
	}

	// Resume: it publishes again, and reports connected.
	if !s.ResumeDevice(devs[0].Ident) {
		t.Error("ResumeDevice")
	}
	state(1)
	want(publish(10), 5, 0, 0, 5)
	if connected[connTopic(0)] != "true" || connected[connTopic(2)] != "false" {
		t.Errorf("connected state %v", connected)
	}

	// All stopped: nothing at all.
	for _, d := range devs {
		s.StopDevice(d.Ident)
	}
	state(2)
	before := s.Published()
	for range 10 {
		s.publishNext(now)
	}
	if s.Published() != before {
		t.Errorf("published %d with every device stopped", s.Published()-before)
	}
	select {
	case m := <-c.msgs:
		t.Errorf("message from a stopped fleet: %s", m.Payload)
	default:
	}
}

// TestStaleLive runs the real pacer: a device stopped by Config.Stale sends
// exactly its first message.
func TestStaleLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := startSim(t, Config{Devices: 5, Unregistered: -1, Rate: -1, Seed: 10, Stale: 1})
	c := mustConnect(ctx, t, s, DemoToken, "stale-live", 4096)
	mustSubscribe(ctx, t, c, "flespi/message/gw/channels/+/+")
	s.SetRate(500)
	stopped := s.Devices()[0].Ident
	n := 0
	for _, m := range collect(ctx, t, c, 200) {
		if field(m.Payload, "ident").Str == stopped {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the stale device sent %d messages, want 1", n)
	}
}
