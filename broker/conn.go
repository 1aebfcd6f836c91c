package broker

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/packets"
	"github.com/gorilla/websocket"
	"golang.org/x/net/proxy"
)

// Sizes and delays of Conn.
const (
	connReadBuf = 64 << 10 // bytes read from the transport at most per read(2)
	// connWriteMax is how many buffered bytes make a writer flush at once
	// instead of waiting for the reader.
	connWriteMax = 64 << 10
	// connFlushDelay bounds how long a write waits while the reader is busy
	// with buffered data (for example blocked handing a packet to paho's
	// router): after it the bytes go out anyway.
	connFlushDelay = 2 * time.Millisecond
)

// Conn wraps a transport connection (TCP, TLS or WebSocket) for paho, which
// reads a packet's fixed header a byte at a time and writes one packet, and
// one acknowledgement per message, in separate Write calls:
//
//   - reads go through a 64 KiB bufio.Reader, so one read(2) brings in many
//     packets;
//
//   - writes are appended to a buffer while the reader still has buffered
//     packets to hand out, and flushed in one write when it runs dry, just
//     before it would block in read(2). So under load the acks for a whole
//     read come out together, and when the reader is idle (waiting for the
//     broker) every write goes out at once, when its packet is complete:
//     no ack ever waits for more input. A write never waits longer than 2 ms
//     in the buffer.
//
//   - on hubtap's own connections (dialConn; see packetEnds) the last byte
//     of each MQTT packet comes with io.EOF, which saves paho an allocation
//     (~1.3 KB for a flespi message) and a copy per message.
//
// Conn is a sync.Locker: paho's packets.ControlPacket.WriteTo holds Lock
// across a packet's Writes, so packets written by different goroutines never
// interleave. Read is for one goroutine (paho's reader); Write, Lock and
// Close are safe for concurrent use. Close flushes what is buffered (bounded
// by a 1 s write deadline) before closing the transport.
type Conn struct {
	net.Conn // the transport: addresses, deadlines, and the real I/O
	r        *bufio.Reader
	ends     packetEnds // used by Read when on

	pkt sync.Mutex // Lock/Unlock: one packet's Writes at a time

	mu        sync.Mutex    // guards the fields below
	buf       []byte        // written by paho, not yet sent
	spare     []byte        // the other buffer, swapped in by a flush
	busy      bool          // the reader is handing out buffered packets: writes may wait
	inPkt     bool          // a packet is being written under Lock: flush at Unlock
	pktStart  bool          // the next Write begins that packet
	werr      error         // the first write error; every later Write returns it
	closing   bool          // Close has sent what was buffered: every later Write fails
	timer     *time.Timer   // flushes flushAt after a write that had to wait
	armed     bool          // timer is set for the bytes in buf
	flushAt   time.Duration // connFlushDelay; tests lengthen it
	lingerFor time.Duration // closeLinger; tests lengthen it

	wmu sync.Mutex // held by the one goroutine writing to the transport

	readAt atomic.Int64 // Unix nanoseconds after the last read from the transport that brought data

	// taken counts the QoS 1 messages the sink took on this connection
	// (Client.onPublish), acked the PUBACKs paho wrote: Client.Close waits
	// for the one paho writes after the last handler returns.
	taken, acked atomic.Uint64

	beforeSend func() error // Options.BeforeAck; set before the Conn is in use

	closed    chan struct{} // closed by Close
	closeOnce sync.Once
}

// NewConn wraps c. It allocates the 64 KiB read buffer at once.
func NewConn(c net.Conn) *Conn {
	w := &Conn{Conn: c, flushAt: connFlushDelay, lingerFor: closeLinger, closed: make(chan struct{})}
	w.r = bufio.NewReaderSize(rawReader{w}, connReadBuf)
	w.timer = time.AfterFunc(time.Hour, w.flush)
	w.timer.Stop()
	return w
}

// rawReader is what the bufio.Reader reads from: before each read from the
// transport, which may block, it sends what paho has written meanwhile.
type rawReader struct{ c *Conn }

func (r rawReader) Read(p []byte) (int, error) {
	c := r.c
	c.mu.Lock()
	c.busy = false
	pending := len(c.buf) > 0
	c.mu.Unlock()
	if pending {
		c.flush()
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.readAt.Store(time.Now().UnixNano())
		c.mu.Lock()
		c.busy = true
		c.mu.Unlock()
	}
	return n, err
}

// ReadTime is when the last read from the transport returned data: the
// receive time of every packet in it (one clock reading per read(2), not
// per message). Zero before the first read.
func (c *Conn) ReadTime() time.Time {
	ns := c.readAt.Load()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// Read reads from the buffer, refilling it from the transport when empty.
func (c *Conn) Read(p []byte) (int, error) {
	if c.ends.on {
		return c.ends.read(c.r, p)
	}
	return c.r.Read(p)
}

// Lock holds the connection for one packet's Writes.
func (c *Conn) Lock() {
	c.pkt.Lock()
	c.mu.Lock()
	c.inPkt, c.pktStart = true, true
	c.mu.Unlock()
}

// Unlock ends a packet: it is sent now unless the reader is busy.
func (c *Conn) Unlock() {
	c.mu.Lock()
	c.inPkt = false
	now := c.sendNow()
	c.mu.Unlock()
	c.pkt.Unlock()
	if now {
		c.flush()
	}
}

// Write buffers p. It does not block on the transport unless the buffer
// holds more than 64 KiB; a failed earlier write is reported here.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.werr != nil || c.closing {
		err := c.werr
		c.mu.Unlock()
		if err == nil {
			err = net.ErrClosed
		}
		return 0, err
	}
	if c.pktStart && len(p) > 0 {
		c.pktStart = false
		if p[0]>>4 == packets.PUBACK {
			c.acked.Add(1)
		}
	}
	c.buf = append(c.buf, p...)
	now := !c.inPkt && c.sendNow() || len(c.buf) >= connWriteMax
	if !now && c.busy && !c.armed {
		c.armed = true
		c.timer.Reset(c.flushAt)
	}
	c.mu.Unlock()
	if now {
		c.flush()
	}
	return len(p), nil
}

// sendNow reports whether buffered bytes should go out now; c.mu is held.
func (c *Conn) sendNow() bool { return len(c.buf) > 0 && !c.busy }

// flush sends what is buffered, without waiting: if another goroutine is
// writing to the transport, that one sends these bytes too (it drains until
// the buffer is empty and checks again after letting go).
func (c *Conn) flush() {
	for c.wmu.TryLock() {
		c.drain()
		c.wmu.Unlock()
		c.mu.Lock()
		more := len(c.buf) > 0 && c.werr == nil
		c.mu.Unlock()
		if !more {
			return
		}
	}
}

// drain writes until the buffer is empty; c.wmu is held.
func (c *Conn) drain() {
	for {
		c.mu.Lock()
		if len(c.buf) == 0 || c.werr != nil {
			c.mu.Unlock()
			return
		}
		out := c.buf
		c.buf, c.spare = c.spare[:0], nil
		c.armed = false
		c.mu.Unlock()
		// out holds no acknowledgement of a message not yet offered to
		// the sink: paho acknowledges after its handler returns.
		var err error
		if c.beforeSend != nil {
			err = c.beforeSend()
		}
		if err == nil {
			_, err = c.Conn.Write(out)
		}
		c.mu.Lock()
		c.spare = out[:0]
		if err != nil && c.werr == nil {
			c.werr = err
		}
		c.mu.Unlock()
		if err != nil {
			_ = c.Conn.Close() // wake the reader: paho learns of the loss there
			return
		}
	}
}

// closeLinger is how long Close waits for the broker to close its side.
const closeLinger = time.Second

// Close sends what is buffered (such as acknowledgements and a DISCONNECT),
// waiting at most 1 s for the transport, then closes gently (linger).
func (c *Conn) Close() error {
	defer c.closeOnce.Do(func() { close(c.closed) })
	c.timer.Stop()
	_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
	c.wmu.Lock()
	c.drain()
	c.mu.Lock()
	c.closing = true // later writes fail at once: nothing may close the socket under linger
	sent := c.werr == nil
	c.mu.Unlock()
	c.wmu.Unlock()
	if sent {
		c.linger()
	}
	return c.Conn.Close()
}

// linger ends the sending side (TCP FIN; TLS close_notify) and reads and
// discards what the broker still sends until it closes too, at most
// closeLinger. Closing a TCP socket that holds unread data sends a reset
// instead of a FIN, and the reset makes the broker's kernel discard what
// it received but the broker has not read yet: the last acknowledgements
// and the DISCONNECT. The broker then sends those messages again next
// session, as if hubtap had never acknowledged them. Over WebSocket the
// end of the sending side is a close frame.
func (c *Conn) linger() {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.lingerFor))
	var buf [4096]byte
	for {
		if _, err := c.Conn.Read(buf[:]); err != nil {
			return
		}
	}
}

// dialConn is autopaho's AttemptConnection: it opens the transport for u
// (mqtt, mqtts, ws, wss; TLS with cfg.TlsCfg, as autopaho would) within
// cfg.ConnectTimeout and wraps it in a Conn. Like autopaho it honours the
// all_proxy environment variable for mqtt and mqtts, and gorilla's
// http.ProxyFromEnvironment for WebSocket.
func dialConn(ctx context.Context, cfg autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
	if cfg.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.ConnectTimeout)
		defer cancel()
	}
	var (
		c   net.Conn
		err error
	)
	switch strings.ToLower(u.Scheme) {
	case "mqtt", "tcp":
		c, err = dialTCP(ctx, u.Host)
	case "mqtts", "ssl", "tls":
		c, err = dialTLS(ctx, cfg.TlsCfg, u.Host)
	case "ws":
		c, err = dialWS(ctx, nil, u)
	case "wss":
		c, err = dialWS(ctx, cfg.TlsCfg, u)
	default:
		return nil, fmt.Errorf("unsupported scheme %q in %s", u.Scheme, u.Redacted())
	}
	if err != nil {
		return nil, err
	}
	conn := NewConn(c)
	conn.ends.on = true
	return conn, nil
}

func dialTCP(ctx context.Context, addr string) (net.Conn, error) {
	if os.Getenv("all_proxy") == "" {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	return proxy.Dial(ctx, "tcp", addr)
}

func dialTLS(ctx context.Context, cfg *tls.Config, addr string) (net.Conn, error) {
	if os.Getenv("all_proxy") == "" {
		d := tls.Dialer{Config: cfg}
		return d.DialContext(ctx, "tcp", addr)
	}
	raw, err := proxy.Dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" { // as tls.Dialer does
		cfg = cfg.Clone()
		host, _, _ := net.SplitHostPort(addr)
		cfg.ServerName = host
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, err
	}
	return tc, nil
}

// dialWS opens MQTT over WebSocket (subprotocol "mqtt"), as autopaho does.
func dialWS(ctx context.Context, cfg *tls.Config, u *url.URL) (net.Conn, error) {
	d := *websocket.DefaultDialer
	d.TLSClientConfig = cfg
	d.Subprotocols = []string{"mqtt"}
	ws, _, err := d.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("websocket connection failed: %w", err)
	}
	return &wsConn{Conn: ws.NetConn(), ws: ws}, nil
}

// wsConn is a WebSocket as a byte stream: each Write is one binary message
// (MQTT lets a packet span messages and a message hold several packets) and
// Read concatenates incoming messages. Conn serialises its Writes; Reads
// take turns (paho's reader and Conn.linger may both read at the end).
type wsConn struct {
	net.Conn // the underlying connection: addresses and deadlines
	ws       *websocket.Conn
	rmu      sync.Mutex
	r        io.Reader // the current message; nil between messages
}

func (w *wsConn) Read(p []byte) (int, error) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	for {
		if w.r == nil {
			_, r, err := w.ws.NextReader()
			if err != nil {
				return 0, err
			}
			w.r = r
		}
		n, err := w.r.Read(p)
		if errors.Is(err, io.EOF) {
			w.r, err = nil, nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

func (w *wsConn) Write(p []byte) (int, error) {
	if err := w.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *wsConn) Close() error { return w.ws.Close() }

// CloseWrite starts the WebSocket closing handshake: a close frame after
// what was sent. Conn.linger then reads until the broker's close.
func (w *wsConn) CloseWrite() error {
	return w.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
}

// SetWriteDeadline sets gorilla's deadline, which it applies to every later
// frame, and the connection's, which ends a write in progress.
func (w *wsConn) SetWriteDeadline(t time.Time) error {
	_ = w.Conn.SetWriteDeadline(t)
	return w.ws.SetWriteDeadline(t)
}

// SetDeadline sets the read and the write deadline.
func (w *wsConn) SetDeadline(t time.Time) error {
	if err := w.ws.SetReadDeadline(t); err != nil {
		return err
	}
	return w.SetWriteDeadline(t)
}
