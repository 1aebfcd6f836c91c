package sim

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/tidwall/gjson"
)

// persistentConnect is a CONNECT that keeps the session for an hour.
func persistentConnect(clientID string) *paho.Connect {
	cp := tokenConnect(DemoToken, clientID)
	cp.CleanStart = false
	expiry := uint32(3600)
	cp.Properties = &paho.ConnectProperties{SessionExpiryInterval: &expiry}
	return cp
}

// disconnectWatch is a mochi hook that reports client IDs as the broker
// finishes their connections.
type disconnectWatch struct {
	mqtt.HookBase
	ids chan string
}

func (h *disconnectWatch) ID() string                                    { return "test-disconnect-watch" }
func (h *disconnectWatch) Provides(b byte) bool                          { return b == mqtt.OnDisconnect }
func (h *disconnectWatch) OnDisconnect(cl *mqtt.Client, _ error, _ bool) { h.ids <- cl.ID }

// watchDisconnects returns the channel a disconnectWatch reports on.
func watchDisconnects(t *testing.T, s *Sim) <-chan string {
	t.Helper()
	h := &disconnectWatch{ids: make(chan string, 16)}
	if err := s.srv.AddHook(h, nil); err != nil {
		t.Fatal(err)
	}
	return h.ids
}

// awaitDisconnect waits until the broker has finished clientID's connection.
func awaitDisconnect(ctx context.Context, t *testing.T, ids <-chan string, clientID string) {
	t.Helper()
	for {
		select {
		case id := <-ids:
			if id == clientID {
				return
			}
		case <-ctx.Done():
			t.Fatalf("the broker did not notice %s disconnecting", clientID)
		}
	}
}

// TestResumedQueueInOrderWithoutDup: a resumed session's queue (500
// messages published in the same second while the client was away) arrives
// in publish order with DUP unset, as flespi and mosquitto deliver it.
// mochi alone resends it sorted by second (a tie: random order) and flags
// every message DUP (order.go).
func TestResumedQueueInOrderWithoutDup(t *testing.T) {
	const n = 500
	s := startSim(t, Config{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	gone := watchDisconnects(t, s)
	first, _, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), persistentConnect("t-order"), 1)
	if err != nil {
		t.Fatal(err)
	}
	mustSubscribe(ctx, t, first, "test/order/#")
	if err := first.Disconnect(&paho.Disconnect{}); err != nil {
		t.Fatal(err)
	}
	// Queued while offline: published once the broker knows the client is
	// gone (before that a message may still be written to the closing
	// connection, and resending it is a real retransmission, with DUP).
	awaitDisconnect(ctx, t, gone, "t-order")
	for i := range n {
		if err := s.Publish("test/order/x", []byte(strconv.Itoa(i)), false, 1); err != nil {
			t.Fatal(err)
		}
	}
	second, ca, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), persistentConnect("t-order"), 2*n)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.SessionPresent {
		t.Fatal("session not resumed")
	}
	var order []int
	dups := 0
	for range n {
		m := next(ctx, t, second)
		v, _ := strconv.Atoi(string(m.Payload))
		order = append(order, v)
		if m.Duplicate() {
			dups++
		}
	}
	if !slices.IsSorted(order) {
		i := 0
		for i < len(order)-1 && order[i] < order[i+1] {
			i++
		}
		t.Errorf("queue out of publish order from position %d: %v", i, order[i:min(len(order), i+8)])
	}
	if dups != 0 {
		t.Errorf("%d of %d queued messages carry DUP; none was sent before", dups, n)
	}
	// The queue is followed by live messages, in order too.
	if err := s.Publish("test/order/x", []byte("live"), false, 1); err != nil {
		t.Fatal(err)
	}
	if m := next(ctx, t, second); string(m.Payload) != "live" || m.Duplicate() {
		t.Errorf("after the queue: %q dup=%v, want the live message without DUP", m.Payload, m.Duplicate())
	}
}

// TestRetransmissionKeepsDup: a message the broker sent and the client did
// not acknowledge is resent with DUP on resume; one queued after the cut is
// not.
func TestRetransmissionKeepsDup(t *testing.T) {
	s := startSim(t, Config{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	gone := watchDisconnects(t, s)
	got := make(chan *paho.Publish, 4)
	c := paho.NewClient(paho.ClientConfig{
		Conn:                       dialTCP(ctx, t, s.URL()),
		EnableManualAcknowledgment: true, // never acked: the message stays in flight
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
			got <- pr.Packet
			return true, nil
		}},
	})
	if _, err := c.Connect(ctx, persistentConnect("t-retx")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "test/retx", QoS: 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish("test/retx", []byte("sent"), false, 1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-ctx.Done():
		t.Fatal("first delivery did not arrive")
	}
	_ = c.Disconnect(&paho.Disconnect{})
	awaitDisconnect(ctx, t, gone, "t-retx")
	if err := s.Publish("test/retx", []byte("queued"), false, 1); err != nil {
		t.Fatal(err)
	}
	second, _, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), persistentConnect("t-retx"), 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		payload string
		dup     bool
	}{{"sent", true}, {"queued", false}} {
		m := next(ctx, t, second)
		if string(m.Payload) != want.payload || m.Duplicate() != want.dup {
			t.Errorf("got %q dup=%v, want %q dup=%v", m.Payload, m.Duplicate(), want.payload, want.dup)
		}
	}
}

// TestCommaListsAndFilters: comma lists in any level and the $filter forms
// flespi documents; unknown forms are refused with a reason.
func TestCommaListsAndFilters(t *testing.T) {
	s := startSim(t, Config{Seed: 5, Devices: 4, Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	devs := s.Devices()
	a, b := strconv.FormatInt(devs[0].ID, 10), strconv.FormatInt(devs[2].ID, 10)
	c, ca, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), tokenConnect(DemoToken, "t-comma"), 256)
	if err != nil {
		t.Fatal(err)
	}
	if subs := ca.Properties.User.Get("subscriptions"); subs != "[]" {
		t.Errorf("CONNACK of a new session: subscriptions = %q, want []", subs)
	}
	comma := "flespi/state/gw/devices/" + a + "," + b + "/connected"
	sub := &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{
		{Topic: comma, QoS: 1},
		{Topic: "$filter/cid=" + strconv.Itoa(AccountID) + "/flespi/state/gw/devices/" + a + "/name", QoS: 1},
		{Topic: "$share/g/$filter/cid=999/flespi/state/gw/devices/+/name", QoS: 1},
		{Topic: "$filter/cid=999/flespi/state/gw/devices/" + b + "/name", QoS: 1}, // granted, silent: another account's
		{Topic: "$filter/payload=position.speed%3E60/flespi/message/gw/devices/+", QoS: 1},
		{Topic: "$filter/colour=red/flespi/message/gw/devices/+", QoS: 1},
	}}
	sa, err := c.Subscribe(ctx, sub)
	if sa == nil {
		t.Fatalf("subscribe: %v", err)
	}
	if want := []byte{1, 1, 1, 1, 0x83, 0x8f}; !slices.Equal(sa.Reasons, want) {
		t.Errorf("SUBACK % x, want % x", sa.Reasons, want)
	}
	if r := sa.Properties.ReasonString; !strings.Contains(r, "payload=") || !strings.Contains(r, "unknown $filter form") {
		t.Errorf("SUBACK reason string %q, want why both were refused", r)
	}
	seen := map[string]string{}
	for len(seen) < 3 {
		m := next(ctx, t, c)
		seen[m.Topic] = string(m.Payload)
	}
	want := map[string]string{
		"flespi/state/gw/devices/" + a + "/connected": "true",
		"flespi/state/gw/devices/" + b + "/connected": "true",
		"flespi/state/gw/devices/" + a + "/name":      strconv.Quote(devs[0].Name),
	}
	for topic, payload := range want {
		if seen[topic] != payload {
			t.Errorf("%s = %q, want %q (got %v)", topic, seen[topic], payload, seen)
		}
	}
	// Nothing else: the marker is next (the cid=999 share, the other devices
	// and the refused filters delivered nothing).
	s.StopDevice(devs[1].Ident)
	s.StopDevice(devs[0].Ident)
	if m := next(ctx, t, c); m.Topic != "flespi/state/gw/devices/"+a+"/connected" || string(m.Payload) != "false" {
		t.Fatalf("got %s %s, want only device %s going offline", m.Topic, m.Payload, a)
	}
	// Unsubscribing the filter as written works.
	if _, err := c.Unsubscribe(ctx, &paho.Unsubscribe{Topics: []string{comma}}); err != nil {
		t.Fatal(err)
	}
	s.ResumeDevice(devs[0].Ident)
	if err := s.Publish("flespi/state/gw/devices/"+a+"/name", []byte(`"marker"`), true, 1); err != nil {
		t.Fatal(err)
	}
	if m := next(ctx, t, c); string(m.Payload) != `"marker"` {
		t.Fatalf("got %s %s after unsubscribing, want the marker", m.Topic, m.Payload)
	}
}

// TestConnackSubscriptionsAsWritten: a resumed session's CONNACK lists the
// filters as the client wrote them.
func TestConnackSubscriptionsAsWritten(t *testing.T) {
	s := startSim(t, Config{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), persistentConnect("t-subs"), 64)
	if err != nil {
		t.Fatal(err)
	}
	filters := []string{"$filter/cid=8201/flespi/message/gw/devices/+", "flespi/state/gw/devices/1,2/connected", "plain/#"}
	mustSubscribe(ctx, t, c, filters...)
	_ = c.Disconnect(&paho.Disconnect{})
	_, ca, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), persistentConnect("t-subs"), 64)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range gjson.Parse(ca.Properties.User.Get("subscriptions")).Array() {
		got = append(got, r.Get("topic").Str)
	}
	slices.Sort(got)
	if !ca.SessionPresent || !slices.Equal(got, filters) {
		t.Errorf("session present %v, subscriptions %q, want %q", ca.SessionPresent, got, filters)
	}
}

// TestLogTopics: flespi/log/gw/devices/+/# receives connection records with
// close codes and the command-queue records of a command sent over REST;
// +/+ misses the command records (they are deeper).
func TestLogTopics(t *testing.T) {
	s := startSim(t, Config{Seed: 6, Devices: 2, Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := s.Devices()[0]
	id := strconv.FormatInt(d.ID, 10)
	deep := mustConnect(ctx, t, s, DemoToken, "t-log", 64)
	mustSubscribe(ctx, t, deep, "flespi/log/gw/devices/+/#", "flespi/rest/#")
	shallow := mustConnect(ctx, t, s, DemoToken, "t-log-shallow", 64)
	mustSubscribe(ctx, t, shallow, "flespi/log/gw/devices/+/+")

	s.StopDevice(d.Ident)
	s.ResumeDevice(d.Ident)
	if _, err := deep.Publish(ctx, &paho.Publish{Topic: "flespi/rest/post/gw/devices/" + id + "/commands-queue", QoS: 1,
		Payload: []byte(`[{"name":"getinfo","properties":{}}]`)}); err != nil {
		t.Fatal(err)
	}
	base := "flespi/log/gw/devices/" + id + "/"
	stamps := map[string]float64{}
	for _, want := range []struct{ topic, check, value string }{
		{base + "disconnected", "close_code", "17"},
		{base + "connected", "event_code", "300"},
		{base + "commands-queue/getinfo/queued", "name", "getinfo"},
		// REST answers at once; the device takes the command a moment later.
		{"flespi/rest/post/gw/devices/" + id + "/commands-queue", "result.0.name", "getinfo"},
		{base + "commands-queue/getinfo/sent", "name", "getinfo"},
		{base + "commands-queue/getinfo/processed", "executed", "true"},
	} {
		m := next(ctx, t, deep)
		if m.Topic != want.topic || m.Retain || gjson.GetBytes(m.Payload, want.check).String() != want.value {
			t.Fatalf("got %s %s, want %s with %s=%s", m.Topic, m.Payload, want.topic, want.check, want.value)
		}
		stamps[want.topic] = gjson.GetBytes(m.Payload, "timestamp").Float()
	}
	if q, p := stamps[base+"commands-queue/getinfo/queued"], stamps[base+"commands-queue/getinfo/processed"]; p-q < (commandSentAfter+commandDoneAfter).Seconds()*0.9 {
		t.Errorf("queued at %f, processed at %f: want the round trip apart, about %v", q, p, commandSentAfter+commandDoneAfter)
	}
	for _, want := range []string{base + "disconnected", base + "connected"} {
		if m := next(ctx, t, shallow); m.Topic != want {
			t.Fatalf("+/+ got %s, want %s", m.Topic, want)
		}
	}
	select {
	case m := <-shallow.msgs:
		t.Errorf("+/+ received %s: command records are deeper", m.Topic)
	default:
	}
}

// TestTelemetryPerParameter: a telemetry/+ subscription receives one
// publication per parameter of each device message (TelemetryFull), and one
// every 2 s per device with TelemetryLight.
func TestTelemetryPerParameter(t *testing.T) {
	for _, mode := range []Telemetry{TelemetryFull, TelemetryLight} {
		t.Run(string(mode), func(t *testing.T) {
			const msgs = 5
			s := startSim(t, Config{Seed: 7, Devices: 1, Unregistered: -1, Rate: -1, Telemetry: mode})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			id := strconv.FormatInt(s.Devices()[0].ID, 10)
			c := mustConnect(ctx, t, s, DemoToken, "t-tel", 1024)
			sa, err := c.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{
				{Topic: "flespi/state/gw/devices/" + id + "/telemetry/+", QoS: 1, RetainHandling: 2}, // live only
				{Topic: "flespi/message/gw/devices/" + id, QoS: 1},
				{Topic: "test/end", QoS: 1},
			}})
			if sa == nil {
				t.Fatal(err)
			}
			now := time.Now()
			for i := range msgs {
				s.publishNext(now.Add(time.Duration(i) * time.Second))
			}
			if err := s.Publish("test/end", nil, false, 1); err != nil {
				t.Fatal(err)
			}
			params, tel := 0, 0
			for {
				m := next(ctx, t, c)
				if m.Topic == "test/end" {
					break
				}
				if strings.Contains(m.Topic, "/telemetry/") {
					tel++
					continue
				}
				gjson.ParseBytes(m.Payload).ForEach(func(_, _ gjson.Result) bool { params++; return true })
			}
			switch {
			case mode == TelemetryFull && tel != params: // every parameter of every message
				t.Errorf("%d telemetry publications for %d messages of %d parameters in all, want %d", tel, msgs, params, params)
			case mode == TelemetryLight && (tel < 2 || tel > 3): // one per 2 s over 4 s
				t.Errorf("%d telemetry publications over 4 s, want 2 or 3", tel)
			}
		})
	}
}

// TestSessionQueueOverflow: past Config.SessionQueue a session is
// disconnected (DISCONNECT 0x97 with a reason in words) and its queue
// deleted; the session itself stays.
func TestSessionQueueOverflow(t *testing.T) {
	const limit = 50
	s := startSim(t, Config{Rate: -1, SessionQueue: limit})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	disc := make(chan *paho.Disconnect, 1)
	c := paho.NewClient(paho.ClientConfig{
		Conn:                       dialTCP(ctx, t, s.URL()),
		EnableManualAcknowledgment: true, // a client that never acknowledges: its queue only grows
		OnServerDisconnect:         func(d *paho.Disconnect) { disc <- d },
	})
	if _, err := c.Connect(ctx, persistentConnect("t-overflow")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "test/flood", QoS: 1}}}); err != nil {
		t.Fatal(err)
	}
	for i := range limit + 1 { // the last one overflows
		if err := s.Publish("test/flood", []byte(fmt.Sprint(i)), false, 1); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case d := <-disc:
		if d.ReasonCode != 0x97 || d.Properties == nil || !strings.Contains(d.Properties.ReasonString, "queued messages were deleted") {
			t.Errorf("DISCONNECT 0x%02x %+v, want 0x97 with the reason in words", d.ReasonCode, d.Properties)
		}
	case <-ctx.Done():
		t.Fatalf("no DISCONNECT after the queue overflowed (overflows %d)", s.Overflows())
	}
	if s.Overflows() != 1 {
		t.Errorf("Overflows() = %d, want 1", s.Overflows())
	}
	second, ca, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), persistentConnect("t-overflow"), 128)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.SessionPresent {
		t.Error("the session went with its queue; flespi keeps the session")
	}
	if err := s.Publish("test/flood", []byte("after"), false, 1); err != nil {
		t.Fatal(err)
	}
	if m := next(ctx, t, second); string(m.Payload) != "after" {
		t.Errorf("first message after resuming: %q, want %q (the queue was deleted)", m.Payload, "after")
	}
}

// TestACLFilterMode: by default the ACL token's wildcard over all channels
// is granted and delivers only its channel's messages.
func TestACLFilterMode(t *testing.T) {
	s := startSim(t, Config{Seed: 2, Devices: 4, Rate: 400})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mustConnect(ctx, t, s, ACLToken, "t-acl-filter", 1024)
	got := subscribe(ctx, t, c, "flespi/message/gw/channels/+/+", "flespi/state/gw/devices/+/connected",
		"flespi/message/gw/devices/"+strconv.FormatInt(s.Devices()[0].ID, 10), "my/own/#")
	if !slices.Equal(got, []byte{1, 1, 0x87, 0x87}) {
		t.Fatalf("SUBACK % x, want 01 01 87 87 (wildcards granted; a named forbidden entity and own topics refused)", got)
	}
	prefix := fmt.Sprintf("flespi/message/gw/channels/%d/", ACLChannelID)
	for range 40 {
		if m := next(ctx, t, c); !strings.HasPrefix(m.Topic, prefix) {
			t.Fatalf("ACL token received %s", m.Topic)
		}
	}
}
