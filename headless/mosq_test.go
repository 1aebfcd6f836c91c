package headless

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
)

// mosquitto_sub parity tests run mosquitto and mosquitto_sub of the test's
// own on free loopback ports. They skip when either is missing, unless
// CI=true.

// needBin finds an external program or skips (fails under CI=true).
func needBin(t *testing.T, name string, alt ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, a := range alt {
		if _, err := os.Stat(a); err == nil {
			return a
		}
	}
	msg := name + " not installed: apt-get install -y mosquitto mosquitto-clients"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startMosquitto starts a mosquitto of the test's own and returns its
// host:port. It is killed in t.Cleanup.
func startMosquitto(t *testing.T) string {
	t.Helper()
	bin := needBin(t, "mosquitto", "/usr/sbin/mosquitto")
	var lastLog string
	for attempt := 0; attempt < 4; attempt++ {
		port := freePort(t)
		conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n", port)
		path := filepath.Join(t.TempDir(), "mosquitto.conf")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-c", path)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", bin, err)
		}
		var (
			mu   sync.Mutex
			log  strings.Builder
			up   = make(chan struct{})
			done = make(chan struct{})
		)
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stderr)
			signalled := false
			for sc.Scan() {
				mu.Lock()
				log.WriteString(sc.Text() + "\n")
				mu.Unlock()
				if !signalled && strings.Contains(sc.Text(), " running") {
					signalled = true
					close(up)
				}
			}
			_ = cmd.Wait()
		}()
		select {
		case <-up:
			t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
			return fmt.Sprintf("127.0.0.1:%d", port)
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		mu.Lock()
		lastLog = log.String()
		mu.Unlock()
		if !strings.Contains(strings.ToLower(lastLog), "address already in use") {
			break
		}
	}
	t.Fatalf("mosquitto did not start:\n%s", lastLog)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// pahoClient connects a plain paho client (MQTT 5) for publishing.
func pahoClient(t *testing.T, ctx context.Context, addr, id string) *paho.Client {
	t.Helper()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := paho.NewClient(paho.ClientConfig{ClientID: id, Conn: conn})
	if _, err := c.Connect(ctx, &paho.Connect{ClientID: id, CleanStart: true, KeepAlive: 30}); err != nil {
		t.Fatalf("connect publisher: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(&paho.Disconnect{}) })
	return c
}

func u8(v byte) *byte      { return &v }
func u32(v uint32) *uint32 { return &v }

// retainedSet is what the parity tests publish, retained, before either
// subscriber starts, so both receive the same messages in the same order.
func retainedSet() []*paho.Publish {
	props := &paho.PublishProperties{
		ContentType: "application/json", ResponseTopic: "it/reply", CorrelationData: []byte("corr-7"),
		PayloadFormat: u8(1), MessageExpiry: u32(86400),
		User: paho.UserProperties{{Key: "cid", Value: "8201"}, {Key: "k2", Value: "v 2"}},
	}
	return []*paho.Publish{
		{Topic: "it/a/json", QoS: 1, Retain: true, Properties: props,
			Payload: []byte(`{"ident":"352625066004561","position.speed":47,"n":1e5,"f":27.70,"neg":-0.0,"s":"\u00e9\t\"q\"","a":[1,{"b":[]}],"o":{}}`)},
		{Topic: "it/b/text", QoS: 1, Retain: true, Payload: []byte("plain \"text\"\twith tab and é")},
		{Topic: "it/c/bytes", QoS: 0, Retain: true, Payload: []byte{0x01, 0x02, 0xfe, 'x', 0x7f}},
		{Topic: "it/d/spaced", QoS: 1, Retain: true, Payload: []byte(" { \"a\" : [ 1 , 2.5 ] } ")},
	}
}

// publishAll publishes msgs and waits for each acknowledgement.
func publishAll(t *testing.T, ctx context.Context, c *paho.Client, msgs []*paho.Publish) {
	t.Helper()
	for _, m := range msgs {
		if _, err := c.Publish(ctx, m); err != nil {
			t.Fatalf("publish %s: %v", m.Topic, err)
		}
	}
}

// mosquittoSub runs mosquitto_sub with args and returns stdout and the exit code.
func mosquittoSub(t *testing.T, ctx context.Context, addr string, args ...string) (string, int) {
	t.Helper()
	bin := needBin(t, "mosquitto_sub")
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.CommandContext(ctx, bin, append([]string{"-h", host, "-p", port, "-V", "5"}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("mosquitto_sub %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("mosquitto_sub %v did not finish: %v (stderr %s)", args, ctx.Err(), errb.String())
	}
	return out.String(), code
}
