package sim

import (
	"strconv"
	"unicode/utf8"
)

// appendMessage appends d's current reading as flat flespi JSON (docs/FLESPI.md §5
// Example A); timestamp is whole seconds for most devices (device.wholeSec),
// milliseconds for the others. A registered device's message is 450-650 bytes. An unregistered
// ident sends a short message without device.* fields (Example B). It uses
// strconv.Append* only, so it does not allocate when b has room.
func appendMessage(b []byte, d *device, r *reading) []byte {
	b = append(b, `{"ident":`...)
	b = appendString(b, d.info.Ident)
	b = append(b, `,"timestamp":`...)
	if d.wholeSec && !r.ms { // most trackers report whole seconds
		b = strconv.AppendInt(b, floorDiv(r.tsUS, 1e6), 10)
	} else {
		b = appendMicros(b, r.tsUS, 3)
	}
	b = append(b, `,"server.timestamp":`...)
	b = appendMicros(b, r.srvUS, 6)
	b = append(b, `,"channel.id":`...)
	b = strconv.AppendInt(b, d.info.ChannelID, 10)
	b = append(b, `,"protocol.id":`...)
	b = strconv.AppendInt(b, d.c.protocol, 10)
	b = append(b, `,"peer":`...)
	b = appendString(b, *d.peer.Load())
	if d.info.ID == 0 {
		b = append(b, `,"position.valid":false,"battery.voltage":`...)
		b = strconv.AppendFloat(b, r.batV-0.3, 'f', 2, 64)
		b = append(b, `,"gsm.signal.level":`...)
		b = strconv.AppendInt(b, int64(r.gsm), 10)
		return append(b, '}')
	}
	b = append(b, `,"device.id":`...)
	b = strconv.AppendInt(b, d.info.ID, 10)
	b = append(b, `,"device.name":`...)
	b = appendString(b, d.info.Name)
	b = append(b, `,"device.type.id":`...)
	b = strconv.AppendInt(b, d.info.TypeID, 10)
	b = append(b, `,"position.latitude":`...)
	b = strconv.AppendFloat(b, r.lat, 'f', 6, 64)
	b = append(b, `,"position.longitude":`...)
	b = strconv.AppendFloat(b, r.lon, 'f', 6, 64)
	b = append(b, `,"position.altitude":`...)
	b = strconv.AppendInt(b, int64(r.alt), 10)
	b = append(b, `,"position.speed":`...)
	b = strconv.AppendInt(b, int64(r.speed), 10)
	b = append(b, `,"position.direction":`...)
	b = strconv.AppendInt(b, int64(r.dir), 10)
	b = append(b, `,"position.satellites":`...)
	b = strconv.AppendInt(b, int64(r.sats), 10)
	b = append(b, `,"position.hdop":`...)
	b = strconv.AppendFloat(b, r.hdop, 'f', -1, 64)
	b = append(b, `,"position.valid":`...)
	b = strconv.AppendBool(b, r.valid)
	b = append(b, `,"engine.ignition.status":`...)
	b = strconv.AppendBool(b, r.ign)
	b = append(b, `,"movement.status":`...)
	b = strconv.AppendBool(b, r.moving)
	b = append(b, `,"external.powersource.voltage":`...)
	b = strconv.AppendFloat(b, r.extV, 'f', -1, 64)
	b = append(b, `,"battery.voltage":`...)
	b = strconv.AppendFloat(b, r.batV, 'f', -1, 64)
	b = append(b, `,"gsm.signal.level":`...)
	b = strconv.AppendInt(b, int64(r.gsm), 10)
	b = append(b, `,"gsm.mcc":`...)
	b = strconv.AppendInt(b, int64(r.mcc), 10)
	b = append(b, `,"gsm.mnc":`...)
	b = strconv.AppendInt(b, int64(r.mnc), 10)
	b = append(b, `,"din":`...)
	b = strconv.AppendInt(b, int64(r.din), 10)
	b = append(b, `,"vehicle.mileage":`...)
	b = strconv.AppendFloat(b, r.mileage, 'f', 1, 64)
	b = append(b, `,"event.priority.enum":`...)
	b = strconv.AppendInt(b, int64(r.prio), 10)
	return append(b, '}')
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// appendTelemetry appends the bare JSON value of telemetry parameter p.
func appendTelemetry(b []byte, p int, r *reading) []byte {
	switch p {
	case 0:
		return strconv.AppendInt(b, int64(r.speed), 10)
	case 1:
		return strconv.AppendFloat(b, r.lat, 'f', 6, 64)
	case 2:
		return strconv.AppendFloat(b, r.lon, 'f', 6, 64)
	case 3:
		return strconv.AppendFloat(b, r.batV, 'f', -1, 64)
	default:
		return strconv.AppendBool(b, r.ign)
	}
}

// appendMicros appends µs since the epoch as decimal seconds with the given
// number of fraction digits (1-6), e.g. 1715843522.418732.
func appendMicros(b []byte, us int64, digits int) []byte {
	sec, frac := us/1e6, us%1e6
	if frac < 0 {
		sec, frac = sec-1, frac+1e6
	}
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, '.')
	var d [6]byte
	for i := 5; i >= 0; i-- {
		d[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(b, d[:digits]...)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
