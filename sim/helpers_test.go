package sim

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"
	"github.com/tidwall/gjson"
)

func startSim(t testing.TB, cfg Config) *Sim {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = s.Close()
	})
	return s
}

// testClient is a paho client whose received PUBLISHes land in msgs.
type testClient struct {
	*paho.Client
	msgs chan *paho.Publish
}

func dialTCP(ctx context.Context, t *testing.T, rawURL string) net.Conn {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("parse %q: %v", rawURL, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		t.Fatalf("dial %s: %v", u.Host, err)
	}
	return conn
}

// connect runs CONNECT on conn. buf sizes the message channel: the handler
// never blocks, so a test that needs every message sizes it for all of them.
func connect(ctx context.Context, t *testing.T, conn net.Conn, cp *paho.Connect, buf int) (*testClient, *paho.Connack, error) {
	t.Helper()
	tc := &testClient{msgs: make(chan *paho.Publish, buf)}
	tc.Client = paho.NewClient(paho.ClientConfig{
		// paho writes a packet in several Writes on any conn but a TCP one,
		// and its pinger sends the first PINGREQ right after CONNACK: over
		// TLS or WebSocket the two interleaved with a SUBSCRIBE unless the
		// conn is locked (mochi then saw "malformed packet: topic").
		Conn: packets.NewThreadSafeConn(conn),
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
			select {
			case tc.msgs <- pr.Packet:
			default: // full: the test reading msgs will see fewer messages and fail on its count
			}
			return true, nil
		}},
	})
	ca, err := tc.Connect(ctx, cp)
	if err == nil {
		t.Cleanup(func() { _ = tc.Disconnect(&paho.Disconnect{}) })
	}
	return tc, ca, err
}

func mustConnect(ctx context.Context, t *testing.T, s *Sim, token, clientID string, buf int) *testClient {
	t.Helper()
	c, _, err := connect(ctx, t, dialTCP(ctx, t, s.URL()), tokenConnect(token, clientID), buf)
	if err != nil {
		t.Fatalf("connect %s: %v", clientID, err)
	}
	return c
}

func tokenConnect(token, clientID string) *paho.Connect {
	return &paho.Connect{ClientID: clientID, KeepAlive: 30, CleanStart: true, Username: token, UsernameFlag: token != ""}
}

// subscribe subscribes at QoS 1 and returns the SUBACK reason codes.
func subscribe(ctx context.Context, t *testing.T, c *testClient, filters ...string) []byte {
	t.Helper()
	sub := &paho.Subscribe{}
	for _, f := range filters {
		sub.Subscriptions = append(sub.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: 1})
	}
	sa, err := c.Subscribe(ctx, sub)
	if sa == nil {
		t.Fatalf("subscribe %v: %v", filters, err)
	}
	return sa.Reasons
}

func mustSubscribe(ctx context.Context, t *testing.T, c *testClient, filters ...string) {
	t.Helper()
	for i, rc := range subscribe(ctx, t, c, filters...) {
		if rc >= 0x80 {
			t.Fatalf("subscribe %s: reason 0x%02x", filters[i], rc)
		}
	}
}

// next returns the next received message or fails at the deadline.
func next(ctx context.Context, t *testing.T, c *testClient) *paho.Publish {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-ctx.Done():
		t.Fatalf("no message before deadline: %v", ctx.Err())
		return nil
	}
}

// field reads a flat flespi key such as "position.speed" with gjson.
func field(p []byte, key string) gjson.Result {
	return gjson.GetBytes(p, strings.ReplaceAll(key, ".", `\.`))
}

func userProp(m *paho.Publish, key string) string {
	if m.Properties == nil {
		return ""
	}
	return m.Properties.User.Get(key)
}

// syncBuffer is a bytes.Buffer for one writer and one reader goroutine that
// signals when the banner is complete.
type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	done chan struct{}
	once sync.Once
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	if bytes.Contains(w.b.Bytes(), []byte("Ctrl+C")) {
		w.once.Do(func() { close(w.done) })
	}
	return n, err
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
