package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		in, want, wantErr string
	}{
		{in: "mqtt://localhost", want: "mqtt://localhost:1883"},
		{in: "tcp://10.0.0.1:1884", want: "mqtt://10.0.0.1:1884"},
		{in: "mqtts://mqtt.flespi.io", want: "mqtts://mqtt.flespi.io:8883"},
		{in: "ssl://broker", want: "mqtts://broker:8883"},
		{in: "ws://broker/mqtt", want: "ws://broker:80/mqtt"},
		{in: "wss://mqtt.flespi.io", want: "wss://mqtt.flespi.io:443"},
		{in: "mqtt.flespi.io", want: "mqtts://mqtt.flespi.io:8883"},
		{in: "ru-mqtt.flespi.io:8883", want: "mqtts://ru-mqtt.flespi.io:8883"},
		{in: "mqtt://[::1]:1883", want: "mqtt://[::1]:1883"},
		{in: "", wantErr: "empty broker URL"},
		{in: "http://broker", wantErr: `scheme "http" is not one of`},
		{in: "mqtt://", wantErr: "no host"},
		{in: "mqtt://host:99999", wantErr: "port 99999 is not a number from 1 to 65535"},
		{in: "mqtt://:99999", wantErr: "port 99999 is not a number from 1 to 65535"},
		{in: "mqtt://host:0", wantErr: "port 0 is not"},
		{in: "mqtt://host:", wantErr: "port after the colon is missing"},
		{in: "mqtt://host:1883/path?x=1", wantErr: "no path, query or #fragment"},
		{in: "mqtts://host/x", wantErr: "no path, query or #fragment"},
		{in: "mqtt://host?x=1", wantErr: "no path, query or #fragment"},
		{in: "mqtt://host/", want: "mqtt://host:1883"},
		{in: "wss://host/mqtt?x=1", want: "wss://host:443/mqtt?x=1"},
		{in: "ws://host/mqtt#frag", wantErr: "fragment"},
		{in: "mqtt://host:abc", wantErr: "bad broker URL"},
		{in: "mqtt://user:secret@host", wantErr: "not in the URL"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			u, err := ParseURL(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("ParseURL(%q) error = %v, want it to contain %q", c.in, err, c.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", c.in, err)
			}
			if u.String() != c.want {
				t.Fatalf("ParseURL(%q) = %s, want %s", c.in, u, c.want)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("tok3n-value")
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	log.Info("x", "token", s)
	outs := []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v %s %q %x %#v %+v", s, s, s, s, s, s),
		fmt.Sprintf("%v", Options{Token: s, Password: s}), b.String()}
	for _, o := range outs {
		if strings.Contains(o, "tok3n") {
			t.Fatalf("secret leaked: %s", o)
		}
	}
	if s.Reveal() != "tok3n-value" {
		t.Fatal("Reveal lost the value")
	}
}

func TestDefaultClientIDStable(t *testing.T) {
	a, b := DefaultClientID(), DefaultClientID()
	if a != b || !strings.HasPrefix(a, "hubtap-") || len(a) > 64 {
		t.Fatalf("DefaultClientID() = %q then %q", a, b)
	}
}

func TestReasonErrors(t *testing.T) {
	cases := []struct {
		packet   string
		code     byte
		sentinel error
		words    string
	}{
		{"CONNACK", 0x87, ErrNotAuthorized, "not authorized"},
		{"CONNACK", 0x86, ErrBadCredentials, "not authorized: bad user name or password"},
		{"CONNACK", 0x05, ErrBadCredentials, "not authorized"},
		{"SUBACK", 0x87, ErrNotAuthorized, "not authorized: the token's access rights do not cover this topic"},
		{"SUBACK", 0x8F, ErrTopicFilterInvalid, "topic filter invalid"},
		{"DISCONNECT", 0x8E, ErrSessionTakenOver, "session taken over"},
		{"DISCONNECT", 0x97, ErrQuotaExceeded, "quota exceeded"},
		{"CONNACK", 0x97, ErrQuotaExceeded, "session limit"},
		{"DISCONNECT", 0x8B, nil, "shutting down"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s_%02X", c.packet, c.code), func(t *testing.T) {
			err := error(&ReasonError{Packet: c.packet, Code: c.code})
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.sentinel)
			}
			if !strings.Contains(err.Error(), c.words) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), c.words)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("0x%02X", c.code)) {
				t.Errorf("Error() = %q lacks the code", err.Error())
			}
		})
	}
	if got := Explain("SUBACK", 1); got != "granted QoS 1" {
		t.Errorf("Explain(SUBACK, 1) = %q", got)
	}
}
