package headless

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
	"hubtap/filters"
	"hubtap/history"
	"hubtap/sim"
)

func TestTemplate(t *testing.T) {
	m := broker.Message{Topic: "flespi/message/gw/devices/7", QoS: 1, Retain: true,
		Payload:  []byte(`{"ident":"352625066004561","position.speed":47,"position":{"speed":12},"nested":{"a":[1,2]}}`),
		Received: time.Date(2026, 11, 26, 10, 42, 1, 5, time.UTC),
		Props:    &broker.Properties{User: []broker.UserProperty{{Key: "cid", Value: "8201"}, {Key: "timestamp", Value: "1.5"}}}}
	cases := []struct{ tpl, want, wantErr string }{
		{tpl: "%t %q %r %d", want: "flespi/message/gw/devices/7 1 1 0\n"},
		{tpl: "%l", want: "92\n"},
		{tpl: "%{position.speed} %{ident} %{nested.a} %{nested.a.1} [%{missing}]", want: "47 352625066004561 [1,2] 2 []\n"},
		{tpl: "%U", want: "1795689721.000000005\n"},
		{tpl: "%I", want: m.Received.Local().Format("2006-01-02T15:04:05-0700") + "\n"},
		{tpl: "%P", want: "cid:8201 timestamp:1.5\n"},
		{tpl: `100%% \t%x`, want: "100% \t" + "7b" + strings.Repeat("", 0)},
		{tpl: "%z", wantErr: "unknown verb %z"},
		{tpl: "%{", wantErr: "%{ needs"},
		{tpl: "abc%", wantErr: "column 4: \"%\" ends without a verb"},
		{tpl: "%T", wantErr: "column 1: unknown verb %T: did you mean %t (topic)?"},
		{tpl: "ab %-8.3s", wantErr: "column 4: unknown verb %s: did you mean %p (payload) or %t (topic)?"},
		{tpl: "%i", wantErr: "did you mean %I (ISO 8601 time)?"},
		{tpl: `\q`, wantErr: "unknown escape"},
	}
	for _, c := range cases {
		t.Run(c.tpl, func(t *testing.T) {
			f, err := ParseTemplate(c.tpl)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := string(f(nil, &m))
			if strings.HasSuffix(c.tpl, "%x") {
				if !strings.HasPrefix(got, c.want) || !strings.HasSuffix(got, "7d\n") {
					t.Fatalf("got %q", got)
				}
				return
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestSubAgainstDemo is the check: -C 1000 against the demo broker
// prints 1000 JSONL lines that parse.
func TestSubAgainstDemo(t *testing.T) {
	s, err := sim.Start(context.Background(), sim.Config{Rate: 2000, Devices: 20, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, _ := broker.ParseURL(s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errs bytes.Buffer
	n, err := Run(ctx, Config{Count: 1000, Errors: &errs, Broker: broker.Options{URL: u, Token: broker.Secret(sim.DemoToken),
		ClientID: "sub-test", SessionExpiry: time.Hour, QoS: 1, Topics: []string{"flespi/#"}}}, &out)
	if err != nil || n != 1000 {
		t.Fatalf("Run = %d, %v (stderr %s)", n, err, errs.String())
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	lines := 0
	for sc.Scan() {
		if _, err := history.ParseJSONL(sc.Bytes()); err != nil {
			t.Fatalf("line %d: %v: %s", lines+1, err, sc.Text())
		}
		lines++
	}
	if lines != 1000 {
		t.Fatalf("%d lines, want 1000", lines)
	}
	if !strings.Contains(errs.String(), "subscribed flespi/# (QoS 1)") {
		t.Fatalf("stderr: %s", errs.String())
	}
	if strings.Contains(errs.String()+out.String(), sim.DemoToken) {
		t.Fatal("the token leaked into the output")
	}
}

func TestSubFilterAndRefusal(t *testing.T) {
	s, err := sim.Start(context.Background(), sim.Config{Rate: 1000, Devices: 10, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, _ := broker.ParseURL(s.URL())
	ident := s.Devices()[3].Ident
	f, err := filters.Compile(`prop.cid == "8201" && ident == "` + ident + `"`)
	if err != nil {
		t.Fatal(err)
	}
	tpl, _ := ParseTemplate("%{ident}")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	_, err = Run(ctx, Config{Count: 5, Filter: f, Format: tpl, Broker: broker.Options{URL: u, Token: broker.Secret(sim.DemoToken),
		ClientID: "sub-filter", QoS: 1, Topics: []string{"flespi/message/gw/devices/+"}}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat(ident+"\n", 5); out.String() != want {
		t.Fatalf("filtered output %q, want %q", out.String(), want)
	}

	_, err = Run(ctx, Config{Broker: broker.Options{URL: u, Token: broker.Secret("nope"), ClientID: "sub-bad", Topics: []string{"#"},
		Backoff: func(int) time.Duration { return 10 * time.Millisecond }}}, &out)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "not authorized") {
		t.Fatalf("bad token: err = %v", err)
	}
}
