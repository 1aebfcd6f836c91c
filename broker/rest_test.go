package broker_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/tidwall/gjson"

	"hubtap/broker"
	"hubtap/sim"
)

// restClient connects to url and waits until the initial subscription (if
// any) is acknowledged, so Topics() is settled.
func restClient(t *testing.T, h *harness, url, token, clientID string, topics ...string) *broker.Client {
	t.Helper()
	c := connect(t, h, url, token, clientID, topics...)
	h.waitFor("connected", func(_ []broker.Message, evs []broker.Event) bool {
		_, ok := connected(evs)
		return ok && (len(topics) == 0 || subResults(evs) != nil)
	})
	return c
}

// assertNotDelivered publishes late to topic and then a marker to
// hubtap/test/marker (which the client subscribes to); once the marker is in,
// late must not be: the sim delivers one publisher's messages in order.
func assertNotDelivered(t *testing.T, h *harness, s *sim.Sim, topic string) {
	t.Helper()
	if err := s.Publish(topic, []byte("late"), false, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish("hubtap/test/marker", []byte("marker"), false, 1); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the marker", func(msgs []broker.Message, _ []broker.Event) bool {
		return slices.ContainsFunc(msgs, func(m broker.Message) bool { return m.Topic == "hubtap/test/marker" })
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.msgs {
		if m.Topic == topic && string(m.Payload) == "late" {
			t.Fatalf("a message on %s arrived after the request ended: the temporary subscription is still there", topic)
		}
	}
}

func TestRESTGetDevices(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1, Devices: 7, Seed: 11})
	h := newHarness(t)
	c := restClient(t, h, s.URL(), sim.DemoToken, "rest-get", "hubtap/test/#")
	before := c.Topics()

	r, err := c.Request(h.ctx, "GET", "gw/devices/all", nil)
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	if r.Status != 200 || !r.Correlated || len(r.Errors) != 0 || r.Elapsed <= 0 {
		t.Fatalf("reply status %d correlated %v errors %v elapsed %v", r.Status, r.Correlated, r.Errors, r.Elapsed)
	}
	if !strings.HasPrefix(r.Topic, "hubtap/rest/rest-get/") {
		t.Errorf("reply on %s, want the private response topic", r.Topic)
	}
	res := gjson.GetBytes(r.Payload, "result").Array()
	if len(res) != len(s.Devices()) {
		t.Fatalf("%d devices in the reply, want %d: %s", len(res), len(s.Devices()), r.Payload)
	}
	for i, d := range s.Devices() {
		if res[i].Get("id").Int() != d.ID || res[i].Get("configuration.ident").String() != d.Ident {
			t.Errorf("device %d: %s, want id %d ident %s", i, res[i].Raw, d.ID, d.Ident)
		}
	}
	if got := c.Topics(); !slices.Equal(got, before) {
		t.Errorf("Topics() = %v after the request, want %v", got, before)
	}
	// The reply is not stolen from the UI: the sink got it too.
	h.waitFor("the reply in the sink", func(msgs []broker.Message, _ []broker.Event) bool {
		return slices.ContainsFunc(msgs, func(m broker.Message) bool { return m.Topic == r.Topic })
	})
	assertNotDelivered(t, h, s, r.Topic)
	assertNotDelivered(t, h, s, "flespi/rest/get/gw/devices/all")
}

func TestRESTReplies(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1, Devices: 3, Seed: 12})
	devs := s.Devices()
	h := newHarness(t)
	c := restClient(t, h, s.URL(), sim.DemoToken, "rest-replies")
	id0, id2 := strconv.FormatInt(devs[0].ID, 10), strconv.FormatInt(devs[2].ID, 10)
	cases := []struct {
		method, uri, body string
		status, results   int
		errors            []string
	}{
		{method: "get", uri: "gw/devices/" + id0 + "," + id2, status: 200, results: 2},
		{method: "get", uri: "gw/devices/" + id0 + ",999", status: 200, results: 1, errors: []string{"device not found"}},
		{method: "get", uri: "gw/devices/999", status: 404, errors: []string{"device not found"}},
		{method: "get", uri: "gw/channels/all", status: 200, results: 2},
		{method: "get", uri: "platform/customer", status: 200, results: 1},
		{method: "get", uri: "gw/nothing/here", status: 404, errors: []string{"resource not found: gw/nothing/here (the simulator answers gw/devices, gw/channels, gw/devices/{id}/commands-queue and platform/customer)"}},
		{method: "put", uri: "gw/devices/" + id0, body: `{"name":"x"}`, status: 405, errors: []string{"the simulator only reads here: get is answered (and post on gw/devices/{id}/commands-queue)"}},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.uri, func(t *testing.T) {
			r, err := c.Request(h.ctx, tc.method, tc.uri, []byte(tc.body))
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			if r.Status != tc.status || !r.Correlated || !slices.Equal(r.Errors, tc.errors) {
				t.Errorf("status %d correlated %v errors %q, want %d true %q", r.Status, r.Correlated, r.Errors, tc.status, tc.errors)
			}
			if n := len(gjson.GetBytes(r.Payload, "result").Array()); n != tc.results {
				t.Errorf("%d results, want %d: %s", n, tc.results, r.Payload)
			}
		})
	}
}

// TestRESTConcurrentRequestsPair: parallel requests each get their own reply.
func TestRESTConcurrentRequestsPair(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1, Devices: 6, Seed: 13})
	h := newHarness(t)
	c := restClient(t, h, s.URL(), sim.DemoToken, "rest-parallel")
	devs := s.Devices()
	errs := make(chan error, len(devs))
	for _, d := range devs {
		go func() {
			r, err := c.Request(h.ctx, "get", "gw/devices/"+strconv.FormatInt(d.ID, 10), nil)
			switch {
			case err != nil:
				errs <- err
			case gjson.GetBytes(r.Payload, "result.0.id").Int() != d.ID || !r.Correlated:
				errs <- fmt.Errorf("request for %d got %s (correlated %v)", d.ID, r.Payload, r.Correlated)
			default:
				errs <- nil
			}
		}()
	}
	for range devs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestRESTACLTokenPairsByTopic: the ACL token cannot read its own namespace,
// so the reply is paired on the request topic.
func TestRESTACLTokenPairsByTopic(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1, Devices: 2, Seed: 14})
	h := newHarness(t)
	c := restClient(t, h, s.URL(), sim.ACLToken, "rest-acl")
	own := "gw/channels/" + strconv.Itoa(sim.ACLChannelID)
	r, err := c.Request(h.ctx, "get", own, nil)
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	if r.Status != 200 || r.Correlated || r.Topic != "flespi/rest/get/"+own {
		t.Errorf("reply on %s status %d correlated %v, want 200 on the request topic", r.Topic, r.Status, r.Correlated)
	}
	r, err = c.Request(h.ctx, "get", "gw/devices/all", nil)
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	if r.Status != 403 || len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0], "access denied") {
		t.Errorf("status %d errors %q, want 403 access denied", r.Status, r.Errors)
	}
}

func TestRESTTimeout(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1, NoREST: true})
	h := newHarness(t)
	c := restClient(t, h, s.URL(), sim.DemoToken, "rest-timeout", "hubtap/test/#")
	before := c.Topics()
	ctx, cancel := context.WithTimeout(h.ctx, 500*time.Millisecond)
	defer cancel()
	r, err := c.Request(ctx, "get", "gw/devices/all", nil)
	if !errors.Is(err, broker.ErrNoReply) || r != nil {
		t.Fatalf("Request = %v, %v; want ErrNoReply", r, err)
	}
	if want := "no reply from the broker in 500 ms (REST over MQTT is experimental, see docs/FLESPI.md)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if got := c.Topics(); !slices.Equal(got, before) {
		t.Errorf("Topics() = %v after the request, want %v", got, before)
	}
	assertNotDelivered(t, h, s, "flespi/rest/get/gw/devices/all")
}

// TestRESTIgnoresOwnEcho: on a plain broker the request comes back on the
// request topic; it is not taken for the reply, while a third party's reply
// there is (paired by topic).
func TestRESTIgnoresOwnEcho(t *testing.T) {
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: slog.New(slog.DiscardHandler)})
	if err := srv.AddHook(new(allowAll), nil); err != nil { // allowAll: tls_test.go
		t.Fatal(err)
	}
	l := listeners.NewTCP(listeners.Config{ID: "t", Address: "127.0.0.1:0"})
	if err := srv.AddListener(l); err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve() }()
	t.Cleanup(func() { _ = srv.Close() })
	url := "mqtt://" + l.Address()

	const topic = "flespi/rest/post/gw/things"
	body := []byte(`{"result":"this is the request"}`) // looks like a reply on purpose
	h := newHarness(t)
	c := restClient(t, h, url, "tok", "rest-echo")
	hr := newHarness(t)
	responder := restClient(t, hr, url, "tok", "rest-responder", "flespi/rest/#")

	type result struct {
		r   *broker.Reply
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := c.Request(h.ctx, "post", "gw/things", body)
		done <- result{r, err}
	}()
	hr.waitFor("the request", func(msgs []broker.Message, _ []broker.Event) bool {
		return slices.ContainsFunc(msgs, func(m broker.Message) bool { return m.Topic == topic })
	})
	h.waitFor("the echo", func(msgs []broker.Message, _ []broker.Event) bool {
		return slices.ContainsFunc(msgs, func(m broker.Message) bool { return m.Topic == topic })
	})
	reply := []byte(`{"result":[{"id":1}]}`)
	if err := responder.Publish(h.ctx, topic, reply, 1, false); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("Request: %v", res.err)
	}
	if !bytes.Equal(res.r.Payload, reply) || res.r.Correlated || res.r.Status != 200 || res.r.Topic != topic {
		t.Fatalf("reply %s on %s status %d correlated %v, want the responder's", res.r.Payload, res.r.Topic, res.r.Status, res.r.Correlated)
	}

	// With only the echo, nothing is taken and the request times out.
	ctx, cancel := context.WithTimeout(h.ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := c.Request(ctx, "post", "gw/other", body); !errors.Is(err, broker.ErrNoReply) {
		t.Fatalf("echo only: %v, want ErrNoReply", err)
	}
}

func TestRESTTopic(t *testing.T) {
	cases := []struct {
		method, uri, want, wantErr string
	}{
		{method: "get", uri: "gw/devices/all", want: "flespi/rest/get/gw/devices/all"},
		{method: "GET", uri: "gw/devices/1,2", want: "flespi/rest/get/gw/devices/1,2"},
		{method: " Delete ", uri: "gw/devices/1", want: "flespi/rest/delete/gw/devices/1"},
		{method: "patch", uri: "gw/devices/1?fields=id", want: "flespi/rest/patch/gw/devices/1?fields=id"},
		{method: "head", uri: "gw/devices/all", wantErr: "use get, post, put, patch or delete"},
		{method: "", uri: "gw/devices/all", wantErr: "use get"},
		{method: "get", uri: "", wantErr: "empty URI"},
		{method: "get", uri: "/gw/devices/all", wantErr: "leading slash"},
		{method: "get", uri: "flespi/rest/get/gw/devices/all", wantErr: "without flespi/rest"},
		{method: "get", uri: "gw/devices/+", wantErr: "wildcards"},
		{method: "get", uri: "gw/#", wantErr: "wildcards"},
		{method: "get", uri: "gw/devices/ all", wantErr: "no spaces"},
		{method: "get", uri: "gw/devices/\x00", wantErr: "no spaces or control"},
		{method: "get", uri: "gw//devices", wantErr: "empty path level"},
		{method: "get", uri: "gw/devices/", wantErr: "empty path level"},
		{method: "get", uri: "gw/\xff", wantErr: "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.uri, func(t *testing.T) {
			got, err := broker.RESTTopic(tc.method, tc.uri)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestPublishChecks(t *testing.T) {
	cases := []struct {
		topic   string
		warning bool
		wantErr string
	}{
		{topic: "hubtap/test"},
		{topic: "flespi/rest/get/gw/devices/all"},
		{topic: "flespix/a"},
		{topic: "", wantErr: "empty topic"},
		{topic: "a/+/b", wantErr: "wildcards"},
		{topic: "a/#", wantErr: "wildcards"},
		{topic: "$SYS/x", wantErr: "reserved"},
		{topic: "a\x00b", wantErr: "NUL"},
		{topic: "\xff", wantErr: "UTF-8"},
		{topic: "flespi/message/gw/devices/1", warning: true, wantErr: "silently discards"},
		{topic: "flespi/state/gw/devices/1/connected", warning: true, wantErr: "silently discards"},
		{topic: "flespi", warning: true, wantErr: "silently discards"},
	}
	for _, tc := range cases {
		t.Run(tc.topic, func(t *testing.T) {
			err := broker.PublishChecks(tc.topic)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want one containing %q", err, tc.wantErr)
			}
			var w *broker.PublishWarning
			if errors.As(err, &w) != tc.warning {
				t.Fatalf("warning %v, want %v (%T)", !tc.warning, tc.warning, err)
			}
		})
	}
}

func TestDecodeReply(t *testing.T) {
	cases := []struct {
		name, payload, status string
		want                  int
		errors                []string
	}{
		{name: "result", payload: `{"result":[]}`, want: 200},
		{name: "status property wins", payload: `{"result":[]}`, status: "201", want: 201},
		{name: "bad status property", payload: `{"result":[]}`, status: "ok", want: 200},
		{name: "body status", payload: `{"status":202,"result":[]}`, want: 202},
		{name: "errors", payload: `{"errors":[{"code":404,"reason":"device not found"},{"code":403,"reason":"no"}]}`, want: 404, errors: []string{"device not found", "no"}},
		{name: "error code as string", payload: `{"errors":[{"code":"409","reason":"busy"}]}`, want: 409, errors: []string{"busy"}},
		{name: "error without code", payload: `{"errors":[{"reason":"bad"}]}`, want: 400, errors: []string{"bad"}},
		{name: "error without reason", payload: `{"errors":[{"code":500}]}`, want: 500, errors: []string{"error 500"}},
		{name: "error strings", payload: `{"errors":["broken"]}`, want: 400, errors: []string{"broken"}},
		{name: "error of another shape", payload: `{"errors":[[1]]}`, want: 400, errors: []string{"[1]"}},
		{name: "partial", payload: `{"result":[{"id":1}],"errors":[{"id":2,"code":404,"reason":"device not found"}]}`, want: 200, errors: []string{"device not found"}},
		{name: "not flespi's envelope", payload: `{"x":1}`, want: 0},
		{name: "not JSON", payload: `true`, want: 0},
		{name: "empty", payload: ``, want: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := broker.Message{Topic: "t", Payload: []byte(tc.payload)}
			if tc.status != "" {
				m.Props = &broker.Properties{User: []broker.UserProperty{{Key: "status", Value: tc.status}}}
			}
			r := broker.DecodeReply(m)
			if r.Status != tc.want || !slices.Equal(r.Errors, tc.errors) || r.Topic != "t" {
				t.Fatalf("status %d errors %q, want %d %q", r.Status, r.Errors, tc.want, tc.errors)
			}
		})
	}
}
