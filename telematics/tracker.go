package telematics

import (
	"hash/maphash"
	"strings"
	"time"

	"hubtap/history"
)

// Defaults used when Config fields are zero.
const (
	DefaultStale      = 10 * time.Minute // flespi's own inactivity timeout (docs/FLESPI.md §8, close code 17)
	DefaultGap        = 5 * time.Minute
	DefaultFuture     = 30 * time.Second
	DefaultLatency    = time.Hour // docs/FLESPI.md §8: server.timestamp − timestamp > 3600 s
	DefaultMaxDevices = 100_000
)

const (
	// recentLen is how many recent timestamps each device remembers for the
	// duplicate check: enough for a duplicate a few messages late, or one
	// seen on both the channel and the device topic.
	recentLen = 8
	// rateTau is the rate's time constant: Device.Rate is about the last
	// minute's messages per second.
	rateTau = 60 * time.Second
)

// Config configures a Tracker. For the durations, 0 means the default and a
// negative value turns that check off.
type Config struct {
	Stale   time.Duration // Device.Stale: silent longer than this; default 10 min
	Gap     time.Duration // FlagGap: timestamp − the device's newest timestamp above this; default 5 min
	Future  time.Duration // FlagFuture: timestamp − server.timestamp (or receive time) above this; default 30 s
	Latency time.Duration // FlagLatency: server.timestamp − timestamp above this; default 1 h
	// MaxDevices caps the devices tracked; messages of further devices are
	// refused (counted in Stats.Refused, never flagged). 0 means 100,000.
	MaxDevices int
	// Now is the clock for Device.Rate and for messages without a receive
	// time; nil means time.Now.
	Now func() time.Time
}

// Stats are a Tracker's counters, for the status bar.
type Stats struct {
	Devices  int    // devices tracked
	Observed uint64 // Observe calls
	Refused  uint64 // messages of devices beyond Config.MaxDevices, not tracked
}

// Tracker keeps per-device state from the messages appended to history.
//
// It is single-writer and not safe for concurrent use: the goroutine that
// appends to history (the UI's) calls Observe for every new entry, in order.
// Snapshots (Devices, Device) are copies that any goroutine may keep.
// Memory is bounded: at most Config.MaxDevices devices of ~0.6 KiB each,
// with a fixed-size ring of recent timestamps per device; per-message state
// is not kept (the caller keeps Observe's Flags if it wants them).
type Tracker struct {
	cfg      Config
	seed     maphash.Seed
	byKey    map[devKey]*device
	list     []*device // first-seen order
	observed uint64
	refused  uint64
}

// devKey is a device's map key: an ident (or device.id) and a topic with the
// same text are different devices.
type devKey struct {
	topic bool
	s     string
}

// device is the tracker's state for one device: the public snapshot plus
// what the checks need.
type device struct {
	d          Device
	rawName    string // device.name as received, to notice changes without sanitizing each time
	newest     int64  // µs; valid when haveNewest
	haveNewest bool
	recent     [recentLen]recentMsg
	nRecent    uint8
	nextRecent uint8
	rateSum    float64   // Σ exp(−age/τ) over the messages, as of rateAt
	rateAt     time.Time // receive time of the last message
}

// recentMsg is one recent message of a device, for the duplicate check.
type recentMsg struct {
	ts             int64  // device timestamp, µs
	topic, payload uint32 // hashes
}

// NewTracker returns an empty Tracker.
func NewTracker(cfg Config) *Tracker {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.Stale, DefaultStale)
	def(&cfg.Gap, DefaultGap)
	def(&cfg.Future, DefaultFuture)
	def(&cfg.Latency, DefaultLatency)
	if cfg.MaxDevices <= 0 {
		cfg.MaxDevices = DefaultMaxDevices
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Tracker{cfg: cfg, seed: maphash.MakeSeed(), byKey: make(map[devKey]*device)}
}

// SetStale changes the stale threshold (0: the default, negative: never
// stale). Snapshots taken afterwards use it.
func (t *Tracker) SetStale(d time.Duration) {
	if d == 0 {
		d = DefaultStale
	}
	t.cfg.Stale = d
}

// StaleAfter returns the stale threshold in use.
func (t *Tracker) StaleAfter() time.Duration { return t.cfg.Stale }

// Stats returns the tracker's counters.
func (t *Tracker) Stats() Stats {
	return Stats{Devices: len(t.list), Observed: t.observed, Refused: t.refused}
}

// Reset forgets every device and zeroes the counters, e.g. when history is
// cleared. The configuration stays.
func (t *Tracker) Reset() {
	clear(t.byKey)
	clear(t.list) // drop the pointers so the devices can be collected
	t.list = t.list[:0]
	t.observed, t.refused = 0, 0
}

// Observe records one message and returns its anomaly flags. Call it for
// every entry appended to history, in order, with the entry's absolute
// history index abs. It never panics and does not allocate, except on a
// device's first message or when its device.name changes.
//
// A copy (e.CopyOf > 0: the same message seen before on another topic or
// through another subscription, history/identity.go) only adds to
// Device.Copies and gets no flags of its own: the Store gives it those of
// its first copy.
//
// Grouping: by e.Ident (history extracts "ident", else "device.id" as text),
// else by topic. JSON objects are read with gjson in one pass over their
// top-level keys; flespi keys are flat ("position.speed" is one key).
//
// The checks run on messages with a numeric "timestamp" (Unix seconds) and
// compare at µs resolution, strictly (a value equal to a threshold is not
// flagged). Others (not JSON, no timestamp) are counted in
// Device.NoTimestamp, update the rest of the device, and get no flags.
//
//   - duplicate: the timestamp equals that of one of the device's last 8
//     messages on the same topic, or on another topic with a different
//     payload (two records in one µs: flespi merges them in storage, MQTT
//     delivers both, docs/FLESPI.md §5). The same timestamp with an identical
//     payload on another topic is the same message seen on both its channel
//     and its device topic: counted in Device.Copies, not flagged.
//   - future: timestamp > server.timestamp + Config.Future; without
//     server.timestamp, the receive time is the reference.
//   - latency: server.timestamp − timestamp > Config.Latency (a black-box
//     record, docs/FLESPI.md §5 Example C; usually also out-of-order).
//   - out-of-order: timestamp < the device's newest timestamp so far, unless
//     the message is a duplicate or future.
//   - gap: timestamp − the device's newest timestamp so far > Config.Gap,
//     unless the message is a duplicate or future.
//
// A future timestamp does not become the device's newest, so one bad clock
// reading does not flag the following messages as out of order; a device
// whose clock is always ahead gets only future flags.
func (t *Tracker) Observe(abs uint64, e *history.Entry) Flags {
	t.observed++
	if e.CopyOf != 0 {
		// The same message again on another topic or subscription
		// (history/identity.go): one message for the counts, the rate
		// and the checks.
		if d := t.byKey[keyOf(e)]; d != nil {
			d.d.Copies++
		}
		return 0
	}
	var f fields
	if e.Kind == history.KindJSON {
		f = readFields(e.Payload)
	}
	k := keyOf(e)
	d := t.byKey[k]
	if d == nil {
		if len(t.list) >= t.cfg.MaxDevices {
			t.refused++
			return 0
		}
		d = t.add(k, &f)
	}
	rcv := e.Received
	if rcv.IsZero() {
		rcv = t.cfg.Now()
	}

	dv := &d.d
	dv.Messages++
	if dv.Messages > 1 {
		dv.PrevAbs = dv.LastAbs
	} else {
		dv.FirstSeen = rcv
	}
	dv.LastAbs = abs
	dv.LastSeen = rcv
	dv.Topic = e.TopicSafe
	d.countRate(rcv)
	d.update(&f)

	var fl Flags
	if f.have&hasTimestamp != 0 {
		fl = t.check(d, &f, rcv, uint32(maphash.String(t.seed, e.Topic)), uint32(maphash.Bytes(t.seed, e.Payload)))
	} else {
		dv.NoTimestamp++
	}
	dv.LastFlags = fl
	if fl != 0 {
		dv.Flagged++
		dv.Counts.add(fl)
	}
	return fl
}

// keyOf is the device e belongs to: its ident, else its topic.
func keyOf(e *history.Entry) devKey {
	if e.Ident == "" {
		return devKey{topic: true, s: e.Topic}
	}
	return devKey{s: e.Ident}
}

// add starts tracking a device on its first message.
func (t *Tracker) add(k devKey, f *fields) *device {
	k.s = strings.Clone(k.s) // the ident points into history's slabs (history/arena.go)
	d := &device{d: Device{Key: k.s, staleAfter: t.cfg.Stale}}
	switch {
	case k.topic:
		d.d.By = ByTopic
	case f.have&hasIdent != 0:
		d.d.By = ByIdent
	default:
		d.d.By = ByDeviceID
	}
	t.byKey[k] = d
	t.list = append(t.list, d)
	return d
}

// update copies the telemetry values the message carried.
func (d *device) update(f *fields) {
	dv := &d.d
	if f.have&hasDeviceID != 0 {
		dv.DeviceID = f.devID
	}
	if f.have&hasName != 0 && f.name != d.rawName {
		d.rawName = strings.Clone(f.name) // f.name aliases the payload
		dv.Name = history.SanitizeLine(d.rawName)
	}
	if f.have&HavePosition != 0 {
		dv.Lat, dv.Lon = f.lat, f.lon
	}
	if f.have&HaveSpeed != 0 {
		dv.Speed = f.speed
	}
	if f.have&HaveIgnition != 0 {
		dv.Ignition = f.ign
	}
	if f.have&HaveBattery != 0 {
		dv.Battery = f.batt
	}
	if f.have&HavePower != 0 {
		dv.Power = f.pwr
	}
	if f.have&HaveGSM != 0 {
		dv.GSM = f.gsm
	}
	dv.Have |= f.have & (HavePosition | HaveSpeed | HaveIgnition | HaveBattery | HavePower | HaveGSM)
	if f.have&hasTimestamp != 0 {
		dv.Timestamp = time.UnixMicro(f.ts)
	}
}

// check applies the timestamp rules (see Observe) and records the message
// in the device's recent ring.
func (t *Tracker) check(d *device, f *fields, rcv time.Time, topicH, payloadH uint32) Flags {
	ts := f.ts
	var fl Flags
	copied := false
	for i := range d.nRecent {
		r := &d.recent[i]
		if r.ts != ts {
			continue
		}
		if r.topic != topicH && r.payload == payloadH {
			copied = true
			continue
		}
		fl |= FlagDuplicate
		break
	}
	if copied && fl == 0 {
		d.d.Copies++
	}

	if t.cfg.Future >= 0 {
		ref, ok := f.srv, f.have&hasServerTS != 0
		if !ok && !rcv.IsZero() {
			ref, ok = rcv.UnixMicro(), true
		}
		if ok && ts-ref > t.cfg.Future.Microseconds() {
			fl |= FlagFuture
		}
	}
	if f.have&hasServerTS != 0 {
		lat := f.srv - ts
		d.d.Latency = microsToDuration(lat)
		d.d.Have |= HaveLatency
		if t.cfg.Latency >= 0 && lat > t.cfg.Latency.Microseconds() {
			fl |= FlagLatency
		}
	}
	if fl&(FlagDuplicate|FlagFuture) == 0 && d.haveNewest {
		switch {
		case ts < d.newest:
			fl |= FlagOutOfOrder
		case t.cfg.Gap >= 0 && ts-d.newest > t.cfg.Gap.Microseconds():
			fl |= FlagGap
		}
	}
	if fl&FlagFuture == 0 && (!d.haveNewest || ts > d.newest) {
		d.newest, d.haveNewest = ts, true
		d.d.Newest = time.UnixMicro(ts)
	}
	if fl&FlagDuplicate == 0 { // a duplicate adds nothing: the original is in the ring
		d.recent[d.nextRecent] = recentMsg{ts: ts, topic: topicH, payload: payloadH}
		d.nextRecent = (d.nextRecent + 1) % recentLen
		d.nRecent = min(d.nRecent+1, recentLen)
	}
	return fl
}

// Devices returns a snapshot of every device, in first-seen order. It
// allocates one slice; sort it with SortDevices.
func (t *Tracker) Devices() []Device {
	now := t.cfg.Now()
	out := make([]Device, len(t.list))
	for i, d := range t.list {
		out[i] = t.snapshot(d, now)
	}
	return out
}

// Device returns a snapshot of the device with this Key: an ident or
// device.id first, else a topic.
func (t *Tracker) Device(key string) (Device, bool) {
	d := t.byKey[devKey{s: key}]
	if d == nil {
		d = t.byKey[devKey{topic: true, s: key}]
	}
	if d == nil {
		return Device{}, false
	}
	return t.snapshot(d, t.cfg.Now()), true
}

// SameDevice reports whether Observe groups a and b under one device.
func SameDevice(a, b *history.Entry) bool {
	return a.Ident == b.Ident && (a.Ident != "" || a.Topic == b.Topic)
}

// PrevOf finds, for the diff of any message (not only a device's last), the
// history index of the same device's previous different message: it walks
// back from abs−1 through get (history.Store.Get or Snapshot.Get), passing
// over copies of the message at abs (history.Entry.CopyOf), and stops at
// the first index get does not have, or after limit entries. Of the copies
// of that previous message it prefers the one on abs's topic, so a device
// topic message is compared with the previous device topic message, else it
// returns the previous message's first copy. Device.PrevAbs answers the
// same question for a device's last message in O(1).
func PrevOf(get func(abs uint64) (*history.Entry, bool), abs uint64, limit int) (uint64, bool) {
	cur, ok := get(abs)
	if !ok {
		return 0, false
	}
	orig := cur.Original(abs)
	var best, prev uint64 // best: the copy found so far; prev: the previous message's first copy
	found := false
	for i := uint64(1); i <= uint64(max(0, limit)) && i <= abs; i++ {
		idx := abs - i
		e, ok := get(idx)
		if !ok {
			break
		}
		o := e.Original(idx)
		if o == orig || !SameDevice(cur, e) || (found && o != prev) {
			continue
		}
		if !found {
			best, prev, found = idx, o, true
		}
		if e.Topic == cur.Topic {
			return idx, true
		}
		if idx == prev {
			return idx, true
		}
	}
	return best, found
}
