package broker

import "time"

// State is the connection state shown in the status bar.
type State uint8

// Connection states, in the order a session usually goes through them.
const (
	StateIdle         State = iota // not started
	StateConnecting                // dialling and waiting for CONNACK
	StateConnected                 // CONNACK success received
	StateDisconnected              // connection lost or refused; Event.Err says why
	StateWaiting                   // waiting Event.RetryIn before the next attempt
	StateStopped                   // closed by the user; no more events
)

// String gives the word shown in the status bar.
func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateWaiting:
		return "reconnecting"
	case StateStopped:
		return "stopped"
	}
	return "idle"
}

// EventKind tells which fields of an Event are set.
type EventKind uint8

// Event kinds.
const (
	EventState     EventKind = iota // State changed (State, Err, RetryIn, Session)
	EventSubscribe                  // SUBACK results arrived (Subs)
)

// Event is a connection or subscription change, sent through the Bridge so
// that it reaches the UI in order with the messages around it.
type Event struct {
	Kind    EventKind
	Time    time.Time
	State   State
	Server  string        // host:port
	Err     error         // why we are disconnected, or why a subscribe failed as a whole; often a *ReasonError
	RetryIn time.Duration // with StateWaiting
	Session SessionInfo   // with StateConnected
	Subs    []SubResult   // with EventSubscribe
}

// SessionInfo describes the session after a CONNACK.
type SessionInfo struct {
	Present         bool   // the broker resumed a stored session
	Persistent      bool   // we asked for one (session expiry > 0)
	Lost            bool   // we had a session on an earlier connection and the broker no longer has it: queued messages are gone
	ClientID        string // the one in use (assigned by the broker if we sent none)
	ExpirySeconds   uint32 // as granted by the broker, or as requested
	ServerKeepAlive uint16
	ReceiveMax      uint16
	User            []UserProperty // CONNACK user properties (flespi: token, subscriptions)
	Limits          Limits         // what the broker says it supports, from CONNACK
}

// Limits are the CONNACK properties that say what the broker allows, as it
// reported them (MQTT 5 §3.2.2.3). Absent properties keep the protocol's
// defaults: no packet size limit (0), no topic aliases, QoS 2, and retain,
// wildcard, subscription identifier and shared subscriptions available.
type Limits struct {
	MaxPacketSize   uint32 // 0: no limit given
	TopicAliasMax   uint16
	MaxQoS          byte
	RetainAvailable bool
	Wildcards       bool
	SubIDs          bool
	SharedSubs      bool
	ReasonString    string // the broker's words, if it sent any
}

// SubResult is the SUBACK outcome of one topic filter.
type SubResult struct {
	Filter  string
	Code    byte  // the SUBACK reason code: 0-2 are the granted QoS
	Err     error // nil when granted; a *ReasonError otherwise
	Granted byte  // granted QoS when Err is nil
}
