// Package broker connects to an MQTT 5 broker with autopaho and turns what it
// receives into Message values and connection Events. It never imports the UI:
// everything leaves through a Bridge, which batches for the UI's frame rate.
package broker

import "time"

// Message is one received PUBLISH, copied out of paho so that paho's buffers
// can be reused. It is immutable once it leaves the broker package.
type Message struct {
	Seq       uint64    // receive order, starting at 1, unique within one process
	Topic     string    // as received (topic aliases already resolved by paho)
	Payload   []byte    // owned by the Message; never modified
	QoS       byte      // 0 or 1 (hubtap never requests 2)
	Retain    bool      // retained replay from the broker
	Duplicate bool      // MQTT DUP flag: the broker is re-sending
	Received  time.Time // local receive time
	PacketID  uint16    // the PUBLISH packet identifier (0 at QoS 0)
	Props     *Properties
}

// Properties holds the MQTT 5 PUBLISH properties that a debugger shows. It is
// nil on a Message that carried none, to keep memory close to payload size.
type Properties struct {
	ContentType     string
	ResponseTopic   string
	CorrelationData []byte
	PayloadFormat   *byte   // 1 means the sender says the payload is UTF-8
	MessageExpiry   *uint32 // seconds, as forwarded by the broker
	SubscriptionIDs []int
	TopicAlias      *uint16        // the alias the broker used (paho has already resolved the topic)
	User            []UserProperty // in wire order; keys may repeat
}

// UserProperty is one MQTT 5 user property (key/value pair).
type UserProperty struct{ Key, Value string }

// UserValue returns the first user property named key, if any.
func (m *Message) UserValue(key string) (string, bool) {
	if m.Props == nil {
		return "", false
	}
	for _, u := range m.Props.User {
		if u.Key == key {
			return u.Value, true
		}
	}
	return "", false
}
