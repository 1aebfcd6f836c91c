package cli

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"hubtap/sim"
)

// TestSubGivesUpWithOneSentence runs `hubtap sub` as a user would, with
// the default retry policy: a wrong token and a closed port each end it
// within 10 s with its exit code and one line on stderr besides warnings.
func TestSubGivesUpWithOneSentence(t *testing.T) {
	t.Setenv("GOMAXPROCS", "2") // keep tuneForPipe from changing this test process
	t.Setenv("GOGC", "100")
	s, err := sim.Start(context.Background(), sim.Config{Rate: 10, Devices: 2, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	cases := []struct {
		name  string
		args  []string
		code  int
		words string
	}{
		{"wrong token", []string{"sub", "--url", s.URL(), "--token", "WRONGTOKEN", "--client-id", "sub-e2e-1", "flespi/#"}, 4, "not authorized: the broker refused the token"},
		{"closed port", []string{"sub", "--url", "mqtt://" + closed, "--client-id", "sub-e2e-2", "flespi/#"}, 3, "connection refused"},
		{"bad retry", []string{"sub", "--url", "mqtt://" + closed, "--retry", "never", "flespi/#"}, 2, `--retry "never"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb strings.Builder
			done := make(chan int, 1)
			go func() { done <- Run(c.args, &out, &errb) }()
			var code int
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("hubtap sub still running after 10 s; stderr so far:\n%s", errb.String())
			}
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
				if !strings.Contains(l, "⚠") { // the --token and unencrypted warnings come first
					lines = append(lines, l)
				}
			}
			if code != c.code || len(lines) != 1 || !strings.Contains(lines[0], c.words) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and one line (besides warnings) with %q", code, errb.String(), c.code, c.words)
			}
			if c.name == "wrong token" && !strings.Contains(errb.String(), "--token is visible in the process list") {
				t.Fatalf("no --token warning on stderr:\n%s", errb.String())
			}
			if strings.Contains(errb.String(), "WRONGTOKEN") {
				t.Fatal("the token leaked to stderr")
			}
		})
	}
}
