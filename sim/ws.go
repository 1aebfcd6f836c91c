package sim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// wsListener is a mochi listener for MQTT over WebSocket. mochi's own
// listeners.Websocket binds its socket only inside Serve (http.ListenAndServe)
// and reports the configured address, so with "127.0.0.1:0" nobody could learn
// the port. This one binds in Init, like listeners.TCP.
//
// Like mochi's and like flespi, it serves MQTT on every path, so both
// "ws://host:port" and "ws://host:port/mqtt" work. It offers the "mqtt"
// subprotocol and accepts permessage-deflate when the client asks for it.
type wsListener struct {
	id, addr  string
	ln        net.Listener
	srv       *http.Server
	log       *slog.Logger
	establish listeners.EstablishFn
	up        websocket.Upgrader
	closed    atomic.Bool
	track     connTracker // see listen.go
}

var _ listeners.Listener = (*wsListener)(nil)

func newWSListener(id, addr string) *wsListener {
	l := &wsListener{id: id, addr: addr}
	l.up = websocket.Upgrader{
		Subprotocols:      []string{"mqtt"},
		EnableCompression: true,
		// A local demo broker with public tokens: any web origin may connect.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	return l
}

// Init binds the socket.
func (l *wsListener) Init(log *slog.Logger) error {
	l.log = log
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	l.ln = ln
	l.srv = &http.Server{Handler: http.HandlerFunc(l.handle), ReadHeaderTimeout: 10 * time.Second}
	return nil
}

// Serve accepts connections until Close. It blocks.
func (l *wsListener) Serve(establish listeners.EstablishFn) {
	l.establish = establish
	err := l.srv.Serve(l.ln)
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !l.closed.Load() {
		l.log.Error("websocket listener stopped", "error", err, "listener", l.id)
	}
}

// ID returns the listener id.
func (l *wsListener) ID() string { return l.id }

// Address returns the bound address (with the real port) once Init has run.
func (l *wsListener) Address() string {
	if l.ln != nil {
		return l.ln.Addr().String()
	}
	return l.addr
}

// Protocol returns "ws".
func (l *wsListener) Protocol() string { return "ws" }

// Close stops accepting and closes this listener's connections (Sim.Close
// has sent each client its DISCONNECT: disconnectAll).
func (l *wsListener) Close(listeners.CloseFn) {
	if !l.closed.CompareAndSwap(false, true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.srv.Shutdown(ctx) // hijacked (upgraded) connections are not waited for...
	_ = l.ln.Close()        // in case Serve never ran; a second close is harmless
	l.track.close()         // ...but tracked: wait until mochi is done with each
}

func (l *wsListener) handle(w http.ResponseWriter, r *http.Request) {
	c, err := l.up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has already answered with an HTTP error
	}
	defer c.Close()
	conn := newWSConn(c)
	if !l.track.add(conn) {
		return
	}
	defer l.track.done(conn)
	if err := l.establish(l.id, conn); err != nil {
		l.log.Debug("websocket client ended", "error", err)
	}
}

// wsConn adapts a WebSocket to the byte stream MQTT expects: each Write is one
// binary message (MQTT over WebSocket lets a packet span messages); Read
// concatenates incoming binary messages. Write is safe for concurrent use
// (gorilla allows one writer at a time); Read is not.
//
// wsConn is also a sync.Locker: paho writes one packet as several Writes and
// holds the connection's lock across them when it has one (see paho's
// packets.ControlPacket.WriteTo). Without it a PINGREQ can land inside a
// SUBSCRIBE. mochi writes each packet in a single Write and does not need it.
type wsConn struct {
	net.Conn // the underlying TCP connection: addresses, deadlines
	c        *websocket.Conn
	r        io.Reader  // current message, nil between messages
	wmu      sync.Mutex // one gorilla writer at a time
	pkt      sync.Mutex // whole-packet lock for writers that use Lock/Unlock
}

// Lock holds the connection for a multi-Write packet.
func (w *wsConn) Lock() { w.pkt.Lock() }

// Unlock releases Lock.
func (w *wsConn) Unlock() { w.pkt.Unlock() }

func newWSConn(c *websocket.Conn) *wsConn { return &wsConn{Conn: c.NetConn(), c: c} }

// errNotBinary reports a text frame, which MQTT over WebSocket forbids.
var errNotBinary = errors.New("websocket: MQTT needs binary messages")

func (w *wsConn) Read(p []byte) (int, error) {
	for {
		if w.r == nil {
			op, r, err := w.c.NextReader()
			if err != nil {
				return 0, err
			}
			if op != websocket.BinaryMessage {
				return 0, errNotBinary
			}
			w.r = r
		}
		n, err := w.r.Read(p)
		if errors.Is(err, io.EOF) {
			w.r = nil
			err = nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

func (w *wsConn) Write(p []byte) (int, error) {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if err := w.c.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *wsConn) Close() error { return w.c.Close() }
