package broker

import (
	"strings"
	"testing"
)

func TestValidateFilter(t *testing.T) {
	cases := []struct{ f, wantErr string }{
		{f: "flespi/message/gw/channels/+/+"},
		{f: "flespi/#"},
		{f: "#"},
		{f: "flespi/message/gw/devices/1,2,3"},
		{f: "$share/grp/flespi/message/gw/channels/+/+"},
		{f: "", wantErr: "empty"},
		{f: "a/#/b", wantErr: "# must be a whole level and the last"},
		{f: "a/b#", wantErr: "# must be"},
		{f: "a/+b/c", wantErr: "+ must be a whole level"},
		{f: "$share/grp", wantErr: "$share/{group}/{filter}"},
		{f: "$share//a", wantErr: "$share/{group}/{filter}"},
		{f: "$share/g+/a", wantErr: "share group"},
		{f: "a\x00b", wantErr: "NUL"},
		{f: "a\xffb", wantErr: "UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.f, func(t *testing.T) {
			err := ValidateFilter(c.f)
			if c.wantErr == "" && err != nil {
				t.Fatalf("ValidateFilter(%q) = %v", c.f, err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("ValidateFilter(%q) = %v, want %q", c.f, err, c.wantErr)
			}
		})
	}
}

func TestMatchTopic(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"flespi/message/gw/channels/+/+", "flespi/message/gw/channels/1234/352625066004561", true},
		{"flespi/message/gw/channels/+/+", "flespi/message/gw/channels/1234", false},
		{"flespi/message/gw/channels/+/+", "flespi/message/gw/channels/1234/1/x", false},
		{"flespi/#", "flespi/state/gw/devices/1/telemetry/position.speed", true},
		{"flespi/#", "flespi", true},
		{"#", "anything/at/all", true},
		{"#", "$SYS/broker/uptime", false},
		{"+/x", "$SYS/x", false},
		{"flespi/message/gw/devices/1,2", "flespi/message/gw/devices/2", true},
		{"flespi/message/gw/devices/1,2", "flespi/message/gw/devices/3", false},
		{"$share/g/flespi/message/gw/devices/+", "flespi/message/gw/devices/7", true},
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/+", "a/", true},
		{"a/+/c", "a/b", false},
	}
	for _, c := range cases {
		if got := MatchTopic(c.filter, c.topic); got != c.want {
			t.Errorf("MatchTopic(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}

func FuzzMatchTopic(f *testing.F) {
	f.Add("flespi/+/#", "flespi/a/b")
	f.Add("$share/g/a/+", "a/b")
	f.Add("a/1,2/c", "a/2/c")
	f.Fuzz(func(t *testing.T, filter, topic string) {
		m := MatchTopic(filter, topic)
		// A filter without wildcards or commas matches exactly itself.
		if !strings.ContainsAny(filter, "+#,") && !strings.HasPrefix(filter, "$share/") && m != (filter == topic) {
			t.Fatalf("MatchTopic(%q, %q) = %v", filter, topic, m)
		}
		_ = ValidateFilter(filter)
	})
}
