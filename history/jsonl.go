package history

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"hubtap/broker"
)

// The JSONL record format, one message per line (see README, "Recording
// format"). Fields, in this order:
//
//	time              receive time, RFC 3339 in UTC with 9 fractional digits
//	seq               receive sequence number in the recording process
//	topic, qos, retain, dup
//	props             MQTT 5 properties, only when the message had some:
//	                  content_type, response_topic, correlation_data (base64),
//	                  payload_format, message_expiry, subscription_ids,
//	                  user_properties ([[key, value], ...] in wire order)
//	payload_encoding  "base64" when the payload is not embedded as JSON
//	payload           the payload itself when it is valid JSON that can sit on
//	                  one line unchanged; else its base64 text
//
// A payload is embedded verbatim only when that round-trips byte for byte
// and the line stays strict JSON: valid JSON in valid UTF-8 (RFC 8259), no
// CR or LF, no leading or trailing white space, and no C1 control (U+0080 to
// U+009F, which some terminals obey when the file is shown with cat).
// Everything else (text, binary, pretty-printed JSON, JSON with broken
// UTF-8) is base64, so every line parses as strict JSON and reading a
// recording back always yields the exact payload bytes. In the topic and
// property strings, C1 controls are written as \u0080 to \u009f escapes.
const jsonlTime = "2006-01-02T15:04:05.000000000Z07:00"

// AppendJSONL appends m as one JSONL record, newline included.
func AppendJSONL(dst []byte, m *broker.Message) []byte {
	var e JSONLEncoder
	return e.Append(dst, m)
}

// JSONLEncoder writes JSONL records as AppendJSONL does, reusing the
// formatted receive time while it does not change: the messages of one
// network read share one receive time (broker.Conn reads the clock once per
// read), so under load most records repeat the previous one's time. Not
// safe for concurrent use; the zero value is ready.
type JSONLEncoder struct {
	sec    int64 // the cached time's Unix seconds and nanoseconds
	nsec   int
	cached bool     // text holds the time of sec and nsec
	text   [30]byte // "2006-01-02T15:04:05.000000000Z" (years outside 0-9999 are longer: not cached)
}

// Append appends m as one JSONL record, newline included.
func (e *JSONLEncoder) Append(dst []byte, m *broker.Message) []byte {
	dst = append(dst, `{"time":"`...)
	dst = e.appendTime(dst, m.Received)
	dst = append(dst, `","seq":`...)
	dst = strconv.AppendUint(dst, m.Seq, 10)
	dst = append(dst, `,"topic":`...)
	dst = appendJSONString(dst, m.Topic)
	dst = append(dst, `,"qos":`...)
	dst = strconv.AppendUint(dst, uint64(m.QoS), 10)
	dst = append(dst, `,"retain":`...)
	dst = strconv.AppendBool(dst, m.Retain)
	dst = append(dst, `,"dup":`...)
	dst = strconv.AppendBool(dst, m.Duplicate)
	if p := m.Props; p != nil {
		dst = appendProps(dst, p)
	}
	if embeddable(m.Payload) {
		dst = append(dst, `,"payload":`...)
		dst = append(dst, m.Payload...)
	} else {
		dst = append(dst, `,"payload_encoding":"base64","payload":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, m.Payload)
		dst = append(dst, '"')
	}
	return append(dst, "}\n"...)
}

func appendProps(dst []byte, p *broker.Properties) []byte {
	dst = append(dst, `,"props":{`...)
	n := 0
	sep := func() {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
	}
	if p.ContentType != "" {
		sep()
		dst = append(dst, `"content_type":`...)
		dst = appendJSONString(dst, p.ContentType)
	}
	if p.ResponseTopic != "" {
		sep()
		dst = append(dst, `"response_topic":`...)
		dst = appendJSONString(dst, p.ResponseTopic)
	}
	if p.CorrelationData != nil {
		sep()
		dst = append(dst, `"correlation_data":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, p.CorrelationData)
		dst = append(dst, '"')
	}
	if p.PayloadFormat != nil {
		sep()
		dst = append(dst, `"payload_format":`...)
		dst = strconv.AppendUint(dst, uint64(*p.PayloadFormat), 10)
	}
	if p.MessageExpiry != nil {
		sep()
		dst = append(dst, `"message_expiry":`...)
		dst = strconv.AppendUint(dst, uint64(*p.MessageExpiry), 10)
	}
	if len(p.SubscriptionIDs) > 0 {
		sep()
		dst = append(dst, `"subscription_ids":[`...)
		for i, id := range p.SubscriptionIDs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(id), 10)
		}
		dst = append(dst, ']')
	}
	if len(p.User) > 0 {
		sep()
		dst = append(dst, `"user_properties":[`...)
		for i, u := range p.User {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			dst = appendJSONString(dst, u.Key)
			dst = append(dst, ',')
			dst = appendJSONString(dst, u.Value)
			dst = append(dst, ']')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// embeddable reports whether p can be written as raw JSON and read back
// byte for byte.
func embeddable(p []byte) bool {
	switch compactObject(p) {
	case fastASCII: // no white space, no byte above 0x7f: nothing else to look for
		return true
	case fastValid:
		// A compact object has no white space (so no CR or LF) and is valid
		// JSON in valid UTF-8: only C1 controls are left to look for.
		return !hasC1(p)
	case fastInvalid:
		return false
	}
	// Two IndexByte scans (vectorised) are several times faster than
	// ContainsAny on a typical 550-byte message.
	if len(p) == 0 || bytes.IndexByte(p, '\n') >= 0 || bytes.IndexByte(p, '\r') >= 0 {
		return false
	}
	if isSpace(p[0]) || isSpace(p[len(p)-1]) {
		return false
	}
	// Classify(p) == KindJSON, without walking the fast path again.
	return !hasC1(p) && looksJSON(p) && validDeep(p)
}

// hasC1 reports whether p (valid UTF-8 or not) holds the UTF-8 encoding of
// a C1 control, 0xC2 followed by 0x80 to 0x9F. IndexByte is vectorised, so
// this costs next to nothing on ASCII payloads.
func hasC1(p []byte) bool {
	for {
		i := bytes.IndexByte(p, 0xc2)
		if i < 0 || i+1 >= len(p) {
			return false
		}
		if p[i+1] >= 0x80 && p[i+1] <= 0x9f {
			return true
		}
		p = p[i+1:]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD
// (MQTT requires UTF-8 topics and properties, so this only touches broken
// brokers' output); C1 controls, U+2028 and U+2029 are written as \u
// escapes, so the line holds no raw C1 control yet decodes to s.
func appendJSONString(dst []byte, s string) []byte {
	if plainJSON(s) { // the common case: nothing to escape or check
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					dst = append(dst, '\\', 'n')
				case '\r':
					dst = append(dst, '\\', 'r')
				case '\t':
					dst = append(dst, '\\', 't')
				default:
					dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				}
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		} else if r >= 0x80 && r <= 0x9f {
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// ErrNotRecord means a line is not a hubtap JSONL record.
var ErrNotRecord = errors.New("not a hubtap record")

// ParseJSONL reads one record written by AppendJSONL. The payload and other
// byte fields are copies, not views into line.
func ParseJSONL(line []byte) (broker.Message, error) {
	line = bytes.TrimRight(line, "\r\n")
	if !gjson.ValidBytes(line) {
		return broker.Message{}, fmt.Errorf("%w: invalid JSON", ErrNotRecord)
	}
	r := gjson.ParseBytes(line)
	if !r.IsObject() {
		return broker.Message{}, fmt.Errorf("%w: not an object", ErrNotRecord)
	}
	topic, ts, pl := r.Get("topic"), r.Get("time"), r.Get("payload")
	if topic.Type != gjson.String || ts.Type != gjson.String || !pl.Exists() {
		return broker.Message{}, fmt.Errorf("%w: needs time, topic and payload", ErrNotRecord)
	}
	t, err := time.Parse(time.RFC3339Nano, ts.Str)
	if err != nil {
		return broker.Message{}, fmt.Errorf("%w: time: %v", ErrNotRecord, err)
	}
	m := broker.Message{
		Seq:       r.Get("seq").Uint(),
		Topic:     topic.Str,
		QoS:       byte(r.Get("qos").Uint()),
		Retain:    r.Get("retain").Bool(),
		Duplicate: r.Get("dup").Bool(),
		Received:  t,
	}
	switch enc := r.Get("payload_encoding").Str; enc {
	case "":
		m.Payload = []byte(pl.Raw)
	case "base64":
		if pl.Type != gjson.String {
			return broker.Message{}, fmt.Errorf("%w: base64 payload is not a string", ErrNotRecord)
		}
		if m.Payload, err = base64.StdEncoding.DecodeString(pl.Str); err != nil {
			return broker.Message{}, fmt.Errorf("%w: payload: %v", ErrNotRecord, err)
		}
	default:
		return broker.Message{}, fmt.Errorf("%w: unknown payload_encoding %q", ErrNotRecord, enc)
	}
	if p := r.Get("props"); p.IsObject() {
		props := &broker.Properties{
			ContentType:   p.Get("content_type").Str,
			ResponseTopic: p.Get("response_topic").Str,
		}
		if cd := p.Get("correlation_data"); cd.Exists() {
			if props.CorrelationData, err = base64.StdEncoding.DecodeString(cd.Str); err != nil {
				return broker.Message{}, fmt.Errorf("%w: correlation_data: %v", ErrNotRecord, err)
			}
		}
		if v := p.Get("payload_format"); v.Exists() {
			b := byte(v.Uint())
			props.PayloadFormat = &b
		}
		if v := p.Get("message_expiry"); v.Exists() {
			u := uint32(v.Uint())
			props.MessageExpiry = &u
		}
		for _, id := range p.Get("subscription_ids").Array() {
			props.SubscriptionIDs = append(props.SubscriptionIDs, int(id.Int()))
		}
		for _, kv := range p.Get("user_properties").Array() {
			pair := kv.Array()
			if len(pair) != 2 {
				return broker.Message{}, fmt.Errorf("%w: user property is not a [key, value] pair", ErrNotRecord)
			}
			props.User = append(props.User, broker.UserProperty{Key: pair[0].Str, Value: pair[1].Str})
		}
		m.Props = props
	}
	return m, nil
}

// plainJSON reports whether s can go between quotes as it is: printable
// ASCII without quote or backslash. It reads 8 bytes at a time
// (stringStop), the last 8 overlapping the word before, and tests once.
func plainJSON(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
				return false
			}
		}
		return true
	}
	var stop uint64
	for i := 0; i+8 <= n; i += 8 {
		stop |= stringStop(load64(s, i))
	}
	return stop|stringStop(load64(s, n-8)) == 0
}

// load64 reads s[i:i+8] as a little-endian word (one load: the compiler
// merges the bytes).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendTime is appendTime(dst, t), from the cache when t is the time
// formatted last.
func (e *JSONLEncoder) appendTime(dst []byte, t time.Time) []byte {
	sec, nsec := t.Unix(), t.Nanosecond()
	if e.cached && sec == e.sec {
		// The same second: only the nine fraction digits change, written
		// in place (text[20:20] has room for them).
		if nsec != e.nsec {
			appendDigits(e.text[20:20], nsec, 9)
			e.nsec = nsec
		}
		return append(dst, e.text[:]...)
	}
	start := len(dst)
	dst = appendTime(dst, t)
	e.cached = len(dst)-start == len(e.text)
	if e.cached {
		e.sec, e.nsec = sec, nsec
		copy(e.text[:], dst[start:])
	}
	return dst
}

// appendTime appends t in UTC as jsonlTime does (RFC 3339, 9 fractional
// digits, "Z"), several times faster than time.Time.AppendFormat, which
// reads the layout on every call. Years outside 0-9999 go the long way.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, jsonlTime)
	}
	hour, min, sec := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, min, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, t.Nanosecond(), 9)
	return append(dst, 'Z')
}

// appendDigits appends v (≥ 0) zero-padded to width digits.
func appendDigits(dst []byte, v, width int) []byte {
	var b [9]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:width]...)
}
