// Command hubbench is hubtap's benchmark suite (docs/BENCHMARKS.md); run it
// through bench/run.sh, which builds the binaries and installs what is
// missing. It measures, on 127.0.0.1 only:
//
//   - drain: 1,000,000 queued messages (-n) from a persistent session on a
//     mosquitto broker of its own, at QoS 0 and 1: `hubtap sub` (JSONL and
//     -F %p), the reference autopaho client (bench/cmd/refsub) and
//     `mosquitto_sub`, side by side;
//   - tui: hubtap in tmux fed at rising rates (CPU, RSS, frames and bytes
//     written to the terminal per second, key-to-screen latency) and idle;
//   - startup: time to the first frame on screen;
//   - burst: 1M messages published as fast as possible into hubtap at two
//     --history-mem budgets: peak RSS, drops, frames and keys meanwhile;
//   - size: the binary, plain and stripped.
//
// It prints a Markdown table per part to stdout and progress to stderr, and
// kills everything it started (mosquitto, tmux server, sim) before exiting.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	hubtap, stripped, publish, work string
	refsub                          string // bench/cmd/refsub, the drain's reference client
	qos                             []int  // drain: subscription QoS levels
	only                            map[string]bool
	runs, n, keys, startups, w, h   int
	rates                           []float64
	warmup, window                  time.Duration
	externalSim                     bool // the tui mode being measured
	modes                           []string
	env                             []string // KEY=VALUE for hubtap in the tui and startup parts
	extra                           []string // more hubtap flags for the tui and startup parts
	alts                            []alt
	budgets                         []string // burst: --history-mem values
	burstModes                      []string // burst: live and/or queued
	burstN                          int
	drainProps                      bool   // drain: publish with flespi's user properties
	stderr                          string // burst: hubtap's stderr goes here
}

// alt is another hubtap build the drain benchmark runs beside -hubtap.
type alt struct{ name, path string }

func main() {
	c := &config{}
	flag.StringVar(&c.hubtap, "hubtap", "", "hubtap binary (required)")
	flag.StringVar(&c.stripped, "hubtap-stripped", "", "hubtap built with -ldflags='-s -w', for the size table")
	flag.StringVar(&c.publish, "publish", "", "bench/cmd/publish binary (required for drain)")
	flag.StringVar(&c.refsub, "refsub", "", "bench/cmd/refsub binary: the drain's reference client (optional)")
	qos := flag.String("qos", "0,1", "drain: subscription QoS levels")
	flag.StringVar(&c.work, "work", "", "scratch directory (default: a new temporary one)")
	only := flag.String("only", "drain,tui,startup,size,burst", "parts to run")
	flag.IntVar(&c.runs, "runs", 3, "drain: runs")
	flag.IntVar(&c.n, "n", 1000000, "drain: queued messages per run (use 200000 for a quick look)")
	flag.BoolVar(&c.drainProps, "drain-props", false, "drain: publish with flespi's timestamp and cid user properties (paho decodes them slowly: every paho client takes ~2 µs more per message)")
	rates := flag.String("rates", "0,5000,20000,50000,100000", "tui: demo rates in msg/s (0: idle)")
	flag.DurationVar(&c.warmup, "warmup", 3*time.Second, "tui: time before the measurement window")
	flag.DurationVar(&c.window, "window", 10*time.Second, "tui: measurement window per rate")
	flag.IntVar(&c.keys, "keys", 50, "tui: key presses per rate for key-to-screen latency")
	flag.IntVar(&c.startups, "startups", 10, "startup: runs")
	size := flag.String("size", "120x40", "tui: terminal size")
	extra := flag.String("hubtap-args", "", "tui, startup: more hubtap flags, space-separated (e.g. \"--fps 60\")")
	env := flag.String("env", "", "tui, startup: environment for hubtap, as KEY=VALUE,KEY=VALUE (e.g. GOMEMLIMIT=off)")
	alts := flag.String("alt", "", "drain: other hubtap builds to compare, as name=path,name=path")
	modes := flag.String("modes", "demo,external", "tui: demo (hubtap --demo, the simulated broker in the measured process) and/or external (a separate `hubtap sim` process)")
	budgets := flag.String("budgets", "64MiB,256MiB", "burst: --history-mem values, one burst each")
	flag.IntVar(&c.burstN, "burst", 1000000, "burst: messages published as fast as possible")
	burstModes := flag.String("burst-modes", "live,queued", "burst: live (published while hubtap runs) and/or queued (queued for hubtap's persistent session, then delivered at once when it connects)")
	flag.StringVar(&c.stderr, "stderr", "", "burst: append hubtap's stderr to this file (with -env GODEBUG=gctrace=1: the GC's trace)")
	flag.Parse()
	c.budgets = strings.Split(*budgets, ",")
	c.burstModes = strings.Split(*burstModes, ",")
	c.extra = strings.Fields(*extra)
	for _, q := range strings.Split(*qos, ",") {
		switch strings.TrimSpace(q) {
		case "0":
			c.qos = append(c.qos, 0)
		case "1":
			c.qos = append(c.qos, 1)
		default:
			fmt.Fprintf(os.Stderr, "hubbench: -qos: %q is not 0 or 1\n", q)
			os.Exit(2)
		}
	}
	if c.hubtap == "" {
		fmt.Fprintln(os.Stderr, "hubbench: -hubtap is required (use bench/run.sh)")
		os.Exit(2)
	}
	for _, a := range strings.Split(*alts, ",") {
		if name, path, ok := strings.Cut(a, "="); ok {
			c.alts = append(c.alts, alt{name: name, path: path})
		}
	}
	for _, kv := range strings.Split(*env, ",") {
		if strings.Contains(kv, "=") {
			c.env = append(c.env, strings.TrimSpace(kv))
		}
	}
	for _, m := range strings.Split(*modes, ",") {
		if m = strings.TrimSpace(m); m != "demo" && m != "external" {
			fmt.Fprintf(os.Stderr, "hubbench: -modes: %q is not demo or external\n", m)
			os.Exit(2)
		}
		c.modes = append(c.modes, strings.TrimSpace(m))
	}
	c.only = map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		c.only[strings.TrimSpace(p)] = true
	}
	for _, r := range strings.Split(*rates, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil || v < 0 {
			fmt.Fprintf(os.Stderr, "hubbench: -rates: bad rate %q\n", r)
			os.Exit(2)
		}
		c.rates = append(c.rates, v)
	}
	if _, err := fmt.Sscanf(*size, "%dx%d", &c.w, &c.h); err != nil || c.w < 40 || c.h < 10 {
		fmt.Fprintf(os.Stderr, "hubbench: -size %q: want WxH, at least 40x10\n", *size)
		os.Exit(2)
	}
	if c.work == "" {
		d, err := os.MkdirTemp("", "hubbench-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "hubbench:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(d)
		c.work = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out, err := runAll(ctx, c)
	fmt.Print(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hubbench:", err)
		stop()
		os.Exit(1)
	}
}

func runAll(ctx context.Context, c *config) (string, error) {
	var w strings.Builder
	fmt.Fprintf(&w, "# hubtap benchmarks, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&w, "machine: %d CPUs, %s; %s; %s; load average at start %s\n", runtime.NumCPU(), cpuModel(), runtime.Version(), tmuxVersion(ctx), loadAvg())
	defer func() { fmt.Fprintf(&w, "\nload average at the end: %s\n", loadAvg()) }()

	if c.only["size"] {
		printSize(&w, c)
	}
	if c.only["drain"] {
		if c.publish == "" {
			return w.String(), fmt.Errorf("drain needs -publish")
		}
		fmt.Fprintln(os.Stderr, "drain: mosquitto, publish, hubtap sub vs mosquitto_sub ...")
		r, err := runDrain(ctx, c)
		if err != nil {
			return w.String(), fmt.Errorf("drain: %w", err)
		}
		r.print(&w)
	}
	if c.only["tui"] || c.only["startup"] || c.only["burst"] {
		t, err := startTerm(ctx, c.work, c.w, c.h)
		if err != nil {
			fmt.Fprintf(&w, "\n## TUI\n\nskipped: %v\n", err)
			return w.String(), nil
		}
		defer t.close()
		if c.only["startup"] {
			fmt.Fprintln(os.Stderr, "startup: time to first frame ...")
			ms, err := measureStartup(ctx, c, t, c.startups)
			if err != nil {
				return w.String(), fmt.Errorf("startup: %w", err)
			}
			st := summarize(ms)
			fmt.Fprintf(&w, "\n## Time to first frame\n\n`hubtap --demo --demo-rate 0.001` in tmux, from asking tmux to start it to a frame border on screen (capture-pane polled), %d runs: min %.0f ms, median %.0f ms, max %.0f ms\n",
				len(ms), st.min, st.med, st.max)
		}
		if c.only["burst"] {
			if c.publish == "" {
				return w.String(), fmt.Errorf("burst needs -publish")
			}
			rs, skipped, err := runBurst(ctx, c, t)
			printBurst(&w, c, rs, skipped)
			if err != nil {
				return w.String(), fmt.Errorf("burst: %w", err)
			}
		}
		if c.only["tui"] {
			for _, mode := range c.modes {
				c.externalSim = mode == "external"
				var rs []*ingestResult
				for _, r := range c.rates {
					fmt.Fprintf(os.Stderr, "tui (%s): %s msg/s ...\n", mode, commas(r))
					res, err := measureRate(ctx, c, t, r)
					if err != nil {
						return w.String(), fmt.Errorf("tui (%s) at %s msg/s: %w", mode, commas(r), err)
					}
					rs = append(rs, res)
				}
				printIngest(&w, c, rs)
			}
		}
	}
	return w.String(), nil
}

func printSize(w *strings.Builder, c *config) {
	fmt.Fprintf(w, "\n## Binary size\n\n")
	for _, b := range []struct{ name, path string }{{"go build", c.hubtap}, {"go build -ldflags='-s -w'", c.stripped}} {
		if b.path == "" {
			continue
		}
		if fi, err := os.Stat(b.path); err == nil {
			fmt.Fprintf(w, "- %s: %.1f MiB (%s bytes)\n", b.name, mib(fi.Size()), commas(float64(fi.Size())))
		}
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAvg is the 1, 5 and 15 minute load average: other work on the
// machine skews every figure here.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func tmuxVersion(ctx context.Context) string {
	out, err := run(ctx, "tmux", "-V")
	if err != nil {
		return "no tmux"
	}
	return strings.TrimSpace(out)
}
