package broker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
)

func TestPermanent(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"bad token", &ReasonError{Packet: "CONNACK", Code: 0x86}, true},
		{"not authorized", &ReasonError{Packet: "CONNACK", Code: 0x87}, true},
		{"banned", &ReasonError{Packet: "CONNACK", Code: 0x8A}, true},
		{"server unavailable", &ReasonError{Packet: "CONNACK", Code: 0x88}, false},
		{"server busy", &ReasonError{Packet: "CONNACK", Code: 0x89}, false},
		{"quota", &ReasonError{Packet: "CONNACK", Code: 0x97}, false},
		{"subscription refused", &ReasonError{Packet: "SUBACK", Code: 0x87}, true},
		{"server shutting down", &ReasonError{Packet: "DISCONNECT", Code: 0x8B}, false},
		{"connection refused", plainNetError(fmt.Errorf("dial: %w", syscall.ECONNREFUSED)), true},
		{"reset", plainNetError(fmt.Errorf("read: %w", syscall.ECONNRESET)), false},
		{"closed", plainNetError(io.EOF), false},
		{"host not found", plainNetError(&net.DNSError{Name: "nonexistent.invalid", IsNotFound: true}), true},
		{"dns timeout", plainNetError(&net.DNSError{Name: "x", IsTimeout: true}), false},
		{"unknown CA", plainNetError(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), true},
		{"wrong host", plainNetError(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "h"}), true},
		{"scheme", &SchemeError{PortTLS: true, Err: io.EOF, Hint: "use mqtts://h:1"}, true},
		{"unknown", errors.New("something"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Permanent(c.err); got != c.want {
				t.Fatalf("Permanent(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}

func TestCredentialWords(t *testing.T) {
	cases := []struct {
		code byte
		cred Credentials
		want string
	}{
		{0x87, Credentials{Kind: "flespi token", TokenLen: 64}, "the broker refused the token"},
		{0x86, Credentials{Kind: "flespi token", TokenLen: 12}, "flespi tokens are 64 characters, this one is 12"},
		{0x87, Credentials{Kind: "flespi token", TokenLen: 5}, "refused the token (flespi tokens are 64 characters, this one is 5)"},
		{0x87, Credentials{Kind: "user name and password"}, "refused this user name and password"},
		{0x86, Credentials{Kind: "user name and password"}, "bad user name and password"},
		{0x87, Credentials{Kind: "none"}, "the broker wants credentials"},
		{0x05, Credentials{Kind: "none"}, "wants a user name and password"},
		{0x87, Credentials{}, "not authorized: the broker refused the token"}, // unknown: the old words
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%02X_%s", c.code, c.cred.Kind), func(t *testing.T) {
			e := &ReasonError{Packet: "CONNACK", Code: c.code, Cred: c.cred}
			if !strings.Contains(e.Error(), c.want) {
				t.Fatalf("Error() = %q, want it to contain %q", e.Error(), c.want)
			}
			if !Refused(e) {
				t.Fatalf("Refused(%v) = false", e)
			}
		})
	}
}

// TestServerWordsNotRepeated: the broker's reason string is added unless it
// only repeats what hubtap already says.
func TestServerWordsNotRepeated(t *testing.T) {
	cred := Credentials{Kind: "flespi token", TokenLen: 64}
	same := &ReasonError{Packet: "CONNACK", Code: 0x87, Cred: cred, Server: "not authorized"}
	if got := same.Error(); got != "not authorized: the broker refused the token (CONNACK 0x87)" {
		t.Errorf("Error() = %q: the broker's words repeat ours", got)
	}
	more := &ReasonError{Packet: "CONNACK", Code: 0x87, Cred: cred, Server: "token expired"}
	if got := more.Error(); !strings.Contains(got, ": token expired (CONNACK 0x87)") {
		t.Errorf("Error() = %q: the broker's own words are missing", got)
	}
}
