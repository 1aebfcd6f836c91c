package broker

import (
	"context"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// smallReceiveMaximum is the receive maximum where a small window costs no
// throughput: at QoS 0 (the broker does not count QoS 0 messages against
// it) and on a loopback broker (no round trip to wait for). paho sizes its
// queue of decoded packets from the receive maximum, and with 1024 its
// reader ran up to 1024 packets (several MiB) ahead of the handler, out of
// the CPU caches. Measured on drains of 200k messages from mosquitto on
// 127.0.0.1: hubtap sub at QoS 0 3.8 -> 3.1 µs of CPU per message (JSONL),
// at QoS 1 4.0 -> 3.5 µs (-F %p), peak RSS 48-54 -> 30 MiB. A remote broker
// at QoS 1 keeps 1024: with 64 in flight a 50 ms round trip would cap a
// queue drain at ~1,300 msg/s.
const smallReceiveMaximum = 64

// loopbackHost reports whether host (a name or an IP) is this machine.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dial is dialConn, keeping the Conn for receiveTime.
func (c *Client) dial(ctx context.Context, cfg autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
	nc, err := dialConn(ctx, cfg, u)
	if cc, ok := nc.(*Conn); ok && err == nil {
		cc.beforeSend = c.opts.BeforeAck
		c.conn.Store(cc)
	}
	return nc, err
}

// receiveTime is a message's receive time: when the read(2) that brought
// its bytes in returned. Reading the clock once per read instead of once
// per message saved ~0.2 µs per message on a VM whose clock is slow to
// read; paho's reader runs at most a receive maximum of packets ahead of
// the handler, so the time is late by at most a few milliseconds under
// load and exact when messages trickle in.
func receiveTime(cn *Conn) time.Time {
	if cn != nil {
		if t := cn.ReadTime(); !t.IsZero() {
			return t
		}
	}
	return time.Now()
}

// onPublish runs on paho's goroutine. It copies what it needs and never
// blocks on the UI's Bridge, which drops and counts when the UI cannot keep
// up; headless mode's sink blocks while its output does. A message a
// stopped sink refuses is held (Options.HoldRefused).
func (c *Client) onPublish(pr paho.PublishReceived) (bool, error) {
	cn := c.conn.Load() // the connection this message came on
	m := FromPaho(pr.Packet, c.seq.Add(1), receiveTime(cn))
	if tap := c.opts.Tap; tap != nil {
		// A copy for the tap: &m would move m to the heap on every message,
		// tap or not (one allocation per message in hubtap sub).
		tm := m
		tap(&tm)
		m = tm
	}
	if pr.Packet.QoS == 0 || cn == nil {
		c.bridge.Offer(m)
		return true, nil
	}
	// paho writes the PUBACK once this returns; Close waits for it
	// (awaitAcks). Counted before Offer: a sink that stops at this message
	// wakes its Close from inside Offer.
	cn.taken.Add(1)
	if !c.bridge.Offer(m) {
		cn.taken.Add(^uint64(0)) // refused: no PUBACK if held, and none wanted
		if c.opts.HoldRefused {
			// A refused message is held until the connection closes (which
			// happens soon: the sink has stopped), so the broker sends it
			// again next session. paho routes in order, so nothing after
			// it is acknowledged either.
			<-cn.closed
		}
	}
	return true, nil
}

// FromPaho converts a received paho PUBLISH into a Message.
func FromPaho(p *paho.Publish, seq uint64, now time.Time) Message {
	m := Message{
		Seq:       seq,
		Topic:     p.Topic,
		Payload:   p.Payload, // paho reads each packet into a buffer of its own; history copies what it keeps
		QoS:       p.QoS,
		Retain:    p.Retain,
		Duplicate: p.Duplicate(),
		Received:  now,
		PacketID:  p.PacketID,
	}
	if pp := p.Properties; pp != nil && (len(pp.User) > 0 || pp.ContentType != "" || pp.ResponseTopic != "" ||
		pp.CorrelationData != nil || pp.PayloadFormat != nil || pp.MessageExpiry != nil || pp.SubscriptionIdentifier != nil || pp.TopicAlias != nil) {
		props := &Properties{
			ContentType:     pp.ContentType,
			ResponseTopic:   pp.ResponseTopic,
			CorrelationData: pp.CorrelationData,
			PayloadFormat:   pp.PayloadFormat,
			MessageExpiry:   pp.MessageExpiry,
			TopicAlias:      pp.TopicAlias,
		}
		if pp.SubscriptionIdentifier != nil {
			props.SubscriptionIDs = []int{*pp.SubscriptionIdentifier}
		}
		if len(pp.User) > 0 {
			props.User = make([]UserProperty, len(pp.User))
			for i, u := range pp.User {
				props.User[i] = UserProperty{Key: u.Key, Value: u.Value}
			}
		}
		m.Props = props
	}
	return m
}
