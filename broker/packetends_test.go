package broker

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"testing"

	"github.com/eclipse/paho.golang/packets"
)

// streamConn is a transport that reads from r, at most chunk bytes a read
// (0: no limit). Only Read is used by Conn's readers.
type streamConn struct {
	net.Conn
	r     io.Reader
	chunk int
}

func (s *streamConn) Read(p []byte) (int, error) {
	if s.chunk > 0 && len(p) > s.chunk {
		p = p[:s.chunk]
	}
	return s.r.Read(p)
}

// loopReader serves b over and over.
type loopReader struct {
	b   []byte
	off int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.b[l.off:])
	l.off = (l.off + n) % len(l.b)
	return n, nil
}

// framedConn is a Conn over the stream with packet ends on, as dialConn
// makes it.
func framedConn(r io.Reader, chunk int) *Conn {
	c := NewConn(&streamConn{r: r, chunk: chunk})
	c.ends.on = true
	return c
}

// packetBytes is p as paho writes it.
func packetBytes(t testing.TB, p *packets.ControlPacket) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// publish is a PUBLISH with a payload of n bytes and flespi's two user
// properties.
func publish(qos byte, id uint16, n int) *packets.ControlPacket {
	p := packets.NewControlPacket(packets.PUBLISH)
	pub := p.Content.(*packets.Publish)
	pub.Topic = "flespi/message/gw/channels/1/2"
	pub.QoS = qos
	if qos > 0 {
		pub.PacketID = id
	}
	pub.Payload = bytes.Repeat([]byte{'x'}, n)
	pub.Properties.User = []packets.User{{Key: "timestamp", Value: "1765000000.123456"}, {Key: "cid", Value: "1"}}
	return p
}

// TestPacketEndsWithPaho reads a stream of packets (sizes across every
// remaining-length width, empty bodies, acks, properties) with paho's own
// ReadPacket through a Conn with packet ends, from a transport that hands
// out the bytes whole, one at a time, and in odd chunks: paho must decode
// exactly the packets written, and see a clean io.EOF at the end. This is
// also the check that the paho version in go.mod still reads packets the way
// packetEnds expects.
func TestPacketEndsWithPaho(t *testing.T) {
	var want []*packets.ControlPacket
	add := func(p *packets.ControlPacket) { want = append(want, p) }
	connack := packets.NewControlPacket(packets.CONNACK)
	connack.Content.(*packets.Connack).SessionPresent = true
	add(connack)
	suback := packets.NewControlPacket(packets.SUBACK)
	suback.Content.(*packets.Suback).PacketID = 1
	suback.Content.(*packets.Suback).Reasons = []byte{1}
	add(suback)
	for i, n := range []int{0, 1, 80, 552, 16_300, 16_400, 70_000, 2_100_000} {
		add(publish(byte(i%2), uint16(i+2), n))
	}
	add(packets.NewControlPacket(packets.PINGRESP)) // remaining length 0
	puback := packets.NewControlPacket(packets.PUBACK)
	puback.Content.(*packets.Puback).PacketID = 7
	add(puback)
	add(packets.NewControlPacket(packets.PINGRESP))
	disc := packets.NewControlPacket(packets.DISCONNECT)
	disc.Content.(*packets.Disconnect).ReasonCode = 0x8E // session taken over
	add(disc)
	var stream []byte
	for _, p := range want {
		stream = append(stream, packetBytes(t, p)...)
	}
	for _, chunk := range []int{0, 1, 3, 1000, 65_537} {
		t.Run(fmt.Sprintf("chunk=%d", chunk), func(t *testing.T) {
			c := framedConn(bytes.NewReader(stream), chunk)
			for i, w := range want {
				got, err := packets.ReadPacket(c)
				if err != nil {
					t.Fatalf("packet %d (%s): ReadPacket: %v", i, w.PacketType(), err)
				}
				if !reflect.DeepEqual(got.Content, w.Content) {
					t.Fatalf("packet %d (%s): decoded\n%+v\nwant\n%+v", i, w.PacketType(), got.Content, w.Content)
				}
			}
			if _, err := packets.ReadPacket(c); !errors.Is(err, io.EOF) {
				t.Fatalf("after the last packet: ReadPacket error %v, want io.EOF", err)
			}
		})
	}
}

// TestPacketEndsCutShort: a connection that ends inside a packet is an
// error for paho, as without packet ends, wherever the cut falls.
func TestPacketEndsCutShort(t *testing.T) {
	b := packetBytes(t, publish(1, 9, 300))
	for cut := 1; cut < len(b); cut++ {
		c := framedConn(bytes.NewReader(b[:cut]), 0)
		if p, err := packets.ReadPacket(c); err == nil {
			t.Fatalf("stream cut after %d of %d bytes: ReadPacket gave %s and no error", cut, len(b), p.PacketType())
		}
	}
}

// TestPacketEndsStopOnLongLength: a remaining length in five bytes is not
// MQTT, but paho reads it (here "\x80\x80\x80\x80\x00", zero); framing
// steps aside there, and what follows still reads as it would without it.
func TestPacketEndsStopOnLongLength(t *testing.T) {
	next := publish(1, 5, 40)
	stream := append([]byte("\xd0\x80\x80\x80\x80\x00"), packetBytes(t, next)...)
	c := framedConn(bytes.NewReader(stream), 0)
	if p, err := packets.ReadPacket(c); err != nil || p.Type != packets.PINGRESP {
		t.Fatalf("a PINGRESP with a five-byte zero length: got %v, %v; want PINGRESP, no error", p, err)
	}
	if c.ends.on {
		t.Error("packet ends still on after a five-byte remaining length")
	}
	p, err := packets.ReadPacket(c)
	if err != nil || !reflect.DeepEqual(p.Content, next.Content) {
		t.Fatalf("the PUBLISH after it: got %v, %v; want %v", p, err, next.Content)
	}
}

// TestPacketEndsSaveAnAllocation pins the reason packetEnds exists: reading
// a flespi-sized PUBLISH with packet ends takes one allocation fewer in
// paho (the buffer growth before the read that finds the end). If a paho
// version no longer grows its buffer, this fails: packetEnds is then no
// use and should go.
func TestPacketEndsSaveAnAllocation(t *testing.T) {
	b := packetBytes(t, publish(0, 0, 552))
	allocs := func(c *Conn) float64 {
		return testing.AllocsPerRun(2000, func() {
			if _, err := packets.ReadPacket(c); err != nil {
				t.Fatal(err)
			}
		})
	}
	plain := allocs(NewConn(&streamConn{r: &loopReader{b: b}}))
	framed := allocs(framedConn(&loopReader{b: b}, 0))
	if plain-framed < 1 {
		t.Fatalf("allocations per 552-byte PUBLISH: %.1f with packet ends, %.1f without: want at least one fewer", framed, plain)
	}
	t.Logf("allocations per 552-byte PUBLISH: %.1f with packet ends, %.1f without", framed, plain)
}

// FuzzPacketEnds: for any sequence of packets (any type byte, any body,
// the stream possibly cut short, handed out in chunks of any size), paho
// decodes the same packets with packet ends as without, and stops at the
// same place.
func FuzzPacketEnds(f *testing.F) {
	f.Add([]byte("\x30\x05\x00\x01tpay\xd0\x00"), uint8(0), uint16(0))
	f.Add([]byte{0x40, 4, 0, 1, 0, 0, 0x32, 8, 0, 1, 't', 0, 5, 0, 'p', 'q'}, uint8(3), uint16(11))
	f.Add([]byte("\x20\x03\x01\x00\x00\x90\x04\x00\x01\x00\x01"), uint8(1), uint16(0))
	f.Fuzz(func(t *testing.T, spec []byte, chunk uint8, cut uint16) {
		// spec: [type byte][body length][body] ..., written with correct
		// remaining lengths; then cut short at cut bytes if cut > 0.
		var stream []byte
		for len(spec) >= 2 {
			typ, n := spec[0], int(spec[1])
			spec = spec[2:]
			n = min(n, len(spec))
			stream = append(stream, typ)
			stream = appendVBI(stream, n)
			stream = append(stream, spec[:n]...)
			spec = spec[n:]
		}
		if cut > 0 && int(cut) < len(stream) {
			stream = stream[:cut]
		}
		plain := bytes.NewReader(stream)
		framed := framedConn(bytes.NewReader(stream), int(chunk%17))
		for i := 0; ; i++ {
			want, werr := packets.ReadPacket(plain)
			got, gerr := packets.ReadPacket(framed)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("packet %d: error %v with packet ends, %v without (stream %x)", i, gerr, werr, stream)
			}
			if werr != nil {
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("packet %d: decoded %+v with packet ends, %+v without (stream %x)", i, got, want, stream)
			}
		}
	})
}

// appendVBI appends n as an MQTT variable byte integer.
func appendVBI(b []byte, n int) []byte {
	for {
		d := byte(n & 0x7f)
		n >>= 7
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

// BenchmarkReadPacket: paho's ReadPacket of a flespi-sized PUBLISH (552-byte
// payload, flespi's two user properties) through Conn, with and without
// packet ends.
func BenchmarkReadPacket(b *testing.B) {
	pkt := packetBytes(b, publish(0, 0, 552))
	for _, on := range []bool{false, true} {
		name := "plain"
		if on {
			name = "packet-ends"
		}
		b.Run(name, func(b *testing.B) {
			c := NewConn(&streamConn{r: &loopReader{b: pkt}})
			c.ends.on = on
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt)))
			for b.Loop() {
				if _, err := packets.ReadPacket(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
