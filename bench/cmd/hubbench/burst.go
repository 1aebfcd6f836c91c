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
// own, once per -budgets value of --history-mem and per mode:
//
//   - live: bench/cmd/publish sends -burst messages as fast as it can while
//     hubtap runs (the publisher and mosquitto share the 2 cores with it);
//   - queued: the messages are queued for hubtap's persistent session first,
//     then hubtap connects and mosquitto delivers them as fast as it can
//     (300,000+ msg/s on loopback: many times what the UI ingests), the
//     case of a user coming back to a busy session.
//
// It records the peak RSS (VmHWM, the kernel's own high-water mark), what
// the UI received, kept and dropped, frames per second and key-to-screen
// latency while the messages come in.

type burstResult struct {
	mode         string // live or queued
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
	for _, mode := range c.burstModes {
		for _, b := range c.budgets {
			fmt.Fprintf(os.Stderr, "burst: %d messages %s, --history-mem %s ...\n", c.burstN, mode, b)
			r, err := burstOnce(ctx, c, t, url, b, mode)
			if err != nil {
				return out, "", fmt.Errorf("%s, --history-mem %s: %w", mode, b, err)
			}
			out = append(out, r)
		}
	}
	return out, "", nil
}

func burstOnce(ctx context.Context, c *config, t *term, url, budget, mode string) (*burstResult, error) {
	res := &burstResult{mode: mode, budget: budget, budgetBytes: parseMiB(budget)}
	id, expiry := "hubbench-burst", "0"
	var start time.Time
	if mode == "queued" {
		id, expiry = "hubbench-queued-"+budget, "1h"
		if _, err := run(ctx, c.publish, "-url", url, "-prime", id, "-qos", "1", "-topic", drainTopic); err != nil {
			return nil, err
		}
		start = time.Now()
		out, err := run(ctx, c.publish, "-url", url, "-n", strconv.Itoa(c.burstN))
		if err != nil {
			return nil, err
		}
		res.published = publishedCount(out, c.burstN)
		res.publishS = time.Since(start).Seconds()
	}
	argv := append([]string{c.hubtap, "--url", url, "--history-mem", budget, "--client-id", id,
		"--session-expiry", expiry}, c.extra...)
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
	if mode == "live" {
		sleep(ctx, 2*time.Second) // connected and subscribed
	}

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

	// done ends the measurement: the publisher's exit (live), or the UI's
	// received count standing still for 2 s once messages came (queued).
	done := make(chan error, 1)
	var pubOut strings.Builder
	if mode == "live" {
		pub := exec.CommandContext(ctx, c.publish, "-url", url, "-n", strconv.Itoa(c.burstN))
		pub.Stdout, pub.Stderr = &pubOut, &pubOut
		start = time.Now()
		if err := pub.Start(); err != nil {
			stopSampling()
			wg.Wait()
			return nil, err
		}
		go func() { done <- pub.Wait() }()
	}
	measured := time.Now()
	var lastBusy time.Time // queued: when the UI last showed a non-zero rate

	// Keys meanwhile: ? toggles the help panel.
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
		rate := -1.0
		if m := reRate.FindStringSubmatch(s); m != nil {
			rate, _ = strconv.ParseFloat(m[1], 64)
		}
		if mode == "queued" {
			if rate > 0 {
				lastBusy = time.Now()
			}
			if (!lastBusy.IsZero() && time.Since(lastBusy) > 2*time.Second) || time.Since(measured) > 2*time.Minute {
				done <- nil
			}
		}
		if rate >= 0 && (mode == "live" || rate > 0) {
			res.recvRates = append(res.recvRates, rate)
		}
		want = !want
		select {
		case pubErr = <-done:
			finished = true
		case <-time.After(time.Duration(20+rand.IntN(30)) * time.Millisecond):
		}
	}
	end := time.Now()
	if mode == "queued" && !lastBusy.IsZero() {
		end = lastBusy // messages were still coming; the 2 s of waiting are not the burst
	}
	if !want {
		_ = t.sendKey(ctx, "?")
	}
	if pubErr != nil {
		stopSampling()
		wg.Wait()
		return nil, fmt.Errorf("publish: %w: %s", pubErr, pubOut.String())
	}
	if mode == "live" {
		res.published = publishedCount(pubOut.String(), c.burstN)
		res.publishS = end.Sub(start).Seconds()
	}
	start = measured
	res.burstSeconds = end.Sub(start).Seconds()
	b, f := t.out.between(start, end)
	res.framesPerS, res.bytesPerSec = float64(f)/res.burstSeconds, float64(b)/res.burstSeconds
	sleep(ctx, 3*time.Second) // the UI empties the bridge; memory settles
	stopSampling()
	wg.Wait()
	if res.peakRSS, err = statusBytes(pid, "VmHWM:"); err != nil {
		return nil, err
	}
	if _, err := t.tmux(ctx, "resize-window", "-t", t.session, "-x", "300", "-y", strconv.Itoa(t.h)); err == nil {
		// All three: a capture taken mid-draw can end the line early ("kept 57").
		_, s, err := t.waitScreen(ctx, 5*time.Second, func(s string) bool {
			return reDropped.MatchString(s) && reKept.MatchString(s) && reRecv.MatchString(s)
		})
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

// publishedCount reads how many messages bench/cmd/publish says it
// published in out ("published N in ..."), or asked when it says nothing.
func publishedCount(out string, asked int) int {
	if m := rePublished.FindStringSubmatch(out); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return asked
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
	fmt.Fprintf(w, "\n## Burst: %s messages, hubtap in tmux %dx%d\n\n", commas(float64(c.burstN)), c.w, c.h)
	fmt.Fprintln(w, "live: published as fast as bench/cmd/publish can while hubtap runs; queued: queued for hubtap's persistent session, then delivered by mosquitto as fast as it can once hubtap connects. offered: published msg/s (live), received + dropped per second while they came (queued).")
	fmt.Fprintln(w)
	if skipped != "" {
		fmt.Fprintf(w, "skipped: %s\n", skipped)
		return
	}
	fmt.Fprintln(w, "| mode | --history-mem | offered msg/s | UI received msg/s (mean, max) | received | kept | dropped | peak RSS MiB (VmHWM) | budget + 64 MiB | frames/s | terminal KiB/s | key p50 ms | key p99 ms | presses |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
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
		offered := float64(r.published) / r.publishS
		if r.mode == "queued" {
			offered = (atoiCommas(r.recv) + atoiCommas(r.dropped)) / r.burstSeconds
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s, %s | %s | %s | %s | %.0f | %.0f | %.1f | %.1f | %s | %d |\n", r.mode, r.budget,
			commas(offered), commas(mean), commas(mx), orDash(r.recv), orDash(r.kept), orDash(r.dropped),
			mib(r.peakRSS), mib(r.budgetBytes+64<<20), r.framesPerS, r.bytesPerSec/1024, lat, len(r.keyLat))
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		var s []string
		for _, x := range r.rssSamples {
			s = append(s, fmt.Sprintf("%.0f", mib(x)))
		}
		fmt.Fprintf(w, "RSS each second, %s, --history-mem %s (MiB): %s\n", r.mode, r.budget, strings.Join(s, " "))
	}
}

// atoiCommas reads "1,234,567" (0 when it cannot).
func atoiCommas(s string) float64 {
	v, _ := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	return v
}
