// Command hubtap is a terminal debugger for MQTT 5 streams, built first for
// the flespi telematics hub. main.go only parses flags and wires packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"hubtap/broker"
	"hubtap/config"
	"hubtap/filters"
	"hubtap/headless"
	"hubtap/history"
	"hubtap/sim"
	"hubtap/telematics"
	"hubtap/themes"
	"hubtap/ui/app"
	"hubtap/ui/info"
)

const usage = `hubtap: a terminal debugger for MQTT 5 streams (flespi first).

Usage:
  hubtap [flags] [topic-filter ...]     live view of one or more subscriptions
  hubtap --demo                         the same against a built-in flespi-like broker
  hubtap sub [flags] topic-filter ...   no UI: messages to stdout as JSONL or a template
  hubtap open [flags] FILE.jsonl[.gz]   browse a recording (from --record, r, or hubtap sub)
  hubtap sim [flags]                    run that simulated broker on its own
  hubtap completion bash|zsh|fish       shell completion script

Examples:
  FLESPI_TOKEN=... hubtap 'flespi/message/gw/channels/+/+'
  FLESPI_TOKEN=... hubtap 'flespi/message/gw/devices/182083' 'flespi/state/gw/devices/182083/#'
  hubtap --url mqtt://localhost:1883 --username me --password-file ~/.mqttpw 'sensors/#'
  hubtap --demo --demo-rate 2000
  hubtap -p fleet                      # a profile from hubtap.toml; --save-profile NAME writes one

Flags:
`

// options is everything the flags say.
// defaultFPS is the most frames drawn per second (--fps). 60 answers a key
// within ~17 ms of wait for the next frame (30 nearly doubled the
// key-to-screen median and p99); the price is the renderer's wake-ups when
// idle (0.8-1.5% CPU on the 2-core VM of docs/BENCHMARKS.md, against
// 0.5-0.9% at 30), and a list scrolling at full speed sends ~140 KiB/s
// instead of ~95, so --fps 30 or less suits slow links.
const defaultFPS = 60

// checkFPS checks an --fps value: bubbletea takes 1 to 120.
func checkFPS(fps int) error {
	if fps < 1 || fps > 120 {
		return fmt.Errorf("--fps %d: use 1 to 120", fps)
	}
	return nil
}

type options struct {
	url, token, tokenFile, username, password, passwordFile  string
	clientID, debugFile, theme, historyMem, record           string
	sessionExpiry                                            time.Duration
	qos, fps                                                 int
	demo, version, noColor, noMouse                          bool
	demoRate                                                 float64
	demoDevices, demoStale                                   int
	demoFaults                                               bool
	stale                                                    time.Duration
	topics                                                   []string
	tokenOnCmdline                                           bool
	profile, saveProfile, layout, tokenEnv, profileTokenFile string
	resume                                                   string
	tlsFiles                                                 broker.TLSFiles
	panes                                                    []config.Pane
}

func main() {
	args, stopProfile := cpuProfile(os.Args[1:], os.Stderr) // hidden --cpuprofile FILE (profile.go)
	code := run(args, os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "sim":
			return runSim(args[1:], stdout, stderr)
		case "sub":
			return runSub(args[1:], stdout, stderr)
		case "open":
			return runOpen(args[1:], stdout, stderr)
		case "completion":
			return runCompletion(args[1:], stdout, stderr)
		}
	}
	o, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "hubtap:", err)
		return 2
	}
	if o.version {
		fmt.Fprintln(stdout, versionString())
		return 0
	}
	if err := runUI(o); err != nil {
		fmt.Fprintln(stderr, "hubtap:", err)
		return 1
	}
	return 0
}

// parseWithTopics parses flags; topics may come before, between or after them.
func parseWithTopics(fs *flag.FlagSet, args []string, o *options, stdout io.Writer, help string) error {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(stdout, fs, help)
			}
			return err
		}
		args = fs.Args()
		if len(args) == 0 {
			return nil
		}
		if args[0] == "--" {
			o.topics = append(o.topics, args[1:]...)
			return nil
		}
		o.topics = append(o.topics, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed once, by run
	fs.Usage = func() {}     // flag calls Usage on every parse error; help is printed by printHelp on -h only
	return fs
}

// printHelp writes the usage text and the flag list to w.
func printHelp(w io.Writer, fs *flag.FlagSet, head string) {
	fmt.Fprint(w, head)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// connFlags registers the connection flags shared by the UI and `sub`.
func connFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.url, "url", "", "broker URL: mqtt://host[:1883], mqtts://host[:8883], ws://host[:80]/path, wss://host[:443]/path\n(default "+broker.FlespiURL+" with a flespi token)")
	fs.StringVar(&o.token, "token", "", "flespi token, sent as the user name (visible in the process list: prefer FLESPI_TOKEN or --token-file)")
	fs.StringVar(&o.tokenFile, "token-file", "", "read the flespi token from this file")
	fs.StringVar(&o.username, "username", "", "user name, for brokers other than flespi")
	fs.StringVar(&o.password, "password", "", "password (visible in the process list: prefer --password-file or MQTT_PASSWORD)")
	fs.StringVar(&o.passwordFile, "password-file", "", "read the password from this file")
	fs.StringVar(&o.clientID, "client-id", "", "MQTT client ID; the default is stable per user and host, so a restart resumes the session")
	fs.DurationVar(&o.sessionExpiry, "session-expiry", time.Hour, "how long the broker keeps the session (and queues QoS 1 messages) while hubtap is away; 0 = clean session")
	fs.IntVar(&o.qos, "qos", 1, "subscription QoS: 0 or 1")
	fs.StringVar(&o.tlsFiles.CA, "ca", "", "extra CA certificate(s) to trust (PEM file), for mqtts:// and wss://")
	fs.StringVar(&o.tlsFiles.Cert, "cert", "", "client certificate (PEM file), with --key")
	fs.StringVar(&o.tlsFiles.Key, "key", "", "client certificate's private key (PEM file)")
	fs.BoolVar(&o.tlsFiles.Insecure, "insecure", false, "do not verify the broker's TLS certificate (a warning stays on screen)")
}

func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o := &options{}
	fs := newFlagSet("hubtap", stdout)
	connFlags(fs, o)
	fs.StringVar(&o.theme, "theme", "auto", "colour theme: auto, dark, light, high-contrast or plain")
	fs.BoolVar(&o.noColor, "no-color", false, "no colours at all (also when NO_COLOR is set)")
	fs.BoolVar(&o.noMouse, "no-mouse", false, "leave the mouse to the terminal (its own selection and copy)")
	fs.StringVar(&o.resume, "resume", "live", "what space does on a paused pane: live (jump to the newest and follow) or in-place (keep the position; M toggles)")
	fs.StringVar(&o.historyMem, "history-mem", "256MiB", "memory budget for message history (e.g. 512MiB, 2GiB)")
	fs.IntVar(&o.fps, "fps", defaultFPS, "most frames drawn per second (1-120): higher answers keys sooner, lower sends less over slow links")
	fs.StringVar(&o.debugFile, "debug", "", "write a debug log to this file")
	fs.StringVar(&o.record, "record", "", "record every received message to this JSONL file (appends; r toggles recording in the UI)")
	fs.BoolVar(&o.demo, "demo", false, "run against a built-in simulated flespi broker (no account needed)")
	fs.Float64Var(&o.demoRate, "demo-rate", 50, "with --demo: device messages per second")
	fs.IntVar(&o.demoDevices, "demo-devices", 50, "with --demo: number of simulated devices")
	fs.BoolVar(&o.demoFaults, "demo-faults", false, "with --demo: inject timestamp faults (future, gaps, duplicates, out of order)")
	fs.IntVar(&o.demoStale, "demo-stale", 0, "with --demo: this many devices fall silent after their first message")
	fs.DurationVar(&o.stale, "stale", 10*time.Minute, "a device silent this long is marked stale in the device view (V)")
	fs.BoolVar(&o.version, "version", false, "print version and exit")
	fs.StringVar(&o.profile, "p", "", "open the named profile from hubtap.toml (in the XDG config dir)")
	fs.StringVar(&o.saveProfile, "save-profile", "", "on exit, save the workspace (broker, panes, filters; never the token) as this profile")

	if err := parseWithTopics(fs, args, o, stdout, usage); err != nil {
		return nil, err
	}
	if o.profile != "" && !o.version {
		if err := applyProfile(o, fs); err != nil {
			return nil, err
		}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "token" {
			o.tokenOnCmdline = true
		}
	})
	if o.version {
		return o, nil
	}
	if err := checkFPS(o.fps); err != nil {
		return nil, err
	}
	if o.resume != "live" && o.resume != "in-place" {
		return nil, fmt.Errorf("--resume %q: use live or in-place", o.resume)
	}
	return o, o.check()
}

// check validates flag values and reads secrets from files and environment.
func (o *options) check() error {
	if o.qos != 0 && o.qos != 1 {
		return fmt.Errorf("--qos %d: use 0 or 1 (flespi does not support QoS 2)", o.qos)
	}
	if o.sessionExpiry < 0 {
		return fmt.Errorf("--session-expiry must not be negative")
	}
	if o.sessionExpiry > 0 && o.sessionExpiry < time.Second {
		return fmt.Errorf("--session-expiry %s: the broker counts whole seconds", o.sessionExpiry)
	}
	if _, ok := themes.ByName(o.theme); !ok && o.theme != "auto" {
		return fmt.Errorf("--theme %q: use auto, dark, light, high-contrast or plain", o.theme)
	}
	if _, err := parseSize(o.historyMem); err != nil {
		return fmt.Errorf("--history-mem: %v", err)
	}
	if o.demoRate < 0 || o.demoDevices < 1 || o.demoStale < 0 {
		return fmt.Errorf("--demo-rate and --demo-stale must be ≥ 0 and --demo-devices ≥ 1")
	}
	for _, t := range o.topics {
		if err := broker.ValidateFilter(t); err != nil {
			return err
		}
	}
	if o.tokenFile != "" {
		b, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return fmt.Errorf("--token-file: %v", err)
		}
		o.token = strings.TrimSpace(string(b))
	}
	if o.token == "" {
		o.token = strings.TrimSpace(os.Getenv("FLESPI_TOKEN"))
		if o.token != "" {
			o.tokenEnv = "FLESPI_TOKEN"
		}
	}
	if o.passwordFile != "" {
		b, err := os.ReadFile(o.passwordFile)
		if err != nil {
			return fmt.Errorf("--password-file: %v", err)
		}
		o.password = strings.TrimRight(string(b), "\r\n")
	}
	if o.password == "" {
		o.password = os.Getenv("MQTT_PASSWORD")
	}
	if o.demo {
		return nil
	}
	if o.url == "" && o.token != "" {
		o.url = broker.FlespiURL
	}
	if o.url == "" {
		return fmt.Errorf("no broker: give --url, a flespi token (FLESPI_TOKEN or --token-file), or --demo")
	}
	u, err := broker.ParseURL(o.url)
	if err != nil {
		return err
	}
	if _, err := broker.TLSConfig(u, o.tlsFiles); err != nil {
		return err
	}
	return nil
}

// securityWarning is shown for as long as the connection is weaker than it
// should be.
func securityWarning(o *options, u *url.URL) string {
	switch {
	case o.tlsFiles.Insecure:
		return "⚠ TLS certificate NOT verified (--insecure)"
	case !broker.Encrypted(u) && (o.token != "" || o.password != "") && !o.demo:
		return "⚠ credentials sent unencrypted (" + u.Scheme + "://): use mqtts:// or wss://"
	}
	return ""
}

// parseSize reads "256MiB", "1GiB", "512M", "1000000".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suf)), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 256MiB", s)
	}
	if n*float64(mult) < 1<<20 {
		return 0, fmt.Errorf("%q is too small: at least 1MiB", s)
	}
	return int64(n * float64(mult)), nil
}

func newLogger(file string) (*slog.Logger, func(), error) {
	if file == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--debug: %v", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { _ = f.Close() }, nil
}

func runUI(o *options) error {
	log, closeLog, err := newLogger(o.debugFile)
	if err != nil {
		return err
	}
	defer closeLog()
	log.Info("hubtap starting", "version", versionString())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	bopts := brokerOptions(o, log)
	// The recorder is stopped (flushed) last of all, after the client is
	// closed, so every message the client acknowledged is on disk, also
	// after SIGTERM or SIGHUP (they end ctx, which ends the UI).
	rec := history.NewRecorder()
	if o.record != "" {
		if err := rec.Start(o.record); err != nil {
			return err
		}
	}
	defer func() {
		if err := rec.Stop(); err != nil {
			log.Warn("recording", "err", err)
		}
	}()
	bopts.Tap = rec.Write
	if o.demo {
		stopSim, err := startDemo(ctx, o, &bopts, log)
		if err != nil {
			return err
		}
		defer stopSim()
	}
	u, err := broker.ParseURL(o.url)
	if err != nil {
		return err
	}
	bopts.URL = u
	if bopts.TLS, err = broker.TLSConfig(u, o.tlsFiles); err != nil {
		return err
	}
	if bopts.ClientID == "" {
		bopts.ClientID = broker.DefaultClientID()
	}
	sessions := newSessionState()
	skey := sessionKey(bopts.ClientID, u.Host)
	if !o.demo { // the demo broker starts empty every time
		bopts.HadSession = sessions.had(skey)
		defer sessions.left(skey, o.sessionExpiry)
	}
	budget, _ := parseSize(o.historyMem)
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit keeps the process bounded: history is charged what it
		// really holds (its slabs, history/arena.go), and the GC needs room
		// for paho's garbage (~6 KB per message) on top of the live history.
		// budget + 64 MiB made the GC run back to back at 20k msg/s; twice
		// the budget sustains ~41k msg/s with RSS flat (docs/BENCHMARKS.md).
		debug.SetMemoryLimit(2*budget + 64<<20)
	}

	bridge := broker.NewBridge(1<<16, 16*time.Millisecond, 1<<17)
	bctx, cancelBridge := context.WithCancel(ctx)
	bridgeDone := make(chan struct{})
	crash := &crashLog{secrets: []string{o.token, o.password}}
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(o.fps)}
	go crash.goroutine("the bridge", func() { defer close(bridgeDone); _ = bridge.Run(bctx) })()

	client, err := broker.Connect(ctx, bopts, bridge)
	if err != nil {
		cancelBridge()
		return err
	}

	cfg := app.Config{
		Store:         history.NewStore(budget),
		Source:        bridge,
		Client:        client,
		Recorder:      rec,
		Target:        u.Scheme + "://" + u.Host + u.Path,
		Topics:        bopts.Topics,
		Panes:         o.panes,
		Layout:        o.layout,
		Warning:       securityWarning(o, u),
		NoMouse:       o.noMouse,
		ResumeInPlace: o.resume == "in-place",
		Telematics:    telematics.Config{Stale: o.stale},
		Demo:          o.demo,
		Ctx:           bctx,
		Requested: info.Requested{ClientID: bopts.ClientID, SessionExpiry: bopts.SessionExpiry, QoS: bopts.QoS,
			Scheme: u.Scheme, Creds: broker.CredentialsOf(&bopts)},
	}
	opts = appearance(o, &cfg, opts)
	if o.tokenOnCmdline {
		cfg.StartNotice = "warning: --token is visible in the process list; prefer FLESPI_TOKEN or --token-file"
		cfg.Requested.Notes = append(cfg.Requested.Notes, "the token was given with --token: other users of this machine can see it in the process list")
	}
	p := tea.NewProgram(guard{m: app.New(cfg), log: crash}, opts...)
	crash.kill = p.Kill
	final, runErr := p.Run()
	if g, ok := final.(guard); ok {
		final = g.inner()
	}
	if crash.crashed() {
		if path, err := crash.write(); err == nil {
			fmt.Fprintf(os.Stderr, "hubtap crashed; a report (without secrets) is in %s\n", path)
		} else {
			fmt.Fprintf(os.Stderr, "hubtap crashed; the crash report could not be written: %v\n", err)
		}
	}
	if fm, ok := final.(app.Model); ok && o.saveProfile != "" {
		panes, layout := fm.Workspace()
		o.resume = fm.ResumeMode()
		if path, err := saveProfile(o, panes, layout); err != nil {
			fmt.Fprintln(os.Stderr, "hubtap: --save-profile:", err)
		} else {
			fmt.Printf("saved profile %q to %s (open it with: hubtap -p %s)\n", o.saveProfile, path, o.saveProfile)
		}
	}

	closeCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Close(closeCtx); err != nil {
		log.Warn("disconnect", "err", err)
	}
	cancelBridge()
	<-bridgeDone
	if errors.Is(runErr, tea.ErrProgramPanic) || crash.crashed() {
		return errors.New("crashed")
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) {
		return runErr
	}
	return nil
}

// brokerOptions maps the connection flags to broker options.
func brokerOptions(o *options, log *slog.Logger) broker.Options {
	return broker.Options{
		Username:      o.username,
		Token:         broker.Secret(o.token),
		Password:      broker.Secret(o.password),
		ClientID:      o.clientID,
		SessionExpiry: o.sessionExpiry,
		QoS:           byte(o.qos),
		Topics:        o.topics,
		Logger:        log,
	}
}

// startDemo starts the in-process simulated flespi broker and points bopts
// at it with the demo token.
func startDemo(ctx context.Context, o *options, bopts *broker.Options, log *slog.Logger) (func(), error) {
	rate := o.demoRate
	if rate == 0 {
		rate = -1 // sim.Config: 0 means its default; --demo-rate 0 means no traffic
	}
	sc := sim.Config{Rate: rate, Devices: o.demoDevices, Stale: o.demoStale, Logger: log.With("part", "sim")}
	if o.demoFaults {
		sc.Faults = sim.DefaultFaults()
	}
	s, err := sim.Start(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("demo broker: %w", err)
	}
	o.url = s.URL()
	bopts.Token, bopts.Username, bopts.Password = broker.Secret(sim.DemoToken), "", ""
	if bopts.ClientID == "" {
		bopts.ClientID = broker.DefaultClientID() + "-demo"
	}
	if len(bopts.Topics) == 0 {
		bopts.Topics = []string{"flespi/message/gw/channels/+/+"}
	}
	return func() { _ = s.Close() }, nil
}

const subUsage = `Usage: hubtap sub [flags] topic-filter ...

Writes received messages to stdout without a UI: one JSON object per line
(the recording format), or a template like mosquitto_sub -F. Connection
problems go to stderr in plain words. It never drops a message: when the
reader is slow it stops reading and the broker queues.

Examples:
  FLESPI_TOKEN=... hubtap sub 'flespi/message/gw/channels/+/+' | jq .payload.ident
  hubtap sub --demo -C 1000 'flespi/#' > sample.jsonl
  hubtap sub --url mqtt://localhost -F '%I %t %{position.speed}' 'flespi/message/gw/devices/+'

Template verbs: %t topic, %p payload, %q QoS, %r retain, %d dup, %l length,
%x hex payload, %I ISO time, %U Unix time, %P user properties, %j JSONL
record, %{path} a JSON field (flat dotted key first), %% percent, \n \t.

Flags:
`

func runSub(args []string, stdout, stderr io.Writer) int {
	o := &options{}
	fs := newFlagSet("hubtap sub", stdout)
	connFlags(fs, o)
	tpl := fs.String("F", "", "output template (default: JSONL)")
	count := fs.Int("C", 0, "exit after this many messages (0: run until interrupted)")
	filterSrc := fs.String("filter", "", "only messages matching this filter expression")
	quiet := fs.Bool("quiet", false, "do not report connecting and subscribing on stderr")
	fs.StringVar(&o.debugFile, "debug", "", "write a debug log to this file")
	fs.BoolVar(&o.demo, "demo", false, "run against a built-in simulated flespi broker")
	fs.Float64Var(&o.demoRate, "demo-rate", 1000, "with --demo: device messages per second")
	fs.IntVar(&o.demoDevices, "demo-devices", 50, "with --demo: number of simulated devices")
	if err := parseWithTopics(fs, args, o, stdout, subUsage); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "hubtap sub:", err)
		return 2
	}
	o.theme, o.historyMem = "auto", "256MiB"
	if err := o.check(); err != nil {
		fmt.Fprintln(stderr, "hubtap sub:", err)
		return 2
	}
	if len(o.topics) == 0 && !o.demo {
		fmt.Fprintln(stderr, "hubtap sub: give at least one topic filter, e.g. 'flespi/message/gw/channels/+/+'")
		return 2
	}
	if *count < 0 {
		fmt.Fprintln(stderr, "hubtap sub: -C must not be negative")
		return 2
	}
	cfg := headless.Config{Count: *count, Errors: stderr, Quiet: *quiet}
	if *tpl != "" {
		f, err := headless.ParseTemplate(*tpl)
		if err != nil {
			fmt.Fprintln(stderr, "hubtap sub: -F:", err)
			return 2
		}
		cfg.Format = f
	}
	if *filterSrc != "" {
		f, err := filters.Compile(*filterSrc)
		if err != nil {
			fmt.Fprintln(stderr, "hubtap sub: --filter:", err)
			return 2
		}
		cfg.Filter = f
	}
	log, closeLog, err := newLogger(o.debugFile)
	if err != nil {
		fmt.Fprintln(stderr, "hubtap sub:", err)
		return 2
	}
	defer closeLog()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	cfg.Broker = brokerOptions(o, log)
	if o.demo {
		stopSim, err := startDemo(ctx, o, &cfg.Broker, log)
		if err != nil {
			fmt.Fprintln(stderr, "hubtap sub:", err)
			return 1
		}
		defer stopSim()
	}
	u, err := broker.ParseURL(o.url)
	if err != nil {
		fmt.Fprintln(stderr, "hubtap sub:", err)
		return 2
	}
	cfg.Broker.URL = u
	if cfg.Broker.TLS, err = broker.TLSConfig(u, o.tlsFiles); err != nil {
		fmt.Fprintln(stderr, "hubtap sub:", err)
		return 2
	}
	if w := securityWarning(o, u); w != "" {
		fmt.Fprintln(stderr, "hubtap sub:", w)
	}
	if !o.demo { // the demo's broker runs in this process and needs the other core
		tuneForPipe()
	}
	if _, err := headless.Run(ctx, cfg, stdout); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return 0 // the reader went away (| head): not an error
		}
		fmt.Fprintln(stderr, "hubtap sub:", err)
		return 1
	}
	return 0
}

// appearance sets the theme from --theme, --no-color and NO_COLOR, and
// returns opts with the colour profile they need.
func appearance(o *options, cfg *app.Config, opts []tea.ProgramOption) []tea.ProgramOption {
	switch {
	case o.noColor || os.Getenv("NO_COLOR") != "":
		// Monochrome: the plain theme marks the selection with reverse video,
		// and the Ascii profile drops every colour that is left.
		cfg.Styles = themes.Build(themes.Plain())
		return append(opts, tea.WithColorProfile(colorprofile.Ascii))
	case o.theme == "auto":
		cfg.AutoTheme = true
	default:
		p, _ := themes.ByName(o.theme)
		cfg.Styles = themes.Build(p)
	}
	return opts
}

func runOpen(args []string, stdout, stderr io.Writer) int {
	o := &options{}
	fs := newFlagSet("hubtap open", stdout)
	fs.StringVar(&o.theme, "theme", "auto", "colour theme: auto, dark, light, high-contrast or plain")
	fs.StringVar(&o.historyMem, "history-mem", "1GiB", "memory budget; a larger file keeps its newest messages")
	fs.IntVar(&o.fps, "fps", defaultFPS, "most frames drawn per second (1-120)")
	fs.StringVar(&o.debugFile, "debug", "", "write a debug log to this file")
	help := "Usage: hubtap open [flags] FILE.jsonl[.gz]\n\nBrowses a recording in the same UI, without a broker: filter (/), step, jump (t), export (e).\n\nFlags:\n"
	if err := parseWithTopics(fs, args, o, stdout, help); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "hubtap open:", err)
		return 2
	}
	if len(o.topics) != 1 {
		fmt.Fprintln(stderr, "hubtap open: give one recording file")
		return 2
	}
	budget, err := parseSize(o.historyMem)
	if err != nil {
		fmt.Fprintln(stderr, "hubtap open: --history-mem:", err)
		return 2
	}
	if _, ok := themes.ByName(o.theme); !ok && o.theme != "auto" {
		fmt.Fprintf(stderr, "hubtap open: --theme %q: use auto, dark, light, high-contrast or plain\n", o.theme)
		return 2
	}
	if err := checkFPS(o.fps); err != nil {
		fmt.Fprintln(stderr, "hubtap open:", err)
		return 2
	}
	log, closeLog, err := newLogger(o.debugFile)
	if err != nil {
		fmt.Fprintln(stderr, "hubtap open:", err)
		return 2
	}
	defer closeLog()
	log.Info("hubtap open", "file", o.topics[0])
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	src, err := history.OpenFile(ctx, o.topics[0])
	if err != nil {
		fmt.Fprintln(stderr, "hubtap open:", err)
		return 1
	}
	cfg := app.Config{Store: history.NewStore(budget), Source: src, Loader: src, Ctx: ctx}
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(o.fps)}
	opts = appearance(o, &cfg, opts)
	if _, err := tea.NewProgram(app.New(cfg), opts...).Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintln(stderr, "hubtap open:", err)
		return 1
	}
	return 0
}

func runSim(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("hubtap sim", stdout)
	listen := fs.String("listen", "127.0.0.1:1883", "TCP address for MQTT")
	ws := fs.String("ws-listen", "", "address for MQTT over WebSocket (e.g. 127.0.0.1:8080); empty = none")
	rate := fs.Float64("rate", 50, "device messages per second")
	devices := fs.Int("devices", 50, "number of simulated devices")
	debugFile := fs.String("debug", "", "write a debug log to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(stdout, fs, "Usage: hubtap sim [flags]\n\nRuns the simulated flespi broker on its own, for any MQTT client.\n\nFlags:\n")
			return 0
		}
		fmt.Fprintln(stderr, "hubtap sim:", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hubtap sim: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	log, closeLog, err := newLogger(*debugFile)
	if err != nil {
		fmt.Fprintln(stderr, "hubtap sim:", err)
		return 2
	}
	defer closeLog()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	r := *rate
	if r == 0 {
		r = -1 // no traffic (sim.Config's 0 means its default)
	}
	cfg := sim.Config{Listen: *listen, WSListen: *ws, Rate: r, Devices: *devices, Logger: log}
	if err := sim.RunStandalone(ctx, cfg, stdout); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "hubtap sim:", err)
		return 1
	}
	return 0
}

func versionString() string {
	v, commit, dirty := "(devel)", "unknown", false
	goV := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goV = bi.GoVersion
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if dirty {
		commit += "-dirty"
	}
	return "hubtap " + v + " (commit " + commit + ", " + goV + ")"
}
