package broker

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// probeTimeout bounds one scheme probe (diagnose).
const probeTimeout = 3 * time.Second

// probeTLS reports whether addr completes a TLS handshake, or answers the
// ClientHello with a TLS alert: either way it speaks TLS. The certificate is
// not checked; nothing is sent after the handshake.
func probeTLS(ctx context.Context, addr, serverName string) bool {
	d := tls.Dialer{Config: &tls.Config{ServerName: serverName, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}} //nolint:gosec // a probe: it only asks whether the port speaks TLS
	c, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		_ = c.Close()
		return true
	}
	var alert tls.AlertError
	return errors.As(err, &alert)
}

// probeConnect is a minimal MQTT 5 CONNECT: clean start, keep alive 10 s,
// no properties, an empty client ID.
var probeConnect = []byte{0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x0A, 0x00, 0x00, 0x00}

// probePlain reports whether addr answers a plain MQTT CONNECT with a
// CONNACK (the first byte 0x20), whatever its reason code.
func probePlain(ctx context.Context, addr string) bool {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	if _, err := c.Write(probeConnect); err != nil {
		return false
	}
	var b [1]byte
	n, _ := c.Read(b[:])
	return n == 1 && b[0] == 0x20
}
