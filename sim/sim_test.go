package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"
	"github.com/gorilla/websocket"
	"github.com/tidwall/gjson"
)

// ---- broker behaviour ----

var registeredFields = []struct {
	key string
	typ gjson.Type
}{
	{"ident", gjson.String}, {"timestamp", gjson.Number}, {"server.timestamp", gjson.Number},
	{"channel.id", gjson.Number}, {"protocol.id", gjson.Number}, {"peer", gjson.String},
	{"device.id", gjson.Number}, {"device.name", gjson.String}, {"device.type.id", gjson.Number},
	{"position.latitude", gjson.Number}, {"position.longitude", gjson.Number},
	{"position.altitude", gjson.Number}, {"position.speed", gjson.Number},
	{"position.direction", gjson.Number}, {"position.satellites", gjson.Number},
	{"position.hdop", gjson.Number}, {"position.valid", 0}, {"engine.ignition.status", 0},
	{"movement.status", 0}, {"external.powersource.voltage", gjson.Number},
	{"battery.voltage", gjson.Number}, {"gsm.signal.level", gjson.Number},
	{"gsm.mcc", gjson.Number}, {"gsm.mnc", gjson.Number}, {"din", gjson.Number},
	{"vehicle.mileage", gjson.Number}, {"event.priority.enum", gjson.Number},
}

// checkDeviceMessage checks one message from a channel or device topic.
func checkDeviceMessage(t *testing.T, s *Sim, m *paho.Publish) {
	t.Helper()
	p := m.Payload
	if !gjson.ValidBytes(p) {
		t.Fatalf("%s: invalid JSON: %s", m.Topic, p)
	}
	if m.QoS != 1 || m.Retain {
		t.Errorf("%s: qos %d retain %v, want 1 false", m.Topic, m.QoS, m.Retain)
	}
	if ts, err := strconv.ParseFloat(userProp(m, "timestamp"), 64); err != nil || ts < 1e9 {
		t.Errorf("%s: user property timestamp %q", m.Topic, userProp(m, "timestamp"))
	}
	if got := userProp(m, "cid"); got != strconv.Itoa(AccountID) {
		t.Errorf("%s: user property cid %q", m.Topic, got)
	}
	levels := strings.Split(m.Topic, "/")
	ident := field(p, "ident").String()
	switch {
	case len(levels) == 6 && levels[3] == "channels":
		if levels[5] != ident || levels[4] != field(p, "channel.id").Raw {
			t.Errorf("%s: ident %s channel.id %s do not match the topic", m.Topic, ident, field(p, "channel.id").Raw)
		}
	case len(levels) == 5 && levels[3] == "devices":
		if levels[4] != field(p, "device.id").Raw {
			t.Errorf("%s: device.id %s does not match the topic", m.Topic, field(p, "device.id").Raw)
		}
	default:
		t.Fatalf("unexpected topic %s", m.Topic)
	}
	if len(ident) != 15 || strings.Trim(ident, "0123456789") != "" {
		t.Errorf("%s: ident %q is not 15 digits", m.Topic, ident)
	}
	if !field(p, "device.id").Exists() { // an unregistered ident (docs/FLESPI.md Example B)
		if levels[3] != "channels" || field(p, "position.valid").Bool() {
			t.Errorf("%s: unregistered ident message is wrong: %s", m.Topic, p)
		}
		return
	}
	if n := len(p); n < 450 || n > 650 {
		t.Errorf("%s: %d bytes, want 450-650", m.Topic, n)
	}
	for _, f := range registeredFields {
		r := field(p, f.key)
		switch {
		case !r.Exists():
			t.Errorf("%s: missing %s", m.Topic, f.key)
		case f.typ == 0 && r.Type != gjson.True && r.Type != gjson.False:
			t.Errorf("%s: %s = %s, want a bool", m.Topic, f.key, r.Raw)
		case f.typ != 0 && r.Type != f.typ:
			t.Errorf("%s: %s = %s, want %v", m.Topic, f.key, r.Raw, f.typ)
		}
	}
	if v := field(p, "position.speed").Float(); v < 0 || v > maxSpeed {
		t.Errorf("%s: speed %v", m.Topic, v)
	}
	if v := field(p, "position.direction").Int(); v < 0 || v >= 360 {
		t.Errorf("%s: direction %v", m.Topic, v)
	}
	ts, srv := field(p, "timestamp").Float(), field(p, "server.timestamp").Float()
	ahead := false
	for _, d := range s.Devices() {
		if d.Ident == ident {
			ahead = d.Quirk == QuirkClockAhead
		}
	}
	switch blackBox := srv-ts > 3600; { // a buffered record flushed late (docs/FLESPI.md Example C)
	case blackBox && (field(p, "engine.ignition.status").Bool() || field(p, "position.speed").Int() != 0):
		t.Errorf("%s: black-box record is not a parked reading: %s", m.Topic, p)
	case !blackBox && ahead != (ts > srv):
		t.Errorf("%s: timestamp %v server.timestamp %v (clock-ahead quirk %v)", m.Topic, ts, srv, ahead)
	}
}

func TestDeviceMessages(t *testing.T) {
	s := startSim(t, Config{Seed: 1, Devices: 6, Rate: 400})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mustConnect(ctx, t, s, DemoToken, "t-devmsgs", 4096)
	mustSubscribe(ctx, t, c, "flespi/message/gw/channels/+/+", "flespi/message/gw/devices/+")

	want := make(map[string]bool) // every channel and device topic of the fleet
	for _, d := range s.Devices() {
		want[fmt.Sprintf("flespi/message/gw/channels/%d/%s", d.ChannelID, d.Ident)] = true
		want[fmt.Sprintf("flespi/message/gw/devices/%d", d.ID)] = true
	}
	for _, d := range s.Unregistered() {
		want[fmt.Sprintf("flespi/message/gw/channels/%d/%s", d.ChannelID, d.Ident)] = true
	}
	if len(want) != 6*2+2 {
		t.Fatalf("fleet has %d topics, want 14", len(want))
	}
	for len(want) > 0 {
		m := next(ctx, t, c)
		checkDeviceMessage(t, s, m)
		delete(want, m.Topic)
		if t.Failed() {
			t.FailNow()
		}
	}
	if s.Published() == 0 {
		t.Error("Published() = 0 after receiving messages")
	}
}

func TestConnectAuth(t *testing.T) {
	s := startSim(t, Config{Rate: -1})
	cases := []struct {
		name, user, pass string
		wantOK           bool
	}{
		{name: "token as username", user: DemoToken, wantOK: true},
		{name: "FlespiToken prefix", user: "FlespiToken " + DemoToken, wantOK: true},
		{name: "token as password", user: "anyone", pass: DemoToken, wantOK: true},
		{name: "ACL token", user: ACLToken, wantOK: true},
		{name: "unknown token", user: strings.Repeat("x", 64)},
		{name: "empty username", user: ""},
		{name: "truncated token", user: DemoToken[:63]},
		{name: "token with wrong prefix", user: "Bearer " + DemoToken},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			cp := tokenConnect(tc.user, "t-auth-"+strconv.Itoa(i))
			if tc.pass != "" {
				cp.Password, cp.PasswordFlag = []byte(tc.pass), true
			}
			_, ca, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), cp, 1)
			if tc.wantOK {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got := gjson.Get(ca.Properties.User.Get("token"), "cid").Int(); got != AccountID {
					t.Errorf("CONNACK token property cid = %d, want %d", got, AccountID)
				}
				return
			}
			if err == nil {
				t.Fatal("connected with a bad token")
			}
			if ca == nil || ca.ReasonCode != 0x87 {
				t.Fatalf("CONNACK %v (err %v), want reason 0x87 Not authorized", ca, err)
			}
		})
	}
}

// TestConnectAuthV3 checks that an MQTT 3.1.1 client with a bad token gets
// return code 5 (not authorized), hand-encoding CONNECT since paho speaks only v5.
func TestConnectAuthV3(t *testing.T) {
	s := startSim(t, Config{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn := dialTCP(ctx, t, s.URL())
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	str := func(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }
	var body []byte
	body = append(body, str("MQTT")...)
	body = append(body, 4, 0x82, 0, 60) // v3.1.1, username + clean session, keepalive 60
	body = append(body, str("t-v3")...)
	body = append(body, str("wrong-token")...)
	if _, err := conn.Write(append([]byte{0x10, byte(len(body))}, body...)); err != nil {
		t.Fatal(err)
	}
	ack := make([]byte, 4)
	if _, err := io.ReadFull(conn, ack); err != nil {
		t.Fatalf("read CONNACK: %v", err)
	}
	if !bytes.Equal(ack, []byte{0x20, 2, 0, 5}) {
		t.Fatalf("CONNACK % x, want 20 02 00 05", ack)
	}
}

// TestACLToken: ACLRefuse refuses every filter that reaches beyond the
// token's channel (TestACLFilterMode covers the default).
func TestACLToken(t *testing.T) {
	s := startSim(t, Config{Seed: 2, Devices: 4, Rate: 400, ACLMode: ACLRefuse})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mustConnect(ctx, t, s, ACLToken, "t-acl", 1024)
	allowed := fmt.Sprintf("flespi/message/gw/channels/%d/+", ACLChannelID)

	got := subscribe(ctx, t, c, allowed, "flespi/message/gw/devices/+")
	if !bytes.Equal(got, []byte{1, 0x87}) {
		t.Fatalf("SUBACK % x, want 01 87", got)
	}
	refused := []string{
		"flespi/#", "#", "flespi/state/gw/devices/+/connected",
		fmt.Sprintf("flespi/message/gw/channels/%d/+", SecondChannelID),
		"flespi/message/gw/channels/+/+", fmt.Sprintf("flespi/message/gw/channels/%d", ACLChannelID),
		"my/own/topic", "$SYS/#",
	}
	for i, rc := range subscribe(ctx, t, c, refused...) {
		if rc != 0x87 {
			t.Errorf("SUBACK for %s: 0x%02x, want 0x87", refused[i], rc)
		}
	}
	if rc := subscribe(ctx, t, c, fmt.Sprintf("$share/g/flespi/message/gw/channels/%d/#", ACLChannelID)); rc[0] >= 0x80 {
		t.Errorf("shared subscription within the ACL refused: 0x%02x", rc[0])
	}
	pr, err := c.Publish(ctx, &paho.Publish{Topic: "my/own/topic", QoS: 1, Payload: []byte("x")})
	if err == nil || pr == nil || pr.ReasonCode != 0x87 {
		t.Errorf("ACL token publish to own topic: %v %v, want PUBACK 0x87", pr, err)
	}

	prefix := fmt.Sprintf("flespi/message/gw/channels/%d/", ACLChannelID)
	for range 20 {
		if m := next(ctx, t, c); !strings.HasPrefix(m.Topic, prefix) {
			t.Fatalf("ACL token received %s", m.Topic)
		}
	}
}

func TestPersistentSession(t *testing.T) {
	const n = 2000
	s := startSim(t, Config{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	expiry := uint32(3600)
	cp := func() *paho.Connect {
		cp := tokenConnect(DemoToken, "t-persist")
		cp.CleanStart = false
		cp.Properties = &paho.ConnectProperties{SessionExpiryInterval: &expiry}
		return cp
	}

	first, ca, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), cp(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if ca.SessionPresent {
		t.Fatal("first CONNACK says session present")
	}
	mustSubscribe(ctx, t, first, "test/persist/#")
	if err := first.Disconnect(&paho.Disconnect{}); err != nil {
		t.Fatal(err)
	}
	// No wait for the broker to notice: a message sent to the closing
	// connection stays in the session unacknowledged and is resent anyway.
	for i := range n {
		if err := s.Publish("test/persist/x", []byte(`{"seq":`+strconv.Itoa(i)+`}`), false, 1); err != nil {
			t.Fatal(err)
		}
	}

	second, ca, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), cp(), 2*n)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.SessionPresent {
		t.Fatal("reconnect CONNACK: session present = false")
	}
	subs := gjson.Parse(ca.Properties.User.Get("subscriptions"))
	if subs.Get("#").Int() != 1 || subs.Get("0.topic").String() != "test/persist/#" || subs.Get("0.qos").Int() != 1 {
		t.Errorf("CONNACK subscriptions property = %s", subs.Raw)
	}
	seen := make(map[int64]bool, n)
	for len(seen) < n {
		m := next(ctx, t, second)
		if m.QoS != 1 {
			t.Fatalf("queued message arrived with QoS %d", m.QoS)
		}
		// paho sent Request Problem Information = 0 (ConnectProperties is
		// set): flespi's user properties must survive it.
		if userProp(m, "cid") != strconv.Itoa(AccountID) || userProp(m, "timestamp") == "" {
			t.Fatalf("queued message lacks user properties: %+v", m.Properties)
		}
		seen[gjson.GetBytes(m.Payload, "seq").Int()] = true
	}
	for i := range int64(n) {
		if !seen[i] {
			t.Fatalf("seq %d missing", i)
		}
	}
}

// TestSmallReceiveMaximum streams QoS 1 at a few thousand msg/s to a client
// with hubtap's Receive Maximum of 64. With mochi's own flow control this
// crawled and could deadlock the broker (see ignoreReceiveMaximum).
func TestSmallReceiveMaximum(t *testing.T) {
	const n = 4000
	s := startSim(t, Config{Seed: 6, Rate: 4000})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	rm := uint16(64)
	cp := tokenConnect(DemoToken, "t-rm64")
	cp.Properties = &paho.ConnectProperties{ReceiveMaximum: &rm, RequestProblemInfo: true}
	c, _, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), cp, 2*n)
	if err != nil {
		t.Fatal(err)
	}
	mustSubscribe(ctx, t, c, "flespi/message/gw/channels/+/+", "flespi/message/gw/devices/+")
	for range n {
		next(ctx, t, c)
	}
}

func TestRetainedState(t *testing.T) {
	const devices = 5
	s := startSim(t, Config{Seed: 3, Devices: devices, Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mustConnect(ctx, t, s, DemoToken, "t-state", 4096)
	mustSubscribe(ctx, t, c, "flespi/state/#")

	want := map[string]func(v gjson.Result) bool{
		"flespi/state/platform/customer/counters/devices_count":  func(v gjson.Result) bool { return v.Int() == devices },
		"flespi/state/platform/customer/counters/channels_count": func(v gjson.Result) bool { return v.Int() == 2 },
	}
	for _, ch := range []int{DemoChannelID, SecondChannelID} {
		want["flespi/state/gw/channels/"+strconv.Itoa(ch)+"/connections_count"] = func(v gjson.Result) bool { return v.Int() >= 2 }
	}
	for _, d := range s.Devices() {
		base := "flespi/state/gw/devices/" + strconv.FormatInt(d.ID, 10)
		name := d.Name
		want[base+"/connected"] = func(v gjson.Result) bool { return v.Type == gjson.True }
		want[base+"/name"] = func(v gjson.Result) bool { return v.Str == name }
		want[base+"/last_active"] = func(v gjson.Result) bool { return v.Int() > 1e9 }
		want[base] = func(v gjson.Result) bool { return v.Get("name").Str == name && v.Get("connected").Bool() }
		for _, p := range []string{"position.speed", "position.latitude", "battery.voltage", "timestamp", "ident"} {
			want[base+"/telemetry/"+p] = func(v gjson.Result) bool { return v.Exists() }
		}
		want[base+"/telemetry/engine.ignition.status"] = func(v gjson.Result) bool { return v.IsBool() }
	}
	got := make(map[string][]byte)
	for missing := len(want); missing > 0; {
		m := next(ctx, t, c)
		if !m.Retain {
			t.Fatalf("%s: not retained", m.Topic)
		}
		if userProp(m, "timestamp") == "" {
			t.Errorf("%s: no timestamp user property", m.Topic)
		}
		if _, ok := want[m.Topic]; ok && got[m.Topic] == nil {
			missing--
		}
		got[m.Topic] = m.Payload
	}
	for topic, ok := range want {
		if !ok(gjson.ParseBytes(got[topic])) {
			t.Errorf("%s = %q", topic, got[topic])
		}
	}
}

func TestClientPublish(t *testing.T) {
	s := startSim(t, Config{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub := mustConnect(ctx, t, s, DemoToken, "t-pub-sub", 16)
	// Not flespi/#: that would replay the fleet's retained state first.
	mustSubscribe(ctx, t, sub, "flespi/message/#", "flespi/state/gw/devices/999/#", "custom/#")
	pub := mustConnect(ctx, t, s, DemoToken, "t-pub-pub", 1)

	forged := "flespi/message/gw/channels/1234/111111111111111"
	for _, p := range []*paho.Publish{
		{Topic: forged, QoS: 1, Payload: []byte("forged")},
		{Topic: "flespi/state/gw/devices/999/connected", QoS: 1, Retain: true, Payload: []byte("forged")},
		{Topic: "custom/a", QoS: 1, Payload: []byte("hello")},
		{Topic: "custom/retained", QoS: 1, Retain: true, Payload: []byte("kept")},
	} {
		if pr, err := pub.Publish(ctx, p); err != nil {
			t.Fatalf("publish %s: %v %v", p.Topic, pr, err) // flespi/... is discarded silently, with a normal PUBACK
		}
	}
	// Messages from one publisher arrive in order: had the forged ones been
	// delivered, they would come before "hello".
	for _, want := range []string{"hello", "kept"} {
		if m := next(ctx, t, sub); string(m.Payload) != want {
			t.Fatalf("got %q on %s, want %q", m.Payload, m.Topic, want)
		}
	}
	// Retained messages are replayed in filter order, so a retained forged
	// message would arrive before the custom one.
	late := mustConnect(ctx, t, s, DemoToken, "t-pub-late", 16)
	mustSubscribe(ctx, t, late, "flespi/state/gw/devices/999/#", "custom/retained")
	if m := next(ctx, t, late); m.Topic != "custom/retained" || !m.Retain {
		t.Fatalf("first retained message: %s %q retain=%v", m.Topic, m.Payload, m.Retain)
	}
}

func TestWebSocket(t *testing.T) {
	s := startSim(t, Config{Seed: 4, Devices: 3, Rate: 200, WSListen: "127.0.0.1:0"})
	if !strings.HasPrefix(s.WSURL(), "ws://127.0.0.1:") || strings.HasSuffix(s.WSURL(), ":0") {
		t.Fatalf("WSURL() = %q", s.WSURL())
	}
	for i, u := range []string{s.WSURL(), s.WSURL() + "/mqtt"} {
		t.Run(u, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			d := websocket.Dialer{Subprotocols: []string{"mqtt"}}
			wc, resp, err := d.DialContext(ctx, u, nil)
			if err != nil {
				t.Fatalf("dial %s: %v", u, err)
			}
			_ = resp.Body.Close()
			c, _, err := connect(ctx, t, newWSConn(wc), tokenConnect(DemoToken, "t-ws-"+strconv.Itoa(i)), 64)
			if err != nil {
				t.Fatal(err)
			}
			mustSubscribe(ctx, t, c, "flespi/message/gw/devices/+")
			checkDeviceMessage(t, s, next(ctx, t, c))
		})
	}
}

func TestStartNoWebSocket(t *testing.T) {
	s := startSim(t, Config{Rate: -1})
	if s.WSURL() != "" {
		t.Errorf("WSURL() = %q without WSListen", s.WSURL())
	}
	if !strings.HasPrefix(s.URL(), "mqtt://127.0.0.1:") {
		t.Errorf("URL() = %q", s.URL())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish("a/b", nil, false, 0); err != ErrClosed {
		t.Errorf("Publish after Close: %v, want ErrClosed", err)
	}
}

func TestStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Config{Rate: 100})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	done := make(chan struct{})
	go func() { _ = s.Close(); close(done) }() // waits for the ctx-triggered close
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop after ctx was cancelled")
	}
	var d net.Dialer
	dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer dcancel()
	if conn, err := d.DialContext(dctx, "tcp", strings.TrimPrefix(s.URL(), "mqtt://")); err == nil {
		conn.Close()
		t.Error("listener still accepts after stop")
	}
}

func TestRunStandalone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() { errc <- RunStandalone(ctx, Config{Rate: -1, WSListen: "127.0.0.1:0"}, out) }()
	select {
	case <-out.done:
	case err := <-errc:
		t.Fatalf("RunStandalone returned early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no banner")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunStandalone did not return after cancel")
	}
	got := out.String()
	for _, want := range []string{"mqtt://127.0.0.1:", "ws://127.0.0.1:", DemoToken, ACLToken, "mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "} {
		if !strings.Contains(got, want) {
			t.Errorf("banner lacks %q:\n%s", want, got)
		}
	}
}

// ---- benchmarks ----

// BenchmarkDeviceMessage measures one device step plus its JSON; it should
// not allocate.
func BenchmarkDeviceMessage(b *testing.B) {
	now := time.Unix(1_715_843_521, 0)
	fleet := newFleet(50, 0, 1, now)
	buf := make([]byte, 0, 1024)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(20 * time.Millisecond)
		d := fleet[i%len(fleet)]
		i++
		d.step(now)
		buf = appendMessage(buf[:0], d, &d.cur)
	}
	b.ReportMetric(float64(len(buf)), "bytes/msg")
}

// BenchmarkPublish measures device messages per second through the broker
// with nobody subscribed: the pacer's ceiling. Each is two broker publishes,
// plus, with full telemetry, one retained publish per parameter (~27).
func BenchmarkPublish(b *testing.B) {
	for _, tel := range []Telemetry{TelemetryLight, TelemetryFull} {
		b.Run(string(tel), func(b *testing.B) {
			s := startSim(b, Config{Seed: 1, Rate: -1, Telemetry: tel})
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				s.publishNext(s.now())
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// TestRetainedUpdateReplayed: a topic re-retained by the simulator (which
// stores the update directly, around a race in mochi; hook.go
// updateRetained) is replayed to a new subscriber with its newest value,
// and live subscribers get the update.
func TestRetainedUpdateReplayed(t *testing.T) {
	s := startSim(t, Config{Rate: -1, Devices: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	live := mustConnect(ctx, t, s, DemoToken, "t-ret-live", 16)
	mustSubscribe(ctx, t, live, "custom/state/+")
	for _, v := range []string{"1", "2", "3"} {
		if err := s.Publish("custom/state/x", []byte(v), true, 1); err != nil {
			t.Fatal(err)
		}
		m := next(ctx, t, live)
		for m.Retain { // a retained replay of an earlier value (the scan after SUBACK can race with a publish)
			m = next(ctx, t, live)
		}
		if string(m.Payload) != v {
			t.Fatalf("live subscriber got %q, want %q", m.Payload, v)
		}
	}
	late := mustConnect(ctx, t, s, DemoToken, "t-ret-late", 16)
	mustSubscribe(ctx, t, late, "custom/state/+")
	m := next(ctx, t, late)
	if string(m.Payload) != "3" || !m.Retain {
		t.Fatalf("a new subscriber got %q (retain %v), want the newest value 3, retained", m.Payload, m.Retain)
	}
}

// TestCloseSaysShuttingDown: closing the broker sends each connected MQTT 5
// client a DISCONNECT "server shutting down" (0x8B) before the connection
// ends, as mochi's own Close does (disconnectAll stands in for it).
func TestCloseSaysShuttingDown(t *testing.T) {
	s, err := Start(context.Background(), Config{Seed: 1, Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn := dialTCP(ctx, t, s.URL())
	defer conn.Close()
	cp := tokenConnect(DemoToken, "t-close").Packet()
	cp.ProtocolName, cp.ProtocolVersion = "MQTT", 5
	if _, err := cp.WriteTo(conn); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if cp, err := packets.ReadPacket(conn); err != nil || cp.Type != packets.CONNACK {
		t.Fatalf("after CONNECT: %v, %v; want a CONNACK", cp, err)
	}
	go func() { _ = s.Close() }()
	for {
		cp, err := packets.ReadPacket(conn)
		if err != nil {
			t.Fatalf("the connection ended (%v) without a DISCONNECT", err)
		}
		if d, ok := cp.Content.(*packets.Disconnect); ok {
			if d.ReasonCode != 0x8B {
				t.Fatalf("DISCONNECT reason %#x, want 0x8b (server shutting down)", d.ReasonCode)
			}
			return
		}
	}
}
