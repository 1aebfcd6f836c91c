package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"hubtap/broker"
	"hubtap/sim"
)

// uiSignals end the UI (and open). Ctrl+C is not among them: in raw mode
// the terminal delivers it as a key.
func uiSignals() []os.Signal { return []os.Signal{syscall.SIGTERM, syscall.SIGHUP} }

// pipeSignals end sub: Ctrl+C too. SIGPIPE is not one of them (see
// epipeNotSignal).
func pipeSignals() []os.Signal { return []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} }

// epipeNotSignal makes a write to a broken pipe fail with EPIPE instead of
// killing the process (the Go runtime's default for stdout), so that sub
// ends cleanly, exit 0, when its reader goes away (| head). SIGPIPE must
// not end the command itself: once it is notified, a write to any broken
// socket raises it too, and a broker resetting the connection would then
// stop sub instead of making it reconnect. The returned function undoes it.
func epipeNotSignal() func() {
	ch := make(chan os.Signal, 1) // never read: the signal only has to be caught
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}

// simSignals end sim.
func simSignals() []os.Signal { return []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} }

// run is what every command starts with: a debug log and a context that
// ends on signals. close releases both; call it once.
type run struct {
	ctx   context.Context
	log   *slog.Logger
	stops []func() // run by close, last first
}

// start opens the debug log (--debug; none when debugFile is empty) and
// makes ctx end on signals.
func start(debugFile string, signals []os.Signal) (*run, error) {
	log, closeLog, err := newLogger(debugFile)
	if err != nil {
		return nil, usage(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), signals...)
	return &run{ctx: ctx, log: log, stops: []func(){closeLog, stop}}, nil
}

// onClose adds f to what close does; it runs before everything added earlier.
func (r *run) onClose(f func()) { r.stops = append(r.stops, f) }

// close stops what start and onClose added, last first.
func (r *run) close() {
	for i := len(r.stops) - 1; i >= 0; i-- {
		r.stops[i]()
	}
}

// conn is what the connection step hands to the UI and sub.
type conn struct {
	*run
	broker  broker.Options // URL, TLS, credentials, client ID, topics
	url     *url.URL
	warning string // securityWarning, "" when the connection is as strong as it should be
}

// connect is the connection step the UI and sub share, after their flags
// passed checkConn: start (log, signals), the demo broker with --demo
// (which then is the URL), and broker.Options with the URL, TLS and
// credentials. The caller closes the returned conn.
func connect(o *options, signals []os.Signal) (*conn, error) {
	r, err := start(o.debugFile, signals)
	if err != nil {
		return nil, err
	}
	c := &conn{run: r, broker: broker.Options{
		Username:      o.username,
		Token:         broker.Secret(o.token),
		Password:      broker.Secret(o.password),
		ClientID:      o.clientID,
		SessionExpiry: o.sessionExpiry,
		QoS:           byte(o.qos),
		Topics:        o.topics,
		Logger:        r.log,
	}}
	if o.demo {
		stopSim, err := startDemo(r.ctx, o, &c.broker, r.log)
		if err != nil {
			r.close()
			return nil, err
		}
		r.onClose(stopSim)
	}
	if c.url, err = broker.ParseURL(o.url); err != nil {
		r.close()
		return nil, usage(err)
	}
	c.broker.URL = c.url
	if c.broker.TLS, err = broker.TLSConfig(c.url, o.tlsFiles); err != nil {
		r.close()
		return nil, usage(err)
	}
	if c.broker.ClientID == "" {
		c.broker.ClientID = broker.DefaultClientID()
	}
	c.warning = securityWarning(o, c.url)
	return c, nil
}

// startDemo starts the in-process simulated flespi broker and points bopts
// at it with the demo token.
func startDemo(ctx context.Context, o *options, bopts *broker.Options, log *slog.Logger) (func(), error) {
	rate := o.demoRate
	if rate == 0 {
		rate = -1 // sim.Config: 0 means its default; --demo-rate 0 means no traffic
	}
	sc := sim.Config{Rate: rate, Devices: o.demoDevices, Stale: o.demoStale, Telemetry: sim.Telemetry(o.demoTelemetry),
		Logger: log.With("part", "sim")}
	if o.demoFaults {
		sc.Faults = sim.DefaultFaults()
	}
	s, err := sim.Start(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("demo broker: %w", err)
	}
	o.url = s.URL()
	if o.tb.restBase, err = s.RESTURL(); err != nil {
		return nil, fmt.Errorf("demo REST API: %w", err)
	}
	bopts.Token, bopts.Username, bopts.Password = broker.Secret(sim.DemoToken), "", ""
	if bopts.ClientID == "" {
		bopts.ClientID = broker.DefaultClientID() + "-demo"
	}
	if len(bopts.Topics) == 0 {
		bopts.Topics = []string{"flespi/message/gw/channels/+/+"}
	}
	return func() { _ = s.Close() }, nil
}

// newLogger opens the --debug log, or discards when file is "".
func newLogger(file string) (*slog.Logger, func(), error) {
	if file == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--debug: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { _ = f.Close() }, nil
}
