package broker

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// Flespi hosts, offered as presets.
const (
	FlespiHost   = "mqtt.flespi.io"
	FlespiRUHost = "ru-mqtt.flespi.io"
	// FlespiURL is the default URL when a flespi token is given without --url.
	FlespiURL = "mqtts://" + FlespiHost + ":8883"
)

// Options configure a Client. The zero value is not usable: URL is required.
type Options struct {
	URL           *url.URL      // from ParseURL
	Username      string        // for flespi: the token goes in Password-less Username, see Token
	Token         Secret        // flespi token: sent as the user name with a blank password
	Password      Secret        // for other brokers
	ClientID      string        // stable, so that a restart resumes the session
	SessionExpiry time.Duration // 0 means a clean session that ends with the connection
	QoS           byte          // subscription QoS, 0 or 1
	Topics        []string      // topic filters subscribed on every connection up
	KeepAlive     time.Duration // 0 means 60 s
	TLS           *tls.Config   // nil means verify against the system roots
	Logger        *slog.Logger  // nil means discard
	// HadSession says this client ID had a persistent session on this broker
	// when hubtap last ran (from hubtap's state file); if the broker then has
	// none, the status tells the user that queued messages were lost.
	HadSession bool
	// Tap, if set, sees every received message on paho's goroutine before
	// the sink, so nothing it records can be dropped by the UI. It must be
	// quick and must not keep the Message's slices beyond the call unless it
	// treats them as read-only (they are shared with history).
	Tap func(*Message)
	// HoldRefused: a QoS 1 message the sink refuses (Offer returns false:
	// it has stopped for good) is held, unacknowledged, until the
	// connection closes, so that a persistent session keeps it for next
	// time. Without it paho acknowledges every message its handler returns
	// from. Holding stops paho's router: a sink must not refuse and go on.
	HoldRefused bool
	// BeforeAck, if set, runs before the connection sends what paho wrote
	// (acknowledgements above all), with every message whose
	// acknowledgement is about to go already offered to the sink: a sink
	// that buffers its output flushes it here, so the broker forgets no
	// message before its bytes are out. An error drops what was to be sent
	// and closes the connection without a DISCONNECT, leaving those
	// messages unacknowledged in the session.
	BeforeAck func() error
	// Backoff gives the delay before reconnect attempt n (n >= 1). nil means
	// exponential from 1 s to 60 s. Tests shorten it.
	Backoff func(attempt int) time.Duration
}

// username returns what goes in the CONNECT user name field.
func (o *Options) username() string {
	if !o.Token.Empty() {
		return o.Token.Reveal()
	}
	return o.Username
}

// ParseURL checks a broker URL and fills in the default port for its scheme.
// Accepted schemes: mqtt (1883), mqtts (8883), ws (80), wss (443) and the
// aliases tcp, ssl, tls. A bare host such as "mqtt.flespi.io" means mqtts.
func ParseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("empty broker URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "mqtts://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad broker URL %q: %v", raw, unwrapURLError(err))
	}
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "mqtt", "tcp":
		u.Scheme, port = "mqtt", "1883"
	case "mqtts", "ssl", "tls":
		u.Scheme, port = "mqtts", "8883"
	case "ws":
		port = "80"
	case "wss":
		port = "443"
	default:
		return nil, fmt.Errorf("bad broker URL %q: scheme %q is not one of mqtt://, mqtts://, ws://, wss://", raw, u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("bad broker URL: put credentials in --token or --username/--password, not in the URL")
	}
	if p := u.Port(); p != "" { // before the host: "mqtt://:99999" is a bad port first
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("bad broker URL %q: port %s is not a number from 1 to 65535", raw, p)
		}
		port = p
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, fmt.Errorf("bad broker URL %q: the port after the colon is missing", raw)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("bad broker URL %q: no host", raw)
	}
	if u.Scheme == "mqtt" || u.Scheme == "mqtts" {
		// MQTT over TCP has no path or query: a URL with one is a mistake
		// (a WebSocket URL given the wrong scheme, or a copied web address).
		if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
			return nil, fmt.Errorf("bad broker URL %q: %s:// takes only a host and a port, no path, query or #fragment (for MQTT over WebSocket use ws:// or wss://)", raw, u.Scheme)
		}
		u.Path, u.RawPath = "", ""
	} else if u.Fragment != "" {
		return nil, fmt.Errorf("bad broker URL %q: a #fragment is never sent to the broker: remove it", raw)
	}
	u.Host = net.JoinHostPort(host, port)
	return u, nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// Encrypted reports whether the URL's transport uses TLS.
func Encrypted(u *url.URL) bool { return u.Scheme == "mqtts" || u.Scheme == "wss" }

// DefaultClientID returns a client ID that is the same on every run for this
// user on this machine, so a restarted hubtap resumes its persistent session.
// Two hubtaps on one machine need distinct IDs (--client-id), or they take
// the session over from each other.
func DefaultClientID() string {
	name := "user"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	id := "hubtap-" + clean(name) + "@" + clean(host)
	if len(id) > 64 {
		id = id[:64]
	}
	return id
}

func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}
