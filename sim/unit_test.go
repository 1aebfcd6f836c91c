package sim

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"
)

func TestACLPrefix(t *testing.T) {
	if want := "flespi/message/gw/channels/" + strconv.Itoa(ACLChannelID) + "/"; aclPrefix != want {
		t.Fatalf("aclPrefix = %q, want %q", aclPrefix, want)
	}
}

func TestACLAllows(t *testing.T) {
	cases := []struct {
		r      role
		filter string
		write  bool
		want   bool
	}{
		{roleDemo, "flespi/#", false, true},
		{roleDemo, "#", false, true},
		{roleDemo, "$SYS/#", false, false},
		{roleDemo, "custom/topic", true, true},
		{roleDemo, "flespi/message/gw/devices/1", true, true}, // allowed, then discarded by OnPublish
		{roleACL, "flespi/message/gw/channels/1234/+", false, true},
		{roleACL, "flespi/message/gw/channels/1234/#", false, true},
		{roleACL, "flespi/message/gw/channels/1234/352625066004561", false, true},
		{roleACL, "$share/g/flespi/message/gw/channels/1234/+", false, true},
		{roleACL, "flespi/message/gw/channels/1234", false, false},
		{roleACL, "flespi/message/gw/channels/12345/+", false, false},
		{roleACL, "flespi/message/gw/channels/1235/+", false, false},
		{roleACL, "flespi/message/gw/channels/+/+", false, false},
		{roleACL, "flespi/message/gw/devices/+", false, false},
		{roleACL, "flespi/#", false, false},
		{roleACL, "$share/g/flespi/#", false, false},
		{roleACL, "custom/topic", true, false},
		{roleACL, "flespi/message/gw/devices/1", true, true},
		{roleNone, "custom/topic", false, false},
		{roleNone, "custom/topic", true, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.r)+" "+tc.filter+" write="+strconv.FormatBool(tc.write), func(t *testing.T) {
			if got := aclAllows(tc.r, ACLRefuse, tc.filter, tc.write); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTokenRole(t *testing.T) {
	cases := []struct {
		user, pass string
		want       role
	}{
		{DemoToken, "", roleDemo},
		{"FlespiToken " + ACLToken, "", roleACL},
		{"x", ACLToken, roleACL},
		{"", "", roleNone},
		{"FlespiToken", "", roleNone},
		{DemoToken + " ", "", roleNone},
	}
	for _, tc := range cases {
		if got := tokenRole([]byte(tc.user), []byte(tc.pass)); got != tc.want {
			t.Errorf("tokenRole(%.20q, %.20q) = %q, want %q", tc.user, tc.pass, got, tc.want)
		}
	}
	if len(DemoToken) != 64 || len(ACLToken) != 64 {
		t.Errorf("token lengths %d, %d, want 64", len(DemoToken), len(ACLToken))
	}
}

func TestFleet(t *testing.T) {
	now := time.Unix(1_715_843_521, 0)
	a := newFleet(40, 2, 9, now)
	b := newFleet(40, 2, 9, now)
	c := newFleet(40, 2, 10, now)
	idents, names := map[string]bool{}, map[string]bool{}
	sameAsC := 0
	for i, d := range a {
		if d.info != b[i].info || *d.peer.Load() != *b[i].peer.Load() || len(d.route) != len(b[i].route) || d.route[0] != b[i].route[0] {
			t.Fatalf("device %d differs with the same seed: %+v vs %+v", i, d.info, b[i].info)
		}
		if d.info.Ident == c[i].info.Ident {
			sameAsC++
		}
		id := d.info.Ident
		if len(id) != 15 || luhnDigit([]byte(id[:14])) != id[14] {
			t.Errorf("ident %s: not 15 digits with a Luhn check digit", id)
		}
		if idents[id] {
			t.Errorf("duplicate ident %s", id)
		}
		idents[id] = true
		wantCh := int64(DemoChannelID)
		if i%2 == 1 {
			wantCh = SecondChannelID
		}
		if d.info.ChannelID != wantCh {
			t.Errorf("device %d on channel %d, want %d", i, d.info.ChannelID, wantCh)
		}
		if i < 40 {
			if d.info.ID != int64(firstDeviceID+i) || d.info.Name == "" || names[d.info.Name] {
				t.Errorf("device %d: id %d name %q (duplicate %v)", i, d.info.ID, d.info.Name, names[d.info.Name])
			}
			names[d.info.Name] = true
		} else if d.info.ID != 0 || d.info.Quirk != QuirkUnregistered || d.devTopic != "" {
			t.Errorf("unregistered ident %d: %+v", i, d.info)
		}
	}
	if sameAsC > 2 {
		t.Errorf("%d idents equal across different seeds", sameAsC)
	}
	if luhnDigit([]byte("49015420323751")) != '8' { // a published example IMEI
		t.Error("luhnDigit is wrong")
	}
}

// TestDriving runs one vehicle for six simulated hours and checks that the
// motion is plausible: bounded speed, heading along the movement, stops with
// the ignition off, and mileage matching the distance covered.
func TestDriving(t *testing.T) {
	now := time.Unix(1_715_843_521, 0)
	d := newFleet(1, 0, 5, now)[0]
	var parked, moving, stoppedIgnOn int
	prev := d.cur
	lastFix := d.cur // while there is no fix, position and speed freeze
	startKm := d.mileage
	dist := 0.0
	for range 6 * 3600 {
		now = now.Add(time.Second)
		d.step(now)
		r := d.cur
		if r.speed < 0 || r.speed > maxSpeed {
			t.Fatalf("speed %d", r.speed)
		}
		if r.valid && prev.valid && math.Abs(float64(r.speed-prev.speed)) > 12 { // 3.3 m/s²: firm but normal braking
			t.Fatalf("speed jumped %d -> %d in 1 s", prev.speed, r.speed)
		}
		dy := (r.lat - lastFix.lat) * 111320
		dx := (r.lon - lastFix.lon) * 111320 * d.cosLat
		step := math.Hypot(dx, dy)
		if r.valid {
			dist += step
		}
		if r.valid && prev.valid && step > 20 && prev.dir == r.dir {
			bearing := math.Mod(math.Atan2(dx, dy)*180/math.Pi+360, 360)
			if diff := math.Abs(math.Mod(bearing-float64(r.dir)+540, 360) - 180); diff > 3 {
				t.Fatalf("moved on bearing %.0f but direction is %d", bearing, r.dir)
			}
		}
		if r.valid {
			lastFix = r
		}
		switch {
		case !r.ign:
			parked++
			if r.speed != 0 {
				t.Fatalf("moving at %d km/h with the ignition off", r.speed)
			}
		case r.speed == 0:
			stoppedIgnOn++
		default:
			moving++
		}
		prev = r
	}
	t.Logf("parked %d s, moving %d s, stopped with ignition on %d s", parked, moving, stoppedIgnOn)
	if parked == 0 || moving == 0 || stoppedIgnOn == 0 {
		t.Errorf("parked %d s, moving %d s, stopped with ignition on %d s: want all three", parked, moving, stoppedIgnOn)
	}
	if km := d.mileage - startKm; math.Abs(km-dist/1000) > 0.05*km+0.5 {
		t.Errorf("mileage grew %.2f km but positions moved %.2f km", km, dist/1000)
	}
}

func TestPace(t *testing.T) {
	cases := []struct {
		name      string
		rate      float64
		elapsed   time.Duration
		carry     float64
		wantN     int
		wantRest  float64
		wantSkips uint64
	}{
		{"paused", 0, tick, 0.5, 0, 0.5, 0},
		{"one tick at 1000/s", 1000, tick, 0, 10, 0, 0},
		{"fraction carried", 50, tick, 0, 0, 0.5, 0},
		{"carry completes", 50, tick, 0.5, 1, 0, 0},
		{"late tick catches up", 1000, 3 * tick, 0, 30, 0, 0},
		{"very late tick is capped", 1000, time.Second, 0, 40, 0, 960},
		{"slow rate never starves", 0.5, 2 * time.Second, 0, 1, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, rest, skipped := pace(tc.rate, tc.elapsed, tc.carry)
			if n != tc.wantN || math.Abs(rest-tc.wantRest) > 1e-9 || skipped != tc.wantSkips {
				t.Errorf("pace = %d, %.3f, %d; want %d, %.3f, %d", n, rest, skipped, tc.wantN, tc.wantRest, tc.wantSkips)
			}
		})
	}
}

func TestAppendMicros(t *testing.T) {
	cases := []struct {
		us     int64
		digits int
		want   string
	}{
		{1715843522418732, 6, "1715843522.418732"},
		{1715843522000001, 6, "1715843522.000001"},
		{1715843522418732, 3, "1715843522.418"},
		{0, 6, "0.000000"},
	}
	for _, tc := range cases {
		if got := string(appendMicros(nil, tc.us, tc.digits)); got != tc.want {
			t.Errorf("appendMicros(%d, %d) = %s, want %s", tc.us, tc.digits, got, tc.want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"Truck 17", `a"b\c`, "\x00\x1f\u2028", "\xff\xfe", "Łódź"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		if !json.Valid(b) {
			t.Fatalf("invalid JSON %q for %q", b, s)
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("round trip %q -> %q", s, back)
		}
	})
}

// countHandler counts records and remembers the last one.
type countHandler struct {
	n    int
	last slog.Record
}

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	h.n++
	h.last = r
	return nil
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }

func TestThrottleHandler(t *testing.T) {
	next := &countHandler{}
	h := newThrottleHandler(next, 10*time.Second)
	t0 := time.Unix(1000, 0)
	log := func(at time.Duration, msg string) {
		_ = h.WithAttrs(nil).Handle(context.Background(), slog.NewRecord(t0.Add(at), slog.LevelWarn, msg, 0))
	}
	for i := range 100 {
		log(time.Duration(i)*time.Millisecond, "client store quota reached")
	}
	log(0, "another message")
	if next.n != 2 {
		t.Fatalf("%d records passed, want 2", next.n)
	}
	log(11*time.Second, "client store quota reached")
	if next.n != 3 {
		t.Fatalf("%d records passed, want 3", next.n)
	}
	var suppressed int64
	next.last.Attrs(func(a slog.Attr) bool {
		if a.Key == "suppressed" {
			suppressed = a.Value.Int64()
		}
		return true
	})
	if suppressed != 99 {
		t.Errorf("suppressed = %d, want 99", suppressed)
	}
}

// TestWait: the publisher sleeps a tick at rates that fill a tick, and until
// the next message is due at slower ones (so an idle demo stays idle).
func TestWait(t *testing.T) {
	cases := []struct {
		rate, carry float64
		want        time.Duration
	}{
		{0, 0, tick},
		{1000, 0, tick},
		{100, 0, tick},
		{10, 0, 100 * time.Millisecond},
		{10, 0.5, 50 * time.Millisecond},
		{2, 0.99, tick}, // due in 5 ms: no sooner than a tick
		{0.5, 0, 2 * time.Second},
		{0.001, 0, maxWait},
	}
	for _, c := range cases {
		if got := wait(c.rate, c.carry); got != c.want {
			t.Errorf("wait(%v, %v) = %v, want %v", c.rate, c.carry, got, c.want)
		}
	}
}
