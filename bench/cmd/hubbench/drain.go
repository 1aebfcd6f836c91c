package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// drainTopic is what every subscriber subscribes to; bench/cmd/publish
// publishes below it.
const drainTopic = "flespi/message/gw/channels/+/+"

// subscriber is one command that drains the queued messages.
type subscriber struct {
	name     string
	qos      int
	clientID string
	args     func(port, n, qos int) (string, []string)
	runs     []drainRun
}

type drainRun struct {
	elapsed time.Duration
	cpu     time.Duration // user + system
	maxRSS  int64         // bytes
}

type drainResult struct {
	skipped  string // why the drain benchmark did not run
	n        int
	mosqVer  string
	subs     []*subscriber
	ratios   map[string][]float64 // per run, by key(): msgs/s over mosquitto_sub's at the same QoS
	publishS []float64
	props    bool // published with flespi's user properties
}

// mosquittoConf queues everything for offline persistent sessions: no
// message or byte limit per client and no memory limit. Inflight (20 per
// client) is mosquitto's default.
const mosquittoConf = `listener %d 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
memory_limit 0
queue_qos0_messages true
log_dest stderr
log_type error
log_type warning
`

// mosquittoPath finds the mosquitto binary ("" when it is not installed).
func mosquittoPath() string {
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/mosquitto"); err == nil {
		return "/usr/sbin/mosquitto"
	}
	return ""
}

func mosquittoVersion(ctx context.Context, mosq string) string {
	if out, _ := exec.CommandContext(ctx, mosq, "-h").CombinedOutput(); len(out) > 0 {
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	return ""
}

// startMosquitto runs a mosquitto of our own (mosquittoConf) on a free port
// on 127.0.0.1 and returns the port and how to stop it.
func startMosquitto(ctx context.Context, c *config, mosq string) (int, func(), error) {
	port, err := freePort()
	if err != nil {
		return 0, nil, err
	}
	conf := filepath.Join(c.work, "mosquitto.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, mosquittoConf, port), 0o644); err != nil {
		return 0, nil, err
	}
	logf, err := os.Create(filepath.Join(c.work, "mosquitto.log"))
	if err != nil {
		return 0, nil, err
	}
	broker := exec.Command(mosq, "-c", conf)
	broker.Stdout, broker.Stderr = logf, logf
	if err := broker.Start(); err != nil {
		logf.Close()
		return 0, nil, fmt.Errorf("start mosquitto: %w", err)
	}
	stop := func() {
		_ = broker.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = broker.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = broker.Process.Kill()
			<-done
		}
		logf.Close()
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = waitPort(wctx, addr)
	cancel()
	if err != nil {
		stop()
		return 0, nil, fmt.Errorf("mosquitto did not start (see %s): %w", logf.Name(), err)
	}
	return port, stop, nil
}

func runDrain(ctx context.Context, c *config) (*drainResult, error) {
	res := &drainResult{n: c.n, ratios: map[string][]float64{}, props: c.drainProps}
	mosq := mosquittoPath()
	msub, err2 := exec.LookPath("mosquitto_sub")
	if mosq == "" || err2 != nil {
		res.skipped = "mosquitto or mosquitto_sub not installed (apt-get install mosquitto mosquitto-clients)"
		return res, nil
	}
	res.mosqVer = mosquittoVersion(ctx, mosq)
	port, stopBroker, err := startMosquitto(ctx, c, mosq)
	if err != nil {
		return nil, err
	}
	defer stopBroker()
	addr := "127.0.0.1:" + strconv.Itoa(port)

	url := "mqtt://" + addr
	hub := func(bin string, extra ...string) func(port, n, qos int) (string, []string) {
		return func(port, n, qos int) (string, []string) {
			a := []string{"sub", "--quiet", "--url", url, "--client-id", "", "--qos", strconv.Itoa(qos), "-C", strconv.Itoa(n)}
			a = append(a, extra...)
			return bin, append(a, drainTopic)
		}
	}
	for _, q := range c.qos {
		qs := strconv.Itoa(q)
		res.subs = append(res.subs,
			&subscriber{name: "hubtap sub (JSONL)", qos: q, clientID: "bench-hubtap-jsonl-q" + qs, args: hub(c.hubtap)},
			&subscriber{name: "hubtap sub -F %p", qos: q, clientID: "bench-hubtap-raw-q" + qs, args: hub(c.hubtap, "-F", "%p")})
		if c.refsub != "" {
			res.subs = append(res.subs, &subscriber{name: "reference (autopaho, 4 settings)", qos: q, clientID: "bench-refsub-q" + qs,
				args: func(port, n, qos int) (string, []string) {
					return c.refsub, []string{"-url", url, "-id", "", "-q", strconv.Itoa(qos), "-C", strconv.Itoa(n), drainTopic}
				}})
		}
		res.subs = append(res.subs, &subscriber{name: "mosquitto_sub", qos: q, clientID: "bench-mosquitto-sub-q" + qs,
			args: func(port, n, qos int) (string, []string) {
				return msub, []string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-C", strconv.Itoa(n),
					"-c", "-i", "", "-V", "mqttv5", "-x", "3600", "-q", strconv.Itoa(qos), "-t", drainTopic}
			}})
		for i, alt := range c.alts { // other hubtap builds, for A/B comparisons
			res.subs = append(res.subs, &subscriber{name: "hubtap sub (JSONL) " + alt.name, qos: q,
				clientID: "bench-hubtap-alt" + strconv.Itoa(i) + "-q" + qs, args: hub(alt.path)})
		}
	}
	for _, q := range c.qos {
		var ids []string
		for _, s := range res.subs {
			if s.qos == q {
				ids = append(ids, s.clientID)
			}
		}
		if _, err := run(ctx, c.publish, "-url", url, "-prime", strings.Join(ids, ","), "-qos", strconv.Itoa(q), "-topic", drainTopic); err != nil {
			return nil, err
		}
	}
	for r := 0; r < c.runs; r++ {
		t0 := time.Now()
		if _, err := run(ctx, c.publish, "-url", url, "-n", strconv.Itoa(c.n), "-props="+strconv.FormatBool(c.drainProps)); err != nil {
			return nil, err
		}
		res.publishS = append(res.publishS, time.Since(t0).Seconds())
		rates := map[string]float64{}
		for k := range res.subs { // rotate the order from run to run
			s := res.subs[(k+r)%len(res.subs)]
			dr, err := drainOnce(ctx, s, port, c.n)
			if err != nil {
				return nil, err
			}
			s.runs = append(s.runs, dr)
			rates[s.key()] = float64(c.n) / dr.elapsed.Seconds()
		}
		var line []string
		for _, s := range res.subs {
			mq := rates[subscriber{name: "mosquitto_sub", qos: s.qos}.key()]
			if s.name != "mosquitto_sub" && mq > 0 {
				res.ratios[s.key()] = append(res.ratios[s.key()], rates[s.key()]/mq)
			}
			line = append(line, fmt.Sprintf("%s %s", s.key(), commas(rates[s.key()])))
		}
		fmt.Fprintf(os.Stderr, "drain run %d/%d (msgs/s): %s\n", r+1, c.runs, strings.Join(line, ", "))
	}
	return res, nil
}

// key names a subscriber with its QoS.
func (s subscriber) key() string { return fmt.Sprintf("%s @QoS %d", s.name, s.qos) }

// drainOnce reconnects s to its session and times it until it has written n
// messages to /dev/null and exited.
func drainOnce(ctx context.Context, s *subscriber, port, n int) (drainRun, error) {
	name, args := s.args(port, n, s.qos)
	for i, a := range args { // fill in the client ID
		if a == "" {
			args[i] = s.clientID
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return drainRun{}, err
	}
	defer devnull.Close()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = devnull, &stderr
	t0 := time.Now()
	err = cmd.Run()
	el := time.Since(t0)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("did not get %d messages within 5 minutes", n)
		}
		return drainRun{}, fmt.Errorf("%s: %w: %s", s.name, err, strings.TrimSpace(stderr.String()))
	}
	dr := drainRun{elapsed: el}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		dr.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		dr.maxRSS = ru.Maxrss << 10
	}
	return dr, nil
}

func (r *drainResult) print(w *strings.Builder) {
	props := "without user properties"
	if r.props {
		props = "with flespi's timestamp and cid user properties"
	}
	fmt.Fprintf(w, "\n## Drain: %s queued messages (~550 B, %s) from a persistent session\n\n", commas(float64(r.n)), props)
	if r.skipped != "" {
		fmt.Fprintf(w, "skipped: %s\n", r.skipped)
		return
	}
	fmt.Fprintf(w, "%s on 127.0.0.1, %d runs, output to /dev/null, order rotated per run; published at QoS 1, delivered at the subscription's QoS; publishing took %.1f s (median)\n\n",
		r.mosqVer, len(r.subs[0].runs), summarize(r.publishS).med)
	fmt.Fprintln(w, "| subscriber | QoS | min msgs/s | median msgs/s | max msgs/s | × mosquitto_sub (median of per-run ratios) | CPU µs/msg (median) | peak RSS MiB |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range r.subs {
		var rates, cpus []float64
		var rss int64
		for _, d := range s.runs {
			rates = append(rates, float64(r.n)/d.elapsed.Seconds())
			cpus = append(cpus, float64(d.cpu.Microseconds())/float64(r.n))
			rss = max(rss, d.maxRSS)
		}
		st := summarize(rates)
		ratio := "1.00×"
		if rs := r.ratios[s.key()]; len(rs) > 0 {
			q := summarize(rs)
			ratio = fmt.Sprintf("%.2f× (%.2f–%.2f)", q.med, q.min, q.max)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %.2f | %.0f |\n", s.name, s.qos, commas(st.min), commas(st.med), commas(st.max),
			ratio, summarize(cpus).med, float64(rss)/(1<<20))
	}
	r.printJSONLCost(w)
}

// printJSONLCost compares hubtap's two outputs run by run (they drain one
// after the other in each run): issue 18 wants JSONL within 10% of -F %p.
func (r *drainResult) printJSONLCost(w *strings.Builder) {
	find := func(name string, qos int) *subscriber {
		for _, s := range r.subs {
			if s.name == name && s.qos == qos {
				return s
			}
		}
		return nil
	}
	var lines []string
	for _, s := range r.subs {
		if s.name != "hubtap sub (JSONL)" {
			continue
		}
		p := find("hubtap sub -F %p", s.qos)
		if p == nil || len(p.runs) != len(s.runs) || len(s.runs) == 0 {
			continue
		}
		var rate, cpu []float64
		for i := range s.runs {
			rate = append(rate, p.runs[i].elapsed.Seconds()/s.runs[i].elapsed.Seconds())
			cpu = append(cpu, s.runs[i].cpu.Seconds()/p.runs[i].cpu.Seconds())
		}
		a, b := summarize(rate), summarize(cpu)
		lines = append(lines, fmt.Sprintf("QoS %d: msgs/s %.2f× (%.2f–%.2f), CPU %.2f× (%.2f–%.2f)", s.qos, a.med, a.min, a.max, b.med, b.min, b.max))
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "\nhubtap sub (JSONL) against hubtap sub -F %%p in the same run (medians of per-run ratios, range): %s\n", strings.Join(lines, "; "))
	}
}
