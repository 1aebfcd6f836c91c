package sim

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// Platform log records (docs/FLESPI.md §3): flespi publishes them, not
// retained, on flespi/log/{api}/{origin}/{event_type}, and a device's
// command-queue records one level deeper,
// flespi/log/gw/devices/{id}/commands-queue/{name}/{status}, so a
// subscription to flespi/log/gw/devices/+/# sees them all (+/+ misses the
// command records). The simulator publishes:
//
//	flespi/log/gw/devices/{id}/connected                 a device connected (event_code 300)
//	flespi/log/gw/devices/{id}/disconnected              it disconnected (event_code 301) with flespi's
//	                                                     close_code: 17 inactivity timeout (StopDevice,
//	                                                     Config.Stale), 12 ident collision (a device
//	                                                     reconnecting from a new address), 19 garbage
//	                                                     traffic (a device error)
//	flespi/log/gw/devices/{id}/commands-queue/{name}/{status}  queued, sent, processed: a command posted
//	                                                     over REST to gw/devices/{id}/commands-queue
//	flespi/log/gw/channels/{cid}/error                   a channel error: undecodable traffic from a peer
//
// The field names beyond event_code, close_code, and a command's response
// and executed are the simulator's own: flespi's full record layout is not
// documented. Records carry no "ident" field, so a debugger that groups
// messages by ident does not count them as device messages.

// Close codes flespi reports (docs/FLESPI.md §8).
const (
	closeIdentCollision = 12
	closeInactivity     = 17
	closeGarbage        = 19
)

// closeReason describes a close code in words.
func closeReason(code int) string {
	switch code {
	case closeIdentCollision:
		return "ident collision: a new connection from the same ident"
	case closeInactivity:
		return "inactivity timeout"
	case closeGarbage:
		return "garbage traffic: the device sent data the protocol cannot decode"
	}
	return "closed"
}

// reconnectOneIn: about one reconnect (or device error) per this many
// messages of a registered device, drawn from its own generator.
const reconnectOneIn = 2500

// logRecord starts a log record's JSON.
func (s *Sim) logRecord(code int, d *device) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"event_code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"event_origin":"gw/devices/`...)
	b = strconv.AppendInt(b, d.info.ID, 10)
	b = append(b, `","timestamp":`...)
	b = appendMicros(b, s.now().UnixMicro(), 6)
	b = append(b, `,"channel_id":`...)
	b = strconv.AppendInt(b, d.info.ChannelID, 10)
	return b
}

// logConnection publishes a device's connected or disconnected record.
func (s *Sim) logConnection(d *device, up bool, closeCode int, props []packets.UserProperty) {
	s.logConnectionAt(d, up, closeCode, *d.peer.Load(), props)
}

func (s *Sim) logConnectionAt(d *device, up bool, closeCode int, peer string, props []packets.UserProperty) {
	code, event := 300, "connected"
	if !up {
		code, event = 301, "disconnected"
	}
	b := s.logRecord(code, d)
	b = append(b, `,"peer":`...)
	b = appendString(b, peer)
	b = append(b, `,"transport":"tcp"`...)
	if !up {
		b = append(b, `,"close_code":`...)
		b = strconv.AppendInt(b, int64(closeCode), 10)
		b = append(b, `,"close_reason":`...)
		b = appendString(b, closeReason(closeCode))
	}
	b = append(b, '}')
	_ = s.inject(d.logBase+event, b, false, 1, props)
}

// maybeReconnect now and then makes a registered device reconnect from a
// new address (the old connection closed with close code 12), or closes it
// for garbage traffic (code 19, with a channel error record) and reconnects.
// Publisher goroutine only.
func (s *Sim) maybeReconnect(d *device, props []packets.UserProperty) {
	if d.info.ID == 0 || d.lrng.IntN(reconnectOneIn) != 0 {
		return
	}
	old := *d.peer.Load()
	peer := newPeer(d.c, d.lrng)
	d.peer.Store(&peer)
	if d.lrng.IntN(4) == 0 {
		s.logConnectionAt(d, false, closeGarbage, old, props)
		b := []byte(`{"event_code":1,"event_origin":"gw/channels/` + strconv.FormatInt(d.info.ChannelID, 10) +
			`","timestamp":` + string(appendMicros(nil, s.now().UnixMicro(), 6)) + `,"peer":`)
		b = appendString(b, old)
		b = append(b, `,"reason":"undecodable data: connection closed (close code 19)"}`...)
		_ = s.inject("flespi/log/gw/channels/"+strconv.FormatInt(d.info.ChannelID, 10)+"/error", b, false, 1, props)
		s.logConnectionAt(d, true, 0, peer, props)
		return
	}
	s.logConnectionAt(d, true, 0, peer, props)
	s.logConnectionAt(d, false, closeIdentCollision, old, props)
}

// commandSeq numbers queued commands.
var commandSeq atomic.Int64

// The simulated command round trip: a connected device gets a queued
// command after commandSentAfter and answers commandDoneAfter later, so a
// debugger following the log sees the steps apart, as on flespi.
const (
	commandSentAfter = 150 * time.Millisecond
	commandDoneAfter = 650 * time.Millisecond
)

// queueCommand queues a command for a device (REST POST
// gw/devices/{id}/commands-queue) and publishes its command-queue log
// records: queued at once, then, for a connected device, sent and
// processed a little later (on a goroutine of the simulator's, which Close
// waits for). It returns the command as REST returns it.
func (s *Sim) queueCommand(d *device, name string, properties []byte) []byte {
	id := commandSeq.Add(1)
	props := s.stamp()
	rec := func(status string, extra string) {
		b := []byte(`{"id":` + strconv.FormatInt(id, 10) + `,"device_id":` + strconv.FormatInt(d.info.ID, 10) + `,"name":`)
		b = appendString(b, name)
		b = append(b, `,"properties":`...)
		b = append(b, properties...)
		b = append(b, `,"timestamp":`...)
		b = appendMicros(b, s.now().UnixMicro(), 6)
		b = append(b, extra...)
		b = append(b, '}')
		_ = s.inject(d.logBase+"commands-queue/"+name+"/"+status, b, false, 1, props)
	}
	rec("queued", "")
	if !d.stopped.Load() {
		s.later(func(ctx context.Context) {
			for _, step := range []struct {
				after         time.Duration
				status, extra string
			}{{commandSentAfter, "sent", ""}, {commandDoneAfter, "processed", `,"executed":true,"response":"OK"`}} {
				t := time.NewTimer(step.after)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
				rec(step.status, step.extra)
			}
		})
	}
	out := []byte(`{"id":` + strconv.FormatInt(id, 10) + `,"device_id":` + strconv.FormatInt(d.info.ID, 10) + `,"name":`)
	out = appendString(out, name)
	out = append(out, `,"properties":`...)
	out = append(out, properties...)
	return append(out, `,"ttl":86400}`...)
}

// later runs fn on a goroutine that Close waits for (fn must return when
// its context ends); after Close it does nothing.
func (s *Sim) later(fn func(ctx context.Context)) {
	s.wgMu.Lock()
	defer s.wgMu.Unlock()
	if s.closed.Load() || s.runCtx == nil {
		return
	}
	ctx := s.runCtx
	s.wg.Go(func() { fn(ctx) })
}
