package sim

import (
	"fmt"

	mqtt "github.com/mochi-mqtt/server/v2"
)

// capabilities sets mochi's limits for a flespi-like local broker; queue is
// Config.SessionQueue.
func capabilities(queue int) *mqtt.Capabilities {
	c := mqtt.NewDefaultServerCapabilities()
	// flespi limits sessions per account; a local demo needs few.
	c.MaximumClients = 10_000
	// Per-session store of QoS 1 messages, including the offline queue of a
	// persistent session. The simulator's own limit (overflow.go) acts
	// first; mochi's, a little higher, is never reached (past it mochi drops
	// silently). mochi's hard ceiling is 65535: the field is a uint16 and
	// mochi assigns 16-bit packet ids when it queues. Large queues cost CPU:
	// mochi copies and sorts every session's whole store once a second
	// (ClearExpiredInflights), ~60% of a core for a full 65535-message
	// offline session, a fraction of that at the default 20,000.
	c.MaximumInflight = uint16(min(queue+1024, 65535))
	// Messages waiting for one connected client's socket. When this channel is
	// full mochi drops the message, QoS 1 included, so keep it deep for bursts
	// of 20k+ msg/s (8 bytes per slot, allocated per connection).
	c.MaximumClientWritesPending = 64 << 10
	// 0: no broker-imposed message expiry. Queued messages then live as long as
	// the session, as on flespi, and mochi does not add a Message Expiry
	// Interval property to every delivery (it does when this is nonzero).
	// order.go relies on it: it reuses Packet.Created, which mochi reads
	// only to enforce this cap.
	c.MaximumMessageExpiryInterval = 0
	// Offline sessions are kept at most one day (clients asking for more get
	// the cap back in CONNACK).
	c.MaximumSessionExpiryInterval = 24 * 60 * 60
	// Unacknowledged QoS 1 publishes accepted from one client.
	c.ReceiveMaximum = 4096
	// Large enough for any telematics payload or REST body; bounds memory.
	c.MaximumPacketSize = 16 << 20
	// flespi's QoS 2 support is unclear (docs/FLESPI.md §2): grant at most 1.
	c.MaximumQos = 1
	// Don't echo a PUBLISH's properties (content type, user properties...) in its PUBACK.
	c.Compatibilities.NoInheritedPropertiesOnAck = true
	return c
}

// ParseTelemetry reads a --demo-telemetry value: "auto" (or ""), "full" or
// "light".
func ParseTelemetry(s string) (Telemetry, error) {
	switch t := Telemetry(s); t {
	case "", TelemetryAuto:
		return TelemetryAuto, nil
	case TelemetryFull, TelemetryLight:
		return t, nil
	}
	return "", fmt.Errorf("telemetry %q: use %q, %q or %q", s, TelemetryAuto, TelemetryFull, TelemetryLight)
}

// fullTelemetryMax is the highest rate at which TelemetryAuto means full:
// full telemetry costs ~200 µs of broker time per device message.
const fullTelemetryMax = 1000

// fullTelemetry reports whether a device message is followed by every
// parameter's telemetry now: always with TelemetryFull, never with
// TelemetryLight, and with TelemetryAuto while the rate set now (SetRate
// can change it at any time) is at most fullTelemetryMax.
func (s *Sim) fullTelemetry() bool {
	return s.tel.resolve(s.Rate()) == TelemetryFull
}

// resolve turns TelemetryAuto into full or light for a rate.
func (t Telemetry) resolve(rate float64) Telemetry {
	if t != TelemetryAuto {
		return t
	}
	if rate > fullTelemetryMax {
		return TelemetryLight
	}
	return TelemetryFull
}

// ParseACLMode reads an --acl-mode value: "filter" or "refuse" ("" is the
// default, filter).
func ParseACLMode(s string) (ACLMode, error) {
	switch m := ACLMode(s); m {
	case "":
		return ACLFilter, nil
	case ACLFilter, ACLRefuse:
		return m, nil
	}
	return "", fmt.Errorf("ACL mode %q: use %q or %q", s, ACLFilter, ACLRefuse)
}
