package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The burst part (issue #17): hubtap in tmux subscribed to a mosquitto of our
// own while bench/cmd/publish sends -burst messages as fast as it can, once
// per -budgets value of --history-mem. It records the peak RSS (VmHWM, the
// kernel's own high-water mark), what the UI received, kept and dropped,
// frames per second and key-to-screen latency during the burst: the burst
// is also the overload measurement, since the publisher offers several
// times what the UI can ingest.

type burstResult struct {
	budget       string
	budgetBytes  int64
	published    int
	publishS     float64
	peakRSS      int64
	rssSamples   []int64 // each second
	recvRates    []float64
	dropped      string
	recv         string
	kept         string
	framesPerS   float64
	bytesPerSec  float64
	keyLat       []float64
	keyTimeouts  int
	burstSeconds float64
}

var (
	rePublished = regexp.MustCompile(`published (\d+) in`)
	reRecv      = regexp.MustCompile(`([0-9,]+) recv`)
)

func runBurst(ctx context.Context, c *config, t *term) ([]*burstResult, string, error) {
	mosq := mosquittoPath()
	if mosq == "" {
		return nil, "mosquitto not installed (apt-get install mosquitto)", nil
	}
	port, stop, err := startMosquitto(ctx, c, mosq)
	if err != nil {
		return nil, "", err
	}
	defer stop()
	url := "mqtt://127.0.0.1:" + strconv.Itoa(port)
	var out []*burstResult
	for _, b := range c.budgets {
		fmt.Fprintf(os.Stderr, "burst: %d messages, --history-mem %s ...\n", c.burstN, b)
		r, err := burstOnce(ctx, c, t, url, b)
		if err != nil {
			return out, "", fmt.Errorf("--history-mem %s: %w", b, err)
		}
		out = append(out, r)
	}
	return out, "", nil
}

func burstOnce(ctx context.Context, c *config, t *term, url, budget string) (*burstResult, error) {
	res := &burstResult{budget: budget, budgetBytes: parseMiB(budget)}
	argv := append([]string{c.hubtap, "--url", url, "--history-mem", budget, "--client-id", "hubbench-burst",
		"--session-expiry", "0"}, c.extra...)
	argv = append(argv, drainTopic)
	if len(c.env) > 0 {
		argv = append(append([]string{"env"}, c.env...), argv...)
	}
	if c.stderr != "" { // e.g. for GODEBUG=gctrace=1; sh execs, so the pane's process is still hubtap
		argv = append([]string{"sh", "-c", `exec "$@" 2>>"$0"`, c.stderr}, argv...)
	}
	if _, err := t.respawn(ctx, argv); err != nil {
		return nil, err
	}
	defer t.quit(ctx)
	if _, _, err := t.waitScreen(ctx, 10*time.Second, func(s string) bool { return strings.Contains(s, "╭") }); err != nil {
		return nil, fmt.Errorf("first frame: %w", err)
	}
	pid, err := t.pid(ctx)
	if err != nil {
		return nil, err
	}
	sleep(ctx, 2*time.Second) // connected and subscribed

	// RSS each second while the burst runs and the UI catches up.
	sctx, stopSampling := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if rss, err := rssBytes(pid); err == nil {
				res.rssSamples = append(res.rssSamples, rss)
			}
			select {
			case <-sctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	})

	pub := exec.CommandContext(ctx, c.publish, "-url", url, "-n", strconv.Itoa(c.burstN))
	var pubOut strings.Builder
	pub.Stdout, pub.Stderr = &pubOut, &pubOut
	start := time.Now()
	if err := pub.Start(); err != nil {
		stopSampling()
		wg.Wait()
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- pub.Wait() }()

	// Keys during the burst: ? toggles the help panel.
	want, finished := true, false
	var pubErr error
	for !finished {
		k0 := time.Now()
		if err := t.sendKey(ctx, "?"); err != nil {
			break
		}
		_, s, err := t.waitScreen(ctx, 2*time.Second, func(s string) bool { return strings.Contains(s, helpMarker) == want })
		if err != nil {
			res.keyTimeouts++
			res.keyLat = append(res.keyLat, 2000)
		} else {
			res.keyLat = append(res.keyLat, float64(time.Since(k0).Microseconds())/1000)
		}
		if m := reRate.FindStringSubmatch(s); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			res.recvRates = append(res.recvRates, v)
		}
		want = !want
		select {
		case pubErr = <-done:
			finished = true
		case <-time.After(time.Duration(20+rand.IntN(30)) * time.Millisecond):
		}
	}
	end := time.Now()
	if !want {
		_ = t.sendKey(ctx, "?")
	}
	if pubErr != nil {
		stopSampling()
		wg.Wait()
		return nil, fmt.Errorf("publish: %w: %s", pubErr, pubOut.String())
	}
	res.burstSeconds = end.Sub(start).Seconds()
	res.published = c.burstN
	if m := rePublished.FindStringSubmatch(pubOut.String()); m != nil {
		res.published, _ = strconv.Atoi(m[1])
	}
	res.publishS = res.burstSeconds
	b, f := t.out.between(start, end)
	res.framesPerS, res.bytesPerSec = float64(f)/res.burstSeconds, float64(b)/res.burstSeconds
	sleep(ctx, 3*time.Second) // the UI empties the bridge; memory settles
	stopSampling()
	wg.Wait()
	if res.peakRSS, err = statusBytes(pid, "VmHWM:"); err != nil {
		return nil, err
	}
	if _, err := t.tmux(ctx, "resize-window", "-t", t.session, "-x", "300", "-y", strconv.Itoa(t.h)); err == nil {
		_, s, err := t.waitScreen(ctx, 5*time.Second, func(s string) bool { return reDropped.MatchString(s) && reKept.MatchString(s) })
		if m := reDropped.FindStringSubmatch(s); m != nil {
			res.dropped = m[1]
		}
		if m := reKept.FindStringSubmatch(s); m != nil {
			res.kept = m[1]
		}
		if m := reRecv.FindStringSubmatch(s); m != nil {
			res.recv = m[1]
		}
		if err != nil {
			lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
			fmt.Fprintf(os.Stderr, "burst: totals not all on the status line: %q\n", lines[len(lines)-1])
		}
		_, _ = t.tmux(ctx, "resize-window", "-t", t.session, "-x", strconv.Itoa(t.w), "-y", strconv.Itoa(t.h))
	}
	return res, nil
}

// parseMiB reads "64MiB" or "1GiB" (0 when it cannot).
func parseMiB(s string) int64 {
	for _, u := range []struct {
		suffix string
		mul    int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err == nil {
				return v * u.mul
			}
		}
	}
	return 0
}

func printBurst(w *strings.Builder, c *config, rs []*burstResult, skipped string) {
	fmt.Fprintf(w, "\n## Burst: %s messages published as fast as bench/cmd/publish can, hubtap in tmux %dx%d\n\n", commas(float64(c.burstN)), c.w, c.h)
	if skipped != "" {
		fmt.Fprintf(w, "skipped: %s\n", skipped)
		return
	}
	fmt.Fprintln(w, "| --history-mem | published msg/s | UI received msg/s (mean, max) | received | kept | dropped | peak RSS MiB (VmHWM) | budget + 64 MiB | frames/s | terminal KiB/s | key p50 ms | key p99 ms | presses |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		mean, mx := 0.0, 0.0
		for _, v := range r.recvRates {
			mean += v
			mx = max(mx, v)
		}
		if len(r.recvRates) > 0 {
			mean /= float64(len(r.recvRates))
		}
		lat := fmt.Sprintf("%.1f | %.1f", percentile(r.keyLat, 50), percentile(r.keyLat, 99))
		if r.keyTimeouts > 0 {
			lat += fmt.Sprintf(" (%d timeouts)", r.keyTimeouts)
		}
		fmt.Fprintf(w, "| %s | %s | %s, %s | %s | %s | %s | %.0f | %.0f | %.1f | %.1f | %s | %d |\n", r.budget,
			commas(float64(r.published)/r.publishS), commas(mean), commas(mx), orDash(r.recv), orDash(r.kept), orDash(r.dropped),
			mib(r.peakRSS), mib(r.budgetBytes+64<<20), r.framesPerS, r.bytesPerSec/1024, lat, len(r.keyLat))
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		var s []string
		for _, x := range r.rssSamples {
			s = append(s, fmt.Sprintf("%.0f", mib(x)))
		}
		fmt.Fprintf(w, "RSS each second with --history-mem %s (MiB): %s\n", r.budget, strings.Join(s, " "))
	}
}
