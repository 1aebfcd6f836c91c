package broker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"syscall"
)

// Permanent reports whether a connection error will happen again on the
// next attempt unless the user changes something: the broker refused the
// credentials or the client, the host is unknown, nothing listens on the
// port, the certificate does not verify, or the URL's scheme does not match
// what the port speaks. Resets, timeouts, a broker restarting or busy, and
// everything unknown are transient.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	var re *ReasonError
	if errors.As(err, &re) {
		if re.Packet != "CONNACK" {
			return re.Packet == "SUBACK"
		}
		switch re.Code {
		case 0x80, 0x83, 0x88, 0x03, 0x89, 0x97, 0x9F: // unspecified, server unavailable or busy, quota, rate
			return false
		}
		return true
	}
	var se *SchemeError
	var dnsErr *net.DNSError
	var unk x509.UnknownAuthorityError
	var host x509.HostnameError
	var inv x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	var alert tls.AlertError
	switch {
	case errors.As(err, &se), errors.Is(err, syscall.ECONNREFUSED),
		errors.As(err, &unk), errors.As(err, &host), errors.As(err, &inv), errors.As(err, &cv), errors.As(err, &alert):
		return true
	case errors.As(err, &dnsErr):
		return dnsErr.IsNotFound
	}
	return false
}

// Refused reports whether err is the broker saying no (a CONNACK or SUBACK
// refusal), as opposed to not reaching it.
func Refused(err error) bool {
	var re *ReasonError
	return errors.As(err, &re) && (re.Packet == "CONNACK" || re.Packet == "SUBACK") && Permanent(err)
}

// SchemeError means the URL's scheme does not match what the port speaks:
// TLS on a plain URL, or plain MQTT on a TLS URL. Found by a probe after a
// failed connection attempt (diagnose).
type SchemeError struct {
	PortTLS bool   // the port speaks TLS (and the URL said plain)
	Err     error  // the error the attempt failed with
	Hint    string // e.g. "use mqtts://"
}

// Error gives the sentence with its hint.
func (e *SchemeError) Error() string {
	if e.PortTLS {
		return "the broker speaks TLS on this port: " + e.Hint
	}
	return "the broker does not speak TLS on this port (it answers in plain MQTT): " + e.Hint
}

// Unwrap returns the attempt's own error.
func (e *SchemeError) Unwrap() error { return e.Err }

// diagnose looks closer at a failed attempt that got no CONNACK: if the
// port speaks the other protocol (TLS for mqtt://, plain MQTT for
// mqtts://), it returns a SchemeError saying so. It probes at most once per
// Client (the answer is kept): a broker that closes connections while
// restarting must not be probed on every retry.
func (c *Client) diagnose(err error) error {
	if !probeWorthy(err) {
		return err
	}
	c.mu.Lock()
	done, verdict := c.probed, c.probeTLS
	c.mu.Unlock()
	u := c.opts.URL
	if !done {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		switch u.Scheme {
		case "mqtt":
			verdict = probeTLS(ctx, u.Host, u.Hostname())
		case "mqtts":
			verdict = !probePlain(ctx, u.Host)
		default: // ws, wss: the HTTP layer already says what it got
			verdict = u.Scheme == "wss"
		}
		c.mu.Lock()
		c.probed, c.probeTLS = true, verdict
		c.mu.Unlock()
	}
	switch {
	case u.Scheme == "mqtt" && verdict:
		return &SchemeError{PortTLS: true, Err: err, Hint: "use mqtts://" + u.Host}
	case u.Scheme == "mqtts" && !verdict:
		return &SchemeError{PortTLS: false, Err: err, Hint: "use mqtt://" + u.Host}
	}
	return err
}

// probeWorthy: the attempt reached the port but got no CONNACK (closed,
// reset, garbage, not a TLS record); not refused, unknown host, timeout or
// certificate errors, which say what they are.
func probeWorthy(err error) bool {
	var dnsErr *net.DNSError
	var ne net.Error
	var re *ReasonError
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &rh):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &dnsErr), errors.As(err, &re), errors.Is(err, context.Canceled),
		errors.As(err, &ne) && ne.Timeout():
		return false
	}
	return !Permanent(err)
}
