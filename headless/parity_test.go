package headless

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"hubtap/broker"
)

// times replaces what depends on the clock (mosquitto_sub prints its own
// time, hubtap the receive time) and the remaining message expiry (it
// counts down on the broker) by fixed words, so the rest compares byte
// for byte.
var times = []struct {
	re   *regexp.Regexp
	word string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6}Z)?[+-]\d{4}`), "ISOTIME"},
	{regexp.MustCompile(`\d{10}\.\d{9}`), "UNIXTIME"},
	{regexp.MustCompile(`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \d{10} \d{9}`), "ATTIME"},
	{regexp.MustCompile(`86[34]\d\d`), "EXPIRY"},
}

func normalise(s string) string {
	for _, r := range times {
		s = r.re.ReplaceAllString(s, r.word)
	}
	return s
}

// hubtapSub runs headless.Run like `hubtap sub` against addr.
func hubtapSub(ctx context.Context, addr, id string, cfg Config, topics ...string) (string, error) {
	u, err := broker.ParseURL("mqtt://" + addr)
	if err != nil {
		return "", err
	}
	cfg.Broker = broker.Options{URL: u, ClientID: id, QoS: 1, Topics: topics, SessionExpiry: cfg.Broker.SessionExpiry}
	var out strings.Builder
	_, err = Run(ctx, cfg, &out)
	return out.String(), err
}

func TestTemplatesMatchMosquittoSub(t *testing.T) {
	addr := startMosquitto(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	msgs := retainedSet()
	publishAll(t, ctx, pahoClient(t, ctx, addr, "it-pub"), msgs)
	n := strconv.Itoa(len(msgs))
	for i, tpl := range []string{
		"%t %p",
		"%t|%l|%m|%q|%r|%P|%C|%R|%E|%F|%S|%A|%D|%%",
		"%x|%X",
		"[%5t][%-5t][%.3t][%8.2t][%-8.2t][%05l][%-5l][%3p][%-12p][%8x][%-9X][%03m][%-4m][%6C][%-3E][%04F][%3S][%-2A]",
		"%j",
		"%J",
		"%I|%U",
		"@Y/@m/@d @H:@M:@S @s @N @@",
		`\\ \a\e\0 \r \v 100%%`,
	} {
		t.Run(tpl, func(t *testing.T) {
			f, err := Compile(tpl, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, code := mosquittoSub(t, ctx, addr, "-q", "1", "-t", "it/#", "-C", n, "-F", tpl)
			if code != 0 {
				t.Fatalf("mosquitto_sub exited %d", code)
			}
			got, err := hubtapSub(ctx, addr, "it-hub-"+strconv.Itoa(i), Config{Count: len(msgs), Format: f, Quiet: true}, "it/#")
			if err != nil {
				t.Fatal(err)
			}
			compare(t, normalise(want), normalise(got))
		})
	}
}

// compare fails with the first differing line of mosquitto_sub's output
// (want) and hubtap's (got).
func compare(t *testing.T, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			t.Fatalf("line %d differs:\nmosquitto_sub: %q\nhubtap:        %q\n(mosquitto_sub %d bytes, hubtap %d bytes)", i+1, wl, gl, len(want), len(got))
		}
	}
	t.Fatalf("outputs differ:\nmosquitto_sub: %q\nhubtap:        %q", want, got)
}

func TestFlagsMatchMosquittoSub(t *testing.T) {
	addr := startMosquitto(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	msgs := retainedSet()
	pub := pahoClient(t, ctx, addr, "it-pub")
	publishAll(t, ctx, pub, msgs)
	n := len(msgs)

	// live keeps publishing the same message until stop is closed: each
	// subscriber that waits for a live message gets one as soon as it has
	// subscribed, and the same one whenever that is.
	live := func() (stop func()) {
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					_, _ = pub.Publish(ctx, &paho.Publish{Topic: "it/z/live", QoS: 0, Payload: []byte("live")})
				}
			}
		})
		return func() { close(done); wg.Wait() }
	}
	verbose := Verbose(Options{})
	cases := []struct {
		name string
		args []string // mosquitto_sub's
		cfg  Config   // hubtap's
		live bool     // publish live messages meanwhile (for the flags that wait for one)
	}{
		{"-v", []string{"-v", "-C", strconv.Itoa(n)}, Config{Count: n, Format: verbose}, false},
		{"-v -N", []string{"-v", "-N", "-C", strconv.Itoa(n)}, Config{Count: n, Format: Verbose(Options{NoEOL: true})}, false},
		{"-F -N", []string{"-N", "-F", "%t=%l;", "-C", strconv.Itoa(n)}, Config{Count: n, Format: mustCompile(t, "%t=%l;", Options{NoEOL: true})}, false},
		{"-T", []string{"-v", "-T", "it/b/#", "-T", "it/c/+", "-C", strconv.Itoa(n - 2)}, Config{Count: n - 2, Format: verbose, Hide: []string{"it/b/#", "it/c/+"}}, false},
		{"-R", []string{"-v", "-R", "-C", "1"}, Config{Count: 1, Format: verbose, SkipRetained: true}, true},
		{"--retained-only", []string{"-v", "--retained-only"}, Config{Format: verbose, RetainedOnly: true}, true},
		{"--pretty %j", []string{"--pretty", "-F", "%j", "-C", "1", "-T", "it/b/#", "-T", "it/c/#", "-T", "it/d/#"},
			Config{Count: 1, Format: mustCompile(t, "%j", Options{Pretty: true}), Hide: []string{"it/b/#", "it/c/#", "it/d/#"}}, false},
		{"--pretty %J", []string{"--pretty", "-F", "%J", "-C", "1", "-T", "it/b/#", "-T", "it/c/#", "-T", "it/d/#"},
			Config{Count: 1, Format: mustCompile(t, "%J", Options{Pretty: true}), Hide: []string{"it/b/#", "it/c/#", "it/d/#"}}, false},
	}
	var allRetained string // mosquitto_sub -v's output of every retained message (the first case)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.live { // otherwise a live message could come between the retained ones
				stop := live()
				defer stop()
			}
			want, code := mosquittoSub(t, ctx, addr, append([]string{"-q", "1", "-t", "it/#"}, c.args...)...)
			if code != 0 {
				t.Fatalf("mosquitto_sub exited %d", code)
			}
			c.cfg.Quiet = true
			got, err := hubtapSub(ctx, addr, "it-flag-"+strconv.Itoa(i), c.cfg, "it/#")
			if err != nil {
				t.Fatal(err)
			}
			if c.name == "-v" {
				allRetained = want
			}
			if c.name == "--retained-only" {
				// mosquitto may send a live message between two retained ones,
				// so each stops at its own point: both must print retained
				// messages only, in order, and stop.
				if !strings.HasPrefix(allRetained, want) || !strings.HasPrefix(allRetained, got) {
					t.Fatalf("--retained-only: mosquitto_sub %q, hubtap %q: want both to be a prefix of the retained messages %q", want, got, allRetained)
				}
				return
			}
			compare(t, normalise(want), normalise(got))
		})
	}

	t.Run("-W", func(t *testing.T) {
		_, code := mosquittoSub(t, ctx, addr, "-t", "it/nothing/#", "-W", "1")
		_, err := hubtapSub(ctx, addr, "it-w", Config{Timeout: time.Second, Quiet: true}, "it/nothing/#")
		if code != ExitTimeout || ExitCode(err) != code || !errors.Is(err, ErrTimeout) {
			t.Fatalf("-W 1 with no message: mosquitto_sub exit %d, hubtap exit %d (err %v); want both %d", code, ExitCode(err), err, ExitTimeout)
		}
		out, err := hubtapSub(ctx, addr, "it-w2", Config{Timeout: time.Second, Quiet: true, Format: verbose}, "it/a/#")
		if err != nil || !strings.HasPrefix(out, "it/a/json ") {
			t.Fatalf("-W 1 with a retained message: err %v, output %q; want exit 0 and the message", err, out)
		}
	})
}

func mustCompile(t *testing.T, tpl string, o Options) Format {
	t.Helper()
	f, err := Compile(tpl, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
