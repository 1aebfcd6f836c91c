package broker

import "io"

// packetEnds follows the MQTT framing of what Conn hands paho and returns
// io.EOF with the last byte of every control packet.
//
// Why: paho's packets.ReadPacket reads a packet's body with io.CopyN into a
// bytes.Buffer sized to the body. bytes.Buffer.ReadFrom reads until io.EOF
// and makes room for 512 more bytes before each read, so once the body is
// in, it grows the full buffer (a new array of about twice the size, and a
// copy) only to be told by the next read that the packet ended: 1,280 of
// the ~12.5 KB paho allocates for a flespi message with its two user
// properties, and 9% of `hubtap sub`'s CPU in a drain of messages without
// them (docs/BENCHMARKS.md, "Packet ends"). Data with io.EOF is a complete
// read for every reader paho uses: io.CopyN returns no error once it has
// its n bytes, and io.ReadFull (the fixed header, a byte at a time) none
// once the buffer is full. A connection that really ends still gives 0
// bytes and io.EOF.
//
// Reads stop at packet boundaries: a header byte at a time (as paho asks)
// and no body read past its packet. A remaining length longer than four
// bytes is not MQTT: framing stops there and reads pass through, so paho
// reads the rest as it would without packet ends.
//
// TestPacketEndsWithPaho checks paho's reads against this: if a paho version
// reads differently, it fails.
type packetEnds struct {
	on     bool
	remain int  // body bytes of the current packet not yet handed out
	inLen  bool // the type byte was handed out; the remaining length is being read
	length int  // remaining length decoded so far
	shift  uint // of the next length byte
}

// read reads from r, which holds what comes from the transport.
func (e *packetEnds) read(r io.Reader, p []byte) (int, error) {
	if e.remain > 0 {
		n, err := r.Read(p[:min(len(p), e.remain)])
		e.remain -= n
		return n, e.end(n, err)
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := r.Read(p[:1])
	if n == 0 {
		return n, err
	}
	b := p[0]
	if !e.inLen { // the type and flags
		e.inLen, e.length, e.shift = true, 0, 0
		return n, err
	}
	e.length |= int(b&0x7f) << e.shift
	if b&0x80 != 0 {
		e.shift += 7
		if e.shift >= 28 {
			e.on = false // a fifth length byte would follow: not MQTT
		}
		return n, err
	}
	e.inLen = false
	e.remain = e.length
	return n, e.end(n, err)
}

// end is the error for a read of n bytes that left e.remain: io.EOF when
// it completed a packet.
func (e *packetEnds) end(n int, err error) error {
	if e.remain == 0 && n > 0 && err == nil {
		return io.EOF
	}
	return err
}
