package broker

import (
	"testing"

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
