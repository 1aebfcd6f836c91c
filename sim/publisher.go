package sim

import (
	"context"
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

// run is the single publisher goroutine. While the rate is <= 0 it sleeps
// until SetRate wakes it.
func (s *Sim) run(ctx context.Context) {
	t := time.NewTicker(tick)
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
			t.Reset(tick)
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.rateSet:
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
		}
	}
}

// publishNext publishes the next device message in round-robin order: every
// registered device once, then one unregistered ident, and so on.
func (s *Sim) publishNext(now time.Time) {
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
	s.publishDevice(d, now)
}

// publishDevice steps d to now and publishes one message for it.
func (s *Sim) publishDevice(d *device, now time.Time) {
	d.step(now)
	r := &d.cur
	if d.info.ID != 0 && d.rng.IntN(blackBoxOneIn) == 0 {
		// A record the device buffered during a coverage gap, flushed now:
		// timestamp hours before server.timestamp (FLESPI.md §5 Example C).
		bb := d.cur
		bb.tsUS -= int64(2*time.Hour/time.Microsecond) + d.rng.Int64N(int64(4*time.Hour/time.Microsecond))
		bb.speed, bb.moving, bb.ign, bb.din = 0, false, false, 0
		r = &bb
	}
	s.buf = appendMessage(s.buf[:0], d, r)
	props := s.stampProps(now)
	_ = s.inject(d.chanTopic, s.buf, false, 1, props) // errors only for invalid packets, which ours are not
	if d.info.ID != 0 {
		_ = s.inject(d.devTopic, s.buf, false, 1, props)
		if !now.Before(d.nextTel) {
			s.publishTelemetry(d, d.telIdx, props)
			d.telIdx = (d.telIdx + 1) % telemetryParams
			d.nextTel = now.Add(telemetryEvery)
		}
	}
	s.published.Add(1)
}

// publishTelemetry publishes one retained telemetry parameter of d. Each
// device publishes one parameter per telemetryEvery, rotating, so telemetry
// costs a bounded number of publishes whatever the rate.
func (s *Sim) publishTelemetry(d *device, p int, props []packets.UserProperty) {
	s.buf = appendTelemetry(s.buf[:0], p, &d.cur)
	_ = s.inject(d.telTopics[p], s.buf, true, 1, props)
}

// publishInitialState retains every registered device's connected flag and
// telemetry, so state subscribers get a full picture even with no traffic.
func (s *Sim) publishInitialState(now time.Time) {
	props := s.stampProps(now)
	for _, d := range s.devs[:s.nReg] {
		_ = s.inject(d.connTopic, []byte("true"), true, 1, props)
		for p := range telemetryParams {
			s.publishTelemetry(d, p, props)
		}
	}
}

// stampProps returns the user properties for a publish at now. The slice is
// reused: mochi copies user properties when it stores or forwards a message.
func (s *Sim) stampProps(now time.Time) []packets.UserProperty {
	s.tsBuf = appendMicros(s.tsBuf[:0], now.UnixMicro(), 6)
	s.props[0] = packets.UserProperty{Key: "timestamp", Val: string(s.tsBuf)}
	return s.props[:]
}
