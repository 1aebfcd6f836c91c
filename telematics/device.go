package telematics

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"hubtap/history"
)

// KeyKind says what a Device is grouped by.
type KeyKind uint8

// The grouping keys, in order of preference (docs/FLESPI.md §5: ident is always
// present in flespi messages; device.id only for registered devices).
const (
	ByIdent    KeyKind = iota // Key is the message's "ident"
	ByDeviceID                // no ident: Key is "device.id" as text
	ByTopic                   // neither (not JSON, or other JSON): Key is the topic
)

// String returns "ident", "device.id" or "topic".
func (k KeyKind) String() string {
	switch k {
	case ByIdent:
		return "ident"
	case ByDeviceID:
		return "device.id"
	case ByTopic:
		return "topic"
	}
	return "keykind(" + strconv.Itoa(int(k)) + ")"
}

// Device is a snapshot of one device's state: a copy, safe to keep and to
// read on any goroutine. Values read from payloads are the last ones seen
// (a message without battery.voltage keeps the previous Battery); Have says
// which were ever seen.
type Device struct {
	// Key identifies the device: history.Entry.Ident (the "ident", else
	// "device.id" as text; sanitized) or, when that is empty, the raw topic.
	// Show Label(), not Key: a topic may hold control characters.
	Key  string
	By   KeyKind // what Key is
	Name string  // "device.name", sanitized; "" until a message has one
	// DeviceID is "device.id" (flespi's registered device); 0 until seen.
	// Messages without it on a channel topic are the "unregistered ident"
	// signature (docs/FLESPI.md §8).
	DeviceID int64
	Topic    string // sanitized topic of the last message

	Messages            uint64    // distinct messages observed (copies are counted in Copies)
	FirstSeen, LastSeen time.Time // receive time of the first and last message
	// LastAbs is the history index (Observe's abs) of the last message;
	// PrevAbs that of the one before, valid when Messages > 1: the pair to
	// Diff. history may have evicted either (Store.Get reports false).
	LastAbs, PrevAbs uint64
	// Rate is messages per second over about the last minute (an
	// exponentially weighted average, τ = 60 s), as of the Devices call.
	Rate float64

	// Timestamp is the device "timestamp" of the last message that had one.
	Timestamp time.Time
	// Newest is the newest device timestamp seen, ignoring future-flagged
	// ones: the reference for the gap and out-of-order checks.
	Newest time.Time
	// Latency is server.timestamp − timestamp of the last message with both.
	Latency time.Duration

	Lat, Lon float64 // position.latitude/longitude, degrees
	Speed    float64 // position.speed, km/h
	Ignition bool    // engine.ignition.status
	Battery  float64 // battery.voltage, V
	Power    float64 // external.powersource.voltage, V
	GSM      float64 // gsm.signal.level, %
	Have     Have    // which of the values above are set

	Counts      FlagCounts // messages per anomaly flag
	Flagged     uint64     // messages with at least one flag
	LastFlags   Flags      // the last message's flags
	NoTimestamp uint64     // messages without a usable "timestamp" (not JSON, or no number): never flagged
	// Copies counts copies of the device's messages (history.Entry.CopyOf):
	// flespi publishes each message on its channel topic and on its device
	// topic, so subscribing to both shows each twice, and a $share/ or
	// overlapping subscription adds more. Copies are not counted in
	// Messages or Rate and are not duplicates.
	Copies uint64

	staleAfter time.Duration // Config.Stale when the snapshot was taken
}

// Label is what a table shows for the device: Key for an ident or
// device.id, the sanitized topic for a device grouped by topic.
func (d *Device) Label() string {
	if d.By == ByTopic {
		return d.Topic
	}
	return d.Key
}

// Anomalies is the number of messages with at least one flag.
func (d *Device) Anomalies() uint64 { return d.Flagged }

// LastSeenAgo is how long before now the last message arrived (0 if in the
// future, e.g. a replayed capture's receive times).
func (d *Device) LastSeenAgo(now time.Time) time.Duration {
	return max(0, now.Sub(d.LastSeen))
}

// Stale reports whether the device has been silent for longer than the
// tracker's Config.Stale threshold (docs/FLESPI.md §8: flespi itself closes an
// idle connection after 10 minutes). A negative threshold turns it off.
func (d *Device) Stale(now time.Time) bool {
	return d.staleAfter >= 0 && d.LastSeenAgo(now) > d.staleAfter
}

// Matches reports whether e belongs to this device: the grouping Observe
// uses, for showing one device's messages (e.g. as a filter over history).
func (d *Device) Matches(e *history.Entry) bool {
	if d.By == ByTopic {
		return e.Ident == "" && e.Topic == d.Key
	}
	return e.Ident == d.Key
}

// Column is a sort order for SortDevices.
type Column uint8

// The sortable columns. Devices lacking a value (no battery reading, say)
// sort after those that have one, in either direction.
const (
	ColIdent     Column = iota // Label
	ColName                    // Name; devices without a name last
	ColMessages                // Messages
	ColRate                    // Rate
	ColLastSeen                // LastSeen (ascending: longest silent first)
	ColSpeed                   // Speed
	ColBattery                 // Battery
	ColPower                   // Power
	ColGSM                     // GSM
	ColAnomalies               // Flagged
	numColumns
)

// String returns the column's header name: "ident", "name", "msgs", "rate",
// "last seen", "speed", "battery", "power", "gsm", "anomalies".
func (c Column) String() string {
	switch c {
	case ColIdent:
		return "ident"
	case ColName:
		return "name"
	case ColMessages:
		return "msgs"
	case ColRate:
		return "rate"
	case ColLastSeen:
		return "last seen"
	case ColSpeed:
		return "speed"
	case ColBattery:
		return "battery"
	case ColPower:
		return "power"
	case ColGSM:
		return "gsm"
	case ColAnomalies:
		return "anomalies"
	}
	return "column(" + strconv.Itoa(int(c)) + ")"
}

// Columns returns every column in display order.
func Columns() []Column {
	out := make([]Column, numColumns)
	for i := range out {
		out[i] = Column(i)
	}
	return out
}

// SortDevices sorts ds in place by one column, descending if desc. Ties,
// and devices lacking the value, are ordered by Label ascending then Key,
// so the order is total and stable across refreshes. It sorts indexes and
// moves each Device once, so 100,000 devices sort in tens of milliseconds.
func SortDevices(ds []Device, by Column, desc bool) {
	perm := make([]int32, len(ds))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(i, j int32) int { return compareDevices(&ds[i], &ds[j], by, desc) })
	sorted := make([]Device, len(ds))
	for i, p := range perm {
		sorted[i] = ds[p]
	}
	copy(ds, sorted)
}

// compareDevices is SortDevices' order.
func compareDevices(a, b *Device, by Column, desc bool) int {
	ha, hb := hasValue(a, by), hasValue(b, by)
	if ha != hb { // missing values last, whatever the direction
		if ha {
			return -1
		}
		return 1
	}
	c := 0
	if ha {
		c = compareBy(a, b, by)
		if desc {
			c = -c
		}
	}
	if c == 0 {
		c = cmp.Or(cmp.Compare(a.Label(), b.Label()), cmp.Compare(a.Key, b.Key), cmp.Compare(a.By, b.By))
	}
	return c
}

func hasValue(d *Device, by Column) bool {
	switch by {
	case ColName:
		return d.Name != ""
	case ColSpeed:
		return d.Have&HaveSpeed != 0
	case ColBattery:
		return d.Have&HaveBattery != 0
	case ColPower:
		return d.Have&HavePower != 0
	case ColGSM:
		return d.Have&HaveGSM != 0
	}
	return true
}

func compareBy(a, b *Device, by Column) int {
	switch by {
	case ColIdent:
		return cmp.Compare(a.Label(), b.Label())
	case ColName:
		return cmp.Compare(a.Name, b.Name)
	case ColMessages:
		return cmp.Compare(a.Messages, b.Messages)
	case ColRate:
		return cmp.Compare(a.Rate, b.Rate)
	case ColLastSeen:
		return a.LastSeen.Compare(b.LastSeen)
	case ColSpeed:
		return cmp.Compare(a.Speed, b.Speed)
	case ColBattery:
		return cmp.Compare(a.Battery, b.Battery)
	case ColPower:
		return cmp.Compare(a.Power, b.Power)
	case ColGSM:
		return cmp.Compare(a.GSM, b.GSM)
	case ColAnomalies:
		return cmp.Compare(a.Flagged, b.Flagged)
	}
	return 0
}
