package flespi_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
	"hubtap/flespi"
	"hubtap/sim"
)

// These tests run the REST client against the simulator's HTTP REST API
// (sim.RESTURL), the way hubtap --demo does.

func startSim(t *testing.T) (*sim.Sim, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	s, err := sim.Start(ctx, sim.Config{Devices: 4, Unregistered: 1, Rate: -1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, ctx
}

func restClient(t *testing.T, s *sim.Sim, token string, readOnly bool) *flespi.Client {
	t.Helper()
	base, err := s.RESTURL()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := flespi.NewHTTPS(base, broker.Secret(token), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return flespi.New(tr, nil, flespi.ModeHTTPS, readOnly)
}

func TestSimIdentLookup(t *testing.T) {
	s, ctx := startSim(t)
	c := restClient(t, s, sim.DemoToken, false)
	reg := s.Devices()[1]
	d, err := c.DeviceByIdent(ctx, reg.Ident)
	if err != nil || d == nil {
		t.Fatalf("registered ident %s: %+v, %v; want its device", reg.Ident, d, err)
	}
	if d.ID != reg.ID || d.Name != reg.Name || d.DeviceTypeID != reg.TypeID || d.Connected == nil {
		t.Errorf("device = %+v; want id %d, name %q, type %d, connected reported", d, reg.ID, reg.Name, reg.TypeID)
	}
	un := s.Unregistered()[0]
	d, err = c.DeviceByIdent(ctx, un.Ident)
	if err != nil || d != nil {
		t.Fatalf("unregistered ident %s: %+v, %v; want no device, no error", un.Ident, d, err)
	}
}

func TestSimTokenAndACL(t *testing.T) {
	s, ctx := startSim(t)
	tok, err := restClient(t, s, sim.ACLToken, false).TokenInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Join(flespi.TokenWords(tok, time.Now()), "\n")
	if !strings.Contains(words, "type: ACL") || !strings.Contains(words, "expires: ") || !strings.Contains(words, "gw/channels ids [1234]: GET") {
		t.Errorf("ACL token in words:\n%s", words)
	}
	_, err = restClient(t, s, sim.ACLToken, false).Sessions(ctx)
	var ae *flespi.APIError
	if !errors.As(err, &ae) || ae.Status != 403 {
		t.Errorf("ACL token listing sessions: %v; want a 403 APIError", err)
	}
	_, err = restClient(t, s, "not-a-token", false).TokenInfo(ctx)
	if !errors.As(err, &ae) || ae.Status != 401 || strings.Contains(err.Error(), "not-a-token") {
		t.Errorf("unknown token: %v; want a 401 APIError without the token", err)
	}
}

func TestSimBackfillOlderThanStart(t *testing.T) {
	s, ctx := startSim(t)
	c := restClient(t, s, sim.DemoToken, false)
	start := time.Now()
	d := s.Devices()[0]
	ms, err := c.Messages(ctx, d.ID, start.Add(-10*time.Minute), start.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 9 || len(ms) > 11 {
		t.Fatalf("%d messages in the last 10 minutes; want about 10 (one a minute)", len(ms))
	}
	var first struct {
		Ident string  `json:"ident"`
		TS    float64 `json:"timestamp"`
	}
	if err := json.Unmarshal(ms[0], &first); err != nil || first.Ident != d.Ident || first.TS >= float64(start.Unix()) {
		t.Errorf("first message %s: want ident %s and a timestamp before the start %d", ms[0], d.Ident, start.Unix())
	}
}

type events chan broker.Event

func (e events) Offer(broker.Message) bool { return true }
func (e events) OfferEvent(ev broker.Event) {
	select {
	case e <- ev:
	default:
	}
}

func TestSimSessionsListAndDelete(t *testing.T) {
	s, ctx := startSim(t)
	u, _ := broker.ParseURL(s.URL())
	ev := make(events, 64)
	bc, err := broker.Connect(ctx, broker.Options{URL: u, Token: broker.Secret(sim.DemoToken), ClientID: "toolbox-test",
		SessionExpiry: time.Hour, QoS: 1, Topics: []string{"flespi/#"}}, ev)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bc.Close(context.Background()) })
	for subscribed := false; !subscribed; {
		select {
		case e := <-ev:
			subscribed = e.Kind == broker.EventSubscribe
		case <-ctx.Done():
			t.Fatal("no SUBACK before the deadline")
		}
	}
	c := restClient(t, s, sim.DemoToken, false)
	ss, err := c.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine *flespi.Session
	for i := range ss {
		if ss[i].ClientID == "toolbox-test" {
			mine = &ss[i]
		}
	}
	if mine == nil || !mine.Connected || mine.Subscriptions != 1 || mine.Topics[0] != "flespi/#" || mine.Expiry != time.Hour {
		t.Fatalf("sessions %+v; want toolbox-test connected with flespi/# and a 1 h expiry", ss)
	}
	if err := restClient(t, s, sim.DemoToken, true).DeleteSession(ctx, "toolbox-test"); !errors.Is(err, flespi.ErrReadOnly) {
		t.Fatalf("read-only delete: %v; want ErrReadOnly", err)
	}
	// A stale session: the client is gone, the session (1 h expiry) stays.
	if err := bc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for stale := false; !stale; {
		ss, err = c.Sessions(ctx) // each call is a request: this waits on the broker, not on a clock
		if err != nil || ctx.Err() != nil {
			t.Fatalf("waiting for the session to go offline: %v %v", err, ctx.Err())
		}
		for _, x := range ss {
			stale = stale || (x.ClientID == "toolbox-test" && !x.Connected && x.Subscriptions == 1)
		}
	}
	if err := c.DeleteSession(ctx, "toolbox-test"); err != nil {
		t.Fatal(err)
	}
	ss, err = c.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ss {
		if x.ClientID == "toolbox-test" {
			t.Errorf("after delete: %+v is still listed", x)
		}
	}
	if err := c.DeleteSession(ctx, "toolbox-test"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("deleting it again: %v; want not found", err)
	}
}

type collect struct {
	events
	msgs chan broker.Message
}

func (c collect) Offer(m broker.Message) bool {
	select {
	case c.msgs <- m:
	default:
	}
	return true
}

// TestSimCommandQueued: a command queued over HTTPS comes back as its log
// records (queued, sent, processed) on the device's log topic, each read
// in words.
func TestSimCommandQueued(t *testing.T) {
	s, ctx := startSim(t)
	d := s.Devices()[2]
	logs := "flespi/log/gw/devices/" + strconv.FormatInt(d.ID, 10) + "/#"
	u, _ := broker.ParseURL(s.URL())
	sink := collect{events: make(events, 64), msgs: make(chan broker.Message, 64)}
	bc, err := broker.Connect(ctx, broker.Options{URL: u, Token: broker.Secret(sim.DemoToken), ClientID: "toolbox-cmd", QoS: 1, Topics: []string{logs}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bc.Close(context.Background()) })
	for subscribed := false; !subscribed; {
		select {
		case e := <-sink.events:
			subscribed = e.Kind == broker.EventSubscribe
		case <-ctx.Done():
			t.Fatal("no SUBACK before the deadline")
		}
	}
	cmd, err := restClient(t, s, sim.DemoToken, false).QueueCommand(ctx, d.ID, "getinfo", json.RawMessage(`{"a":1}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 3 {
		select {
		case m := <-sink.msgs:
			r, ok := flespi.DescribeLog(m.Topic, m.Payload)
			if !ok || r.Command != cmd.ID {
				t.Fatalf("record %s %s: %+v; want command #%d", m.Topic, m.Payload, r, cmd.ID)
			}
			got = append(got, r.Status)
		case <-ctx.Done():
			t.Fatalf("records %v before the deadline; want queued, sent, processed", got)
		}
	}
	if strings.Join(got, ",") != "queued,sent,processed" {
		t.Fatalf("records %v; want queued, sent, processed", got)
	}
}
