package broker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// takeoverPause is how long hubtap waits before reconnecting after another
// client took its session over, so two hubtaps with one client ID do not
// ping-pong the session between them.
const takeoverPause = 30 * time.Second

// receiveMaximum caps the QoS 1 messages in flight towards us. paho sizes an
// internal queue from it; 65535 (the default) let decoded packets pile up
// (docs/BENCHMARKS.md has the receive maximum measurements).
const receiveMaximum = 1024

// Client is an autopaho MQTT 5 connection that keeps a persistent session,
// renews its subscriptions on every connection up, and hands every received
// message and state change to a Bridge without ever blocking paho.
type Client struct {
	opts   Options
	bridge Sink
	log    *slog.Logger
	cm     *autopaho.ConnectionManager
	cancel context.CancelFunc

	seq  atomic.Uint64
	conn atomic.Pointer[Conn] // the current connection, for receive times

	mu         sync.Mutex
	topics     []string   // renewed on every connection up
	cur        *connState // the connection up now (or the last one)
	hadSession bool       // a previous CONNACK confirmed a stored session
	probed     bool       // diagnose has probed the port's scheme
	probeTLS   bool       // what it found: the port speaks TLS

	replyMu  sync.Mutex
	replies  []*replyWaiter // open REST requests (rest.go)
	nReplies atomic.Int32   // len(replies), read without the lock on every message
}

// Sink receives what a Client gets, from paho's goroutine. *Bridge is the
// UI's sink (never blocks, drops and counts); headless mode uses a sink that
// blocks, so a slow reader pushes back on the broker instead of losing data.
type Sink interface {
	Offer(Message) bool
	OfferEvent(Event)
}

// Connect starts connecting in the background and returns at once; progress
// arrives as Events through the sink. It fails only on bad options. Close
// stops it.
func Connect(ctx context.Context, opts Options, bridge Sink) (*Client, error) {
	if opts.URL == nil {
		return nil, errors.New("no broker URL")
	}
	if opts.QoS > 1 {
		return nil, fmt.Errorf("qos %d: hubtap subscribes with QoS 0 or 1", opts.QoS)
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID()
	}
	if opts.KeepAlive == 0 {
		opts.KeepAlive = 60 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{opts: opts, bridge: bridge, log: log, topics: slices.Clone(opts.Topics), hadSession: opts.HadSession && opts.SessionExpiry > 0}

	backoff := opts.Backoff
	if backoff == nil {
		backoff = autopaho.NewExponentialBackoff(time.Second, time.Minute, 2*time.Second, 2)
	}
	expiry := uint32(opts.SessionExpiry / time.Second)
	tlsCfg := opts.TLS
	if tlsCfg == nil && Encrypted(opts.URL) {
		tlsCfg = &tls.Config{ServerName: opts.URL.Hostname(), MinVersion: tls.VersionTLS12}
	}

	cfg := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{opts.URL},
		TlsCfg:                        tlsCfg,
		KeepAlive:                     uint16(opts.KeepAlive / time.Second),
		CleanStartOnInitialConnection: expiry == 0,
		SessionExpiryInterval:         expiry,
		ConnectTimeout:                10 * time.Second,
		ReconnectBackoff:              c.backoff(backoff),
		OnConnectionUp:                c.onUp,
		OnConnectionDown:              c.onDown,
		OnConnectError:                c.onConnectError,
		ConnectPacketBuilder:          c.buildConnect,
		AttemptConnection:             c.dial, // buffered reads, batched acks (conn.go)
		ClientConfig: paho.ClientConfig{
			ClientID:           opts.ClientID,
			OnPublishReceived:  []func(paho.PublishReceived) (bool, error){c.onPublish, c.onReply},
			OnServerDisconnect: c.onServerDisconnect,
			OnClientError:      c.onClientError,
			PingHandler:        new(pinger), // no lock or clock reading per packet (pinger.go)
		},
	}
	cfg.ConnectUsername = opts.username()
	if !opts.Password.Empty() {
		cfg.ConnectPassword = []byte(opts.Password.Reveal())
	}

	cctx, cancel := context.WithCancel(ctx)
	cm, err := autopaho.NewConnection(cctx, cfg)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("connect %s: %w", opts.URL.Host, err)
	}
	c.cm, c.cancel = cm, cancel
	return c, nil
}

// Close disconnects (sending DISCONNECT, which keeps a persistent session on
// the broker) and waits for paho's goroutines, at most until ctx ends.
func (c *Client) Close(ctx context.Context) error {
	c.awaitAcks(ctx)
	err := c.cm.Disconnect(ctx)
	c.cancel()
	c.emit(Event{Kind: EventState, State: StateStopped})
	return err
}

// awaitAcks waits, at most a second, until paho has written the PUBACK of
// every QoS 1 message the sink took on the current connection. paho writes
// one just after its handler returns, so the last message a stopping sink
// took (-C reached) may not have its PUBACK yet when Close is called; a
// DISCONNECT before it would leave that message to come again.
func (c *Client) awaitAcks(ctx context.Context) {
	cn := c.conn.Load()
	if cn == nil {
		return
	}
	deadline := time.Now().Add(time.Second)
	for cn.acked.Load() < cn.taken.Load() && time.Now().Before(deadline) {
		select {
		case <-cn.closed:
			return
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Microsecond):
		}
	}
}

// Done is closed when the connection manager has stopped.
func (c *Client) Done() <-chan struct{} { return c.cm.Done() }

// Topics returns the filters renewed on every connection up.
func (c *Client) Topics() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.topics)
}

// Subscribe subscribes to filters now (if connected) and on every later
// connection up. It blocks until the SUBACK arrives or ctx ends: call it from
// a tea.Cmd, never from Update. Results also go out as an EventSubscribe.
func (c *Client) Subscribe(ctx context.Context, filters ...string) ([]SubResult, error) {
	c.mu.Lock()
	for _, f := range filters {
		if !slices.Contains(c.topics, f) {
			c.topics = append(c.topics, f)
		}
	}
	c.mu.Unlock()
	if err := c.cm.AwaitConnection(ctx); err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	res, err := c.subscribe(ctx, c.cm, filters, 0)
	c.emit(Event{Kind: EventSubscribe, Subs: res, Err: err})
	return res, err
}

// Publish sends one message and waits for its acknowledgement (QoS 1) or its
// write (QoS 0). Call it from a tea.Cmd.
func (c *Client) Publish(ctx context.Context, topic string, payload []byte, qos byte, retain bool) error {
	_, err := c.cm.Publish(ctx, &paho.Publish{Topic: topic, Payload: payload, QoS: qos, Retain: retain})
	if err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// subscribe sends one SUBSCRIBE for filters and maps the SUBACK per filter.
// retainHandling 1 asks for retained messages only when the subscription is
// new, so a renewal after a reconnect does not replay every retained topic.
func (c *Client) subscribe(ctx context.Context, cm *autopaho.ConnectionManager, filters []string, retainHandling byte) ([]SubResult, error) {
	if len(filters) == 0 {
		return nil, nil
	}
	sub := &paho.Subscribe{}
	for _, f := range filters {
		sub.Subscriptions = append(sub.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: c.opts.QoS, RetainHandling: retainHandling})
	}
	sa, err := subscribeRetrying(ctx, cm, sub)
	if sa == nil {
		if err == nil {
			err = errors.New("no SUBACK")
		}
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return subResults(filters, sa), nil
}

// packetIDInUse is the SUBACK reason code "packet identifier in use".
const packetIDInUse = 0x91

// subscribeRetrying sends sub, and sends it again (paho gives each a new
// packet identifier), up to three times in all, while the broker refuses
// the whole SUBSCRIBE for its packet identifier. Client and broker number
// their packets separately, but mochi (the demo broker) refuses a SUBSCRIBE
// whose identifier equals one of its own PUBLISHes still waiting for
// hubtap's PUBACK.
func subscribeRetrying(ctx context.Context, cm *autopaho.ConnectionManager, sub *paho.Subscribe) (*paho.Suback, error) {
	for attempt := 1; ; attempt++ {
		sa, err := cm.Subscribe(ctx, sub)
		if sa == nil || attempt == 3 || len(sa.Reasons) == 0 ||
			slices.ContainsFunc(sa.Reasons, func(r byte) bool { return r != packetIDInUse }) {
			return sa, err
		}
	}
}

// subResults pairs each filter with its SUBACK reason code.
func subResults(filters []string, sa *paho.Suback) []SubResult {
	server := ""
	if sa.Properties != nil {
		server = sa.Properties.ReasonString
	}
	out := make([]SubResult, len(filters))
	for i, f := range filters {
		r := SubResult{Filter: f, Code: 0x80}
		if i < len(sa.Reasons) {
			r.Code = sa.Reasons[i]
		}
		if r.Code < 0x80 {
			r.Granted = r.Code
		} else {
			r.Err = &ReasonError{Packet: "SUBACK", Code: r.Code, Server: server}
		}
		out[i] = r
	}
	return out
}

func (c *Client) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.Server == "" {
		e.Server = c.opts.URL.Host
	}
	c.bridge.OfferEvent(e)
}

// buildConnect runs before every connection attempt: it announces the
// attempt and sets the MQTT 5 properties autopaho does not expose.
func (c *Client) buildConnect(cp *paho.Connect, u *url.URL) (*paho.Connect, error) {
	c.emit(Event{Kind: EventState, State: StateConnecting, Server: u.Host})
	if cp.Properties == nil {
		cp.Properties = &paho.ConnectProperties{}
	}
	rm := uint16(receiveMaximum)
	if c.opts.QoS == 0 || loopbackHost(u.Hostname()) {
		rm = smallReceiveMaximum
	}
	cp.Properties.ReceiveMaximum = &rm
	cp.Properties.RequestProblemInfo = true
	return cp, nil
}

// reasonWait bounds how long a lost connection waits for its reason:
// autopaho hands DISCONNECT and client errors to us on goroutines of their
// own, so the reason can arrive just after the connection-down callback.
const reasonWait = 300 * time.Millisecond

// connState is one connection's end: the first error or DISCONNECT wins.
type connState struct {
	once     sync.Once
	ended    chan struct{} // closed when err is set
	err      error
	takeover bool
}

func (cs *connState) end(err error, takeover bool) {
	cs.once.Do(func() {
		cs.err, cs.takeover = err, takeover
		close(cs.ended)
	})
}

// backoff wraps the reconnect delay. autopaho calls it with attempt 0 right
// after a connection is lost (and before the very first attempt), so that is
// where the loss is reported: after waiting briefly for its reason, and with a
// long pause when another client took the session over.
func (c *Client) backoff(next func(int) time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		var d time.Duration
		if attempt > 0 {
			d = next(attempt)
		}
		if attempt == 0 {
			c.mu.Lock()
			cs := c.cur
			c.mu.Unlock()
			if cs != nil {
				select {
				case <-cs.ended:
				case <-time.After(reasonWait):
				}
				c.mu.Lock()
				err, takeover := cs.err, cs.takeover
				if c.cur == cs {
					c.cur = nil // reported once; late reasons for it are ignored
				}
				c.mu.Unlock()
				if err == nil {
					err = errors.New("connection lost")
				}
				c.log.Info("connection down", "err", err)
				c.emit(Event{Kind: EventState, State: StateDisconnected, Err: err})
				if takeover {
					d = max(d, takeoverPause)
				}
			}
		}
		if d > 0 {
			c.emit(Event{Kind: EventState, State: StateWaiting, RetryIn: d})
		}
		return d
	}
}

func (c *Client) onUp(cm *autopaho.ConnectionManager, ack *paho.Connack) {
	info := SessionInfo{
		Limits:        Limits{MaxQoS: 2, RetainAvailable: true, Wildcards: true, SubIDs: true, SharedSubs: true},
		Present:       ack.SessionPresent,
		Persistent:    c.opts.SessionExpiry > 0,
		ClientID:      c.opts.ClientID,
		ExpirySeconds: uint32(c.opts.SessionExpiry / time.Second),
	}
	if p := ack.Properties; p != nil {
		if p.AssignedClientID != "" {
			info.ClientID = p.AssignedClientID
		}
		if p.SessionExpiryInterval != nil {
			info.ExpirySeconds = *p.SessionExpiryInterval
		}
		if p.ServerKeepAlive != nil {
			info.ServerKeepAlive = *p.ServerKeepAlive
		}
		if p.ReceiveMaximum != nil {
			info.ReceiveMax = *p.ReceiveMaximum
		}
		for _, u := range p.User {
			info.User = append(info.User, UserProperty{Key: u.Key, Value: u.Value})
		}
		info.Limits = limitsOf(p)
	}
	c.mu.Lock()
	info.Lost = info.Persistent && c.hadSession && !ack.SessionPresent
	c.hadSession = info.Persistent
	c.cur = &connState{ended: make(chan struct{})}
	topics := slices.Clone(c.topics)
	c.mu.Unlock()
	c.log.Info("connected", "server", c.opts.URL.Host, "session_present", ack.SessionPresent, "client_id", info.ClientID)
	c.emit(Event{Kind: EventState, State: StateConnected, Session: info})

	// OnConnectionUp must not block: the SUBACK is awaited in a goroutine
	// that ends with the connection at the latest.
	if len(topics) > 0 {
		rh := byte(0)
		if ack.SessionPresent {
			rh = 1 // the subscriptions still exist: do not replay retained messages again
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := c.subscribe(ctx, cm, topics, rh) // cm: c.cm may not be set yet on the first connection
			if err != nil {
				c.log.Warn("subscribe failed", "err", err)
			}
			c.emit(Event{Kind: EventSubscribe, Subs: res, Err: err})
		}()
	}
}

// onDown runs when a connection that was up is lost. The loss is reported
// by the backoff that autopaho calls next, once the reason is known.
func (c *Client) onDown() bool { return true }

func (c *Client) onConnectError(err error) {
	var ce *autopaho.ConnackError
	if errors.As(err, &ce) {
		err = &ReasonError{Packet: "CONNACK", Code: ce.ReasonCode, Server: ce.Reason, Cred: CredentialsOf(&c.opts)}
	} else {
		err = c.diagnose(plainNetError(err))
	}
	c.log.Info("connect failed", "err", err)
	c.emit(Event{Kind: EventState, State: StateDisconnected, Err: err})
}

func (c *Client) onServerDisconnect(d *paho.Disconnect) {
	reason := ""
	if d.Properties != nil {
		reason = d.Properties.ReasonString
	}
	c.endCurrent(&ReasonError{Packet: "DISCONNECT", Code: d.ReasonCode, Server: reason}, d.ReasonCode == 0x8E)
}

func (c *Client) onClientError(err error) { c.endCurrent(plainNetError(err), false) }

// endCurrent records why the current connection ended (the first reason wins).
func (c *Client) endCurrent(err error, takeover bool) {
	c.mu.Lock()
	cs := c.cur
	c.mu.Unlock()
	if cs != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		cs.end(err, takeover)
	}
}
