package broker_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"hubtap/broker"
)

// testCA makes a CA and a server certificate for 127.0.0.1, written as PEM
// files in dir; it returns the CA file and the server's tls.Config.
func testCA(t *testing.T, dir string) (caFile string, server *tls.Config) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hubtap test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "broker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames: []string{"localhost"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)
	return caFile, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}}, MinVersion: tls.VersionTLS12}
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
