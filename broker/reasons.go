package broker

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors for the MQTT 5 reason codes the UI explains. Use errors.Is.
var (
	ErrNotAuthorized      = errors.New("not authorized")
	ErrBadCredentials     = errors.New("bad user name or password")
	ErrSessionTakenOver   = errors.New("session taken over")
	ErrTopicFilterInvalid = errors.New("topic filter invalid")
	ErrQuotaExceeded      = errors.New("quota exceeded")
	ErrServerUnavailable  = errors.New("server unavailable")
)

// ReasonError is an MQTT 5 reason code (from CONNACK, SUBACK or DISCONNECT)
// with its plain-words explanation. It unwraps to one of the sentinels above
// when there is one.
type ReasonError struct {
	Packet string // "CONNACK", "SUBACK", "DISCONNECT"
	Code   byte
	Server string // the broker's reason string, if it sent one (sanitise before display)
	// Cred is what the refused CONNECT carried (CONNACK only), so a refusal
	// names it: the token, the user name and password, or nothing. The zero
	// value says nothing about it.
	Cred Credentials
}

// Error gives the sentence shown to users, e.g.
// "not authorized: the broker refused the token (CONNACK 0x87)".
func (e *ReasonError) Error() string {
	s := Explain(e.Packet, e.Code)
	if e.Packet == "CONNACK" {
		if w := credWords(e.Code, e.Cred); w != "" {
			s = w
		}
	}
	// The broker's own words, unless they only repeat ours ("not
	// authorized: the broker refused the token: not authorized").
	if e.Server != "" && !strings.Contains(strings.ToLower(s), strings.ToLower(strings.TrimSpace(e.Server))) {
		s += ": " + e.Server
	}
	return fmt.Sprintf("%s (%s 0x%02X)", s, e.Packet, e.Code)
}

// Unwrap returns the sentinel matching the code, or nil.
func (e *ReasonError) Unwrap() error {
	switch e.Code {
	case 0x87:
		return ErrNotAuthorized
	case 0x86, 0x04, 0x05:
		return ErrBadCredentials
	case 0x8E:
		return ErrSessionTakenOver
	case 0x8F:
		return ErrTopicFilterInvalid
	case 0x97:
		return ErrQuotaExceeded
	case 0x88, 0x03:
		return ErrServerUnavailable
	}
	return nil
}

// credWords explains a CONNACK refusal of credentials by what was sent;
// "" when the code is not about credentials or the kind is unknown.
func credWords(code byte, c Credentials) string {
	switch code {
	case 0x87: // not authorized
		switch c.Kind {
		case "flespi token":
			if c.TokenLen != flespiTokenLen {
				return fmt.Sprintf("not authorized: the broker refused the token (flespi tokens are %d characters, this one is %d)", flespiTokenLen, c.TokenLen)
			}
			return "not authorized: the broker refused the token"
		case "user name and password", "user name":
			return "not authorized: the broker refused this " + c.Kind
		case "none":
			return "not authorized: the broker wants credentials (--token, or --username with --password-file)"
		}
	case 0x86, 0x04, 0x05: // bad user name or password; MQTT 3.1.1 codes 4 and 5
		switch c.Kind {
		case "flespi token":
			if c.TokenLen != flespiTokenLen {
				return fmt.Sprintf("not authorized: the broker does not accept this token (flespi tokens are %d characters, this one is %d)", flespiTokenLen, c.TokenLen)
			}
			return "not authorized: the broker does not accept this token"
		case "user name and password", "user name":
			return "not authorized: bad " + c.Kind
		case "none":
			return "not authorized: the broker wants a user name and password"
		}
	}
	return ""
}

// Explain turns a reason code into plain words. packet selects the meaning
// where codes overlap between packet types (0x00-0x02 in SUBACK are the
// granted QoS, 0x04 in DISCONNECT is "with will message").
func Explain(packet string, code byte) string {
	switch packet {
	case "SUBACK":
		switch code {
		case 0x00, 0x01, 0x02:
			return fmt.Sprintf("granted QoS %d", code)
		case 0x80:
			return "refused by the broker (unspecified error)"
		case 0x83:
			return "refused: implementation specific error"
		case 0x87:
			return "not authorized: the token's access rights do not cover this topic"
		case 0x8F:
			return "refused: topic filter invalid"
		case 0x91:
			return "refused: packet identifier in use"
		case 0x97:
			return "refused: quota exceeded"
		case 0x9E:
			return "refused: shared subscriptions not supported"
		case 0xA1:
			return "refused: subscription identifiers not supported"
		case 0xA2:
			return "refused: wildcard subscriptions not supported"
		}
	case "CONNACK":
		switch code {
		case 0x00:
			return "connected"
		case 0x04, 0x05, 0x86:
			// MQTT 3.1.1 return codes 4 and 5 and MQTT 5 0x86 all mean the credentials were refused.
			return "not authorized: bad user name or password (check the token)"
		case 0x87:
			return "not authorized: the broker refused the token"
		case 0x80:
			return "connection refused: unspecified error"
		case 0x81:
			return "connection refused: malformed packet"
		case 0x82:
			return "connection refused: protocol error"
		case 0x83:
			return "connection refused: implementation specific error"
		case 0x84, 0x01:
			return "connection refused: MQTT 5 not supported by this broker"
		case 0x85, 0x02:
			return "connection refused: client identifier not valid"
		case 0x88, 0x03:
			return "server unavailable"
		case 0x89:
			return "server busy"
		case 0x8A:
			return "banned by the broker"
		case 0x8C:
			return "bad authentication method"
		case 0x90:
			return "connection refused: topic name invalid"
		case 0x95:
			return "connection refused: packet too large"
		case 0x97:
			return "quota exceeded: the account's session limit is reached"
		case 0x99:
			return "connection refused: payload format invalid"
		case 0x9A:
			return "connection refused: retain not supported"
		case 0x9B:
			return "connection refused: QoS not supported"
		case 0x9C:
			return "use another server"
		case 0x9D:
			return "server moved"
		case 0x9F:
			return "connection rate exceeded"
		}
	case "PUBACK":
		switch code {
		case 0x00:
			return "delivered"
		case 0x10:
			return "accepted, but nobody is subscribed"
		case 0x80:
			return "refused by the broker (unspecified error)"
		case 0x83:
			return "refused: implementation specific error"
		case 0x87:
			return "not authorized to publish on this topic"
		case 0x90:
			return "refused: topic name invalid"
		case 0x97:
			return "refused: quota exceeded"
		case 0x99:
			return "refused: payload format invalid"
		}
	case "DISCONNECT":
		switch code {
		case 0x00:
			return "disconnected normally"
		case 0x04:
			return "disconnected (with will message)"
		case 0x80:
			return "disconnected by the broker: unspecified error"
		case 0x81:
			return "disconnected: malformed packet"
		case 0x82:
			return "disconnected: protocol error"
		case 0x83:
			return "disconnected: implementation specific error"
		case 0x87:
			return "disconnected: not authorized"
		case 0x89:
			return "disconnected: server busy"
		case 0x8B:
			return "disconnected: the server is shutting down"
		case 0x8D:
			return "disconnected: keep alive timeout"
		case 0x8E:
			return "session taken over: another client connected with the same client ID"
		case 0x8F:
			return "disconnected: the last topic filter was rejected as invalid"
		case 0x90:
			return "disconnected: topic name invalid"
		case 0x93:
			return "disconnected: receive maximum exceeded"
		case 0x94:
			return "disconnected: topic alias invalid"
		case 0x95:
			return "disconnected: packet too large"
		case 0x96:
			return "disconnected: message rate too high"
		case 0x97:
			return "disconnected: quota exceeded (session queue full?)"
		case 0x98:
			return "disconnected: administrative action"
		case 0x99:
			return "disconnected: payload format invalid"
		case 0x9C:
			return "disconnected: use another server"
		case 0x9D:
			return "disconnected: server moved"
		case 0x9F:
			return "disconnected: connection rate exceeded"
		case 0xA0:
			return "disconnected: maximum connect time reached"
		}
	}
	return fmt.Sprintf("%s reason 0x%02X", packet, code)
}
