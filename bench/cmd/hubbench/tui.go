package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"hubtap/sim"
)

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
