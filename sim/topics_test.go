package sim

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mochi-mqtt/server/v2/packets"
)

func TestParseFilter(t *testing.T) {
	cases := []struct {
		filter, mochi string
		matches       []string
		misses        []string
		wantErr       string
	}{
		{filter: "flespi/state/gw/devices/1,2/connected", mochi: "flespi/state/gw/devices/+/connected",
			matches: []string{"flespi/state/gw/devices/1/connected", "flespi/state/gw/devices/2/connected"},
			misses:  []string{"flespi/state/gw/devices/3/connected", "flespi/state/gw/devices/1,2/connected", "flespi/state/gw/devices/1/name"}},
		{filter: "flespi/interval/gw/calcs/+/devices/7/created,updated,deleted", mochi: "flespi/interval/gw/calcs/+/devices/7/+",
			matches: []string{"flespi/interval/gw/calcs/3/devices/7/updated"}, misses: []string{"flespi/interval/gw/calcs/3/devices/7/activated"}},
		{filter: "$share/g:6/$filter/cid=8201/flespi/message/gw/channels/10,20/+", mochi: "$share/g:6/flespi/message/gw/channels/+/+",
			matches: []string{"flespi/message/gw/channels/20/3526"}, misses: []string{"flespi/message/gw/channels/30/3526"}},
		{filter: "$filter/modified_since>1700000000/flespi/state/#", mochi: "flespi/state/#",
			matches: []string{"flespi/state", "flespi/state/gw/devices/1"}, misses: []string{"flespi/message/x", "$SYS/x"}},
		{filter: "plain/+/#", mochi: "plain/+/#", matches: []string{"plain/a", "plain/a/b/c"}, misses: []string{"plain"}},
		{filter: "$filter/payload=position.speed%3E60/flespi/message/gw/devices/+", wantErr: "does not evaluate"},
		{filter: "$filter/message=cid%3D%3D1/x", wantErr: "does not evaluate"},
		{filter: "$filter/colour=red/x", wantErr: "unknown $filter form"},
		{filter: "$filter/cid=abc/x", wantErr: "needs a customer id"},
		{filter: "$filter/cid=1", wantErr: "needs a filter after"},
		{filter: "a/1,,2/b", wantErr: "comma list"},
		{filter: "a/1,+/b", wantErr: "comma list"},
		{filter: "$share/", wantErr: "needs a group"},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			x, err := parseFilter(c.filter)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || x.mochi != c.mochi || x.plain != (c.filter == c.mochi) {
				t.Fatalf("got %+v, %v; want mochi filter %q", x, err, c.mochi)
			}
			for _, m := range c.matches {
				if !x.matches(m) {
					t.Errorf("%s does not match %s", c.filter, m)
				}
			}
			for _, m := range c.misses {
				if x.matches(m) {
					t.Errorf("%s matches %s", c.filter, m)
				}
			}
		})
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"a/1,2/b", "$share/g/$filter/cid=1/a/#", "$filter/payload=x/y", "+/+", "#", ""} {
		f.Add(s, "a/1/b")
	}
	f.Fuzz(func(t *testing.T, filter, topic string) {
		x, err := parseFilter(filter)
		if err != nil {
			return
		}
		// mochi's superset matches at least what the filter matches.
		if strings.HasPrefix(x.mochi, "$share/") || !utf8.ValidString(topic) || strings.ContainsAny(topic, "+#") {
			return
		}
		sup, err := parseFilter(x.mochi)
		if err != nil {
			t.Fatalf("%q: mochi filter %q does not parse: %v", filter, x.mochi, err)
		}
		if x.matches(topic) && !sup.matches(topic) {
			t.Fatalf("%q matches %q but its mochi filter %q does not", filter, topic, x.mochi)
		}
	})
}

// TestResumeOrderAcrossWrap: a queue whose sequence numbers cross a
// multiple of 65536 (mochi sorts by uint16(Created)) is resent in order.
func TestResumeOrderAcrossWrap(t *testing.T) {
	s := startSim(t, Config{Rate: -1})
	o := newResumeOrder()
	cl := s.srv.NewClient(nil, "t", "t-wrap", false)
	for i := range 40 { // sequence numbers 3<<16-19 ... 3<<16+20: their uint16 wraps
		pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: 1}, PacketID: uint16(1000 - i)}
		o.seq.Store(3<<16 - 20 + int64(i))
		o.stamp(&pk)
		cl.State.Inflight.Set(pk)
	}
	o.seq.Store(3<<16 + 100)
	o.resume(cl)
	got := cl.State.Inflight.GetAll(false) // mochi's resend order
	for i := range got {
		if got[i].PacketID != uint16(1000-i) {
			t.Fatalf("resend position %d: packet %d, want %d (publish order)", i, got[i].PacketID, 1000-i)
		}
	}
	if len(o.fresh[cl]) != 40 {
		t.Errorf("%d of 40 never-sent messages marked fresh", len(o.fresh[cl]))
	}
}

func TestHelp(t *testing.T) {
	h := Help()
	for _, want := range []string{DemoToken, ACLToken, "flespi/message/gw/channels/", "flespi/message/gw/devices/",
		"telemetry/{param}", "last_active", "connections_count", "customer/counters", "flespi/log/gw/devices/{id}/connected",
		"commands-queue/{name}/{status}", "flespi/rest/", "$filter/", "comma lists", "Not simulated"} {
		if !strings.Contains(h, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for i, l := range strings.Split(h, "\n") {
		if utf8.RuneCountInString(l) > 79 && !strings.Contains(l, DemoToken) && !strings.Contains(l, ACLToken) {
			t.Errorf("help line %d is %d columns: %q", i+1, utf8.RuneCountInString(l), l)
		}
		if strings.Contains(l, "{tokens}") || strings.Contains(l, "{ch}") || strings.Contains(l, "{ch2}") || strings.Contains(l, "{account}") || strings.Contains(l, "{queue}") {
			t.Errorf("help line %d has a placeholder left: %q", i+1, l)
		}
	}
}

func TestTelemetryResolve(t *testing.T) {
	for _, c := range []struct {
		in   string
		rate float64
		want Telemetry
	}{
		{"", 50, TelemetryFull}, {"auto", 1000, TelemetryFull}, {"auto", 1001, TelemetryLight},
		{"full", 20000, TelemetryFull}, {"light", 5, TelemetryLight},
	} {
		tel, err := ParseTelemetry(c.in)
		if got := tel.resolve(c.rate); err != nil || got != c.want {
			t.Errorf("%q at %v msg/s: %q %v, want %q", c.in, c.rate, got, err, c.want)
		}
	}
	if _, err := ParseTelemetry("heavy"); err == nil {
		t.Error("ParseTelemetry accepted heavy")
	}
}
