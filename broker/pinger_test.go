package broker

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// readPing reads one PINGREQ from the broker's end of a pipe, failing after wait.
func readPing(t *testing.T, srv net.Conn, wait time.Duration) {
	t.Helper()
	_ = srv.SetReadDeadline(time.Now().Add(wait))
	b := make([]byte, 2)
	if _, err := io.ReadFull(srv, b); err != nil {
		t.Fatalf("no PINGREQ within %s: %v", wait, err)
	}
	if string(b) != "\xc0\x00" {
		t.Fatalf("the pinger wrote %x, want a PINGREQ (c000)", b)
	}
}

// runPinger runs a pinger with a keep-alive of 1 s on one end of a pipe
// and returns it, the broker's end and Run's result.
func runPinger(ctx context.Context, t *testing.T) (*pinger, net.Conn, chan error) {
	cli, srv := net.Pipe()
	t.Cleanup(func() { _ = cli.Close(); _ = srv.Close() })
	p := new(pinger)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, cli, 1) }()
	return p, srv, done
}

// TestPingerKeepsAnIdleConnection: with nothing sent or received, a
// PINGREQ goes out within the keep-alive interval, and again after its
// PINGRESP, and the pinger keeps running.
func TestPingerKeepsAnIdleConnection(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, srv, done := runPinger(ctx, t)
	for range 2 {
		readPing(t, srv, 10*time.Second) // due after 1 s; a loaded machine may be late, never this late
		p.PacketReceived()
		p.PingResp()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run ended with %v, want nil when its context ends", err)
	}
}

// TestPingerEndsWithoutPingResp: a broker that does not answer a PINGREQ
// ends the connection (paho then reconnects).
func TestPingerEndsWithoutPingResp(t *testing.T) {
	_, srv, done := runPinger(context.Background(), t)
	readPing(t, srv, 10*time.Second)
	select {
	case err := <-done:
		if !errors.Is(err, errNoPingResp) {
			t.Fatalf("Run ended with %v, want %v", err, errNoPingResp)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run went on for 20 s after a PINGREQ without PINGRESP (keep-alive 1 s)")
	}
}
