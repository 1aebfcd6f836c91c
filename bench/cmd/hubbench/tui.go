package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"hubtap/sim"
)

// tmuxConf: no status line (the pane is the whole window), a 256-colour
// terminal type, and dead panes stay so they can be respawned. (window-size
// manual, so that the control-mode client does not resize the window, is
// set once the server runs: tmux 3.3a exits when it is in the file.)
const tmuxConf = `set -g status off
set -g default-terminal "tmux-256color"
set -g remain-on-exit on
set -g history-limit 100
`

// term is a tmux server of our own (its own socket) with one session, whose
// pane output is piped into a FIFO that a goroutine timestamps.
type term struct {
	sock, conf, session string
	w, h                int
	out                 *stream
	fifo                *os.File
	ctl                 *ctl // keys and screen captures without a process each (ctl.go)
}

func (t *term) tmux(ctx context.Context, args ...string) (string, error) {
	return run(ctx, "tmux", append([]string{"-L", t.sock, "-f", t.conf}, args...)...)
}

func startTerm(ctx context.Context, work string, w, h int) (*term, error) {
	if _, err := exec.LookPath("tmux"); err != nil {
		return nil, errors.New("tmux not installed (apt-get install tmux)")
	}
	t := &term{sock: fmt.Sprintf("hubbench-%d", os.Getpid()), conf: filepath.Join(work, "tmux.conf"), session: "hubbench", w: w, h: h}
	if err := os.WriteFile(t.conf, []byte(tmuxConf), 0o644); err != nil {
		return nil, err
	}
	fifo := filepath.Join(work, "pane.fifo")
	_ = os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return nil, fmt.Errorf("mkfifo: %w", err)
	}
	f, err := os.OpenFile(fifo, os.O_RDWR, 0) // O_RDWR: does not wait for a writer
	if err != nil {
		return nil, err
	}
	t.fifo = f
	t.out = &stream{}
	go t.out.read(f)
	if _, err := t.tmux(ctx, "new-session", "-d", "-s", t.session, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sleep 100000"); err != nil {
		t.close()
		return nil, err
	}
	if _, err := t.tmux(ctx, "pipe-pane", "-t", t.session, "cat > "+fifo); err != nil {
		t.close()
		return nil, err
	}
	if _, err := t.tmux(ctx, "set-option", "-g", "window-size", "manual"); err != nil {
		t.close()
		return nil, err
	}
	if t.ctl, err = startCtl(t); err != nil {
		t.close()
		return nil, fmt.Errorf("tmux control mode: %w", err)
	}
	return t, nil
}

func (t *term) close() {
	if t.ctl != nil {
		t.ctl.close()
	}
	_, _ = run(context.Background(), "tmux", "-L", t.sock, "kill-server")
	if t.fifo != nil {
		_ = t.fifo.Close()
	}
}

func (t *term) capture(ctx context.Context) (string, error) {
	return t.ctl.run(ctx, "capture-pane -p -t "+t.session)
}

// sendKey presses key (a tmux key name) in the pane.
func (t *term) sendKey(ctx context.Context, key string) error {
	_, err := t.ctl.run(ctx, "send-keys -t "+t.session+" "+key)
	return err
}

// respawn starts argv in the pane (killing what ran there) and returns the
// time just before tmux was asked to.
func (t *term) respawn(ctx context.Context, argv []string) (time.Time, error) {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	t0 := time.Now()
	_, err := t.tmux(ctx, "respawn-pane", "-k", "-t", t.session, "exec "+strings.Join(q, " "))
	return t0, err
}

func (t *term) pid(ctx context.Context) (int, error) {
	out, err := t.tmux(ctx, "display-message", "-p", "-t", t.session, "#{pane_pid}")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// waitScreen polls the screen until ok holds; it returns when it did.
func (t *term) waitScreen(ctx context.Context, timeout time.Duration, ok func(string) bool) (time.Time, string, error) {
	deadline := time.Now().Add(timeout)
	for {
		s, err := t.capture(ctx)
		if err != nil {
			return time.Time{}, "", err
		}
		if ok(s) {
			return time.Now(), s, nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, s, fmt.Errorf("screen did not change as expected within %s; last screen:\n%s", timeout, s)
		}
		time.Sleep(time.Millisecond)
	}
}

// quit presses q and waits for the pane's process to end.
func (t *term) quit(ctx context.Context) {
	_, _ = t.tmux(ctx, "send-keys", "-t", t.session, "q")
	for range 300 {
		out, err := t.tmux(ctx, "display-message", "-p", "-t", t.session, "#{pane_dead}")
		if err != nil || strings.TrimSpace(out) == "1" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stream records when pane output arrived and how much.
type stream struct {
	mu     sync.Mutex
	chunks []chunk
	// watch, when set, is looked for in the output; found is when it first
	// appeared after watch was set (zero until then).
	watch string
	tail  []byte // the end of the output so far, for a watch split across reads
	found time.Time
}

type chunk struct {
	at time.Time
	n  int
}

func (s *stream) read(f *os.File) {
	buf := make([]byte, 256<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			now := time.Now()
			s.mu.Lock()
			s.chunks = append(s.chunks, chunk{at: now, n: n})
			if s.watch != "" && s.found.IsZero() {
				s.tail = append(s.tail, buf[:n]...)
				if strings.Contains(string(s.tail), s.watch) {
					s.found = now
				}
				if k := len(s.tail) - len(s.watch); k > 0 {
					s.tail = append(s.tail[:0], s.tail[k:]...)
				}
			}
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// expect starts looking for text in the output from now on.
func (s *stream) expect(text string) {
	s.mu.Lock()
	s.watch, s.tail, s.found = text, s.tail[:0], time.Time{}
	s.mu.Unlock()
}

// seen returns when the expected text came out (zero if not yet).
func (s *stream) seen() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.found
}

// frameGap separates frames: a frame is written in one go (microseconds),
// and bubbletea draws at most 60 frames per second (16.7 ms apart).
const frameGap = 3 * time.Millisecond

// between returns the bytes and the frames (bursts of output) in [from, to).
func (s *stream) between(from, to time.Time) (bytes int64, frames int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var prev time.Time
	for _, c := range s.chunks {
		if c.at.Before(from) {
			prev = c.at
			continue
		}
		if !c.at.Before(to) {
			break
		}
		bytes += int64(c.n)
		if prev.IsZero() || c.at.Sub(prev) > frameGap {
			frames++
		}
		prev = c.at
	}
	return bytes, frames
}

// ingestResult is one rate's measurements.
type ingestResult struct {
	rate        float64
	firstFrame  time.Duration
	recvRate    float64 // mean of the status bar's msg/s over the window
	dropped     string  // total dropped, from the status bar at the end
	kept        string
	cpuPct      float64
	rssStart    int64
	rssEnd      int64
	rssMax      int64
	rssSamples  []int64
	bytesPerSec float64
	framesPerS  float64
	keyLat      []float64 // ms
	keyOut      []float64 // ms from the key to hubtap's output of the help panel (showing it only), as tmux read it
	keyTimeouts int
}

var (
	reRate    = regexp.MustCompile(`([0-9.]+) msg/s`)
	reDropped = regexp.MustCompile(`dropped ([0-9,]+)`)
	reKept    = regexp.MustCompile(`kept ([0-9,]+)`)
)

const helpMarker = "? or esc to close" // the help overlay's frame, shown by ?

// idleRate stands for "no traffic": one message every 1000 s. (--demo-rate 0
// gives the simulator's default of 50 msg/s.)
const idleRate = 0.001

// hubtapArgs is the command for one rate: the built-in demo broker, or
// (external) a separate `hubtap sim` process, so CPU and RSS are the UI's alone.
func (c *config) hubtapArgs(rate float64, simURL string) []string {
	if len(c.env) > 0 { // env execs hubtap: the pane's process stays the one measured
		return append(append([]string{"env"}, c.env...), c.hubtapArgs1(rate, simURL)...)
	}
	return c.hubtapArgs1(rate, simURL)
}

func (c *config) hubtapArgs1(rate float64, simURL string) []string {
	if simURL != "" {
		return append(append([]string{c.hubtap, "--url", simURL, "--token", sim.DemoToken, "--client-id", "hubbench-tui",
			"--session-expiry", "0"}, c.extra...), "flespi/message/gw/channels/+/+")
	}
	if rate == 0 {
		rate = idleRate
	}
	return append([]string{c.hubtap, "--demo", "--demo-rate", strconv.FormatFloat(rate, 'f', -1, 64),
		"--client-id", "hubbench-tui", "--session-expiry", "0"}, c.extra...)
}

// startSim runs `hubtap sim` at rate on a free port.
func (c *config) startSim(ctx context.Context, rate float64) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if rate == 0 {
		rate = idleRate
	}
	cmd := exec.Command(c.hubtap, "sim", "--listen", addr, "--rate", strconv.FormatFloat(rate, 'f', -1, 64))
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := waitPort(wctx, addr); err != nil {
		stop()
		return "", nil, err
	}
	return "mqtt://" + addr, stop, nil
}

func measureRate(ctx context.Context, c *config, t *term, rate float64) (*ingestResult, error) {
	res := &ingestResult{rate: rate}
	simURL := ""
	if c.externalSim {
		u, stop, err := c.startSim(ctx, rate)
		if err != nil {
			return nil, fmt.Errorf("hubtap sim: %w", err)
		}
		defer stop()
		simURL = u
	}
	t0, err := t.respawn(ctx, c.hubtapArgs(rate, simURL))
	if err != nil {
		return nil, err
	}
	defer t.quit(ctx)
	seen, _, err := t.waitScreen(ctx, 10*time.Second, func(s string) bool { return strings.Contains(s, "╭") })
	if err != nil {
		return nil, fmt.Errorf("first frame: %w", err)
	}
	res.firstFrame = seen.Sub(t0)
	pid, err := t.pid(ctx)
	if err != nil {
		return nil, err
	}
	warm := c.warmup
	if rate == 0 {
		warm = max(warm, 5*time.Second) // let the status bar's 1 s tick stop (3 s after the last message)
	}
	sleep(ctx, warm)

	// The window: CPU, RSS, pane output, and the status bar's msg/s each second.
	cpu0, err := cpuTime(pid)
	if err != nil {
		return nil, err
	}
	ws := time.Now()
	res.rssStart, _ = rssBytes(pid)
	var rates []float64
	for time.Since(ws) < c.window {
		sleep(ctx, time.Second)
		if rss, err := rssBytes(pid); err == nil {
			res.rssSamples = append(res.rssSamples, rss)
			res.rssMax = max(res.rssMax, rss)
		}
		if rate > 0 {
			if s, err := t.capture(ctx); err == nil {
				if m := reRate.FindStringSubmatch(s); m != nil {
					v, _ := strconv.ParseFloat(m[1], 64)
					rates = append(rates, v)
				}
			}
		}
	}
	cpu1, err := cpuTime(pid)
	if err != nil {
		return nil, err
	}
	we := time.Now()
	el := we.Sub(ws).Seconds()
	res.cpuPct = 100 * (cpu1 - cpu0).Seconds() / el
	res.rssEnd, _ = rssBytes(pid)
	b, f := t.out.between(ws, we)
	res.bytesPerSec, res.framesPerS = float64(b)/el, float64(f)/el
	if len(rates) > 0 {
		sum := 0.0
		for _, r := range rates {
			sum += r
		}
		res.recvRate = sum / float64(len(rates))
	}

	// Key to screen: ? toggles the help panel; time until the screen shows it (or stops showing it).
	if s, _ := t.capture(ctx); strings.Contains(s, helpMarker) {
		return nil, errors.New("help panel shown before any key was pressed")
	}
	want := true
	for range c.keys {
		if want {
			t.out.expect(helpMarker)
		}
		k0 := time.Now()
		if err := t.sendKey(ctx, "?"); err != nil {
			return nil, err
		}
		_, _, err := t.waitScreen(ctx, 2*time.Second, func(s string) bool { return strings.Contains(s, helpMarker) == want })
		if err != nil {
			res.keyTimeouts++
			res.keyLat = append(res.keyLat, 2000)
		} else {
			res.keyLat = append(res.keyLat, float64(time.Since(k0).Microseconds())/1000)
			if at := t.out.seen(); want && !at.IsZero() {
				res.keyOut = append(res.keyOut, float64(at.Sub(k0).Microseconds())/1000)
			}
		}
		want = !want
		sleep(ctx, time.Duration(20+rand.IntN(30))*time.Millisecond)
	}
	if !want { // leave the help panel closed
		_ = t.sendKey(ctx, "?")
	}

	// Totals: widen the window so the status bar has room for every counter.
	if rate > 0 {
		if _, err := t.tmux(ctx, "resize-window", "-t", t.session, "-x", "240", "-y", strconv.Itoa(t.h)); err == nil {
			if _, s, err := t.waitScreen(ctx, 3*time.Second, func(s string) bool { return reDropped.MatchString(s) }); err == nil {
				if m := reDropped.FindStringSubmatch(s); m != nil {
					res.dropped = m[1]
				}
				if m := reKept.FindStringSubmatch(s); m != nil {
					res.kept = m[1]
				}
			}
			_, _ = t.tmux(ctx, "resize-window", "-t", t.session, "-x", strconv.Itoa(t.w), "-y", strconv.Itoa(t.h))
		}
	}
	return res, nil
}

// measureStartup starts hubtap --demo --demo-rate 0 n times and times the
// first frame on screen (a frame border).
func measureStartup(ctx context.Context, c *config, t *term, n int) ([]float64, error) {
	var ms []float64
	for range n {
		t0, err := t.respawn(ctx, c.hubtapArgs(0, ""))
		if err != nil {
			return nil, err
		}
		seen, _, err := t.waitScreen(ctx, 10*time.Second, func(s string) bool { return strings.Contains(s, "╭") })
		if err != nil {
			return nil, err
		}
		ms = append(ms, float64(seen.Sub(t0).Microseconds())/1000)
		t.quit(ctx)
	}
	return ms, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func printIngest(w *strings.Builder, c *config, rs []*ingestResult) {
	mode := "`hubtap --demo --demo-rate R` (the simulated broker runs inside the measured process)"
	if c.externalSim {
		mode = "`hubtap --url` to a separate `hubtap sim --rate R` process (CPU and RSS are the UI's alone)"
	}
	if len(c.env) > 0 {
		mode += ", environment " + strings.Join(c.env, " ")
	}
	fmt.Fprintf(w, "\n## TUI ingest: tmux %dx%d, %s\n\n", c.w, c.h, mode)
	fmt.Fprintf(w, "window %s after %s warm-up; key-to-screen: %d presses of ? (help panel on/off), screen polled with capture-pane; key-to-output: from the key to the first bytes of the help panel in hubtap's output as tmux read it (the presses that open it)\n\n", c.window, c.warmup, c.keys)
	fmt.Fprintln(w, "| R msg/s | received msg/s | dropped (total) | kept | CPU % | RSS start→end (max) MiB | frames/s | terminal KiB/s | KiB/frame | key p50 ms | key p99 ms | key-to-output p50 / p99 ms | first frame ms |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		name := commas(r.rate)
		recv := commas(r.recvRate)
		if r.rate == 0 {
			name, recv = "0 (idle)", "0"
		}
		perFrame := 0.0
		if r.framesPerS > 0 {
			perFrame = r.bytesPerSec / r.framesPerS / 1024
		}
		lat := fmt.Sprintf("%.1f | %.1f", percentile(r.keyLat, 50), percentile(r.keyLat, 99))
		if r.keyTimeouts > 0 {
			lat += fmt.Sprintf(" (%d timeouts)", r.keyTimeouts)
		}
		out := "–"
		if len(r.keyOut) > 0 {
			out = fmt.Sprintf("%.1f / %.1f", percentile(r.keyOut, 50), percentile(r.keyOut, 99))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.1f | %.0f→%.0f (%.0f) | %.1f | %.1f | %.1f | %s | %s | %.0f |\n",
			name, recv, orDash(r.dropped), orDash(r.kept), r.cpuPct,
			mib(r.rssStart), mib(r.rssEnd), mib(r.rssMax), r.framesPerS, r.bytesPerSec/1024, perFrame, lat, out,
			float64(r.firstFrame.Microseconds())/1000)
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		var s []string
		for _, x := range r.rssSamples {
			s = append(s, fmt.Sprintf("%.0f", mib(x)))
		}
		fmt.Fprintf(w, "RSS each second at %s msg/s (MiB): %s\n", commas(r.rate), strings.Join(s, " "))
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
