package headless

import (
	"math"
	"strconv"

	"github.com/tidwall/gjson"

	"hubtap/broker"
)

// tstLayout is mosquitto_sub's "tst": local time, microseconds, then a
// literal Z and the UTC offset (strftime "%Y-%m-%dT%H:%M:%S.000000Z%z").
const tstLayout = "2006-01-02T15:04:05.000000Z-0700"

// appendRecord is %j (escaped: the payload as a JSON string) and %J (the
// payload as JSON), laid out as mosquitto_sub 2.0 built with cJSON prints
// them: tst, topic, qos, retain, payloadlen, mid (QoS > 0), properties,
// payload; --pretty indents with tabs as cJSON_Print does. %J of a payload
// that is not JSON prints nothing, as mosquitto_sub does (it says so on
// stderr). An empty payload is null.
func appendRecord(dst []byte, m *broker.Message, escaped, pretty bool) []byte {
	var payload gjson.Result
	if !escaped && len(m.Payload) > 0 {
		if !gjson.ValidBytes(m.Payload) {
			return dst
		}
		payload = gjson.ParseBytes(m.Payload)
	}
	w := cjson{dst: dst, pretty: pretty}
	w.open('{')
	w.key("tst")
	var b [48]byte
	w.str(m.Received.Local().AppendFormat(b[:0], tstLayout))
	w.key("topic")
	w.str([]byte(m.Topic))
	w.key("qos")
	w.dst = strconv.AppendInt(w.dst, int64(m.QoS), 10)
	w.key("retain")
	w.dst = appendBit(w.dst, m.Retain)
	w.key("payloadlen")
	w.dst = strconv.AppendInt(w.dst, int64(len(m.Payload)), 10)
	if m.QoS > 0 {
		w.key("mid")
		w.dst = strconv.AppendInt(w.dst, int64(m.PacketID), 10)
	}
	if p := m.Props; p != nil {
		w.props(p)
	}
	w.key("payload")
	switch {
	case len(m.Payload) == 0:
		w.dst = append(w.dst, "null"...)
	case escaped:
		p := m.Payload
		for i, c := range p { // libmosquitto hands cJSON a C string: it ends at the first NUL
			if c == 0 {
				p = p[:i]
				break
			}
		}
		w.str(p)
	default:
		w.value(payload)
	}
	w.close('}')
	return w.dst
}

// cjson writes JSON the way cJSON prints it.
type cjson struct {
	dst    []byte
	pretty bool
	depth  int
	count  [64]int  // members written per open level (deeper levels share the last)
	kind   [64]byte // '{' or '['
}

func (w *cjson) level() int { return min(w.depth, len(w.count)-1) }

func (w *cjson) open(c byte) {
	w.dst = append(w.dst, c)
	w.depth++
	w.count[w.level()], w.kind[w.level()] = 0, c
	if c == '{' && w.pretty {
		w.dst = append(w.dst, '\n')
	}
}

func (w *cjson) close(c byte) {
	if c == '}' && w.pretty {
		if w.count[w.level()] > 0 {
			w.dst = append(w.dst, '\n')
		}
		w.dst = appendBlank(w.dst, '\t', w.depth-1)
	}
	w.depth--
	w.dst = append(w.dst, c)
}

// key starts an object member.
func (w *cjson) key(k string) {
	l := w.level()
	if w.count[l] > 0 {
		w.dst = append(w.dst, ',')
		if w.pretty {
			w.dst = append(w.dst, '\n')
		}
	}
	w.count[l]++
	if w.pretty {
		w.dst = appendBlank(w.dst, '\t', w.depth)
	}
	w.str([]byte(k))
	w.dst = append(w.dst, ':')
	if w.pretty {
		w.dst = append(w.dst, '\t')
	}
}

// elem starts an array element.
func (w *cjson) elem() {
	l := w.level()
	if w.count[l] > 0 {
		w.dst = append(w.dst, ',')
		if w.pretty {
			w.dst = append(w.dst, ' ')
		}
	}
	w.count[l]++
}

// str writes s as cJSON does: ", \ and control bytes escaped, every other
// byte as it is.
func (w *cjson) str(s []byte) {
	w.dst = append(w.dst, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			w.dst = append(w.dst, '\\', c)
		case c == '\b':
			w.dst = append(w.dst, '\\', 'b')
		case c == '\f':
			w.dst = append(w.dst, '\\', 'f')
		case c == '\n':
			w.dst = append(w.dst, '\\', 'n')
		case c == '\r':
			w.dst = append(w.dst, '\\', 'r')
		case c == '\t':
			w.dst = append(w.dst, '\\', 't')
		case c < 0x20:
			w.dst = append(w.dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
		default:
			w.dst = append(w.dst, c)
		}
	}
	w.dst = append(w.dst, '"')
}

const lowerHex = "0123456789abcdef"

// props writes the properties in the order mosquitto forwards them from a
// paho publisher (its wire order, message expiry last; the order is not
// kept by paho, so a publisher writing them in another order gets them
// from mosquitto_sub in that order instead).
func (w *cjson) props(p *broker.Properties) {
	w.key("properties")
	w.open('{')
	if p.PayloadFormat != nil {
		w.key("payload-format-indicator")
		w.dst = strconv.AppendInt(w.dst, int64(*p.PayloadFormat), 10)
	}
	if p.ContentType != "" {
		w.key("content-type")
		w.str([]byte(p.ContentType))
	}
	if p.ResponseTopic != "" {
		w.key("response-topic")
		w.str([]byte(p.ResponseTopic))
	}
	if p.CorrelationData != nil {
		w.key("correlation-data")
		w.str(p.CorrelationData)
	}
	if len(p.User) > 0 {
		w.key("user-properties")
		w.open('{')
		for _, u := range p.User {
			w.key(u.Key)
			w.str([]byte(u.Value))
		}
		w.close('}')
	}
	if p.MessageExpiry != nil {
		w.key("message-expiry-interval")
		w.dst = strconv.AppendInt(w.dst, int64(*p.MessageExpiry), 10)
	}
	for _, id := range p.SubscriptionIDs {
		w.key("subscription-identifier")
		w.dst = strconv.AppendInt(w.dst, int64(id), 10)
	}
	if p.TopicAlias != nil {
		w.key("topic-alias")
		w.dst = strconv.AppendInt(w.dst, int64(*p.TopicAlias), 10)
	}
	w.close('}')
}

// value re-prints a parsed JSON value as cJSON does (numbers through
// cJSON's %1.15g/%1.17g, strings unescaped and escaped again).
func (w *cjson) value(r gjson.Result) {
	switch r.Type {
	case gjson.Null:
		w.dst = append(w.dst, "null"...)
	case gjson.False:
		w.dst = append(w.dst, "false"...)
	case gjson.True:
		w.dst = append(w.dst, "true"...)
	case gjson.Number:
		w.dst = appendCJSONNumber(w.dst, r.Num)
	case gjson.String:
		w.str([]byte(r.Str))
	case gjson.JSON:
		if r.IsArray() {
			w.open('[')
			r.ForEach(func(_, v gjson.Result) bool {
				w.elem()
				w.value(v)
				return true
			})
			w.close(']')
			return
		}
		w.open('{')
		r.ForEach(func(k, v gjson.Result) bool {
			w.key(k.Str)
			w.value(v)
			return true
		})
		w.close('}')
	}
}

// appendCJSONNumber is cJSON's print_number: %1.15g, or %1.17g when that
// does not read back as (nearly) the same double.
func appendCJSONNumber(dst []byte, d float64) []byte {
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return append(dst, "null"...)
	}
	var b [32]byte
	s := strconv.AppendFloat(b[:0], d, 'g', 15, 64)
	if t, err := strconv.ParseFloat(string(s), 64); err != nil || math.Abs(t-d) > max(math.Abs(t), math.Abs(d))*0x1p-52 {
		s = strconv.AppendFloat(b[:0], d, 'g', 17, 64)
	}
	return append(dst, s...)
}
