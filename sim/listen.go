package sim

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/mochi-mqtt/server/v2/listeners"
)

// connTracker follows the connections a listener hands to mochi, so that
// the listener's Close can end them and wait until mochi has let go of each
// one. mochi v2.7.9 calls Listeners.ClientsWg.Add inside each connection's
// goroutine and Server.Close waits on that WaitGroup right after closing the
// listeners: a connection accepted during shutdown made the two race (the
// race detector caught it under the fault test's reconnect storm). With the
// listeners waiting here first, no Add can come after mochi starts waiting.
type connTracker struct {
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// add registers c before it is handed to mochi. After close it closes c
// and reports false.
func (t *connTracker) add(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		_ = c.Close()
		return false
	}
	if t.conns == nil {
		t.conns = make(map[net.Conn]struct{})
	}
	t.conns[c] = struct{}{}
	t.wg.Add(1)
	return true
}

// done is called when mochi returned from c's establish call.
func (t *connTracker) done(c net.Conn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
	t.wg.Done()
}

// close refuses new connections, closes the ones mochi still holds (those
// still sending CONNECT are not mochi clients yet, so closeClients misses
// them) and waits for every establish call to return.
func (t *connTracker) close() {
	t.mu.Lock()
	t.closed = true
	for c := range t.conns {
		_ = c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
}

// tcpListener is mochi's listeners.TCP (plain TCP, bound in Init) with its
// connections tracked (connTracker), so that closing the broker never races
// with a connection arriving at that moment.
type tcpListener struct {
	id, addr string
	ln       net.Listener
	log      *slog.Logger
	track    connTracker
	closed   atomic.Bool
}

var _ listeners.Listener = (*tcpListener)(nil)

func newTCPListener(id, addr string) *tcpListener { return &tcpListener{id: id, addr: addr} }

// Init binds the socket.
func (l *tcpListener) Init(log *slog.Logger) error {
	l.log = log
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	l.ln = ln
	return nil
}

// Serve accepts connections until Close. It blocks.
func (l *tcpListener) Serve(establish listeners.EstablishFn) {
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return // closed
		}
		if !l.track.add(c) {
			continue
		}
		go func() {
			defer l.track.done(c)
			if err := establish(l.id, c); err != nil {
				l.log.Debug("client ended", "error", err, "listener", l.id)
			}
		}()
	}
}

// ID returns the listener id.
func (l *tcpListener) ID() string { return l.id }

// Address returns the bound address (with the real port) once Init has run.
func (l *tcpListener) Address() string {
	if l.ln != nil {
		return l.ln.Addr().String()
	}
	return l.addr
}

// Protocol returns "tcp".
func (l *tcpListener) Protocol() string { return "tcp" }

// Close stops accepting, closes this listener's connections and waits until
// mochi is done with every one. It does not call closeClients: Sim.Close
// has sent each client its DISCONNECT (disconnectAll).
func (l *tcpListener) Close(listeners.CloseFn) {
	if !l.closed.CompareAndSwap(false, true) {
		return
	}
	if l.ln != nil {
		_ = l.ln.Close()
	}
	l.track.close()
}
