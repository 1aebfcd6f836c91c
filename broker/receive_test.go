package broker

import (
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

type countSink struct{ n int }

func (s *countSink) Offer(Message) bool { s.n++; return true }
func (s *countSink) OfferEvent(Event)   {}

// TestOnPublishDoesNotAllocate: without a tap, handing a PUBLISH on costs
// no allocation of ours (taking &m for the tap used to move every message
// to the heap); with one, the tap sees the message the sink gets.
func TestOnPublishDoesNotAllocate(t *testing.T) {
	sink := &countSink{}
	c := &Client{bridge: sink}
	pr := paho.PublishReceived{Packet: &paho.Publish{Topic: "flespi/message/gw/channels/1/2", QoS: 1, PacketID: 7, Payload: []byte(`{"a":1}`)}}
	if n := testing.AllocsPerRun(100, func() { _, _ = c.onPublish(pr) }); n != 0 {
		t.Fatalf("onPublish without a tap: %v allocations per message, want 0", n)
	}
	var tapped []string
	c.opts.Tap = func(m *Message) { tapped = append(tapped, m.Topic+" "+string(m.Payload)) }
	before := sink.n
	_, _ = c.onPublish(pr)
	if want := `flespi/message/gw/channels/1/2 {"a":1}`; len(tapped) != 1 || tapped[0] != want || sink.n != before+1 {
		t.Fatalf("with a tap: tap saw %q (want [%q]), sink got %d messages (want 1)", tapped, want, sink.n-before)
	}
}

// refuseSink has stopped: it refuses every message.
type refuseSink struct{}

func (refuseSink) Offer(Message) bool { return false }
func (refuseSink) OfferEvent(Event)   {}

// TestHoldRefused: with HoldRefused, a QoS 1 message the sink refuses is
// not handed back to paho (which would acknowledge it) until the connection
// closes; a QoS 0 one, which has nothing to acknowledge, is not held; and
// without HoldRefused (the UI's bridge) nothing is held.
func TestHoldRefused(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	conn := NewConn(a)
	c := &Client{bridge: refuseSink{}, opts: Options{HoldRefused: true}}
	c.conn.Store(conn)
	qos0 := paho.PublishReceived{Packet: &paho.Publish{Topic: "t", QoS: 0, Payload: []byte("x")}}
	qos1 := paho.PublishReceived{Packet: &paho.Publish{Topic: "t", QoS: 1, PacketID: 9, Payload: []byte("x")}}

	_, _ = c.onPublish(qos0) // returns, or the test hangs here
	c.opts.HoldRefused = false
	_, _ = c.onPublish(qos1)
	c.opts.HoldRefused = true

	var closed atomic.Bool
	returned := make(chan bool)
	go func() {
		_, _ = c.onPublish(qos1)
		returned <- closed.Load()
	}()
	// A wrong onPublish returns at once; a right one never returns before
	// Close, so a loaded machine can only make this check pass, not fail.
	select {
	case <-returned:
		t.Fatal("onPublish returned a refused QoS 1 message to paho (which acknowledges it) while the connection was still open")
	case <-time.After(100 * time.Millisecond):
	}
	go func() { _, _ = io.Copy(io.Discard, b) }() // Close sends what is buffered
	closed.Store(true)
	if err := conn.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if sawClosed := <-returned; !sawClosed {
		t.Fatal("onPublish returned before the connection closed")
	}
}
