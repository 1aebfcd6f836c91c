package broker_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"hubtap/broker"
	"hubtap/sim"
)

// testCA makes a CA and a server certificate for 127.0.0.1 and localhost
// (sim.NewCerts), written as PEM files in dir; it returns the CA file and
// the server's tls.Config.
func testCA(t *testing.T, dir string) (caFile string, server *tls.Config) {
	t.Helper()
	c, err := sim.NewCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c.CAFile, c.ServerConfig()
}

func TestTLSVerifiedByDefault(t *testing.T) {
	dir := t.TempDir()
	caFile, srvTLS := testCA(t, dir)
	s := mqtt.New(&mqtt.Options{InlineClient: true, Logger: slog.New(slog.DiscardHandler)})
	_ = s.AddHook(new(allowAll), nil)
	l := listeners.NewTCP(listeners.Config{ID: "tls", Address: "127.0.0.1:0", TLSConfig: srvTLS})
	if err := s.AddListener(l); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve() }()
	t.Cleanup(func() { _ = s.Close() })
	u, err := broker.ParseURL("mqtts://" + l.Address())
	if err != nil {
		t.Fatal(err)
	}

	try := func(name string, files broker.TLSFiles) (connected bool, why error) {
		cfg, err := broker.TLSConfig(u, files)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		h := newHarness(t)
		c, err := broker.Connect(h.ctx, broker.Options{URL: u, ClientID: "tls-" + name, TLS: cfg, Topics: []string{"a/#"},
			Backoff: func(int) time.Duration { return time.Hour }}, h.bridge)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(h.ctx)
		h.waitFor(name+": an outcome", func(_ []broker.Message, evs []broker.Event) bool {
			for _, e := range evs {
				switch {
				case e.State == broker.StateConnected:
					connected = true
					return true
				case e.State == broker.StateDisconnected && e.Err != nil:
					why = e.Err
					return true
				}
			}
			return false
		})
		return connected, why
	}
	if ok, why := try("no-ca", broker.TLSFiles{}); ok || why == nil || !strings.Contains(why.Error(), "unknown authority") {
		t.Fatalf("an unknown CA was accepted (or not explained): %v", why)
	}
	if ok, why := try("with-ca", broker.TLSFiles{CA: caFile}); !ok {
		t.Fatalf("--ca did not make the certificate trusted: %v", why)
	}
	if ok, why := try("insecure", broker.TLSFiles{Insecure: true}); !ok {
		t.Fatalf("--insecure did not connect: %v", why)
	}
	var x509Err x509.UnknownAuthorityError
	_, why := try("no-ca-again", broker.TLSFiles{})
	if !errors.As(why, &x509Err) {
		t.Fatalf("the plain-words error does not wrap the x509 error: %T %v", why, why)
	}
}

func TestTLSConfigErrors(t *testing.T) {
	plain, _ := broker.ParseURL("mqtt://127.0.0.1")
	if _, err := broker.TLSConfig(plain, broker.TLSFiles{Insecure: true}); err == nil {
		t.Fatal("--insecure accepted on a plain URL")
	}
	sec, _ := broker.ParseURL("mqtts://127.0.0.1")
	if _, err := broker.TLSConfig(sec, broker.TLSFiles{Cert: "x"}); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Fatalf("cert without key: %v", err)
	}
	if _, err := broker.TLSConfig(sec, broker.TLSFiles{CA: "/nonexistent"}); err == nil {
		t.Fatal("missing CA file accepted")
	}
	cfg, err := broker.TLSConfig(sec, broker.TLSFiles{})
	if err != nil || cfg.ServerName != "127.0.0.1" || cfg.InsecureSkipVerify {
		t.Fatalf("default TLS config %+v %v", cfg, err)
	}
}

// allowAll lets every client connect and use every topic.
type allowAll struct{ mqtt.HookBase }

func (h *allowAll) ID() string { return "allow-all" }
func (h *allowAll) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}
func (h *allowAll) OnConnectAuthenticate(*mqtt.Client, packets.Packet) bool { return true }
func (h *allowAll) OnACLCheck(*mqtt.Client, string, bool) bool              { return true }
