package sim

import (
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// takeoverGate works around a race in mochi v2.7.9: when a client resumes
// its session, mochi copies the old connection's queued messages to the new
// one (inheritClientSession) and then clears the old one, while the new
// client is not yet registered; a message published in between goes to the
// old connection and is lost. flespi loses nothing there, so the simulated
// broker holds its own publishes while a session is being established
// (from OnSessionEstablish to OnSessionEstablished, at most gateMax).
// Found by broker/fault_test.go.
type takeoverGate struct {
	mu      sync.Mutex
	pending map[string]bool
	open    chan struct{} // closed when no session is being established
	active  atomic.Int64  // publishes past the gate, not finished yet
}

// gateMax bounds how long a publish waits (a connection that fails between
// the two hooks never reaches OnSessionEstablished).
const gateMax = 250 * time.Millisecond

func (g *takeoverGate) establish(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending == nil {
		g.pending = map[string]bool{}
	}
	if len(g.pending) == 0 {
		g.open = make(chan struct{})
	}
	g.pending[id] = true
	time.AfterFunc(gateMax, func() { g.established(id) })
	g.mu.Unlock()
	// Publishes already past the gate finish before mochi moves the session.
	for deadline := time.Now().Add(gateMax); g.active.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Microsecond)
	}
	g.mu.Lock()
}

func (g *takeoverGate) established(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.pending[id] {
		return
	}
	delete(g.pending, id)
	if len(g.pending) == 0 {
		close(g.open)
	}
}

// enter blocks while a session is being established (at most gateMax) and
// then counts the caller as publishing until leave.
func (g *takeoverGate) enter() {
	for deadline := time.Now().Add(gateMax); ; {
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
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
			g.active.Add(1)
			return
		}
	}
}

// leave ends a publish started with enter.
func (g *takeoverGate) leave() { g.active.Add(-1) }

// OnSessionEstablish holds publishes while mochi moves a session over.
func (h *flespiHook) OnSessionEstablish(cl *mqtt.Client, _ packets.Packet) {
	if h.gate != nil {
		h.gate.establish(cl.ID)
	}
}

// OnSessionEstablished releases them.
func (h *flespiHook) OnSessionEstablished(cl *mqtt.Client, _ packets.Packet) {
	if h.gate != nil {
		h.gate.established(cl.ID)
	}
}
