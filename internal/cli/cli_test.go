package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hubtap/sim"
)

// TestSubAgainstDemo: `hubtap sub -C 1000 'flespi/#'` with the built-in
// demo broker prints 1000 JSONL lines, each a JSON object (jq parses it)
// with the topic and the payload.
func TestSubAgainstDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run([]string{"sub", "--demo", "--quiet", "-C", "1000", "flespi/#"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1000 {
		t.Fatalf("%d lines, want 1000", len(lines))
	}
	for i, l := range lines {
		var rec struct {
			Topic   string          `json:"topic"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil || !strings.HasPrefix(rec.Topic, "flespi/") || len(rec.Payload) == 0 {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
	}
}

// TestBadFlagsExitTwo: a bad value is one line on stderr and exit code 2,
// before anything starts; every subcommand takes its own flags.
func TestBadFlagsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"--fps", "0"},
		{"--resume", "later"},
		{"--qos", "2"},
		{"open", "--fps", "500", "x.jsonl"},
		{"sub", "--qos", "3", "a/b"},
	} {
		var out, errb bytes.Buffer
		if code := Run(args, &out, &errb); code != 2 || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// TestSubOverSimTLS: against `sim --tls` (its listener and throw-away CA),
// sub with --ca receives messages over mqtts:// and wss://; without --ca the
// real binary says why the certificate is refused, in one sentence.
func TestSubOverSimTLS(t *testing.T) {
	certs, err := sim.NewCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sim.Start(ctx, sim.Config{Rate: 200, Devices: 5, TLSListen: "127.0.0.1:0", WSSListen: "127.0.0.1:0", TLS: certs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, u := range []string{s.TLSURL(), s.WSSURL() + "/mqtt"} {
		t.Run(u, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := []string{"sub", "--url", u, "--ca", certs.CAFile, "--token", sim.DemoToken, "--session-expiry", "0",
				"--quiet", "-C", "5", "flespi/message/gw/devices/+"}
			if code := Run(args, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if n := strings.Count(out.String(), "\n"); n != 5 || !strings.Contains(out.String(), `"topic":"flespi/message/gw/devices/`) {
				t.Fatalf("%d lines, want 5 device messages:\n%s", n, out.String())
			}
		})
	}
	t.Run("without --ca", func(t *testing.T) {
		bin := filepath.Join(hubtapOnPath(t), "hubtap")
		cmd := exec.CommandContext(ctx, bin, "sub", "--url", s.TLSURL(), "--token", sim.DemoToken, "flespi/#")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		sc := bufio.NewScanner(stderr)
		const want = "TLS: the broker's certificate is signed by an unknown authority" // in the sentence sub gives up with
		var seen []string
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "hubtap sub: ") && strings.Contains(sc.Text(), want) {
				return
			}
			seen = append(seen, sc.Text())
		}
		t.Fatalf("stderr ended (%v) without %q:\n%s", ctx.Err(), want, strings.Join(seen, "\n"))
	})
}

// TestSubProfile: sub -p takes the broker and the topics from a profile.
func TestSubProfile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "hubtap")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	toml := "[profiles.lab]\ndemo = true\n\n[[profiles.lab.panes]]\ntopics = [\"flespi/message/gw/devices/+\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "hubtap.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Run([]string{"sub", "-p", "lab", "--quiet", "-C", "20"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for i, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if !strings.Contains(l, `"topic":"flespi/message/gw/devices/`) {
			t.Fatalf("line %d is not from the profile's topic: %s", i+1, l)
		}
	}
	if code := Run([]string{"sub", "-p", "nope", "a/b"}, io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), `no profile "nope"`) {
		t.Fatalf("unknown profile: exit %d, stderr %q", code, errb.String())
	}
}

// firstWrite is a writer that closes started on its first Write.
type firstWrite struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	started chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() == 0 {
		close(w.started)
	}
	return w.buf.Write(p)
}

// TestSubSurvivesSIGPIPE: a SIGPIPE (as a write to a socket the broker
// reset raises) does not end sub: it still writes every message asked for.
func TestSubSurvivesSIGPIPE(t *testing.T) {
	out := &firstWrite{started: make(chan struct{})}
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		done <- Run([]string{"sub", "--demo", "--demo-rate", "2000", "--quiet", "-C", "3000", "flespi/message/gw/devices/+"}, out, &errb)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case <-out.started: // the connection step is done, SIGPIPE is caught
	case <-ctx.Done():
		t.Fatal("sub wrote nothing")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGPIPE); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		out.mu.Lock()
		defer out.mu.Unlock()
		if n := strings.Count(out.buf.String(), "\n"); code != 0 || n != 3000 {
			t.Fatalf("exit %d after %d of 3000 lines (stderr %q): the SIGPIPE ended sub", code, n, errb.String())
		}
	case <-ctx.Done():
		t.Fatal("sub did not finish")
	}
}
