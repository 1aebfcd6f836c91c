package flespi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
)

const secret = "TOKENabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV"

func TestRESTBase(t *testing.T) {
	cases := []struct {
		host, want string
		ok         bool
	}{
		{"mqtt.flespi.io", "https://flespi.io", true},
		{"mqtt.flespi.io:8883", "https://flespi.io", true},
		{"MQTT.flespi.io.", "https://flespi.io", true},
		{"ru-mqtt.flespi.io", "https://ru.flespi.io", true},
		{"ru-mqtt.flespi.io:443", "https://ru.flespi.io", true},
		{"127.0.0.1:1883", "", false},
		{"flespi.io", "", false},
	}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			got, ok := RESTBase(c.host)
			if got != c.want || ok != c.ok {
				t.Fatalf("RESTBase(%q) = %q, %v; want %q, %v", c.host, got, ok, c.want, c.ok)
			}
		})
	}
}

func server(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tr, err := NewHTTPS(srv.URL, broker.Secret(secret), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return New(tr, nil, ModeHTTPS, false)
}

func TestAuthorizationHeaderAndResult(t *testing.T) {
	var gotAuth, gotPath string
	c := server(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.RequestURI()
		_, _ = w.Write([]byte(`{"result":[{"id":182083,"name":"Truck 17","device_type_id":31,"connected":true,"last_active":1000,"configuration":{"ident":"352625066004561"}}]}`))
	})
	d, err := c.DeviceByIdent(context.Background(), "352625066004561")
	if err != nil {
		t.Fatal(err)
	}
	if gotAuth != "FlespiToken "+secret {
		t.Errorf("Authorization header = %q, want FlespiToken <token>", gotAuth)
	}
	if !strings.HasPrefix(gotPath, `/gw/devices/configuration.ident=%22352625066004561%22?fields=`) {
		t.Errorf("path = %q, want the configuration.ident selector with fields", gotPath)
	}
	words := DeviceWords("352625066004561", d, time.Unix(1012, 0))
	want := "352625066004561: registered as Truck 17 (id 182083, type 31), connected, last active 12 s ago"
	if words != want {
		t.Errorf("words:\n got %q\nwant %q", words, want)
	}
}

func TestIdentNotRegistered(t *testing.T) {
	for _, body := range []string{`{"result":[]}`, `{"errors":[{"code":404,"reason":"not found"}]}`} {
		c := server(t, func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(body, "errors") {
				w.WriteHeader(404)
			}
			_, _ = w.Write([]byte(body))
		})
		d, err := c.DeviceByIdent(context.Background(), "860000000000001")
		if err != nil || d != nil {
			t.Fatalf("body %s: got %+v, %v; want no device and no error", body, d, err)
		}
		if got := DeviceWords("860000000000001", nil, time.Now()); !strings.Contains(got, "not registered on this account: the channel receives it, no device is created for it") {
			t.Errorf("words for no device: %q", got)
		}
	}
}

func TestErrorBodyIsOneSentenceWithoutToken(t *testing.T) {
	c := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		_, _ = w.Write([]byte(`{"errors":[{"code":403,"reason":"access denied"},{"code":2,"reason":"bad selector"}]}`))
	})
	_, err := c.Sessions(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	want := "GET mqtt/sessions/all: flespi refused (status 403): access denied (code 403); bad selector (code 2) — the token may not do this (an ACL token lists what it may)"
	if err.Error() != want {
		t.Errorf("error:\n got %q\nwant %q", err.Error(), want)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error holds the token or a newline: %q", err)
	}
}

func TestTimeoutSaysSoWithoutToken(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	tr, _ := NewHTTPS(srv.URL+"/", broker.Secret(secret), 50*time.Millisecond)
	c := New(tr, nil, ModeHTTPS, false)
	_, err := c.TokenInfo(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v, want a timeout in words", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error holds the token: %q", err)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	called := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	t.Cleanup(srv.Close)
	tr, _ := NewHTTPS(srv.URL, broker.Secret(secret), time.Second)
	c := New(tr, nil, ModeHTTPS, true)
	_, err := c.QueueCommand(context.Background(), 1, "getinfo", nil, 0)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("QueueCommand err = %v, want ErrReadOnly", err)
	}
	if err := c.DeleteSession(context.Background(), "x"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("DeleteSession err = %v, want ErrReadOnly", err)
	}
	if called {
		t.Error("a write reached the server in read-only mode")
	}
}

type fakeMQTT struct {
	calls []string
	reply broker.Reply
}

func (f *fakeMQTT) Request(_ context.Context, method, uri string, _ []byte) (*broker.Reply, error) {
	f.calls = append(f.calls, method+" "+uri)
	r := f.reply
	return &r, nil
}

func TestAutoFallsBackToMQTT(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	base := srv.URL
	srv.Close() // connection refused from now on
	tr, _ := NewHTTPS(base, broker.Secret(secret), time.Second)
	f := &fakeMQTT{reply: broker.Reply{Payload: []byte(`{"result":[{"id":5,"cid":7,"access":{"type":2}}]}`)}}
	c := New(tr, MQTT{R: f}, ModeAuto, false)
	tok, err := c.TokenInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.CID != 7 || len(f.calls) != 1 || f.calls[0] != "get auth/info" || c.Via() != "MQTT" {
		t.Fatalf("token %+v, MQTT calls %v, via %q; want cid 7 through one MQTT get auth/info, then MQTT", tok, f.calls, c.Via())
	}
}

func TestMessagesQuery(t *testing.T) {
	var q string
	c := server(t, func(w http.ResponseWriter, r *http.Request) {
		q = r.URL.Query().Get("data")
		_, _ = w.Write([]byte(`{"result":[{"ident":"1","timestamp":100},{"ident":"1","timestamp":160}]}`))
	})
	ms, err := c.Messages(context.Background(), 42, time.Unix(100, 0), time.Unix(400, 0))
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]int64
	if err := json.Unmarshal([]byte(q), &d); err != nil || d["from"] != 100 || d["to"] != 400 || len(ms) != 2 {
		t.Fatalf("data=%q (%v), %d messages; want from 100 to 400 and 2 messages", q, err, len(ms))
	}
}

func TestSessionsDecode(t *testing.T) {
	c := server(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"result":[{"client_id":"a","connected":true,"subscriptions":[{"topic":"flespi/#"}],"queued":3,"session_expiry":3600},{"client_id":"b","subscriptions":2}]}`))
	})
	ss, err := c.Sessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].ClientID != "a" || !ss[0].Connected || ss[0].Subscriptions != 1 || ss[0].Topics[0] != "flespi/#" ||
		ss[0].Queued != 3 || ss[0].Expiry != time.Hour || ss[1].Subscriptions != 2 || ss[1].Connected {
		t.Fatalf("sessions = %+v", ss)
	}
}
