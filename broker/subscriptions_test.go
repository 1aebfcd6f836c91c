package broker

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/packets"
)

func TestParseSubscriptions(t *testing.T) {
	cases := []struct {
		name, in string
		want     []Subscription
		wantErr  string
	}{
		{name: "new session", in: `[]`, want: []Subscription{}},
		{name: "MQTT Board's keys", in: `[{"topic":"flespi/message/gw/devices/+","qos":1,"no_local":false,"rap":true,"retain_handling":2,"subscription_id":7}]`,
			want: []Subscription{{Topic: "flespi/message/gw/devices/+", QoS: 1, RetainAsPublished: true, RetainHandling: 2, ID: 7}}},
		{name: "flespi extensions kept as written", in: `[{"topic":"$filter/cid=8201/flespi/state/gw/devices/1,2/connected","qos":0},{"topic":"a/#","qos":1,"extra":"ignored"}]`,
			want: []Subscription{{Topic: "$filter/cid=8201/flespi/state/gw/devices/1,2/connected"}, {Topic: "a/#", QoS: 1}}},
		{name: "not an array", in: `{"topic":"a"}`, wantErr: "not a JSON array"},
		{name: "not JSON", in: `[{"topic":`, wantErr: "not a JSON array"},
		{name: "no topic", in: `[{"qos":1}]`, wantErr: "entry 0: no topic"},
		{name: "bad qos", in: `[{"topic":"a","qos":3}]`, wantErr: "qos 3 out of range"},
		{name: "bad retain handling", in: `[{"topic":"a","retain_handling":-1}]`, wantErr: "retain_handling -1 out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSubscriptions(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, c.want) || got == nil {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestSessionInfoSubscriptions(t *testing.T) {
	// Session Present or not: the property is read the same way.
	for _, present := range []bool{false, true} {
		info := SessionInfo{Present: present, User: []UserProperty{{Key: "token", Value: "{}"}, {Key: "subscriptions", Value: `[{"topic":"x/+","qos":1}]`}}}
		subs, ok, err := info.Subscriptions()
		if !ok || err != nil || len(subs) != 1 || subs[0].Topic != "x/+" {
			t.Errorf("present=%v: %+v %v %v", present, subs, ok, err)
		}
	}
	if subs, ok, err := (SessionInfo{}).Subscriptions(); ok || err != nil || subs != nil {
		t.Errorf("without the property: %+v %v %v, want nothing", subs, ok, err)
	}
}

func FuzzParseSubscriptions(f *testing.F) {
	f.Add(`[{"topic":"a/+","qos":1,"no_local":true,"rap":false,"retain_handling":1,"subscription_id":3}]`)
	f.Add(`[]`)
	f.Add(`[{"topic":""}]`)
	f.Fuzz(func(t *testing.T, s string) {
		subs, err := ParseSubscriptions(s)
		if err != nil {
			return
		}
		for _, sub := range subs {
			if sub.Topic == "" || sub.QoS > 2 || sub.RetainHandling > 2 || sub.ID < 0 {
				t.Fatalf("accepted %+v from %q", sub, s)
			}
		}
	})
}

// TestSubscribeRetriesAPacketIDInUse: a broker that refuses a whole
// SUBSCRIBE with "packet identifier in use" (mochi does when the number is
// also one of its own PUBLISHes in flight) gets it again, and the filter is
// granted.
func TestSubscribeRetriesAPacketIDInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var subscribes atomic.Int32
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			cp, err := packets.ReadPacket(conn)
			if err != nil {
				return
			}
			var reply *packets.ControlPacket
			switch p := cp.Content.(type) {
			case *packets.Connect:
				reply = packets.NewControlPacket(packets.CONNACK)
			case *packets.Subscribe:
				code := byte(0x91)
				if subscribes.Add(1) > 1 {
					code = 1 // granted QoS 1
				}
				reply = packets.NewControlPacket(packets.SUBACK)
				sa := reply.Content.(*packets.Suback)
				sa.PacketID, sa.Reasons = p.PacketID, []byte{code}
			case *packets.Pingreq:
				reply = packets.NewControlPacket(packets.PINGRESP)
			case *packets.Disconnect:
				return
			}
			if reply != nil {
				if _, err := reply.WriteTo(conn); err != nil {
					return
				}
			}
		}
	}()
	u, err := ParseURL("mqtt://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sink := newChanSink()
	c, err := Connect(ctx, Options{URL: u, ClientID: "retry-sub", QoS: 1}, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(context.Background()) }()
	sink.await(ctx, t, func(e Event) bool { return e.Kind == EventState && e.State == StateConnected })
	res, err := c.Subscribe(ctx, "a/b")
	if err != nil || len(res) != 1 || res[0].Err != nil || res[0].Granted != 1 {
		t.Fatalf("Subscribe = %+v, %v after %d SUBSCRIBEs; want a/b granted QoS 1 on the second", res, err, subscribes.Load())
	}
	if n := subscribes.Load(); n != 2 {
		t.Fatalf("%d SUBSCRIBEs, want 2", n)
	}
}
