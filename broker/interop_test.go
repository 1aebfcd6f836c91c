package broker_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"hubtap/broker"
)

// Interop tests run hubtap's client against a real mosquitto, started by the
// test itself on free loopback ports (never the system service on 1883).
// They skip when mosquitto is not installed; .ci/run installs it.

// mosquitto is one mosquitto process of the test's own.
type mosquitto struct {
	tcpURL string // mqtt://127.0.0.1:PORT
	wsURL  string // ws://127.0.0.1:PORT/mqtt, or "" when this build cannot serve WebSockets
	noWS   string // why wsURL is empty
}

// startMosquitto starts mosquitto with a TCP listener and, if the build
// supports it, a WebSocket listener. It is killed in t.Cleanup.
func startMosquitto(t *testing.T) *mosquitto {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		bin = "/usr/sbin/mosquitto" // Debian's place, often not on a non-root PATH
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("CI") == "true" { // .ci/run installs it: missing there is a broken setup
				t.Fatal("mosquitto is not installed, and CI=true: .ci/run should have installed it (apt-get install -y mosquitto)")
			}
			t.Skip("mosquitto not installed: apt-get install -y mosquitto mosquitto-clients (under CI=true this fails)")
		}
	}
	withWS, noWS := true, ""
	var lastLog string
	for attempt := 0; attempt < 4; attempt++ {
		tcpPort, wsPort := freePort(t), freePort(t)
		conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\n", tcpPort)
		if withWS {
			conf += fmt.Sprintf("listener %d 127.0.0.1\nprotocol websockets\n", wsPort)
		}
		conf += "persistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
		log, err := runMosquitto(t, bin, conf)
		if err == nil {
			m := &mosquitto{tcpURL: fmt.Sprintf("mqtt://127.0.0.1:%d", tcpPort), noWS: noWS}
			if withWS {
				m.wsURL = fmt.Sprintf("ws://127.0.0.1:%d/mqtt", wsPort)
			}
			return m
		}
		lastLog = log
		switch {
		case strings.Contains(strings.ToLower(log), "address already in use"):
			// Another process took a port between freePort and mosquitto: try new ones.
		case withWS && strings.Contains(strings.ToLower(log), "websocket"):
			withWS, noWS = false, "this mosquitto build cannot serve WebSockets: "+firstLine(log, "ebsocket")
		default:
			t.Fatalf("mosquitto did not start: %v\n%s", err, log)
		}
	}
	t.Fatalf("mosquitto did not start after 4 attempts:\n%s", lastLog)
	return nil
}

// runMosquitto starts bin with conf and waits until it logs that it is
// running. On failure it returns the log.
func runMosquitto(t *testing.T, bin, conf string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	var (
		mu    sync.Mutex
		log   strings.Builder
		ready = make(chan struct{})
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			log.WriteString(line + "\n")
			mu.Unlock()
			if !signalled && strings.Contains(line, " running") {
				signalled = true
				close(ready)
			}
		}
		_ = cmd.Wait() // after the pipe is drained, as exec requires
	}()
	logText := func() string { mu.Lock(); defer mu.Unlock(); return log.String() }
	select {
	case <-ready:
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-done
			if t.Failed() {
				t.Logf("mosquitto log:\n%s", logText())
			}
		})
		return "", nil
	case <-done:
		return logText(), errors.New("mosquitto exited")
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return logText(), errors.New("mosquitto did not report running within 10s")
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// firstLine returns the first line of log that contains sub, or the first line.
func firstLine(log, sub string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return lines[0]
}

// publisher is a plain paho client over TCP that publishes test messages.
func publisher(t *testing.T, rawURL, clientID string) *paho.Client {
	t.Helper()
	u, err := broker.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		t.Fatalf("dial %s: %v", u.Host, err)
	}
	c := paho.NewClient(paho.ClientConfig{Conn: conn})
	ca, err := c.Connect(ctx, &paho.Connect{ClientID: clientID, KeepAlive: 30, CleanStart: true})
	if err != nil {
		_ = conn.Close()
		t.Fatalf("publisher connect: %v", err)
	}
	if ca.ReasonCode != 0 {
		t.Fatalf("publisher CONNACK reason %d", ca.ReasonCode)
	}
	t.Cleanup(func() { _ = c.Disconnect(&paho.Disconnect{}) })
	return c
}

// publishN publishes n QoS 1 messages {"n":i} to topic, each with MQTT 5
// properties, waiting for every PUBACK.
func publishN(t *testing.T, c *paho.Client, topic string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for i := range n {
		p := &paho.Publish{
			Topic: topic, QoS: 1, Payload: fmt.Appendf(nil, `{"n":%d}`, i),
			Properties: &paho.PublishProperties{
				ContentType: "application/json",
				User:        paho.UserProperties{{Key: "cid", Value: "8201"}},
			},
		}
		if _, err := c.Publish(ctx, p); err != nil {
			t.Fatalf("publish %d to %s: %v", i, topic, err)
		}
	}
}

// receiveFromMosquitto subscribes through url, publishes over TCP and checks
// that every message arrives with its QoS and MQTT 5 properties.
func receiveFromMosquitto(t *testing.T, m *mosquitto, url, name string) {
	const n = 20
	topic := "hubtap/interop/" + name + "/data"
	h := newHarness(t)
	connect(t, h, url, "", "interop-"+name, "hubtap/interop/"+name+"/#")
	h.waitFor("SUBACK", func(_ []broker.Message, evs []broker.Event) bool { return subResults(evs) != nil })
	h.mu.Lock()
	subs := subResults(h.events)
	ev, _ := connected(h.events)
	h.mu.Unlock()
	if len(subs) != 1 || subs[0].Err != nil || subs[0].Granted != 1 {
		t.Fatalf("SUBACK results %+v, want QoS 1 granted", subs)
	}
	if ev.Session.Present || !ev.Session.Persistent {
		t.Fatalf("first connection: session %+v, want a new persistent one", ev.Session)
	}

	publishN(t, publisher(t, m.tcpURL, "interop-pub-"+name), topic, n)
	h.waitFor(fmt.Sprintf("%d messages", n), func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) >= n })
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, msg := range h.msgs {
		if want := fmt.Sprintf(`{"n":%d}`, i); msg.Topic != topic || string(msg.Payload) != want || msg.QoS != 1 {
			t.Fatalf("message %d: %s %q QoS %d, want %s %q QoS 1", i, msg.Topic, msg.Payload, msg.QoS, topic, want)
		}
		if v, ok := msg.UserValue("cid"); !ok || v != "8201" || msg.Props.ContentType != "application/json" {
			t.Fatalf("message %d lost its MQTT 5 properties: %+v", i, msg.Props)
		}
	}
}

func TestInteropMosquitto(t *testing.T) {
	m := startMosquitto(t)

	t.Run("tcp", func(t *testing.T) { receiveFromMosquitto(t, m, m.tcpURL, "tcp") })

	t.Run("websocket", func(t *testing.T) {
		if m.wsURL == "" {
			t.Skip(m.noWS)
		}
		receiveFromMosquitto(t, m, m.wsURL, "ws")
	})

	// QoS 1 messages published while hubtap is away arrive when it comes
	// back with the same client ID, and the CONNACK says the session resumed.
	t.Run("persistent session", func(t *testing.T) {
		const (
			id    = "interop-persist"
			topic = "hubtap/interop/persist/seq"
			n     = 300 // below mosquitto's default max_queued_messages (1000)
		)
		h1 := newHarness(t)
		c1 := connect(t, h1, m.tcpURL, "", id, "hubtap/interop/persist/#")
		h1.waitFor("SUBACK", func(_ []broker.Message, evs []broker.Event) bool { return subResults(evs) != nil })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c1.Close(ctx); err != nil {
			t.Fatalf("close: %v", err)
		}

		publishN(t, publisher(t, m.tcpURL, "interop-pub-persist"), topic, n)

		h2 := newHarness(t)
		connect(t, h2, m.tcpURL, "", id, "hubtap/interop/persist/#")
		h2.waitFor(fmt.Sprintf("%d queued messages", n), func(msgs []broker.Message, _ []broker.Event) bool { return len(msgs) >= n })
		h2.mu.Lock()
		defer h2.mu.Unlock()
		ev, ok := connected(h2.events)
		if !ok || !ev.Session.Present || !ev.Session.Persistent || ev.Session.Lost {
			t.Fatalf("reconnect did not resume the session: %+v", ev.Session)
		}
		seen := make(map[string]bool, n)
		for _, msg := range h2.msgs {
			seen[string(msg.Payload)] = true
		}
		for i := range n {
			if !seen[fmt.Sprintf(`{"n":%d}`, i)] {
				t.Fatalf("queued message %d was lost (%d received)", i, len(h2.msgs))
			}
		}
	})
}
