package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"
)

// Device describes one simulated tracker. Values never change after Start.
type Device struct {
	Ident     string // 15-digit IMEI with a valid Luhn check digit
	ID        int64  // flespi device.id (182001, 182002, ...); 0 for an unregistered ident
	ChannelID int64  // DemoChannelID or SecondChannelID
	Name      string // device.name, e.g. "Truck 17"; "" for an unregistered ident
	TypeID    int64  // device.type.id; 0 for an unregistered ident
	Quirk     string // "" or one of the Quirk... constants: what a debugger should flag
}

// Quirks some simulated devices have on purpose.
const (
	// QuirkClockAhead: the device clock runs two minutes fast, so its
	// `timestamp` is later than `server.timestamp` (docs/FLESPI.md §8 "future timestamps").
	QuirkClockAhead = "clock-ahead"
	// QuirkUnregistered: an ident with no flespi device. Its messages appear
	// only on the channel topic and have no device.* fields (docs/FLESPI.md §5 Example B).
	QuirkUnregistered = "unregistered"
)

const (
	firstDeviceID   = 182001
	accel           = 2.0   // m/s², for both speeding up and braking
	maxSpeed        = 110.0 // km/h
	telemetryEvery  = 2 * time.Second
	clockAheadBy    = 2 * time.Minute
	blackBoxOneIn   = 4000 // about one buffered "black-box" record per this many messages
	maxStepSeconds  = 30.0 // a longer gap (paused sim) does not teleport vehicles
	telemetryParams = 5
	faultSalt       = 0xfa017 // seeds the fault generators apart from the motion ones
	logSalt         = 0x10c5  // seeds the reconnect generators apart from both
)

// telemetryParam names the retained flespi/state/gw/devices/{id}/telemetry/{param} topics.
func telemetryParam(i int) string {
	switch i {
	case 0:
		return "position.speed"
	case 1:
		return "position.latitude"
	case 2:
		return "position.longitude"
	case 3:
		return "battery.voltage"
	default:
		return "engine.ignition.status"
	}
}

// city is where one channel's devices drive.
type city struct {
	lat, lon, alt  float64
	mcc, mnc       int
	channel        int64
	protocol, typ  int64
	tac            string // IMEI type allocation code (8 digits)
	peerA, peerB   int    // first two octets of the devices' public IPs
	spreadM, ringM float64
}

func cities() [2]city {
	return [2]city{
		{lat: 52.2297, lon: 21.0122, alt: 100, mcc: 260, mnc: 2, channel: DemoChannelID,
			protocol: 14, typ: 744, tac: "35262506", peerA: 85, peerB: 12, spreadM: 4000, ringM: 6000},
		{lat: 56.9496, lon: 24.1052, alt: 8, mcc: 247, mnc: 1, channel: SecondChannelID,
			protocol: 21, typ: 31, tac: "86123704", peerA: 91, peerB: 200, spreadM: 3000, ringM: 5000},
	}
}

// vehicle kinds: name prefix and whether the vehicle has a 24 V supply.
func kind(i int) (string, bool) {
	switch i % 5 {
	case 0:
		return "Truck", true
	case 1:
		return "Van", false
	case 2:
		return "Bus", true
	case 3:
		return "Car", false
	default:
		return "Tractor", true
	}
}

type pt struct{ x, y float64 } // metres east/north of the city centre

// reading is one device message's values.
type reading struct {
	tsUS, srvUS        int64 // device and channel time, µs since the epoch
	lat, lon, hdop     float64
	alt, speed, dir    int
	sats               int
	valid, ign, moving bool
	extV, batV         float64
	gsm, mcc, mnc, din int
	mileage            float64
	prio               int // event.priority.enum: 1 for the message reporting an ignition change
	// ms: report milliseconds even on a whole-second device, because it
	// already reported this second (a demo rate above one message per
	// device per second): a repeated timestamp reads as a duplicate.
	ms bool
}

// device is a simulated tracker's state. After Start only the publisher
// goroutine touches it.
type device struct {
	info                Device
	chanTopic, devTopic string
	telTopics           [telemetryParams]string
	connTopic           string
	stateBase           string            // flespi/state/gw/devices/{id}
	logBase             string            // flespi/log/gw/devices/{id}/
	telTopic            map[string]string // telemetry topic by parameter key (state.go)
	peer                atomic.Pointer[string]
	wholeSec            bool // the device reports whole-second timestamps (most trackers do)
	lrng                *rand.Rand
	lastActive          atomic.Int64 // last_active, Unix seconds (state.go)
	c                   city
	cosLat              float64
	is24V               bool
	rng                 *rand.Rand

	route          []pt
	seg            int     // driving from route[seg] to route[seg+1]
	pos, segLen    float64 // metres along the segment, its length
	heading        float64 // degrees, 0 = north, clockwise
	speed, target  float64 // km/h
	stopAtEnd      int     // 0 none, 1 traffic stop, 2 parking (ignition off)
	stopUntil      time.Time
	parked         bool
	ignition       bool
	noFixUntil     time.Time
	fixLat, fixLon float64
	sats           int
	gsm            int
	mileage        float64 // km
	latency        time.Duration
	srvLatency     time.Duration
	last           time.Time
	nextTel        time.Time
	telIdx         int
	event          int // nonzero: the next message reports this event (239 = ignition changed)
	cur            reading

	// Fault injection (faults.go).
	frng   *rand.Rand // fault draws only, so Faults{} leaves motion as it was
	skewUS int64      // µs the device's timeline is ahead after a Gap fault; shrinks at half speed
	lastUS int64      // newest normal device timestamp published, µs; 0 before the first

	// Stopping (StopDevice, Config.Stale): set from any goroutine.
	stopped        atomic.Bool
	stopAfterFirst atomic.Bool // stop once the next message is out
}

// newFleet builds n registered devices plus unreg unregistered idents,
// deterministically from seed. Channels alternate between the two cities.
func newFleet(n, unreg int, seed uint64, now time.Time) []*device {
	cs := cities()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([]*device, 0, n+unreg)
	usedIdent := make(map[string]bool, n+unreg)
	nums := make(map[string]int) // next number per kind, to make unique names
	for i := range n + unreg {
		c := cs[i%2]
		d := &device{c: c, rng: rand.New(rand.NewPCG(seed, uint64(i)+1)), frng: rand.New(rand.NewPCG(seed^faultSalt, uint64(i)+1))}
		ident := imei(c.tac, rng)
		for usedIdent[ident] {
			ident = imei(c.tac, rng)
		}
		usedIdent[ident] = true
		d.info = Device{Ident: ident, ChannelID: c.channel}
		d.chanTopic = "flespi/message/gw/channels/" + strconv.FormatInt(c.channel, 10) + "/" + ident
		if i < n {
			k, v24 := kind(i)
			nums[k] += 1 + rng.IntN(3)
			d.is24V = v24
			d.info.ID = int64(firstDeviceID + i)
			d.info.Name = k + " " + twoDigits(nums[k])
			d.info.TypeID = c.typ
			if i == 3 {
				d.info.Quirk = QuirkClockAhead
			}
			id := strconv.FormatInt(d.info.ID, 10)
			d.devTopic = "flespi/message/gw/devices/" + id
			d.stateBase = "flespi/state/gw/devices/" + id
			d.logBase = "flespi/log/gw/devices/" + id + "/"
			d.connTopic = d.stateBase + "/connected"
			for p := range telemetryParams {
				d.telTopics[p] = "flespi/state/gw/devices/" + id + "/telemetry/" + telemetryParam(p)
			}
		} else {
			d.info.Quirk = QuirkUnregistered
		}
		d.peer.Store(ptr(newPeer(c, rng)))
		d.lrng = rand.New(rand.NewPCG(seed^logSalt, uint64(i)+1))
		d.wholeSec = i%5 != 2 // four devices in five report whole seconds
		d.telTopic = make(map[string]string, 32)
		d.initRoute(rng)
		d.cosLat = math.Cos(c.lat * math.Pi / 180)
		d.mileage = 8000 + rng.Float64()*340000
		d.sats = 9 + rng.IntN(7)
		d.gsm = 50 + rng.IntN(50)
		d.latency = time.Duration(300+rng.IntN(1200)) * time.Millisecond
		d.srvLatency = time.Duration(2+rng.IntN(30)) * time.Millisecond
		d.ignition = true
		d.speed = d.target * rng.Float64()
		d.last = now
		d.nextTel = now.Add(time.Duration(rng.Int64N(int64(telemetryEvery))))
		d.cur = d.read(now)
		out = append(out, d)
	}
	return out
}

// newPeer returns a public ip:port in c's range.
func newPeer(c city, rng *rand.Rand) string {
	return strconv.Itoa(c.peerA) + "." + strconv.Itoa(c.peerB) + "." +
		strconv.Itoa(rng.IntN(256)) + "." + strconv.Itoa(1+rng.IntN(254)) + ":" +
		strconv.Itoa(30000+rng.IntN(30000))
}

func ptr[T any](v T) *T { return &v }

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// imei returns tac + 6 random digits + the Luhn check digit.
func imei(tac string, rng *rand.Rand) string {
	b := make([]byte, 0, 15)
	b = append(b, tac...)
	for range 6 {
		b = append(b, byte('0'+rng.IntN(10)))
	}
	return string(append(b, luhnDigit(b)))
}

// luhnDigit computes the check digit for the digits in b.
func luhnDigit(b []byte) byte {
	sum := 0
	for i := len(b) - 1; i >= 0; i-- {
		v := int(b[i] - '0')
		if (len(b)-1-i)%2 == 0 { // doubled: rightmost payload digit first
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}
