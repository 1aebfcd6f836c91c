package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hubtap/history"
	"hubtap/sim"
)

// TestRecordingSurvivesSignals runs the real binary in a pseudo-terminal
// (script(1)) with --record against the demo broker, kills it with SIGTERM
// or SIGHUP (an SSH hang-up), and checks that the recording is readable to
// its last line with no sequence number missing.
func TestRecordingSurvivesSignals(t *testing.T) {
	dir := t.TempDir()
	bin := ptyBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			rec := filepath.Join(dir, "rec-"+strconv.Itoa(int(sig))+".jsonl")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "script", "-qfec", "exec "+bin+" --demo --demo-rate 3000 --record "+rec, "/dev/null")
			cmd.Env = append(os.Environ(), "TERM=xterm-256color")
			cmd.Stdin = nil
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// Wait for a few thousand recorded lines.
			for lines(rec) < 3000 {
				select {
				case <-ctx.Done():
					t.Fatalf("recording did not grow: %d lines", lines(rec))
				case <-time.After(50 * time.Millisecond):
				}
			}
			child := childOf(t, cmd.Process.Pid)
			if err := syscall.Kill(child, sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil && ctx.Err() != nil {
				t.Fatalf("hubtap did not exit after %v", sig)
			}
			data, err := os.ReadFile(rec)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) == 0 || data[len(data)-1] != '\n' {
				t.Fatal("the recording ends in a partial line")
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<20)
			var want uint64 = 1
			for sc.Scan() {
				m, err := history.ParseJSONL(sc.Bytes())
				if err != nil {
					t.Fatalf("line %d: %v", want, err)
				}
				if m.Seq != want {
					t.Fatalf("line %d has seq %d: a received message is missing", want, m.Seq)
				}
				want++
			}
			t.Logf("%v: %d lines, all readable, no gap", sig, want-1)
		})
	}
}

func lines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// childOf finds the process script(1) started.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
		for _, m := range matches {
			b, _ := os.ReadFile(m)
			if f := strings.Fields(string(b)); len(f) > 0 {
				c, _ := strconv.Atoi(f[0])
				return c
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no child process under script(1)")
	return 0
}

// TestCrashRestoresTerminalAndReports: a panic in Update restores the
// terminal (the alternate screen is left), exits non-zero and writes a
// crash report that does not contain the token.
func TestCrashRestoresTerminalAndReports(t *testing.T) {
	dir := t.TempDir()
	bin := crashBinary(t)
	const token = "SECRETtokenVALUE0123456789"
	typescript := filepath.Join(dir, "typescript")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-qfec", "exec "+bin+" --url mqtt://127.0.0.1:1 --token "+token+" 'flespi/#'", typescript)
	state := t.TempDir()
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "XDG_STATE_HOME="+state)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("hubtap exited 0 after a panic")
	}
	screen, _ := os.ReadFile(typescript)
	screen = withoutScriptHeader(screen)
	if bytes.Contains(screen, []byte("\x1b[?1049h")) && !bytes.Contains(screen, []byte("\x1b[?1049l")) {
		t.Errorf("the alternate screen was not left: the terminal is not restored")
	}
	reports, _ := filepath.Glob(filepath.Join(state, "hubtap", "crash-*.txt"))
	if len(reports) != 1 {
		t.Fatalf("crash reports: %v\noutput: %s", reports, out)
	}
	report, _ := os.ReadFile(reports[0])
	if !bytes.Contains(report, []byte("test panic in Update")) {
		t.Fatalf("report lacks the panic: %s", report)
	}
	for name, data := range map[string][]byte{"report": report, "terminal": screen} {
		if bytes.Contains(data, []byte(token)) {
			t.Errorf("the token leaked into the %s", name)
		}
	}
}

// TestSecretsNeverLeak runs the real binary against the simulated broker
// with a token, a debug log, a recording and an export, then looks for the
// token in everything it wrote: the terminal, the log, the recording and the
// export.
func TestSecretsNeverLeak(t *testing.T) {
	bin := ptyBinary(t)
	s, err := sim.Start(context.Background(), sim.Config{Rate: 200, Devices: 5, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	work := t.TempDir()
	logFile, rec, typescript := filepath.Join(work, "debug.log"), filepath.Join(work, "rec.jsonl"), filepath.Join(work, "typescript")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-qfec", "exec "+bin+" --url "+s.URL()+" --token "+sim.DemoToken+
		" --debug "+logFile+" --record "+rec+" 'flespi/message/gw/devices/+'", typescript)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for lines(rec) < 100 {
		select {
		case <-ctx.Done():
			t.Fatal("nothing recorded")
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Export the pane (e, accept the suggested name), then quit with q.
	io.WriteString(stdin, "e")
	for {
		if b, _ := os.ReadFile(typescript); bytes.Contains(b, []byte("export pane to")) {
			break // the prompt is on screen
		}
		select {
		case <-ctx.Done():
			t.Fatal("the export prompt did not open")
		case <-time.After(20 * time.Millisecond):
		}
	}
	io.WriteString(stdin, "\r")
	var exports []string
	for len(exports) == 0 {
		exports, _ = filepath.Glob(filepath.Join(work, "hubtap-export-*.jsonl"))
		select {
		case <-ctx.Done():
			t.Fatal("no export written")
		case <-time.After(50 * time.Millisecond):
		}
	}
	io.WriteString(stdin, "q")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("hubtap: %v", err)
	}
	screen, _ := os.ReadFile(typescript)
	outputs := map[string][]byte{"terminal": withoutScriptHeader(screen)}
	for name, path := range map[string]string{"debug log": logFile, "recording": rec, "export": exports[0]} {
		b, err := os.ReadFile(path)
		if err != nil || len(b) == 0 {
			t.Fatalf("%s is empty or missing: %v", name, err)
		}
		outputs[name] = b
	}
	for name, b := range outputs {
		if bytes.Contains(b, []byte(sim.DemoToken)) {
			t.Errorf("the token leaked into the %s", name)
		}
	}
	if !bytes.Contains(outputs["terminal"], []byte("flespi/message/gw/devices/")) {
		t.Error("the terminal output shows no messages: the test did not exercise the UI")
	}
}

// TestMain removes the binaries ptyBinary and crashBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, b := range []*builtBinary{&ptyBin, &crashBin} {
		if b.path != "" {
			_ = os.RemoveAll(filepath.Dir(b.path))
		}
	}
	os.Exit(code)
}

// builtBinary is the hubtap binary, built once for the tests that need it.
type builtBinary struct {
	once sync.Once
	path string
	err  error
}

var ptyBin, crashBin builtBinary

// build builds hubtap once with the extra go build arguments.
func (b *builtBinary) build(t *testing.T, extra ...string) string {
	t.Helper()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "hubtap-bin-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "hubtap")
		args := append(append([]string{"build", "-o", b.path}, extra...), "hubtap")
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// ptyBinary skips the test unless it may build and run the binary in a
// pseudo-terminal (script(1)), and returns the binary, built once for all
// these tests.
func ptyBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	needProgram(t, "script", "util-linux")
	return ptyBin.build(t)
}

// crashBinary is ptyBinary built with the crash test hook
// (testPanicInUpdate): its UI panics on the first window size.
func crashBinary(t *testing.T) string {
	t.Helper()
	ptyBinary(t) // the same skips
	return crashBin.build(t, "-ldflags", "-X hubtap/internal/cli.testPanicInUpdate=yes")
}

// withoutScriptHeader drops script(1)'s own header and footer lines, which
// repeat the command line.
func withoutScriptHeader(b []byte) []byte {
	var kept [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(l, []byte("Script started")) && !bytes.HasPrefix(l, []byte("Script done")) {
			kept = append(kept, l)
		}
	}
	return bytes.Join(kept, []byte("\n"))
}
