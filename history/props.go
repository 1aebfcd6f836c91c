package history

import (
	"encoding/binary"
	"unsafe"

	"hubtap/broker"
)

// Stored entries keep their MQTT 5 properties encoded in the arena's byte
// slabs (Entry.props) instead of as a broker.Properties: a Properties value
// and its user-property slice are ~190 bytes of pointers per message that
// every garbage collection must scan, and under a burst the UI collects
// several times a second with a full history. Encoded, they are ~40 bytes
// the collector never looks into (docs/BENCHMARKS.md, "Burst").
// Entry.Properties and Entry.UserValue read them back.
//
// The encoding: one flags byte (propFormat, propExpiry, propAlias,
// propCorrelation), then the payload format byte, the expiry (4 bytes) and
// the alias (2 bytes) when flagged, then as uvarint-length-prefixed bytes
// the content type, the response topic and (when flagged) the correlation
// data, then a uvarint count of subscription identifiers and each as a
// uvarint, then a uvarint count of user properties and each key and value
// length-prefixed.
const (
	propFormat = 1 << iota
	propExpiry
	propAlias
	propCorrelation
)

// encodeProps encodes p onto dst.
func encodeProps(dst []byte, p *broker.Properties) []byte {
	var flags byte
	if p.PayloadFormat != nil {
		flags |= propFormat
	}
	if p.MessageExpiry != nil {
		flags |= propExpiry
	}
	if p.TopicAlias != nil {
		flags |= propAlias
	}
	if p.CorrelationData != nil {
		flags |= propCorrelation
	}
	dst = append(dst, flags)
	if p.PayloadFormat != nil {
		dst = append(dst, *p.PayloadFormat)
	}
	if p.MessageExpiry != nil {
		dst = binary.LittleEndian.AppendUint32(dst, *p.MessageExpiry)
	}
	if p.TopicAlias != nil {
		dst = binary.LittleEndian.AppendUint16(dst, *p.TopicAlias)
	}
	dst = appendLV(dst, p.ContentType)
	dst = appendLV(dst, p.ResponseTopic)
	if p.CorrelationData != nil {
		dst = appendLV(dst, p.CorrelationData)
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.SubscriptionIDs)))
	for _, id := range p.SubscriptionIDs {
		dst = binary.AppendUvarint(dst, uint64(id))
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.User)))
	for _, u := range p.User {
		dst = appendLV(dst, u.Key)
		dst = appendLV(dst, u.Value)
	}
	return dst
}

func appendLV[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// propReader walks an encoding made by encodeProps. The strings it returns
// share the encoding's memory (a slab, which is never written again).
type propReader struct {
	s   string
	bad bool
}

func (r *propReader) byte() byte {
	if len(r.s) < 1 {
		r.bad = true
		return 0
	}
	b := r.s[0]
	r.s = r.s[1:]
	return b
}

func (r *propReader) fixed(n int) string {
	if len(r.s) < n {
		r.bad = true
		return ""
	}
	v := r.s[:n]
	r.s = r.s[n:]
	return v
}

func (r *propReader) uvarint() uint64 {
	v, n := binary.Uvarint(unsafe.Slice(unsafe.StringData(r.s), len(r.s)))
	if n <= 0 {
		r.bad = true
		r.s = ""
		return 0
	}
	r.s = r.s[n:]
	return v
}

func (r *propReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.bad = true
		return ""
	}
	return r.fixed(int(n))
}

// header reads everything before the subscription identifiers into p, or
// skips it when p is nil (no allocation then).
func (r *propReader) header(p *broker.Properties) {
	flags := r.byte()
	if flags&propFormat != 0 {
		b := r.byte()
		if p != nil {
			pf := b // declared here, so that only decoding allocates it
			p.PayloadFormat = &pf
		}
	}
	if flags&propExpiry != 0 {
		f := r.fixed(4)
		if p != nil && len(f) == 4 {
			v := uint32(f[0]) | uint32(f[1])<<8 | uint32(f[2])<<16 | uint32(f[3])<<24
			p.MessageExpiry = &v
		}
	}
	if flags&propAlias != 0 {
		f := r.fixed(2)
		if p != nil && len(f) == 2 {
			v := uint16(f[0]) | uint16(f[1])<<8
			p.TopicAlias = &v
		}
	}
	ct, rt := r.str(), r.str()
	var cd string
	if flags&propCorrelation != 0 {
		cd = r.str()
	}
	if p != nil {
		p.ContentType, p.ResponseTopic = ct, rt
		if flags&propCorrelation != 0 {
			p.CorrelationData = []byte(cd) // a copy: the slab's bytes are never handed out writable
		}
	}
}

// decodeProps rebuilds the Properties encoded in s.
func decodeProps(s string) *broker.Properties {
	p := &broker.Properties{}
	r := propReader{s: s}
	r.header(p)
	if n := r.uvarint(); n > 0 && n <= uint64(len(r.s)) {
		p.SubscriptionIDs = make([]int, 0, n)
		for range n {
			p.SubscriptionIDs = append(p.SubscriptionIDs, int(r.uvarint()))
		}
	}
	if n := r.uvarint(); n > 0 && n <= uint64(len(r.s)) {
		p.User = make([]broker.UserProperty, 0, n)
		for range n {
			k := r.str()
			v := r.str()
			if r.bad {
				break
			}
			p.User = append(p.User, broker.UserProperty{Key: k, Value: v})
		}
	}
	return p
}

// userValue finds the first user property named key in the encoding s
// without allocating.
func userValue(s, key string) (string, bool) {
	r := propReader{s: s}
	r.header(nil)
	for n := r.uvarint(); n > 0 && !r.bad; n-- {
		r.uvarint()
	}
	for n := r.uvarint(); n > 0 && !r.bad; n-- {
		k := r.str()
		v := r.str()
		if !r.bad && k == key {
			return v, true
		}
	}
	return "", false
}

// subscriptionIDs calls fn with each subscription identifier of e, without
// allocating.
func (e *Entry) subscriptionIDs(fn func(int)) {
	if e.Props != nil || e.props == "" {
		if e.Props != nil {
			for _, id := range e.Props.SubscriptionIDs {
				fn(id)
			}
		}
		return
	}
	r := propReader{s: e.props}
	r.header(nil)
	for n := r.uvarint(); n > 0 && !r.bad; n-- {
		if id := r.uvarint(); !r.bad {
			fn(int(id))
		}
	}
}

// Properties returns e's MQTT 5 properties, nil when it had none. For an
// entry in a Store they are decoded from its slab on every call (strings
// shared, nothing to free): read them once per use, not per field.
func (e *Entry) Properties() *broker.Properties {
	if e.Props != nil || e.props == "" {
		return e.Props
	}
	return decodeProps(e.props)
}

// UserValue returns the first user property named key, if any, without
// allocating (the filter language's user.* fields read it per entry).
func (e *Entry) UserValue(key string) (string, bool) {
	if e.Props != nil || e.props == "" {
		return e.Message.UserValue(key)
	}
	return userValue(e.props, key)
}

// Msg returns the message e was built from, properties included (a stored
// entry keeps them encoded, with Message.Props nil).
func (e *Entry) Msg() broker.Message {
	m := e.Message
	m.Props = e.Properties()
	return m
}
