package broker_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hubtap/broker"
	"hubtap/sim"
)

// harness runs a bridge and collects everything it delivers.
type harness struct {
	t      *testing.T
	bridge *broker.Bridge
	ctx    context.Context
	mu     sync.Mutex
	msgs   []broker.Message
	events []broker.Event
	seen   chan struct{} // pinged after every batch
}

func newHarness(t *testing.T) *harness { return newHarnessWithin(t, 20*time.Second) }

// newHarnessWithin is newHarness with its own deadline for the whole test.
func newHarnessWithin(t *testing.T, d time.Duration) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	h := &harness{t: t, bridge: broker.NewBridge(1<<16, 5*time.Millisecond, 1<<17), ctx: ctx, seen: make(chan struct{}, 1)}
	var wg sync.WaitGroup
	wg.Go(func() { _ = h.bridge.Run(ctx) })
	wg.Go(func() {
		for {
			b, ok := h.bridge.Next(ctx)
			if !ok {
				return
			}
			h.mu.Lock()
			h.msgs = append(h.msgs, b.Msgs...)
			h.events = append(h.events, b.Events...)
			h.mu.Unlock()
			select {
			case h.seen <- struct{}{}:
			default:
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return h
}

// waitFor blocks until cond holds over what arrived, or fails at the deadline.
func (h *harness) waitFor(what string, cond func(msgs []broker.Message, evs []broker.Event) bool) {
	h.t.Helper()
	for {
		h.mu.Lock()
		ok := cond(h.msgs, h.events)
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-h.seen:
		case <-h.ctx.Done():
			h.mu.Lock()
			defer h.mu.Unlock()
			h.t.Fatalf("timed out waiting for %s: %d messages, events %s", what, len(h.msgs), describe(h.events))
		}
	}
}

func describe(evs []broker.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "[%s err=%v subs=%d] ", e.State, e.Err, len(e.Subs))
	}
	return b.String()
}

func connected(evs []broker.Event) (broker.Event, bool) {
	for _, e := range evs {
		if e.Kind == broker.EventState && e.State == broker.StateConnected {
			return e, true
		}
	}
	return broker.Event{}, false
}

func subResults(evs []broker.Event) []broker.SubResult {
	for _, e := range evs {
		if e.Kind == broker.EventSubscribe && len(e.Subs) > 0 {
			return e.Subs
		}
	}
	return nil
}

func startSim(t *testing.T, cfg sim.Config) *sim.Sim {
	t.Helper()
	s, err := sim.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("sim.Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func connect(t *testing.T, h *harness, url, token, clientID string, topics ...string) *broker.Client {
	t.Helper()
	u, err := broker.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c, err := broker.Connect(h.ctx, broker.Options{
		URL: u, Token: broker.Secret(token), ClientID: clientID, SessionExpiry: time.Hour, QoS: 1, Topics: topics,
		Backoff: func(int) time.Duration { return 50 * time.Millisecond },
	}, h.bridge)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
	return c
}

func TestE2ESubscribeAndReceive(t *testing.T) {
	s := startSim(t, sim.Config{Rate: 500, Devices: 10, Seed: 1})
	h := newHarness(t)
	connect(t, h, s.URL(), sim.DemoToken, "e2e-recv", "flespi/message/gw/channels/+/+")
	h.waitFor("50 messages", func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) >= 50 })
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := subResults(h.events)
	if len(subs) != 1 || subs[0].Err != nil || subs[0].Granted != 1 {
		t.Fatalf("SUBACK results %+v, want QoS 1 granted", subs)
	}
	var last uint64
	for _, m := range h.msgs {
		if !strings.HasPrefix(m.Topic, "flespi/message/gw/channels/") || m.QoS != 1 || len(m.Payload) < 200 {
			t.Fatalf("unexpected message %q qos %d len %d", m.Topic, m.QoS, len(m.Payload))
		}
		if _, ok := m.UserValue("timestamp"); !ok {
			t.Fatalf("message without the flespi timestamp user property: %+v", m.Props)
		}
		if m.Seq <= last || m.Received.IsZero() {
			t.Fatalf("seq %d after %d, received %v", m.Seq, last, m.Received)
		}
		last = m.Seq
	}
}

// TestE2EPersistentSession: QoS 1 messages published while hubtap was away
// arrive on reconnect with the same client ID, all of them.
func TestE2EPersistentSession(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1})
	const topic = "hubtap/test/seq"
	const n = 2000

	h1 := newHarness(t)
	c1 := connect(t, h1, s.URL(), sim.DemoToken, "e2e-persist", "hubtap/test/#")
	h1.waitFor("SUBACK", func(_ []broker.Message, evs []broker.Event) bool { return subResults(evs) != nil })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c1.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	for i := 0; i < n; i++ {
		if err := s.Publish(topic, []byte(fmt.Sprintf(`{"n":%d}`, i)), false, 1); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}

	h2 := newHarness(t)
	connect(t, h2, s.URL(), sim.DemoToken, "e2e-persist", "hubtap/test/#")
	h2.waitFor(fmt.Sprintf("%d queued messages", n), func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) >= n })
	h2.mu.Lock()
	defer h2.mu.Unlock()
	ev, ok := connected(h2.events)
	if !ok || !ev.Session.Present || !ev.Session.Persistent {
		t.Fatalf("reconnect did not resume the session: %+v", ev.Session)
	}
	seen := make(map[string]bool, n)
	for _, m := range h2.msgs {
		seen[string(m.Payload)] = true
	}
	for i := 0; i < n; i++ {
		if !seen[fmt.Sprintf(`{"n":%d}`, i)] {
			t.Fatalf("message %d was lost", i)
		}
	}
	if d := h2.bridge.Dropped(); d != 0 {
		t.Fatalf("bridge dropped %d", d)
	}
}

func TestE2EWrongTokenIsNotAuthorized(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1})
	h := newHarness(t)
	connect(t, h, s.URL(), strings.Repeat("x", 64), "e2e-badtoken", "flespi/#")
	var got error
	h.waitFor("a refusal", func(_ []broker.Message, evs []broker.Event) bool {
		for _, e := range evs {
			if e.State == broker.StateDisconnected && e.Err != nil {
				got = e.Err
				return true
			}
		}
		return false
	})
	if !errors.Is(got, broker.ErrNotAuthorized) && !errors.Is(got, broker.ErrBadCredentials) {
		t.Fatalf("error %v is not an authorization failure", got)
	}
	if !strings.Contains(got.Error(), "not authorized") {
		t.Fatalf("error %q does not say 'not authorized'", got)
	}
	h.waitFor("a retry", func(_ []broker.Message, evs []broker.Event) bool {
		for _, e := range evs {
			if e.State == broker.StateWaiting && e.RetryIn > 0 {
				return true
			}
		}
		return false
	})
}

func TestE2EACLTokenRefusedPerFilter(t *testing.T) {
	s := startSim(t, sim.Config{Rate: 200, Devices: 4, Seed: 2, ACLMode: sim.ACLRefuse})
	h := newHarness(t)
	allowed := fmt.Sprintf("flespi/message/gw/channels/%d/+", sim.ACLChannelID)
	connect(t, h, s.URL(), sim.ACLToken, "e2e-acl", allowed, "flespi/message/gw/devices/+")
	h.waitFor("SUBACK", func(_ []broker.Message, evs []broker.Event) bool { return subResults(evs) != nil })
	h.mu.Lock()
	subs := subResults(h.events)
	h.mu.Unlock()
	if len(subs) != 2 {
		t.Fatalf("got %d results", len(subs))
	}
	if subs[0].Err != nil || subs[0].Filter != allowed {
		t.Fatalf("allowed filter refused: %+v", subs[0])
	}
	if !errors.Is(subs[1].Err, broker.ErrNotAuthorized) || !strings.Contains(subs[1].Err.Error(), "not authorized") {
		t.Fatalf("forbidden filter result %+v", subs[1])
	}
	// The allowed subscription still delivers.
	h.waitFor("messages on the allowed channel", func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) > 0 })
}

func TestE2ESessionTakenOver(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1})
	h1 := newHarness(t)
	connect(t, h1, s.URL(), sim.DemoToken, "e2e-takeover", "hubtap/#")
	h1.waitFor("connected", func(_ []broker.Message, evs []broker.Event) bool { _, ok := connected(evs); return ok })
	h2 := newHarness(t)
	connect(t, h2, s.URL(), sim.DemoToken, "e2e-takeover", "hubtap/#")
	h1.waitFor("takeover", func(_ []broker.Message, evs []broker.Event) bool {
		for _, e := range evs {
			if e.State == broker.StateDisconnected && errors.Is(e.Err, broker.ErrSessionTakenOver) {
				return true
			}
		}
		return false
	})
	h1.waitFor("a long pause before reconnecting", func(_ []broker.Message, evs []broker.Event) bool {
		for _, e := range evs {
			if e.State == broker.StateWaiting && e.RetryIn >= 30*time.Second {
				return true
			}
		}
		return false
	})
}

func TestE2EWebSocket(t *testing.T) {
	s := startSim(t, sim.Config{Rate: 200, Devices: 4, Seed: 3, WSListen: "127.0.0.1:0"})
	if s.WSURL() == "" {
		t.Fatal("no WebSocket listener")
	}
	h := newHarness(t)
	connect(t, h, s.WSURL(), sim.DemoToken, "e2e-ws", "flespi/message/gw/devices/+")
	h.waitFor("messages over WebSocket", func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) >= 10 })
}

// TestE2EStoppedBridgeKeepsTheRest: what arrives after the UI quit
// (Bridge.Stop) is not acknowledged (Options.HoldRefused), so the next run
// of the same session gets it; what the UI took is not sent again.
func TestE2EStoppedBridgeKeepsTheRest(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1})
	const topic = "hubtap/test/quit"
	u, err := broker.ParseURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	var tapped atomic.Int64
	h1 := newHarness(t)
	c1, err := broker.Connect(h1.ctx, broker.Options{URL: u, Token: broker.Secret(sim.DemoToken), ClientID: "e2e-quit",
		SessionExpiry: time.Hour, QoS: 1, Topics: []string{"hubtap/test/#"}, HoldRefused: true,
		Tap: func(*broker.Message) { tapped.Add(1) }}, h1.bridge)
	if err != nil {
		t.Fatal(err)
	}
	h1.waitFor("SUBACK", func(_ []broker.Message, evs []broker.Event) bool { return subResults(evs) != nil })
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			if err := s.Publish(topic, []byte(strconv.Itoa(i)), false, 1); err != nil {
				t.Fatalf("publish %d: %v", i, err)
			}
		}
	}
	publish(0, 100)
	h1.waitFor("100 messages", func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) >= 100 })
	h1.bridge.Stop()
	publish(100, 300)
	for tapped.Load() < 101 { // the client has the first message after Stop
		select {
		case <-h1.ctx.Done():
			t.Fatalf("only %d messages reached the client", tapped.Load())
		case <-time.After(time.Millisecond):
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c1.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}

	h2 := newHarness(t)
	connect(t, h2, s.URL(), sim.DemoToken, "e2e-quit", "hubtap/test/#")
	h2.waitFor("the 200 messages after Stop", func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) >= 200 })
	h2.mu.Lock()
	defer h2.mu.Unlock()
	for i, m := range h2.msgs {
		if want := strconv.Itoa(100 + i); string(m.Payload) != want {
			t.Fatalf("next run, message %d: %q, want %s (the first 200: the ones after Stop, in order, none of the 100 before)", i, m.Payload, want)
		}
	}
}

// TestE2EKeepAliveHoldsAnIdleConnection: with a keep-alive of 2 s and no
// traffic, hubtap's pinger keeps the connection (mochi, like flespi, drops
// a client it hears nothing from for 1.5 keep-alive intervals, in whole
// seconds: 3 s here; at 1 s it would be 1 s, a race for any pinger).
func TestE2EKeepAliveHoldsAnIdleConnection(t *testing.T) {
	s := startSim(t, sim.Config{Rate: -1})
	u, err := broker.ParseURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	c, err := broker.Connect(h.ctx, broker.Options{URL: u, Token: broker.Secret(sim.DemoToken), ClientID: "e2e-keepalive",
		KeepAlive: 2 * time.Second, Topics: []string{"hubtap/test/#"}, Backoff: func(int) time.Duration { return 50 * time.Millisecond }}, h.bridge)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(context.Background()) }()
	h.waitFor("SUBACK", func(_ []broker.Message, evs []broker.Event) bool { return subResults(evs) != nil })
	time.Sleep(5 * time.Second) // silence for longer than mochi allows without a PINGREQ
	if err := s.Publish("hubtap/test/ka", []byte("1"), false, 1); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the message after the silence", func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) == 1 })
	h.mu.Lock()
	defer h.mu.Unlock()
	ups := 0
	for _, e := range h.events {
		if e.Kind == broker.EventState && e.State == broker.StateConnected {
			ups++
		}
	}
	if ups != 1 {
		t.Fatalf("the connection came up %d times in 5 s of silence, want once: %s", ups, describe(h.events))
	}
}
