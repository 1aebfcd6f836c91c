package telematics

import (
	"math"
	"time"
)

// microsToDuration converts µs to a Duration, saturating instead of
// overflowing (timestamps are bounded by maxTimestamp, Durations by ±292 y).
func microsToDuration(us int64) time.Duration {
	const lim = math.MaxInt64 / int64(time.Microsecond)
	return time.Duration(max(-lim, min(lim, us))) * time.Microsecond
}

// countRate adds one message received at rcv to the decaying sum behind
// Device.Rate.
func (d *device) countRate(rcv time.Time) {
	if d.rateAt.IsZero() {
		d.rateSum, d.rateAt = 1, rcv
		return
	}
	if dt := rcv.Sub(d.rateAt); dt > 0 {
		d.rateSum *= math.Exp(-dt.Seconds() / rateTau.Seconds())
		d.rateAt = rcv
	}
	d.rateSum++
}

// rate estimates messages per second at now: the decayed sum over the
// weight a steady stream since FirstSeen would have, so a new device's rate
// is right within a second or two and a silent one's decays to zero.
func (d *device) rate(now time.Time) float64 {
	if d.rateAt.IsZero() {
		return 0
	}
	tau := rateTau.Seconds()
	sum := d.rateSum * math.Exp(-max(0, now.Sub(d.rateAt).Seconds())/tau)
	span := max(1, now.Sub(d.d.FirstSeen).Seconds())
	return sum / (tau * -math.Expm1(-span/tau))
}

// snapshot copies the device's public state as of now.
func (t *Tracker) snapshot(d *device, now time.Time) Device {
	out := d.d
	out.Rate = d.rate(now)
	out.staleAfter = t.cfg.Stale
	return out
}
