package headless

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
	"hubtap/sim"
)

// tlsBroker starts the simulator with a TLS listener whose certificate is
// for 127.0.0.1, signed by a CA made here (sim.NewCerts) and trusted by
// nobody, and returns its host:port. (mochi's own TCP listener races its
// Close against a connection being accepted; the simulator's does not.)
func tlsBroker(t *testing.T) string {
	t.Helper()
	c, err := sim.NewCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.Start(context.Background(), sim.Config{Rate: -1, TLSListen: "127.0.0.1:0", TLS: c})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return strings.TrimPrefix(s.TLSURL(), "mqtts://")
}

func startSim(t *testing.T) string {
	t.Helper()
	s, err := sim.Start(context.Background(), sim.Config{Rate: 10, Devices: 2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return strings.TrimPrefix(s.URL(), "mqtt://")
}

// closedPort is a loopback port nothing listens on (it did a moment ago).
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func runTo(t *testing.T, ctx context.Context, rawURL string, token broker.Secret, retry int, backoff func(int) time.Duration) (string, error) {
	t.Helper()
	u, err := broker.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := broker.TLSConfig(u, broker.TLSFiles{})
	if err != nil {
		t.Fatal(err)
	}
	var errs strings.Builder
	cfg := Config{Retry: retry, Errors: &errs, Quiet: true,
		Broker: broker.Options{URL: u, TLS: tlsCfg, Token: token, ClientID: "exit-test", QoS: 1, Topics: []string{"flespi/#"}, Backoff: backoff}}
	_, err = Run(ctx, cfg, new(strings.Builder))
	return errs.String(), err
}

// TestPermanentErrorsEnd: with the default retry policy (3 tries, 1 s and
// 2 s apart), a wrong token, an unknown CA and a closed port each end Run
// within 10 s with one sentence and their exit code.
func TestPermanentErrorsEnd(t *testing.T) {
	sim := startSim(t)
	tlsAddr := tlsBroker(t)
	cases := []struct {
		name, url string
		token     broker.Secret
		code      int
		words     []string
	}{
		{"wrong token", "mqtt://" + sim, "WRONGTOKEN", ExitRefused, []string{"not authorized", "token", "gave up after 3 tries"}},
		{"unknown CA", "mqtts://" + tlsAddr, "", ExitConnect, []string{"unknown authority", "--ca FILE", "--insecure", "gave up after 3 tries"}},
		{"closed port", "mqtt://" + closedPort(t), "", ExitConnect, []string{"connection refused", "gave up after 3 tries"}},
		{"mqtt:// to a TLS port", "mqtt://" + tlsAddr, "", ExitConnect, []string{"speaks TLS on this port: use mqtts://"}},
		{"mqtts:// to a plain port", "mqtts://" + sim, "", ExitConnect, []string{"does not speak TLS on this port", "use mqtt://"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			stderr, err := runTo(t, ctx, c.url, c.token, 0, nil)
			if ctx.Err() != nil {
				t.Fatalf("Run still trying after 10 s; stderr:\n%s", stderr)
			}
			if got := ExitCode(err); got != c.code {
				t.Fatalf("exit code %d (err %v), want %d", got, err, c.code)
			}
			msg := err.Error()
			t.Logf("exit %d: hubtap sub: %s", ExitCode(err), msg)
			for _, w := range c.words {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, "WRONGTOKEN") {
				t.Errorf("error %q: want one sentence without the token", msg)
			}
		})
	}
}

// TestRetryForeverKeepsTrying: with RetryForever a closed port is tried
// again and again until ctx ends, and so is a transient error (a broker
// that closes every connection) under the default policy.
func TestRetryForeverKeepsTrying(t *testing.T) {
	fast := func(int) time.Duration { return 20 * time.Millisecond }
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stderr, err := runTo(t, ctx, "mqtt://"+closedPort(t), "", RetryForever, fast)
	if err != nil || ctx.Err() == nil {
		t.Fatalf("Run ended with %v before ctx did; want it to keep trying", err)
	}
	if n := strings.Count(stderr, "connection refused"); n <= DefaultRetry {
		t.Fatalf("%d attempts reported in 2 s, want more than %d:\n%s", n, DefaultRetry, stderr)
	}

	l, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		t.Fatal(lerr)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close() // like a broker going down mid-connect: transient
		}
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel2()
	stderr, err = runTo(t, ctx2, "mqtt://"+l.Addr().String(), "", 0, fast)
	if err != nil || ctx2.Err() == nil || errors.Is(err, ErrGaveUp) {
		t.Fatalf("a transient error ended Run: %v; stderr:\n%s", err, stderr)
	}
}
