package sim

import (
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// DefaultSessionQueue is Config.SessionQueue's default.
const DefaultSessionQueue = 20_000

// queueLimit is the session queue limit (docs/FLESPI.md §2): flespi keeps up
// to 1 GB of undelivered and unacknowledged messages per session and, past
// it, disconnects the client and deletes the queued messages. The simulator
// counts messages instead of bytes (Config.SessionQueue). When a delivery
// finds a session's queue full, the session's connection, if any, gets
// DISCONNECT 0x97 Quota exceeded with a Reason String saying what happened,
// the queue is deleted, and the session (its subscriptions) stays: a client
// resuming it gets Session Present = 1 and nothing of what was queued.
//
// mochi's own per-session cap (Capabilities.MaximumInflight) is set above
// the limit, so mochi never drops silently first.
type queueLimit struct {
	limit    int
	log      *slog.Logger
	purging  sync.Map // *mqtt.Client → struct{}: a purge is under way
	overflow atomic.Uint64
	srv      *mqtt.Server
}

// overflowReason is the DISCONNECT Reason String.
func (q *queueLimit) overflowReason() string {
	return "session queue overflow: " + strconv.Itoa(q.limit) +
		" messages waiting (the simulator's limit; flespi's is 1 GB per session); the queued messages were deleted"
}

// admit reports whether one more message may be queued for cl; when not,
// it starts the purge (once per overflow) and the message is dropped.
func (q *queueLimit) admit(cl *mqtt.Client) bool {
	if cl.State.Inflight.Len() < q.limit {
		return true
	}
	if _, busy := q.purging.LoadOrStore(cl, struct{}{}); !busy {
		n := q.overflow.Add(1)
		go q.purge(cl, n)
	}
	return false
}

// disconnectGrace is how long a client told to go (DISCONNECT 0x97) has to
// close the connection itself before the simulator closes it.
const disconnectGrace = 2 * time.Second

// purge disconnects cl if it is connected and deletes its queue.
//
// mochi's Server.DisconnectClient is not used: when messages wait in the
// client's write queue, mochi buffers the DISCONNECT behind them and then
// closes the connection at once, so the client never sees it. The
// DISCONNECT is written instead (it goes out once the queue drains, and
// admit adds nothing more meanwhile), and the connection closed after
// disconnectGrace unless the client closed it first.
func (q *queueLimit) purge(cl *mqtt.Client, n uint64) {
	defer q.purging.Delete(cl)
	cl.ClearInflights() // first: a client resuming at once must not inherit the queue
	connected := !cl.Closed()
	if connected {
		if cl.Properties.ProtocolVersion >= 5 {
			_ = cl.WritePacket(packets.Packet{
				FixedHeader: packets.FixedHeader{Type: packets.Disconnect},
				ReasonCode:  packets.ErrQuotaExceeded.Code,
				Properties:  packets.Properties{ReasonString: q.overflowReason()},
			})
			time.AfterFunc(disconnectGrace, func() { cl.Stop(packets.ErrQuotaExceeded) })
		} else {
			cl.Stop(packets.ErrQuotaExceeded) // MQTT 3: a server has no DISCONNECT to send
		}
	}
	q.log.Warn("session queue overflow: queue deleted", "client", cl.ID, "limit", q.limit,
		"connected", connected, "overflows", n)
}

// Overflows returns how many times a session queue overflowed and was
// deleted (see Config.SessionQueue).
func (s *Sim) Overflows() uint64 { return s.queue.overflow.Load() }
