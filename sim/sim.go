// Package sim is an embedded MQTT 5 broker on loopback that behaves like the
// flespi telematics hub (docs/FLESPI.md) and streams simulated devices: token auth,
// per-filter SUBACK refusals for an ACL token, flespi/... topics that clients
// cannot publish to, persistent sessions, flat flespi message JSON on
// flespi/message/gw/channels/{cid}/{ident} and flespi/message/gw/devices/{id},
// retained flespi/state/gw/devices/{id}/... topics, and the `timestamp` and
// `cid` user properties on every PUBLISH, and answers a few REST-over-MQTT
// calls on flespi/rest/... (rest.go). `hubtap --demo`, `hubtap sim` and
// tests use it. It never imports the UI.
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Config configures Start. The zero value is a usable demo: 50 devices, 50
// device messages per second, a free port on 127.0.0.1.
type Config struct {
	Listen       string           // host:port for MQTT over TCP; "" means 127.0.0.1:0 (a free port)
	WSListen     string           // host:port for MQTT over WebSocket; "" means none; "127.0.0.1:0" picks a free port
	Devices      int              // registered devices; 0 means 50
	Unregistered int              // extra idents with no registered device (channel topic only); 0 means 2, <0 means none
	Rate         float64          // device messages per second across all devices (see Sim.SetRate); 0 means 50; <0 starts with no device traffic
	Seed         int64            // nonzero: deterministic idents, names, routes; 0: random
	Logger       *slog.Logger     // nil discards; mochi's own log goes here too, throttled
	Now          func() time.Time // clock for message timestamps and vehicle motion; nil means time.Now
	// Faults injects timestamp faults into device messages (see Faults;
	// DefaultFaults for a demo). The zero value injects none.
	Faults Faults
	// Stale stops the first Stale registered devices right after their
	// first message, so a debugger sees them go stale (docs/FLESPI.md §8); see
	// StopDevice. 0 means none; more than Devices means all.
	Stale int
	// NoREST turns off the REST-over-MQTT responder (rest.go): requests to
	// flespi/rest/... are then discarded unanswered, like any flespi/... publish.
	NoREST bool

	// TLSListen and WSSListen serve MQTT over TLS (mqtts://) and over
	// secure WebSocket (wss://) with the certificate in TLS (tls.go); ""
	// means none, "127.0.0.1:0" picks a free port.
	TLSListen, WSSListen string
	TLS                  *Certs
	// ACLMode is how ACLToken's rights apply to flespi/... subscriptions;
	// "" means ACLFilter (see ACLMode).
	ACLMode ACLMode
	// SessionQueue is how many messages a session may have queued
	// (undelivered or unacknowledged) before it overflows: the connection
	// is closed with DISCONNECT 0x97 and the queue deleted (overflow.go).
	// 0 means DefaultSessionQueue; at most MaxSessionQueue.
	SessionQueue int
	// Telemetry is how much retained telemetry state is published per
	// device message: TelemetryFull (as flespi: every parameter of every
	// message), TelemetryLight, or TelemetryAuto ("", the default: full up
	// to 1,000 device messages/s at start, light above; state.go).
	Telemetry Telemetry
}

// MaxSessionQueue is the largest Config.SessionQueue: mochi numbers a
// session's queued messages with 16-bit packet ids.
const MaxSessionQueue = 60_000

// Defaults used when Config fields are zero.
const (
	DefaultDevices      = 50
	DefaultUnregistered = 2
	DefaultRate         = 50.0
)

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("sim: closed")

// Sim is a running simulator. Its methods are safe for concurrent use.
type Sim struct {
	gate    takeoverGate // holds publishes while a session is taken over (gate.go)
	log     *slog.Logger
	now     func() time.Time
	srv     *mqtt.Server
	pub     *mqtt.Client // inline client: everything the "platform" publishes comes from it
	tcp     listeners.Listener
	ws      *wsListener
	devs    []*device // registered first, then unregistered; owned by the publisher goroutine after Start
	nReg    int
	infos   []Device        // immutable snapshot of the registered devices
	rest    *restResponder  // nil with Config.NoREST
	queue   *queueLimit     // session queue limit (overflow.go)
	conns   [2]atomic.Int64 // devices connected per channel (state.go)
	tel     Telemetry
	aclMode ACLMode

	secure secureListeners // TLS listeners (tls.go)

	rate      atomic.Uint64 // math.Float64bits of device messages per second; <=0 pauses
	rateSet   chan struct{} // cap 1: wakes a paused publisher
	published atomic.Uint64
	skipped   atomic.Uint64
	faults    faultState
	byIdent   map[string]*device // every device by ident; immutable after Start

	// Publisher-goroutine state (and Start's, before the goroutine runs).
	next  int                     // round-robin position; nReg means "an unregistered ident's turn"
	unreg int                     // which unregistered ident is next
	buf   []byte                  // payload scratch; mochi copies payloads (packets.Packet.Copy), so reuse is safe
	props [2]packets.UserProperty // timestamp, cid; mochi copies user properties too
	tsBuf []byte

	cancel    context.CancelFunc // stops the publisher goroutine
	runCtx    context.Context    // ends with cancel: for the goroutines in wg
	wg        sync.WaitGroup     // the publisher goroutine, the REST responder, commands being executed
	wgMu      sync.Mutex         // orders wg.Add after Start against Close (closed is set under it)
	closeOnce sync.Once
	closed    atomic.Bool
	stopCtx   func() bool // stops the context.AfterFunc that closes on ctx end

	httpAPI httpAPIState // the HTTP REST API, started by RESTURL (httpapi.go)
}

// Start binds the listeners (so URL reports the real port), starts the broker,
// publishes the retained device state and starts the device publisher. The
// simulator stops when ctx ends or Close is called; Start does not block.
func Start(ctx context.Context, cfg Config) (*Sim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Devices <= 0 {
		cfg.Devices = DefaultDevices
	}
	switch {
	case cfg.Unregistered == 0:
		cfg.Unregistered = DefaultUnregistered
	case cfg.Unregistered < 0:
		cfg.Unregistered = 0
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	var err error
	if cfg.ACLMode, err = ParseACLMode(string(cfg.ACLMode)); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if cfg.Telemetry, err = ParseTelemetry(string(cfg.Telemetry)); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if cfg.SessionQueue <= 0 {
		cfg.SessionQueue = DefaultSessionQueue
	}
	cfg.SessionQueue = min(cfg.SessionQueue, MaxSessionQueue)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	seed := uint64(cfg.Seed)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}

	s := &Sim{
		log:     cfg.Logger,
		now:     cfg.Now,
		rateSet: make(chan struct{}, 1),
		buf:     make([]byte, 0, 1024),
		tel:     cfg.Telemetry,
		aclMode: cfg.ACLMode,
	}
	s.rate.Store(math.Float64bits(cfg.Rate))
	s.props[1] = packets.UserProperty{Key: "cid", Val: strconv.Itoa(AccountID)}

	s.srv = mqtt.New(&mqtt.Options{
		Capabilities:             capabilities(cfg.SessionQueue),
		Logger:                   slog.New(newThrottleHandler(cfg.Logger.With("component", "mochi").Handler(), 10*time.Second)),
		ClientNetWriteBufferSize: 32 << 10, // mochi coalesces queued writes up to this size: fewer syscalls at high rates
		ClientNetReadBufferSize:  8 << 10,
		SysTopicResendInterval:   60, // $SYS is refused to every token anyway
	})
	s.queue = &queueLimit{limit: cfg.SessionQueue, log: cfg.Logger, srv: s.srv}
	hook := &flespiHook{srv: s.srv, gate: &s.gate, order: newResumeOrder(), subs: &subTable{},
		queue: s.queue, aclMode: cfg.ACLMode, retained: retainedTimestamp(s.srv)}
	if !cfg.NoREST {
		s.rest = newRESTResponder(s)
		hook.rest = s.rest
	}
	if err := s.srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("sim: add auth hook: %w", err)
	}
	s.tcp = newTCPListener("tcp", cfg.Listen)
	if err := s.srv.AddListener(s.tcp); err != nil {
		return nil, fmt.Errorf("sim: listen %s: %w", cfg.Listen, err)
	}
	if cfg.WSListen != "" {
		s.ws = newWSListener("ws", cfg.WSListen)
		if err := s.srv.AddListener(s.ws); err != nil {
			s.closeListeners()
			return nil, fmt.Errorf("sim: listen websocket %s: %w", cfg.WSListen, err)
		}
	}
	if err := s.addSecureListeners(cfg); err != nil {
		s.closeListeners()
		return nil, err
	}
	s.pub = s.srv.NewClient(nil, mqtt.LocalListener, "flespi-sim", true)
	s.pub.Properties.ProtocolVersion = 5

	now := s.now()
	s.devs = newFleet(cfg.Devices, cfg.Unregistered, seed, now)
	s.nReg = cfg.Devices
	s.infos = make([]Device, cfg.Devices)
	for i := range s.infos {
		s.infos[i] = s.devs[i].info
	}
	s.byIdent = make(map[string]*device, len(s.devs))
	for i, d := range s.devs {
		s.byIdent[d.info.Ident] = d
		if i < min(cfg.Stale, cfg.Devices) {
			d.stopAfterFirst.Store(true)
		}
	}
	s.SetFaults(cfg.Faults)

	if err := s.srv.Serve(); err != nil { // does not block: listeners run in goroutines
		s.closeListeners()
		return nil, fmt.Errorf("sim: serve: %w", err)
	}
	s.publishInitialState()

	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel, s.runCtx = cancel, runCtx
	s.wg.Go(func() { s.run(runCtx) })
	if s.rest != nil {
		s.wg.Go(func() { s.rest.run(runCtx) })
	}
	s.stopCtx = context.AfterFunc(ctx, func() { _ = s.Close() })
	s.log.Info("sim started", "url", s.URL(), "ws", s.WSURL(), "devices", cfg.Devices,
		"unregistered", cfg.Unregistered, "rate", cfg.Rate, "seed", cfg.Seed,
		"faults", cfg.Faults.enabled(), "stale", cfg.Stale)
	return s, nil
}

// URL returns the MQTT URL clients should dial, e.g. "mqtt://127.0.0.1:41883".
func (s *Sim) URL() string { return "mqtt://" + dialable(s.tcp.Address()) }

// WSURL returns the WebSocket URL, e.g. "ws://127.0.0.1:41884", or "" when
// Config.WSListen was empty. Any path works; this one has none.
func (s *Sim) WSURL() string {
	if s.ws == nil {
		return ""
	}
	return "ws://" + dialable(s.ws.Address())
}

// dialable turns a bound address into one a client can dial: an unspecified
// host (0.0.0.0, ::, "") becomes 127.0.0.1.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// disconnectAll sends every connected client a DISCONNECT ("server shutting
// down") and ends its connection, as mochi's Server.Close would through the
// listeners' closeClients, which the listeners here do not call: mochi
// v2.7.9 looks a listener's clients up under a read lock taken twice
// (Clients.GetByListener calls Len), and a client leaving at that moment
// (Delete waiting for the write lock in between) deadlocked Close.
func (s *Sim) disconnectAll() {
	for _, cl := range s.srv.Clients.GetAll() {
		if cl.Net.Inline || cl.Closed() {
			continue
		}
		_ = s.srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
	}
}

// Close stops the publisher and the broker (disconnecting clients) and waits
// for their goroutines. It is idempotent; concurrent callers wait for the
// first to finish.
func (s *Sim) Close() error {
	s.closeOnce.Do(func() {
		s.wgMu.Lock()
		s.closed.Store(true) // from here nothing adds to wg
		s.wgMu.Unlock()
		if s.stopCtx != nil {
			s.stopCtx()
		}
		s.cancel()
		s.wg.Wait()
		s.disconnectAll()
		_ = s.srv.Close() // closes listeners and waits for the connections; always nil
		s.httpAPI.close()
		s.log.Info("sim stopped", "published", s.published.Load(), "skipped", s.skipped.Load(),
			"faults", s.InjectedFaults())
	})
	return nil
}

// closeListeners releases bound sockets when Start fails before Serve.
func (s *Sim) closeListeners() {
	s.srv.Listeners.CloseAll(func(string) {})
}

// Publish injects a message as the broker would: it reaches subscribers (and
// is retained if retain is set) with the `timestamp` and `cid` user
// properties, bypassing ACLs and the flespi/... publish ban. qos is the
// highest QoS delivered; subscribers get at most their granted QoS, and 2 is
// reduced to 1. It returns when the message is queued to every subscriber.
func (s *Sim) Publish(topic string, payload []byte, retain bool, qos byte) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if qos > 2 {
		return fmt.Errorf("sim: publish %s: invalid qos %d", topic, qos)
	}
	props := []packets.UserProperty{
		{Key: "timestamp", Val: string(appendMicros(nil, s.now().UnixMicro(), 6))},
		{Key: "cid", Val: strconv.Itoa(AccountID)},
	}
	if err := s.inject(topic, payload, retain, qos, props); err != nil {
		return fmt.Errorf("sim: publish %s: %w", topic, err)
	}
	return nil
}

// inject hands one PUBLISH to mochi from the inline client. mochi copies the
// payload and properties for every subscriber and for the retained store, so
// the caller may reuse them once inject returns.
func (s *Sim) inject(topic string, payload []byte, retain bool, qos byte, props []packets.UserProperty) error {
	s.gate.enter()
	defer s.gate.leave()
	return s.srv.InjectPacket(s.pub, packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: qos, Retain: retain},
		TopicName:   topic,
		Payload:     payload,
		PacketID:    uint16(qos), // any nonzero id for QoS > 0; mochi assigns real ids per subscriber
		Properties:  packets.Properties{User: props},
	})
}

// Devices returns the registered devices (not the unregistered idents; see
// Unregistered). The slice is a copy.
func (s *Sim) Devices() []Device { return append([]Device(nil), s.infos...) }

// Unregistered returns the idents that publish only on their channel topic,
// without device.* fields (ID 0, Quirk QuirkUnregistered).
func (s *Sim) Unregistered() []Device {
	out := make([]Device, 0, len(s.devs)-s.nReg)
	for _, d := range s.devs[s.nReg:] {
		out = append(out, d.info)
	}
	return out
}

// Published returns how many device messages have been published. One device
// message is one reading: it goes to the channel topic and, for registered
// devices, also to the device topic, but counts once. Telemetry state
// publishes are not counted.
func (s *Sim) Published() uint64 { return s.published.Load() }

// Skipped returns how many device messages the pacer dropped because
// publishing could not keep up with the rate.
func (s *Sim) Skipped() uint64 { return s.skipped.Load() }

// Rate returns the current device message rate per second (<=0 when paused).
func (s *Sim) Rate() float64 { return math.Float64frombits(s.rate.Load()) }

// SetRate changes the device message rate (messages per second across all
// devices) while running. r <= 0 pauses device traffic; the broker keeps
// running. It does not block.
func (s *Sim) SetRate(r float64) {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return
	}
	s.rate.Store(math.Float64bits(r))
	select {
	case s.rateSet <- struct{}{}:
	default:
	}
}
