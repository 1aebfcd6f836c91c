package telematics

import (
	"strconv"
	"testing"
	"time"

	"hubtap/broker"
	"hubtap/history"
)

// TestOneMessageTwoTopics feeds a Store + Tracker what a channel pane and a
// device pane on the same device receive: every flespi message twice, on
// flespi/message/gw/channels/{cid}/{ident} and on flespi/message/gw/devices/{id}
// (with device.* fields). The device counts each message once, its rate is
// that of the distinct messages, nothing is flagged, and the diff of either
// copy is against the previous different message.
func TestOneMessageTwoTopics(t *testing.T) {
	const (
		ident = "352625066004561"
		n     = 20
	)
	clk := &fixedClock{now: at(n * time.Second)}
	tr := NewTracker(Config{Now: clk.Now})
	s := history.NewStore(0)
	s.SetObserver(func(abs uint64, e *history.Entry) { e.Flags = uint8(tr.Observe(abs, e)) })
	var msgs []broker.Message
	for i := range n {
		speed := `"position.speed":` + strconv.Itoa(40+i)
		ch := flespi(ident, time.Duration(i)*time.Second, time.Duration(i)*time.Second+400*time.Millisecond, speed)
		dev := flespi(ident, time.Duration(i)*time.Second, time.Duration(i)*time.Second+400*time.Millisecond,
			speed, `"device.id":182020`, `"device.name":"Van 02"`)
		rcv := at(time.Duration(i)*time.Second + 500*time.Millisecond)
		msgs = append(msgs,
			broker.Message{Seq: uint64(2*i + 1), Topic: "flespi/message/gw/channels/1234/" + ident, Payload: []byte(ch), QoS: 1, Received: rcv,
				Props: &broker.Properties{SubscriptionIDs: []int{1}}},
			broker.Message{Seq: uint64(2*i + 2), Topic: "flespi/message/gw/devices/182020", Payload: []byte(dev), QoS: 1, Received: rcv,
				Props: &broker.Properties{SubscriptionIDs: []int{2}}})
	}
	s.Append(msgs)

	d, ok := tr.Device(ident)
	if !ok {
		t.Fatal("device not tracked")
	}
	if d.Messages != n || d.Copies != n {
		t.Errorf("Messages %d, Copies %d; want %d distinct messages and %d copies", d.Messages, d.Copies, n, n)
	}
	if d.Flagged != 0 {
		t.Errorf("%d messages flagged (%v), want none: copies are not duplicates", d.Flagged, d.Counts)
	}
	// One message a second for 20 s (both copies would make it two).
	if d.Rate < 0.8 || d.Rate > 1.2 {
		t.Errorf("Rate %.2f/s, want about 1 (distinct messages only)", d.Rate)
	}
	last := s.End() - 1 // the device-topic copy of the last message
	for _, c := range []struct{ abs, want uint64 }{
		{abs: last, want: last - 2},     // device topic: the previous device-topic copy
		{abs: last - 1, want: last - 3}, // channel topic: the previous channel-topic copy
	} {
		prev, ok := PrevOf(s.Get, c.abs, 100)
		if !ok || prev != c.want {
			t.Fatalf("PrevOf(%d) = %d, %v; want %d, the previous message on the same topic", c.abs, prev, ok, c.want)
		}
		pe, _ := s.Get(prev)
		cur, _ := s.Get(c.abs)
		changes := Diff(pe.Payload, cur.Payload)
		if len(changes) != 3 || changes[0].Key != "position.speed" ||
			changes[0].Old != strconv.Itoa(40+n-2) || changes[0].New != strconv.Itoa(40+n-1) {
			t.Errorf("diff of %d against %d: %+v, want position.speed %d → %d and the two timestamps", c.abs, prev, changes, 40+n-2, 40+n-1)
		}
	}
	// Without a same-topic copy, the previous message's first copy.
	only := history.NewStore(0)
	third := msgs[3]
	third.Topic, third.Props = "bridge/182020", nil
	only.Append([]broker.Message{msgs[0], msgs[1], third})
	if prev, ok := PrevOf(only.Get, 2, 100); !ok || prev != 0 {
		t.Errorf("PrevOf without a same-topic copy = %d, %v; want 0, the first copy", prev, ok)
	}
	if d.PrevAbs != last-3 || d.LastAbs != last-1 {
		t.Errorf("LastAbs %d, PrevAbs %d; want the first copies %d and %d", d.LastAbs, d.PrevAbs, last-1, last-3)
	}
}
