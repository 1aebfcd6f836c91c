package history

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
)

// flespiMsg is a flespi device message as the channel topic (device=false)
// or the device topic (device=true, with device.* fields) carries it.
func flespiMsg(ident string, ts float64, speed int, device bool) string {
	dev := ""
	if device {
		dev = `,"device.id":182020,"device.name":"Van 02"`
	}
	return fmt.Sprintf(`{"ident":%q,"timestamp":%.0f,"server.timestamp":%.6f%s,"position.speed":%d}`,
		ident, ts, ts+0.418732, dev, speed)
}

func msgAt(seq uint64, topic, payload string, at time.Time, subs ...int) broker.Message {
	m := broker.Message{Seq: seq, Topic: topic, Payload: []byte(payload), QoS: 1, Received: at}
	if len(subs) > 0 {
		m.Props = &broker.Properties{SubscriptionIDs: subs}
	}
	return m
}

const (
	chanTopic = "flespi/message/gw/channels/1234/352625066004561"
	devTopic  = "flespi/message/gw/devices/182020"
)

func TestCopies(t *testing.T) {
	t0 := time.Unix(1715843521, 0)
	cases := []struct {
		name string
		msgs []broker.Message
		want []uint32 // CopyOf per entry
	}{
		{name: "flespi channel and device topic: one message", msgs: []broker.Message{
			msgAt(1, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
			msgAt(2, devTopic, flespiMsg("352625066004561", 1715843521, 47, true), t0, 2),
		}, want: []uint32{0, 1}},
		{name: "next message of the device is new", msgs: []broker.Message{
			msgAt(1, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
			msgAt(2, devTopic, flespiMsg("352625066004561", 1715843521, 47, true), t0, 2),
			msgAt(3, chanTopic, flespiMsg("352625066004561", 1715843531, 50, false), t0.Add(time.Second), 1),
			msgAt(4, devTopic, flespiMsg("352625066004561", 1715843531, 50, true), t0.Add(time.Second), 2),
		}, want: []uint32{0, 1, 0, 1}},
		{name: "same topic, same subscription: a duplicate, not a copy", msgs: []broker.Message{
			msgAt(1, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
			msgAt(2, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
			msgAt(3, devTopic, flespiMsg("352625066004561", 1715843521, 47, true), t0, 2),
		}, want: []uint32{0, 0, 2}},
		{name: "same topic through a $share subscription too", msgs: []broker.Message{
			msgAt(1, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
			msgAt(2, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 3),
		}, want: []uint32{0, 1}},
		{name: "outside the window: a new message", msgs: []broker.Message{
			msgAt(1, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
			msgAt(2, devTopic, flespiMsg("352625066004561", 1715843521, 47, true), t0.Add(copyWindow+time.Second), 2),
		}, want: []uint32{0, 0}},
		{name: "another device, same times", msgs: []broker.Message{
			msgAt(1, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
			msgAt(2, "flespi/message/gw/channels/1234/352625066004579", flespiMsg("352625066004579", 1715843521, 47, false), t0, 1),
		}, want: []uint32{0, 0}},
		{name: "non-flespi payload on two topics: one message", msgs: []broker.Message{
			msgAt(1, "plant/a/temp", `{"sensor":"boiler-7","celsius":81.5,"at":"12:00:01"}`, t0),
			msgAt(2, "bridge/plant/a/temp", `{"sensor":"boiler-7","celsius":81.5,"at":"12:00:01"}`, t0),
		}, want: []uint32{0, 1}},
		{name: "short payloads on two topics: two messages", msgs: []broker.Message{
			msgAt(1, "flespi/state/gw/devices/1/connected", `true`, t0),
			msgAt(2, "flespi/state/gw/devices/2/connected", `true`, t0),
		}, want: []uint32{0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewStore(0)
			s.Append(c.msgs)
			var got []uint32
			for i := s.First(); i < s.End(); i++ {
				e, _ := s.Get(i)
				got = append(got, e.CopyOf)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("CopyOf = %v, want %v", got, c.want)
			}
		})
	}
}

func TestCopiesAndAlsoOn(t *testing.T) {
	t0 := time.Unix(1715843521, 0)
	s := NewStore(0)
	var flags []uint8
	s.SetObserver(func(abs uint64, e *Entry) {
		if e.CopyOf == 0 {
			e.Flags = uint8(abs%7) + 1
		}
		flags = append(flags, e.Flags)
	})
	s.Append([]broker.Message{
		msgAt(1, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 1),
		msgAt(2, "other/topic", `{"x":1,"padding":"long enough to be identified"}`, t0, 9),
		msgAt(3, devTopic, flespiMsg("352625066004561", 1715843521, 47, true), t0, 2),
		msgAt(4, chanTopic, flespiMsg("352625066004561", 1715843521, 47, false), t0, 3), // a $share copy
	})
	for _, abs := range []uint64{0, 2, 3} {
		if got := s.Copies(abs); !slices.Equal(got, []uint64{0, 2, 3}) {
			t.Errorf("Copies(%d) = %v, want [0 2 3]", abs, got)
		}
	}
	if got := s.AlsoOn(0); !slices.Equal(got, []string{devTopic}) {
		t.Errorf("AlsoOn(channel copy) = %q, want the device topic only", got)
	}
	if got := s.AlsoOn(2); !slices.Equal(got, []string{chanTopic}) {
		t.Errorf("AlsoOn(device copy) = %q, want the channel topic once", got)
	}
	if got := s.AlsoOn(1); got != nil {
		t.Errorf("AlsoOn(unrelated message) = %q, want nil", got)
	}
	e0, _ := s.Get(0)
	for _, abs := range []uint64{2, 3} {
		if e, _ := s.Get(abs); e.Flags != e0.Flags {
			t.Errorf("copy %d has flags %d, want its first copy's %d", abs, e.Flags, e0.Flags)
		}
	}
}

// TestCopiesBounded checks that the copy set stays bounded over more
// messages than its ring holds, and still finds copies at the end.
func TestCopiesBounded(t *testing.T) {
	t0 := time.Unix(1715843521, 0)
	s := NewStore(1 << 30)
	const n = copyRing + 5000
	batch := make([]broker.Message, 0, 1024)
	for i := range n {
		batch = append(batch, msgAt(uint64(i+1), "t/"+strings.Repeat("x", i%3), fmt.Sprintf(`{"n":%d,"pad":"0123456789abcdef"}`, i), t0))
		if len(batch) == cap(batch) {
			s.Append(batch)
			batch = batch[:0]
		}
	}
	s.Append(batch)
	if got := len(s.copies.byKey); got > copyRing {
		t.Fatalf("copy set holds %d keys, more than its ring of %d", got, copyRing)
	}
	s.Append([]broker.Message{msgAt(n+1, "u/1", fmt.Sprintf(`{"n":%d,"pad":"0123456789abcdef"}`, n-1), t0)})
	if e, _ := s.Get(n); e.CopyOf != 1 {
		t.Errorf("copy of the newest message: CopyOf = %d, want 1", e.CopyOf)
	}
}

// BenchmarkCopyCheck is what message identity adds per message: the key in
// Prepare and the copy lookup in AppendEntries.
func BenchmarkCopyCheck(b *testing.B) {
	t0 := time.Unix(1715843521, 0)
	e := NewEntry(msgAt(1, chanTopic, exampleA, t0, 1))
	var c copySet
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		_ = identityKey(&e)
		e.idKey = i // a new message each time, so the ring turns over
		c.copyOf(identitySeed, i, &e)
		i++
	}
}
