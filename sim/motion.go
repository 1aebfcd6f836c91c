package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// Vehicle motion: each device drives a closed loop around its city in real
// time (the Sim's clock), speeding up and braking at accel, stopping at
// traffic lights with the engine running and parking with the ignition off.

// initRoute makes a closed loop of 8-13 waypoints around a point near the
// city centre and puts the vehicle somewhere on it.
func (d *device) initRoute(rng *rand.Rand) {
	cx := (rng.Float64()*2 - 1) * d.c.spreadM
	cy := (rng.Float64()*2 - 1) * d.c.spreadM
	r := d.c.ringM * (0.4 + rng.Float64())
	k := 8 + rng.IntN(6)
	dir := 1.0
	if rng.IntN(2) == 0 {
		dir = -1
	}
	start := rng.Float64() * 2 * math.Pi
	d.route = make([]pt, k)
	for i := range k {
		a := start + dir*(float64(i)+0.3*(rng.Float64()-0.5))*2*math.Pi/float64(k)
		ri := r * (0.6 + 0.8*rng.Float64())
		d.route[i] = pt{cx + ri*math.Sin(a), cy + ri*math.Cos(a)}
	}
	d.seg = rng.IntN(k)
	d.enterSegment()
	d.pos = rng.Float64() * d.segLen
	d.stopAtEnd = 0
}

// enterSegment sets up the segment starting at route[seg]: length, heading,
// target speed, and whether the vehicle stops at its end.
func (d *device) enterSegment() {
	a, b := d.route[d.seg], d.route[(d.seg+1)%len(d.route)]
	dx, dy := b.x-a.x, b.y-a.y
	d.segLen = math.Hypot(dx, dy)
	d.pos = 0
	d.heading = math.Mod(math.Atan2(dx, dy)*180/math.Pi+360, 360)
	switch p := d.rng.Float64(); {
	case p < 0.10:
		d.target = 90 + d.rng.Float64()*(maxSpeed-90) // a faster road
	default:
		d.target = 25 + d.rng.Float64()*60
	}
	switch p := d.rng.Float64(); {
	case p < 0.10:
		d.stopAtEnd = 2
	case p < 0.35:
		d.stopAtEnd = 1
	default:
		d.stopAtEnd = 0
	}
}

// arrive handles reaching the end of the current segment.
func (d *device) arrive(now time.Time) {
	switch d.stopAtEnd {
	case 1: // traffic lights, a delivery: engine keeps running
		d.speed = 0
		d.stopUntil = now.Add(time.Duration(5+d.rng.IntN(35)) * time.Second)
	case 2: // parking
		d.speed = 0
		d.stopUntil = now.Add(time.Duration(60+d.rng.IntN(540)) * time.Second)
		d.parked = true
		d.ignition = false
		d.event = 239 // ignition changed
	}
	if d.rng.IntN(100) == 0 { // tunnel, underground car park: no GNSS fix for a while
		d.noFixUntil = now.Add(time.Duration(10+d.rng.IntN(50)) * time.Second)
	}
	d.seg = (d.seg + 1) % len(d.route)
	d.enterSegment()
}

// step advances the vehicle to now and records the reading in d.cur.
func (d *device) step(now time.Time) {
	dt := now.Sub(d.last).Seconds()
	d.last = now
	dt = max(0, min(dt, maxStepSeconds))
	switch {
	case now.Before(d.stopUntil):
		d.speed = 0
	default:
		if d.parked {
			d.parked = false
			d.ignition = true
			d.event = 239
		}
		d.drive(now, dt)
	}
	if d.rng.IntN(20) == 0 {
		d.sats = min(18, max(5, d.sats+d.rng.IntN(3)-1))
	}
	if d.rng.IntN(10) == 0 {
		d.gsm = min(100, max(20, d.gsm+5*(d.rng.IntN(3)-1)))
	}
	d.cur = d.read(now)
}

// drive moves along the route for dt seconds, speeding up towards the
// segment's target and braking for a stop at its end.
func (d *device) drive(now time.Time, dt float64) {
	target := d.target
	if d.stopAtEnd != 0 {
		v := d.speed / 3.6
		if d.segLen-d.pos <= v*v/(2*accel)+5 {
			target = 0
		}
	}
	dv := accel * 3.6 * dt
	switch {
	case d.speed < target:
		d.speed = min(target, d.speed+dv)
	case d.speed > target:
		d.speed = max(target, d.speed-dv)
	}
	if d.stopAtEnd != 0 && target == 0 && d.speed < 5 {
		d.speed = 5 // creep up to the stop line
	}
	dist := d.speed / 3.6 * dt
	for dist > 0 {
		left := d.segLen - d.pos
		if dist < left {
			d.pos += dist
			d.mileage += dist / 1000
			return
		}
		d.mileage += left / 1000
		d.pos = d.segLen
		if d.stopAtEnd != 0 && d.speed > 5 {
			return // at the stop line still braking: wait there until slow enough
		}
		dist -= left
		stops := d.stopAtEnd != 0
		d.arrive(now)
		if stops {
			return
		}
	}
}

// read builds the reading for now from the current state.
func (d *device) read(now time.Time) reading {
	a, b := d.route[d.seg], d.route[(d.seg+1)%len(d.route)]
	f := 0.0
	if d.segLen > 0 {
		f = d.pos / d.segLen
	}
	x, y := a.x+(b.x-a.x)*f, a.y+(b.y-a.y)*f
	us := now.UnixMicro()
	r := reading{
		srvUS:   us - d.srvLatency.Microseconds(),
		alt:     int(d.c.alt + 12*math.Sin(x/900) + 8*math.Cos(y/1300)),
		speed:   int(math.Round(d.speed)),
		dir:     int(math.Round(d.heading)) % 360,
		ign:     d.ignition,
		moving:  d.speed > 0.5,
		batV:    round(4.02+0.1*d.rng.Float64(), 2),
		gsm:     d.gsm,
		mcc:     d.c.mcc,
		mnc:     d.c.mnc,
		mileage: round(d.mileage, 1),
	}
	r.tsUS = (r.srvUS - d.latency.Microseconds()) / 1000 * 1000 // device clocks tick in ms
	if d.info.Quirk == QuirkClockAhead {
		r.tsUS += clockAheadBy.Microseconds()
	}
	if d.event != 0 {
		r.prio = 1
		d.event = 0
	}
	if now.Before(d.noFixUntil) {
		r.lat, r.lon = d.fixLat, d.fixLon
		r.sats = d.rng.IntN(4)
		r.hdop = 25
		r.speed, r.dir = 0, 0
	} else {
		d.fixLat = d.c.lat + y/111320
		d.fixLon = d.c.lon + x/(111320*d.cosLat)
		r.lat, r.lon = d.fixLat, d.fixLon
		r.valid = true
		r.sats = d.sats
		r.hdop = round(0.4+9/float64(d.sats), 1)
	}
	switch {
	case d.is24V && d.ignition:
		r.extV = round(27.7+0.5*d.rng.Float64(), 1)
	case d.is24V:
		r.extV = round(25.0+0.3*d.rng.Float64(), 1)
	case d.ignition:
		r.extV = round(13.9+0.4*d.rng.Float64(), 1)
	default:
		r.extV = round(12.4+0.3*d.rng.Float64(), 1)
	}
	if d.ignition {
		r.din = 1
	}
	return r
}

func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}
