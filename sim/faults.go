package sim

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// Faults makes the simulator break device messages on purpose, so that a
// debugger's timestamp checks (docs/FLESPI.md §8) have something to find. Each
// field is a probability per device message, from 0 to 1; the zero value
// injects nothing. A message gets at most one fault: the kinds are drawn in
// field order, so if the rates add up to more than 1 the later kinds get
// what is left. Draws come from a per-device generator seeded by
// Config.Seed, so a seeded run injects the same faults for the same
// sequence of publishes (the pacer's timing still decides that sequence).
// Negative and NaN rates count as 0.
//
// Besides these, every registered device sends a buffered black-box record
// about once per 4000 messages, faults or not (timestamp 2-6 h old:
// latency and out-of-order).
type Faults struct {
	// Future: this message's timestamp is 2-10 minutes ahead of its
	// server.timestamp (a wrong device clock). Later messages are normal.
	Future float64
	// Gap: the device skips 6-20 minutes of device time: its timestamp and
	// server.timestamp jump forward, as if it had been out of coverage with
	// nothing buffered. Its timeline then runs at half speed until it has
	// caught up with real time again, which keeps the simulated clocks
	// bounded and in order. A draw while catching up, or on a device's
	// first message, injects nothing.
	Gap float64
	// Duplicate: the same message (topics, payload, user properties) is
	// published twice in a row.
	Duplicate float64
	// OutOfOrder: this message's timestamp is 1-60 s older than the newest
	// the device sent before (a record delivered late); its values and
	// server.timestamp are current.
	OutOfOrder float64
}

// DefaultFaults returns small rates for `--demo-faults`: each kind about
// once per 500 device messages, so at the default 50 messages/s a fault of
// some kind every ~2.5 s across the fleet.
func DefaultFaults() Faults {
	const r = 1.0 / 500
	return Faults{Future: r, Gap: r, Duplicate: r, OutOfOrder: r}
}

// clean returns f with unusable rates set to 0.
func (f Faults) clean() Faults {
	c := func(r float64) float64 {
		if math.IsNaN(r) || r < 0 {
			return 0
		}
		return min(r, 1)
	}
	return Faults{Future: c(f.Future), Gap: c(f.Gap), Duplicate: c(f.Duplicate), OutOfOrder: c(f.OutOfOrder)}
}

// enabled reports whether f injects anything.
func (f Faults) enabled() bool { return f.Future+f.Gap+f.Duplicate+f.OutOfOrder > 0 }

// FaultCounts counts the faults injected so far (Sim.InjectedFaults). A
// fault drawn but not injected (see Faults.Gap; OutOfOrder on a device's
// first message; anything on a black-box record but Duplicate) is not
// counted.
type FaultCounts struct {
	Future, Gap, Duplicate, OutOfOrder uint64
}

// faultKind is the fault drawn for one message.
type faultKind uint8

const (
	faultNone faultKind = iota
	faultFuture
	faultGap
	faultDuplicate
	faultOutOfOrder
)

// Ranges of the injected faults.
const (
	futureMin, futureMax = 2 * time.Minute, 10 * time.Minute
	gapMin, gapMax       = 6 * time.Minute, 20 * time.Minute
	lateMin, lateMax     = time.Second, 60 * time.Second
)

// faultState is the simulator's fault configuration and counters.
type faultState struct {
	cfg                                atomic.Pointer[Faults] // never nil after Start
	future, gap, duplicate, outOfOrder atomic.Uint64
}

// SetFaults changes the fault rates while running (see Faults). It does not
// block.
func (s *Sim) SetFaults(f Faults) {
	f = f.clean()
	s.faults.cfg.Store(&f)
}

// Faults returns the fault rates in use.
func (s *Sim) Faults() Faults { return *s.faults.cfg.Load() }

// InjectedFaults returns how many faults of each kind have been injected.
func (s *Sim) InjectedFaults() FaultCounts {
	return FaultCounts{
		Future:     s.faults.future.Load(),
		Gap:        s.faults.gap.Load(),
		Duplicate:  s.faults.duplicate.Load(),
		OutOfOrder: s.faults.outOfOrder.Load(),
	}
}

// drawFault picks this message's fault. It draws from d's fault generator
// only when faults are on, so the zero Faults leaves every run as before.
func drawFault(f *Faults, rng *rand.Rand) faultKind {
	if !f.enabled() {
		return faultNone
	}
	u := rng.Float64()
	for _, k := range [...]struct {
		p    float64
		kind faultKind
	}{{f.Future, faultFuture}, {f.Gap, faultGap}, {f.Duplicate, faultDuplicate}, {f.OutOfOrder, faultOutOfOrder}} {
		if u < k.p {
			return k.kind
		}
		u -= k.p
	}
	return faultNone
}

// msBetween returns a random whole number of milliseconds in [lo, hi], in µs.
func msBetween(rng *rand.Rand, lo, hi time.Duration) int64 {
	return (lo.Milliseconds() + rng.Int64N(hi.Milliseconds()-lo.Milliseconds()+1)) * 1000
}

// ---- stopped devices ----

// StopDevice makes the device with this ident (registered or not) stop
// publishing, as if it lost power: from the next publisher turn on it sends
// nothing (a message already being published still goes out), and a
// registered device's retained flespi/state/gw/devices/{id}/connected
// becomes false. The others keep the configured total rate. It reports
// false for an unknown ident.
func (s *Sim) StopDevice(ident string) bool {
	d := s.byIdent[ident]
	if d == nil {
		return false
	}
	if !d.stopped.Swap(true) {
		s.publishConnection(d, false, closeInactivity)
	}
	return true
}

// ResumeDevice undoes StopDevice (and Config.Stale) for one device: it
// publishes again from its next turn, its first message reporting a gap in
// device time as long as it was stopped. It reports false for an unknown
// ident.
func (s *Sim) ResumeDevice(ident string) bool {
	d := s.byIdent[ident]
	if d == nil {
		return false
	}
	d.stopAfterFirst.Store(false)
	if d.stopped.Swap(false) {
		s.publishConnection(d, true, 0)
	}
	return true
}

// StoppedDevices returns the idents of the stopped devices, in fleet order
// (registered devices first).
func (s *Sim) StoppedDevices() []string {
	var out []string
	for _, d := range s.devs {
		if d.stopped.Load() {
			out = append(out, d.info.Ident)
		}
	}
	return out
}
