package sim

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

const (
	tick       = 10 * time.Millisecond // pacing granularity
	catchUp    = 4                     // a tick publishes at most this many ticks' worth
	statsEvery = 10 * time.Second
)

// pace returns how many messages are due after elapsed at rate per second,
// carrying the fraction over to the next tick. At most catchUp ticks' worth
// (and at least 1) is published at once; the excess is skipped, not queued,
// so a broker that cannot keep up never builds a backlog.
func pace(rate float64, elapsed time.Duration, carry float64) (n int, rest float64, skipped uint64) {
	if rate <= 0 || elapsed <= 0 {
		return 0, carry, 0
	}
	due := rate*elapsed.Seconds() + carry
	limit := max(1, rate*(catchUp*tick).Seconds())
	if due > limit {
		over := uint64(due - limit)
		due -= float64(over)
		skipped = over
	}
	n = int(due)
	return n, due - float64(n), skipped
}

// wait is how long the publisher sleeps before its next look at the clock:
// one tick when a tick's worth is at least one message, else until the next
// message is due (at most maxWait), so a slow demo (--demo-rate 0.1) does
// not wake 100 times a second for nothing.
func wait(rate, carry float64) time.Duration {
	if rate <= 0 || rate*tick.Seconds() >= 1 {
		return tick
	}
	d := time.Duration((1 - carry) / rate * float64(time.Second))
	return min(max(d, tick), maxWait)
}

// maxWait bounds a sleep between two slow messages; SetRate wakes the
// publisher anyway.
const maxWait = time.Minute

// run is the single publisher goroutine. While the rate is <= 0 it sleeps
// until SetRate wakes it.
func (s *Sim) run(ctx context.Context) {
	t := time.NewTimer(tick)
	defer t.Stop()
	stats := time.NewTicker(statsEvery)
	defer stats.Stop()
	last := time.Now()
	var carry float64
	var lastPub, lastSkip uint64
	for {
		if s.Rate() <= 0 {
			t.Stop()
			select {
			case <-ctx.Done():
				return
			case <-s.rateSet:
			}
			last, carry = time.Now(), 0
			t.Reset(wait(s.Rate(), carry))
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.rateSet:
			// Publish what is due at the old rate's pace from now on, and
			// look again soon: the new rate may want a shorter sleep.
			t.Reset(tick)
		case <-stats.C:
			pub, skip := s.published.Load(), s.skipped.Load()
			if skip > lastSkip {
				s.log.Warn("device publisher fell behind", "published", pub-lastPub, "skipped", skip-lastSkip,
					"rate", s.Rate(), "interval", statsEvery)
			} else {
				s.log.Debug("device publisher", "published", pub-lastPub, "rate", s.Rate(), "interval", statsEvery)
			}
			lastPub, lastSkip = pub, skip
		case now := <-t.C:
			n, rest, skipped := pace(s.Rate(), now.Sub(last), carry)
			last, carry = now, rest
			if skipped > 0 {
				s.skipped.Add(skipped)
			}
			for i := range n {
				if i&63 == 63 && ctx.Err() != nil {
					return
				}
				s.publishNext(s.now())
			}
			t.Reset(wait(s.Rate(), carry))
		}
	}
}

// publishNext publishes the next device message in round-robin order: every
// registered device once, then one unregistered ident, and so on. Stopped
// devices are passed over, so the others keep the total rate; when every
// device is stopped it publishes nothing.
func (s *Sim) publishNext(now time.Time) {
	// Enough turns to reach any device: the last unregistered ident comes
	// round once per (registered + 1) × unregistered turns.
	tries := (s.nReg + 1) * max(1, len(s.devs)-s.nReg)
	for range tries {
		if d := s.nextDevice(); !d.stopped.Load() {
			s.publishDevice(d, now)
			return
		}
	}
}

// nextDevice advances the round robin and returns whose turn it is.
func (s *Sim) nextDevice() *device {
	var d *device
	if s.next < s.nReg {
		d = s.devs[s.next]
		s.next++
	} else if nu := len(s.devs) - s.nReg; nu > 0 {
		d = s.devs[s.nReg+s.unreg]
		s.unreg = (s.unreg + 1) % nu
		s.next = 0
	} else { // no unregistered idents: wrap straight to the first device
		d = s.devs[0]
		s.next = 1
	}
	return d
}

// publishDevice steps d to now and publishes one message for it, with a
// fault when one is drawn (faults.go).
func (s *Sim) publishDevice(d *device, now time.Time) {
	elapsed := max(0, now.Sub(d.last))
	d.step(now)
	fault := drawFault(s.faults.cfg.Load(), d.frng)
	if d.skewUS > 0 { // catching up after a gap: device time runs at half speed
		d.skewUS = max(0, d.skewUS-elapsed.Microseconds()/2)
	}
	if fault == faultGap && d.skewUS == 0 && d.lastUS != 0 { // a first message has nothing to leave a gap after
		d.skewUS = msBetween(d.frng, gapMin, gapMax)
		s.faults.gap.Add(1)
	}
	d.cur.tsUS += d.skewUS
	d.cur.srvUS += d.skewUS

	r := &d.cur
	if d.info.ID != 0 && d.rng.IntN(blackBoxOneIn) == 0 {
		// A record the device buffered during a coverage gap, flushed now:
		// timestamp hours before server.timestamp (docs/FLESPI.md §5 Example C).
		bb := d.cur
		bb.tsUS -= int64(2*time.Hour/time.Microsecond) + d.rng.Int64N(int64(4*time.Hour/time.Microsecond))
		bb.speed, bb.moving, bb.ign, bb.din = 0, false, false, 0
		r = &bb
	} else {
		switch {
		case fault == faultFuture:
			fr := d.cur
			fr.tsUS += msBetween(d.frng, futureMin, futureMax)
			r = &fr
			s.faults.future.Add(1)
		case fault == faultOutOfOrder && d.lastUS != 0:
			late := d.cur
			late.tsUS = d.lastUS - msBetween(d.frng, lateMin, lateMax)
			r = &late
			s.faults.outOfOrder.Add(1)
		default:
			d.cur.ms = d.lastUS != 0 && floorDiv(d.cur.tsUS, 1e6) <= floorDiv(d.lastUS, 1e6)
			d.lastUS = d.cur.tsUS
		}
	}
	s.buf = appendMessage(s.buf[:0], d, r)
	props := s.stampProps(now)
	copies := 1
	if fault == faultDuplicate {
		copies = 2
		s.faults.duplicate.Add(1)
	}
	for range copies {
		_ = s.inject(d.chanTopic, s.buf, false, 1, props) // errors only for invalid packets, which ours are not
		if d.info.ID != 0 {
			_ = s.inject(d.devTopic, s.buf, false, 1, props)
		}
	}
	if d.info.ID != 0 {
		if s.fullTelemetry() {
			s.publishTelemetryAll(d, s.buf, props)
		} else if !now.Before(d.nextTel) {
			s.publishTelemetry(d, d.telIdx, props)
			d.telIdx = (d.telIdx + 1) % telemetryParams
			d.nextTel = now.Add(telemetryEvery)
		}
		s.publishLastActive(d, r.srvUS, props)
	}
	s.maybeReconnect(d, props)
	s.published.Add(1)
	if d.stopAfterFirst.Swap(false) { // Config.Stale
		s.StopDevice(d.info.Ident)
	}
}

// publishTelemetry publishes one retained telemetry parameter of d
// (TelemetryLight). Each device publishes one parameter per telemetryEvery,
// rotating, so telemetry costs a bounded number of publishes whatever the
// rate.
func (s *Sim) publishTelemetry(d *device, p int, props []packets.UserProperty) {
	s.buf = appendTelemetry(s.buf[:0], p, &d.cur)
	_ = s.inject(d.telTopics[p], s.buf, true, 1, props)
}

// stampProps returns the user properties for a publish at now. The slice is
// reused: mochi copies user properties when it stores or forwards a message.
func (s *Sim) stampProps(now time.Time) []packets.UserProperty {
	s.tsBuf = appendMicros(s.tsBuf[:0], now.UnixMicro(), 6)
	s.props[0] = packets.UserProperty{Key: "timestamp", Val: string(s.tsBuf)}
	return s.props[:]
}

// channelConns is the number of devices connected to a channel.
func (s *Sim) channelConns(channel int64) *atomic.Int64 {
	if channel == DemoChannelID {
		return &s.conns[0]
	}
	return &s.conns[1]
}
