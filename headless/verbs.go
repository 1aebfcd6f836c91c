package headless

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"hubtap/broker"
)

// isoLayout is mosquitto_sub's %I: strftime "%FT%T%z", local time.
const isoLayout = "2006-01-02T15:04:05-0700"

// format appends one message as the template says.
func (t *template) format(dst []byte, m *broker.Message) []byte {
	for i := range t.specs {
		s := &t.specs[i]
		if s.verb == 0 {
			dst = append(dst, s.lit...)
			continue
		}
		dst = t.verb(dst, s, m)
	}
	if t.eol {
		dst = append(dst, '\n')
	}
	return dst
}

func (t *template) verb(dst []byte, s *spec, m *broker.Message) []byte {
	p := m.Props
	switch s.verb {
	case 'p':
		return appendPayload(dst, m.Payload, 0, s)
	case 't':
		return appendStr(dst, m.Topic, s)
	case 'x':
		return appendPayload(dst, m.Payload, 1, s)
	case 'X':
		return appendPayload(dst, m.Payload, 2, s)
	case 'q':
		return append(dst, '0'+m.QoS)
	case 'r':
		return appendBit(dst, m.Retain)
	case 'd':
		return appendBit(dst, m.Duplicate)
	case 'l':
		return appendInt(dst, int64(len(m.Payload)), s)
	case 'm':
		return appendInt(dst, int64(m.PacketID), s)
	case 'I':
		var b [40]byte
		return appendStr(dst, string(m.Received.Local().AppendFormat(b[:0], isoLayout)), s)
	case 'U':
		return appendUnix(dst, m.Received)
	case '@':
		switch s.lit {
		case "s":
			return strconv.AppendInt(dst, m.Received.Unix(), 10)
		case "N":
			return appendDigits(dst, m.Received.Nanosecond(), 9)
		}
		return m.Received.Local().AppendFormat(dst, s.lit)
	case 'j', 'J':
		return appendRecord(dst, m, s.verb == 'j', t.pretty)
	case '{':
		return appendField(dst, m.Payload, s)
	case 'P':
		if p == nil {
			return dst
		}
		for i, u := range p.User {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, u.Key...)
			dst = append(dst, ':')
			dst = append(dst, u.Value...)
		}
		return dst
	case 'D':
		if p != nil {
			dst = append(dst, p.CorrelationData...)
		}
		return dst
	case 'C':
		if p == nil || p.ContentType == "" {
			return appendBlank(dst, ' ', s.width)
		}
		return appendStr(dst, p.ContentType, s)
	case 'R':
		if p == nil || p.ResponseTopic == "" {
			return dst
		}
		return appendStr(dst, p.ResponseTopic, s)
	case 'A':
		if p == nil || p.TopicAlias == nil {
			return appendBlank(dst, s.pad, s.width)
		}
		return appendInt(dst, int64(*p.TopicAlias), s)
	case 'E':
		if p == nil || p.MessageExpiry == nil {
			return appendBlank(dst, s.pad, s.width)
		}
		return appendInt(dst, int64(*p.MessageExpiry), s)
	case 'F':
		if p == nil || p.PayloadFormat == nil {
			return appendBlank(dst, s.pad, s.width)
		}
		return appendInt(dst, int64(*p.PayloadFormat), s)
	case 'S':
		if p == nil || len(p.SubscriptionIDs) == 0 {
			return appendBlank(dst, s.pad, s.width)
		}
		return appendInt(dst, int64(p.SubscriptionIDs[0]), s)
	}
	return dst
}

func appendBit(dst []byte, b bool) []byte {
	if b {
		return append(dst, '1')
	}
	return append(dst, '0')
}

func appendBlank(dst []byte, pad byte, n int) []byte {
	for range n {
		dst = append(dst, pad)
	}
	return dst
}

// appendInt is C's %d, %-*d, %0*d and %*d, as mosquitto_sub uses them.
func appendInt(dst []byte, v int64, s *spec) []byte {
	if s.width == 0 {
		return strconv.AppendInt(dst, v, 10)
	}
	var b [24]byte
	d := strconv.AppendInt(b[:0], v, 10)
	n := s.width - len(d)
	switch {
	case s.align == '-':
		dst = append(dst, d...)
		return appendBlank(dst, ' ', n)
	case s.pad == '0' && v < 0:
		dst = append(dst, '-')
		dst = appendBlank(dst, '0', n)
		return append(dst, d[1:]...)
	default:
		dst = appendBlank(dst, s.pad, n)
		return append(dst, d...)
	}
}

// appendStr is C's %s with width and precision (bytes, as C counts).
func appendStr(dst []byte, v string, s *spec) []byte {
	if s.prec >= 0 && len(v) > s.prec {
		v = v[:s.prec]
	}
	n := s.width - len(v)
	if s.align == '-' {
		dst = append(dst, v...)
		return appendBlank(dst, ' ', n)
	}
	dst = appendBlank(dst, ' ', n)
	return append(dst, v...)
}

// appendPayload is mosquitto_sub's write_payload: with a width, the payload
// is cut to it (for hex, to half of it in bytes) and padded; hex is 0
// (raw), 1 (lower-case hex) or 2 (upper-case).
func appendPayload(dst, p []byte, hexMode int, s *spec) []byte {
	n, padlen := len(p), 0
	if s.width > 0 {
		n = min(n, s.width)
		if hexMode > 0 {
			n /= 2
			padlen = s.width - 2*n
		} else {
			padlen = s.width - n
		}
	} else if hexMode == 0 {
		padlen = -n
	}
	if s.align != '-' {
		dst = appendBlank(dst, s.pad, padlen)
	}
	switch hexMode {
	case 0:
		dst = append(dst, p[:n]...)
	case 1:
		dst = hex.AppendEncode(dst, p[:n])
	default:
		for _, c := range p[:n] {
			dst = append(dst, upperHex[c>>4], upperHex[c&0xf])
		}
	}
	if s.align == '-' {
		dst = appendBlank(dst, ' ', padlen)
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

// appendUnix is %U: seconds.nanoseconds.
func appendUnix(dst []byte, t time.Time) []byte {
	dst = strconv.AppendInt(dst, t.Unix(), 10)
	dst = append(dst, '.')
	return appendDigits(dst, t.Nanosecond(), 9)
}

// appendDigits appends v (≥ 0) zero-padded to width digits.
func appendDigits(dst []byte, v, width int) []byte {
	var b [20]byte
	d := strconv.AppendInt(b[:0], int64(v), 10)
	dst = appendBlank(dst, '0', width-len(d))
	return append(dst, d...)
}

// appendField is %{path}: the flat dotted key first (flespi's keys contain
// dots), then the path as gjson syntax. Strings print unquoted, other
// values as their JSON text; nothing when missing. Width and precision
// apply as to a string.
func appendField(dst, payload []byte, s *spec) []byte {
	r := gjson.GetBytes(payload, s.flat)
	if !r.Exists() && s.flat != s.lit {
		r = gjson.GetBytes(payload, s.lit)
	}
	v := r.Raw
	switch {
	case !r.Exists():
		v = ""
	case r.Type == gjson.String:
		v = r.Str
	}
	if s.width == 0 && s.prec < 0 {
		return append(dst, v...)
	}
	return appendStr(dst, v, s)
}
