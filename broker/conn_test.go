package broker

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// countingConn counts the writes that reach the transport.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// tcpPair returns both ends of a loopback TCP connection: hubtap's and
// the broker's.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv := <-accepted
	if srv == nil {
		t.Fatal("accept failed")
	}
	return raw, srv
}

// pair returns a Conn over loopback TCP, the counting transport under it,
// and the broker's end.
func pair(t *testing.T) (*Conn, *countingConn, net.Conn) {
	t.Helper()
	raw, srv := tcpPair(t)
	cc := &countingConn{Conn: raw}
	c := NewConn(cc)
	t.Cleanup(func() { _ = c.Close(); _ = srv.Close() })
	return c, cc, srv
}

// readFull reads n bytes from the broker's end, failing after 5 s.
func readFull(t *testing.T, srv net.Conn, n int) string {
	t.Helper()
	_ = srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(srv, b); err != nil {
		t.Fatalf("broker side read %d bytes: %v (got %q)", n, err, b)
	}
	return string(b)
}

// writePacket writes one packet the way paho does: Lock, several Writes, Unlock.
func writePacket(t *testing.T, c *Conn, parts ...string) {
	t.Helper()
	c.Lock()
	defer c.Unlock()
	for _, p := range parts {
		if _, err := c.Write([]byte(p)); err != nil {
			t.Errorf("write: %v", err)
		}
	}
}

func TestConnAcksWaitForTheReaderToRunDry(t *testing.T) {
	c, cc, srv := pair(t)
	c.flushAt = time.Hour // only running dry may flush here
	var msgs bytes.Buffer
	for i := range 10 {
		fmt.Fprintf(&msgs, "msg%06d\n", i) // 10 bytes each
	}
	if _, err := srv.Write(msgs.Bytes()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	for i := range 10 {
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("msg%06d\n", i); string(buf) != want {
			t.Fatalf("read %q, want %q", buf, want)
		}
		writePacket(t, c, "a", fmt.Sprint(i)) // two Writes per ack, like paho
	}
	if n := cc.writes.Load(); n != 0 {
		t.Fatalf("%d writes reached the transport while the reader had buffered data, want 0", n)
	}
	got := make(chan error, 1)
	go func() { _, err := io.ReadFull(c, buf); got <- err }() // runs dry: flushes, then blocks
	if acks := readFull(t, srv, 20); acks != "a0a1a2a3a4a5a6a7a8a9" {
		t.Fatalf("acks %q", acks)
	}
	if n := cc.writes.Load(); n != 1 {
		t.Fatalf("%d transport writes for 10 acks, want 1", n)
	}
	if _, err := srv.Write([]byte("msg000010\n")); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestConnWritesAtOnceWhenReaderIsIdle(t *testing.T) {
	c, cc, srv := pair(t)
	c.flushAt = time.Hour
	go func() { _, _ = c.Read(make([]byte, 1)) }() // waits for the broker
	writePacket(t, c, "CON", "NE", "CT")
	if got := readFull(t, srv, 7); got != "CONNECT" {
		t.Fatalf("got %q", got)
	}
	if n := cc.writes.Load(); n != 1 {
		t.Fatalf("%d transport writes for one packet, want 1", n)
	}
}

func TestConnWriteWaitsAtMostTheFlushDelay(t *testing.T) {
	c, _, srv := pair(t)
	if _, err := srv.Write([]byte("xy")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil { // "y" stays buffered: the reader is busy
		t.Fatal(err)
	}
	writePacket(t, c, "ack")
	if got := readFull(t, srv, 3); got != "ack" { // sent by the timer, nobody reads
		t.Fatalf("got %q", got)
	}
}

func TestConnPacketsFromManyWritersStayWhole(t *testing.T) {
	c, _, srv := pair(t)
	const writers, each = 8, 200
	total := make(chan string, 1)
	go func() {
		_ = srv.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(io.LimitReader(srv, writers*each*6))
		total <- string(b)
	}()
	// A reader that keeps turning busy and idle: the broker sends a byte now and then.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		b := make([]byte, 1)
		for {
			if _, err := c.Read(b); err != nil {
				return
			}
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
				_, _ = srv.Write([]byte("..."))
			}
		}
	})
	var ww sync.WaitGroup
	for w := range writers {
		ww.Go(func() {
			for i := range each {
				writePacket(t, c, "<", fmt.Sprint(w), fmt.Sprintf("%03d", i), ">")
			}
		})
	}
	ww.Wait()
	got := <-total
	close(stop)
	_ = c.Close()
	wg.Wait()
	next := make([]int, writers)
	for i := 0; i < len(got); i += 6 {
		var w, n int
		if _, err := fmt.Sscanf(got[i:i+6], "<%1d%03d>", &w, &n); err != nil {
			t.Fatalf("packet at %d is torn: %q", i, got[i:min(i+12, len(got))])
		}
		if n != next[w] {
			t.Fatalf("writer %d: packet %d after %d", w, n, next[w]-1)
		}
		next[w]++
	}
	for w, n := range next {
		if n != each {
			t.Fatalf("writer %d: %d packets arrived, want %d", w, n, each)
		}
	}
}

func TestConnCloseSendsWhatIsBuffered(t *testing.T) {
	c, _, srv := pair(t)
	c.flushAt = time.Hour
	if _, err := srv.Write([]byte("xy")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	writePacket(t, c, "DISCONNECT")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_ = srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(srv)
	if err != nil || string(b) != "DISCONNECT" {
		t.Fatalf("got %q, %v; want DISCONNECT then EOF", b, err)
	}
}

func TestConnReportsAWriteError(t *testing.T) {
	c, _, srv := pair(t)
	_ = srv.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.Lock()
		_, err := c.Write(bytes.Repeat([]byte("x"), 1024))
		c.Unlock()
		if err != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("writes to a closed peer never failed")
		}
	}
}

// TestE2ETLS checks the mqtts dialer: the certificate is verified against
// the configured roots and the host name taken from the URL.
func TestE2ETLS(t *testing.T) {
	cert, pool := selfSigned(t)
	s := mqtt.New(&mqtt.Options{InlineClient: true, Logger: slog.New(slog.DiscardHandler)})
	_ = s.AddHook(new(allowAll), nil)
	l := listeners.NewTCP(listeners.Config{ID: "tls", Address: "127.0.0.1:0",
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	if err := s.AddListener(l); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve() }()
	t.Cleanup(func() { _ = s.Close() })
	u, err := ParseURL("mqtts://" + l.Address())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("verified", func(t *testing.T) {
		sink := newChanSink()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := Connect(ctx, Options{URL: u, ClientID: "tls-ok", QoS: 1, Topics: []string{"t/#"},
			TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}, sink)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close(context.Background()) }()
		sink.await(ctx, t, func(e Event) bool { return e.Kind == EventSubscribe && len(e.Subs) == 1 && e.Subs[0].Err == nil })
		if err := s.Publish("t/1", []byte(`{"a":1}`), false, 1); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-sink.msgs:
			if m.Topic != "t/1" || string(m.Payload) != `{"a":1}` {
				t.Fatalf("got %s %s", m.Topic, m.Payload)
			}
		case <-ctx.Done():
			t.Fatal("no message over TLS")
		}
	})
	t.Run("unknown authority", func(t *testing.T) {
		sink := newChanSink()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := Connect(ctx, Options{URL: u, ClientID: "tls-bad", QoS: 1,
			Backoff: func(int) time.Duration { return time.Hour }}, sink)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close(context.Background()) }()
		sink.await(ctx, t, func(e Event) bool { return e.State == StateDisconnected && e.Err != nil })
	})
}

// allowAll lets every client connect and use every topic.
type allowAll struct{ mqtt.HookBase }

func (*allowAll) ID() string { return "allow-all" }
func (*allowAll) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}
func (*allowAll) OnConnectAuthenticate(*mqtt.Client, packets.Packet) bool { return true }
func (*allowAll) OnACLCheck(*mqtt.Client, string, bool) bool              { return true }

// chanSink is a Sink for tests.
type chanSink struct {
	msgs   chan Message
	events chan Event
}

func newChanSink() *chanSink {
	return &chanSink{msgs: make(chan Message, 64), events: make(chan Event, 64)}
}

func (s *chanSink) Offer(m Message) bool { s.msgs <- m; return true }
func (s *chanSink) OfferEvent(e Event) {
	select {
	case s.events <- e:
	default:
	}
}

func (s *chanSink) await(ctx context.Context, t *testing.T, ok func(Event) bool) {
	t.Helper()
	for {
		select {
		case e := <-s.events:
			if ok(e) {
				return
			}
		case <-ctx.Done():
			t.Fatal("timed out waiting for an event")
		}
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hubtap test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestCloseEndsCleanly: Close with data from the broker still unread (the
// messages that came after hubtap stopped) ends the stream with a FIN (over
// TLS: close_notify, then the FIN) after what it sent, so the broker reads
// the last acknowledgements and the DISCONNECT. Closing a socket with
// unread data sends a reset instead, and the broker's kernel then discards
// what the broker had not read yet.
func TestCloseEndsCleanly(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "tcp", true: "tls"}[secure], func(t *testing.T) {
			raw, srv := tcpPair(t)
			if secure { // the TCP or TLS connection itself: a wrapper would hide CloseWrite
				ts := tls.Server(srv, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
				tc := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
				go func() { _ = ts.Handshake() }()
				if err := tc.Handshake(); err != nil {
					t.Fatal(err)
				}
				raw, srv = tc, ts
			}
			defer srv.Close()
			c := NewConn(raw)
			c.lingerFor = time.Minute // never what ends a wait here
			if _, err := srv.Write(make([]byte, 32<<10)); err != nil {
				t.Fatal(err)
			}
			const last = "\x40\x04\x00\x07\x00\x00\xe0\x02\x00\x00" // a PUBACK and a DISCONNECT
			if _, err := c.Write([]byte(last)); err != nil {
				t.Fatal(err)
			}
			closed := make(chan error, 1)
			go func() { closed <- c.Close() }()
			_ = srv.SetReadDeadline(time.Now().Add(10 * time.Second))
			got, err := io.ReadAll(srv) // as a broker does: read until hubtap's side ends
			if err != nil || string(got) != last {
				t.Fatalf("the broker read %q, then %v; want %q, then the end of the stream (a reset loses what the broker had not read)", got, err, last)
			}
			select { // a broker that reads later must still find the data: Close waits for its close
			case <-closed:
				t.Fatal("Close returned before the broker closed its side")
			default:
			}
			_ = srv.Close() // the broker closes after DISCONNECT
			if err := <-closed; err != nil {
				t.Fatalf("Close: %v", err)
			}
			if _, err := c.Write([]byte("late")); err == nil {
				t.Fatal("a Write after Close succeeded")
			}
		})
	}
}

// TestCloseEndsCleanlyOverWebSocket: the same over WebSocket, where the end
// of hubtap's sending side is a close frame: the broker reads the last
// packets, then the close (code 1000), not a reset.
func TestCloseEndsCleanlyOverWebSocket(t *testing.T) {
	const last = "\x40\x04\x00\x07\x00\x00\xe0\x02\x00\x00" // a PUBACK and a DISCONNECT
	result := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{Subprotocols: []string{"mqtt"}}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			result <- "upgrade: " + err.Error()
			return
		}
		defer ws.Close()
		for range 8 { // what hubtap will not read
			if err := ws.WriteMessage(websocket.BinaryMessage, make([]byte, 4<<10)); err != nil {
				result <- "write: " + err.Error()
				return
			}
		}
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		var got []byte
		for {
			_, p, err := ws.ReadMessage()
			if err != nil {
				if string(got) == last && websocket.IsCloseError(err, websocket.CloseNormalClosure) {
					result <- ""
				} else {
					result <- fmt.Sprintf("the broker read %q, then %v; want %q, then a normal close", got, err, last)
				}
				return
			}
			got = append(got, p...)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse("ws" + strings.TrimPrefix(srv.URL, "http"))
	nc, err := dialWS(context.Background(), nil, u)
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nc)
	if _, err := c.Write([]byte(last)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if msg := <-result; msg != "" {
		t.Fatal(msg)
	}
}
