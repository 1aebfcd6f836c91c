package broker

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho/log"
)

// pinger is hubtap's keep-alive (paho.Pinger). paho's DefaultPinger takes a
// mutex and reads the clock for every packet sent and received; on a VM
// whose clock is slow to read that is a few percent of the CPU a message
// costs. This one counts packets in atomics and looks at the counts every
// quarter of the keep-alive interval. A count that moved since the last
// look moved at the earliest right after that look, so that is taken as
// the time of the last packet: a PINGREQ goes out when one direction may
// have been quiet for an interval, never later than DefaultPinger's would
// (up to a quarter interval earlier), and at most one waits for its
// PINGRESP, which must come within an interval.
type pinger struct {
	sent, received, pongs atomic.Uint64
}

func (p *pinger) PacketSent()         { p.sent.Add(1) }
func (p *pinger) PacketReceived()     { p.received.Add(1) }
func (p *pinger) PingResp()           { p.pongs.Add(1) }
func (p *pinger) SetDebug(log.Logger) {}

// errNoPingResp ends a connection whose broker did not answer a PINGREQ.
var errNoPingResp = errors.New("PINGRESP timed out")

// Run keeps the connection alive until ctx ends; it returns an error when a
// PINGREQ cannot be written or gets no PINGRESP within the interval.
func (p *pinger) Run(ctx context.Context, conn net.Conn, keepAlive uint16) error {
	if keepAlive == 0 {
		return nil
	}
	if conn == nil {
		return errors.New("pinger: no connection")
	}
	interval := time.Duration(keepAlive) * time.Second
	tick := interval / 4
	t := time.NewTicker(tick)
	defer t.Stop()
	errc := make(chan error, 1)
	start := time.Now()
	var (
		sent, received = p.sent.Load(), p.received.Load()
		sentAt, recvAt = start, start // the earliest the last packet each way can have gone
		lastLook       = start
		pingAt         time.Time // a PINGREQ waits for its PINGRESP (zero: none)
		pongsAtPing    uint64
	)
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return err
		case now := <-t.C:
			if n := p.sent.Load(); n != sent {
				sent, sentAt = n, lastLook
			}
			if n := p.received.Load(); n != received {
				received, recvAt = n, lastLook
			}
			lastLook = now
			if !pingAt.IsZero() {
				if p.pongs.Load() == pongsAtPing {
					if now.Sub(pingAt) >= interval {
						return errNoPingResp
					}
					continue
				}
				pingAt = time.Time{}
			}
			quiet := sentAt // since when one direction may have been quiet
			if recvAt.Before(quiet) {
				quiet = recvAt
			}
			if now.Add(tick).Before(quiet.Add(interval)) {
				continue // the next look is still in time
			}
			pingAt, pongsAtPing, sentAt = now, p.pongs.Load(), now
			go func() {
				if _, err := packets.NewControlPacket(packets.PINGREQ).WriteTo(conn); err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}()
		}
	}
}
