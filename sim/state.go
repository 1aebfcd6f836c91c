package sim

import (
	"strconv"
	"unsafe"

	"github.com/mochi-mqtt/server/v2/packets"

	"hubtap/internal/jsonscan"
)

// Telemetry is how much retained telemetry state the simulator publishes.
type Telemetry string

// The telemetry modes (Config.Telemetry).
const (
	// TelemetryAuto (Config.Telemetry's zero value): TelemetryFull when the
	// simulator starts at up to 1,000 device messages per second,
	// TelemetryLight above (a later SetRate does not switch).
	TelemetryAuto Telemetry = "auto"
	// TelemetryFull publishes flespi/state/gw/devices/{id}/telemetry/{param}
	// for every parameter of every device message, as flespi documents
	// ("all new received messages by device also generate dedicated
	// publication per each {parameter}", docs/FLESPI.md §3): about 27
	// retained publications per message, ~200 µs of broker time per device
	// message (BenchmarkPublish), so about 5,000 device messages/s at most.
	TelemetryFull Telemetry = "full"
	// TelemetryLight publishes one parameter per device every 2 s, rotating
	// through five (position.speed, position.latitude, position.longitude,
	// battery.voltage, engine.ignition.status): for slow links and high
	// --demo-rate (200,000+ device messages/s). Not like flespi.
	TelemetryLight Telemetry = "light"
)

// Retained state topics besides telemetry (docs/FLESPI.md §3; the property
// names are the ones flespi's tools show):
//
//	flespi/state/gw/devices/{id}                    the device object: id, name, cid, device_type_id,
//	                                                configuration.ident, connected, last_active
//	flespi/state/gw/devices/{id}/connected          true/false
//	flespi/state/gw/devices/{id}/last_active        Unix seconds of the last message
//	flespi/state/gw/devices/{id}/name               "Truck 17"
//	flespi/state/gw/channels/{cid}/connections_count devices connected to the channel
//	flespi/state/platform/customer/counters/{name}  devices_count, channels_count

// publishTelemetryAll publishes one retained message per parameter of the
// device message msg (TelemetryFull): the parameter's raw JSON value on
// flespi/state/gw/devices/{id}/telemetry/{param}.
func (s *Sim) publishTelemetryAll(d *device, msg []byte, props []packets.UserProperty) {
	js := unsafe.String(unsafe.SliceData(msg), len(msg))
	m, ok := jsonscan.NewMembers(js)
	if !ok {
		return
	}
	for {
		k, esc, v, ok := m.Next()
		if !ok {
			return
		}
		topic, ok := d.telTopic[k]
		if !ok {
			topic = d.stateBase + "/telemetry/" + jsonscan.Key(k, esc)
			d.telTopic[k] = topic
		}
		_ = s.inject(topic, unsafe.Slice(unsafe.StringData(v), len(v)), true, 1, props)
	}
}

// publishLastActive republishes flespi/state/gw/devices/{id}/last_active
// when the message's server time enters a new second.
func (s *Sim) publishLastActive(d *device, srvUS int64, props []packets.UserProperty) {
	sec := srvUS / 1e6
	if d.lastActive.Swap(sec) == sec {
		return
	}
	_ = s.inject(d.stateBase+"/last_active", strconv.AppendInt(nil, sec, 10), true, 1, props)
}

// deviceObject is the whole-object state of a registered device.
func (s *Sim) deviceObject(d *device, connected bool) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, d.info.ID, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, d.info.Name)
	b = append(b, `,"cid":`...)
	b = strconv.AppendInt(b, AccountID, 10)
	b = append(b, `,"device_type_id":`...)
	b = strconv.AppendInt(b, d.info.TypeID, 10)
	b = append(b, `,"configuration":{"ident":`...)
	b = appendString(b, d.info.Ident)
	b = append(b, `},"connected":`...)
	b = strconv.AppendBool(b, connected)
	b = append(b, `,"last_active":`...)
	b = strconv.AppendInt(b, d.lastActive.Load(), 10)
	b = append(b, `,"messages_ttl":31536000}`...)
	return b
}

// publishConnection publishes a registered device's connection change:
// its retained connected flag and whole object, its channel's
// connections_count, and the device log record (logs.go). closeCode is
// flespi's close code for a disconnection (0 for a connection).
func (s *Sim) publishConnection(d *device, up bool, closeCode int) {
	if s.closed.Load() {
		return
	}
	props := s.stamp()
	if d.info.ID != 0 {
		_ = s.inject(d.connTopic, []byte(strconv.FormatBool(up)), true, 1, props)
		_ = s.inject(d.stateBase, s.deviceObject(d, up), true, 1, props)
	}
	ch := s.channelConns(d.info.ChannelID)
	n := ch.Load()
	if up {
		n = ch.Add(1)
	} else if n > 0 {
		n = ch.Add(-1)
	}
	_ = s.inject("flespi/state/gw/channels/"+strconv.FormatInt(d.info.ChannelID, 10)+"/connections_count",
		strconv.AppendInt(nil, n, 10), true, 1, props)
	if d.info.ID != 0 {
		s.logConnection(d, up, closeCode, props)
	}
}

// publishInitialState retains every registered device's state and
// telemetry, each channel's connections_count and the account's counters,
// so state subscribers get a full picture even with no traffic.
func (s *Sim) publishInitialState() {
	props := s.stamp()
	for _, d := range s.devs {
		s.channelConns(d.info.ChannelID).Add(1) // every device starts connected
		if d.info.ID == 0 {
			continue
		}
		d.lastActive.Store(d.cur.srvUS / 1e6)
		_ = s.inject(d.connTopic, []byte("true"), true, 1, props)
		_ = s.inject(d.stateBase+"/name", appendString(nil, d.info.Name), true, 1, props)
		_ = s.inject(d.stateBase+"/last_active", strconv.AppendInt(nil, d.lastActive.Load(), 10), true, 1, props)
		_ = s.inject(d.stateBase, s.deviceObject(d, true), true, 1, props)
		if s.fullTelemetry() {
			s.publishTelemetryAll(d, appendMessage(nil, d, &d.cur), props)
		} else {
			for p := range telemetryParams {
				s.publishTelemetry(d, p, props)
			}
		}
	}
	for _, c := range cities() {
		_ = s.inject("flespi/state/gw/channels/"+strconv.FormatInt(c.channel, 10)+"/connections_count",
			strconv.AppendInt(nil, s.channelConns(c.channel).Load(), 10), true, 1, props)
	}
	_ = s.inject("flespi/state/platform/customer/counters/devices_count", strconv.AppendInt(nil, int64(s.nReg), 10), true, 1, props)
	_ = s.inject("flespi/state/platform/customer/counters/channels_count", []byte("2"), true, 1, props)
}

// stamp returns fresh `timestamp` and `cid` user properties, for publishes
// from goroutines other than the publisher's.
func (s *Sim) stamp() []packets.UserProperty {
	return []packets.UserProperty{
		{Key: "timestamp", Val: string(appendMicros(nil, s.now().UnixMicro(), 6))},
		{Key: "cid", Val: strconv.Itoa(AccountID)},
	}
}
