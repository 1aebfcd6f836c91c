package sim

import (
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
)

// takeoverGate works around a race in mochi v2.7.9: when a client resumes
// its session, mochi copies the old connection's queued messages to the new
// one (inheritClientSession) and then clears the old one, while the new
// client is not yet registered; a message published in between goes to the
// old connection and is lost. flespi loses nothing there, so the simulated
// broker holds its own publishes while a session is being established:
// from OnSessionEstablish until OnSessionEstablished, or, for an
// establishment that fails on the way, until its connection has closed
// (checked every gateMax). (Not only until the CONNACK, when the new client is already
// registered: a message published between the CONNACK and mochi's resend of
// the inherited queue is sent twice, and the DUP copy can overtake the
// original.)
//
// Each establishment is tracked by its own *mqtt.Client, so the timer of an
// earlier connection can never open the gate in the middle of a later
// takeover of the same client ID (that happened under fast reconnect loops
// and lost a message; found by broker/fault_test.go).
type takeoverGate struct {
	mu      sync.Mutex
	pending map[*mqtt.Client]struct{}
	open    chan struct{} // closed when no session is being established
	active  atomic.Int64  // publishes past the gate, not finished yet
}

// gateMax is how often a held establishment checks whether its connection
// has closed (one that fails before its CONNACK never reaches the release
// point).
const gateMax = 250 * time.Millisecond

func (g *takeoverGate) establish(cl *mqtt.Client) {
	g.mu.Lock()
	if g.pending == nil {
		g.pending = map[*mqtt.Client]struct{}{}
	}
	if len(g.pending) == 0 {
		g.open = make(chan struct{})
	}
	g.pending[cl] = struct{}{}
	g.mu.Unlock()
	g.releaseWhenClosed(cl)
	// Publishes already past the gate finish before mochi moves the session.
	for deadline := time.Now().Add(gateMax); g.active.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Microsecond)
	}
}

// releaseWhenClosed ends cl's hold once its connection has closed (an
// establishment that fails never reaches OnSessionEstablished), checking
// every gateMax. While the connection is open the hold stays: a fixed
// timeout used to release it, and on a busy machine (-race, one core kept
// busy) an establishment outlasted it and the race above lost 300 messages
// in broker/fault_test.go.
func (g *takeoverGate) releaseWhenClosed(cl *mqtt.Client) {
	time.AfterFunc(gateMax, func() {
		if cl.Closed() {
			g.release(cl)
			return
		}
		g.mu.Lock()
		_, held := g.pending[cl]
		g.mu.Unlock()
		if held {
			g.releaseWhenClosed(cl)
		}
	})
}

// release ends cl's establishment; it is safe to call more than once.
func (g *takeoverGate) release(cl *mqtt.Client) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.pending[cl]; !ok {
		return
	}
	delete(g.pending, cl)
	if len(g.pending) == 0 {
		close(g.open)
	}
}

// enter blocks while any session is being established and then counts the caller as publishing until
// leave.
func (g *takeoverGate) enter() {
	for {
		g.mu.Lock()
		var ch chan struct{}
		if len(g.pending) > 0 {
			ch = g.open
		} else {
			g.active.Add(1)
		}
		g.mu.Unlock()
		if ch == nil {
			return
		}
		<-ch
	}
}

// leave ends a publish started with enter.
func (g *takeoverGate) leave() { g.active.Add(-1) }
