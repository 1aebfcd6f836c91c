package sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// caPool reads the CA file NewCerts wrote.
func caPool(t *testing.T, c *Certs) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", c.CAFile)
	}
	return pool
}

// TestTLSListeners: with the throw-away CA a client connects over mqtts://
// and wss:// (by IP and by name) and receives device messages; without it
// the handshake fails with an unknown authority.
func TestTLSListeners(t *testing.T) {
	certs, err := NewCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{certs.CAFile, certs.CertFile, certs.KeyFile} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want a 0600 file", f, err, st.Mode().Perm())
		}
	}
	s := startSim(t, Config{Seed: 5, Devices: 3, Rate: 200, TLSListen: "127.0.0.1:0", WSSListen: "127.0.0.1:0", TLS: certs})
	if !strings.HasPrefix(s.TLSURL(), "mqtts://127.0.0.1:") || !strings.HasPrefix(s.WSSURL(), "wss://127.0.0.1:") {
		t.Fatalf("TLSURL() = %q, WSSURL() = %q", s.TLSURL(), s.WSSURL())
	}
	tlsHost := strings.TrimPrefix(s.TLSURL(), "mqtts://")
	pool := caPool(t, certs)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, host := range []string{tlsHost, "localhost:" + tlsHost[strings.LastIndex(tlsHost, ":")+1:]} {
		t.Run("mqtts "+host, func(t *testing.T) {
			d := tls.Dialer{Config: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
			conn, err := d.DialContext(ctx, "tcp", host)
			if err != nil {
				t.Fatalf("dial %s with the CA: %v", host, err)
			}
			c, _, err := connect(ctx, t, conn, tokenConnect(DemoToken, "t-tls-"+host), 64)
			if err != nil {
				t.Fatal(err)
			}
			mustSubscribe(ctx, t, c, "flespi/message/gw/devices/+")
			checkDeviceMessage(t, s, next(ctx, t, c))
		})
	}
	t.Run("wss", func(t *testing.T) {
		d := websocket.Dialer{Subprotocols: []string{"mqtt"}, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
		wc, resp, err := d.DialContext(ctx, s.WSSURL()+"/mqtt", nil)
		if err != nil {
			t.Fatalf("dial %s with the CA: %v", s.WSSURL(), err)
		}
		_ = resp.Body.Close()
		c, _, err := connect(ctx, t, newWSConn(wc), tokenConnect(DemoToken, "t-wss"), 64)
		if err != nil {
			t.Fatal(err)
		}
		mustSubscribe(ctx, t, c, "flespi/message/gw/devices/+")
		checkDeviceMessage(t, s, next(ctx, t, c))
	})
	t.Run("without the CA", func(t *testing.T) {
		d := tls.Dialer{Config: &tls.Config{MinVersion: tls.VersionTLS12}}
		conn, err := d.DialContext(ctx, "tcp", tlsHost)
		var unknown x509.UnknownAuthorityError
		if err == nil {
			_ = conn.Close()
			t.Fatal("the handshake succeeded without the throw-away CA")
		}
		if !errors.As(err, &unknown) {
			t.Fatalf("error %v (%T), want x509.UnknownAuthorityError", err, err)
		}
	})
}

// TestTLSNeedsCerts: a TLS listener without certificates is a Start error,
// not a plain-text listener.
func TestTLSNeedsCerts(t *testing.T) {
	s, err := Start(context.Background(), Config{Rate: -1, TLSListen: "127.0.0.1:0"})
	if err == nil {
		_ = s.Close()
		t.Fatal("Start with TLSListen and no TLS succeeded")
	}
}

// TestTokensMatchAuth: Tokens lists exactly the tokens tokenRole accepts,
// one per role, and each description says what the ACL model allows.
func TestTokensMatchAuth(t *testing.T) {
	roles := map[role]string{}
	for _, tok := range Tokens() {
		r := tokenRole([]byte(tok.Value), nil)
		if r == roleNone {
			t.Errorf("token %s is listed but refused", tok.Name)
		}
		if prev, dup := roles[r]; dup {
			t.Errorf("tokens %s and %s have the same role", prev, tok.Name)
		}
		roles[r] = tok.Name
		if tok.May == "" || tok.Name == "" {
			t.Errorf("token %+v lacks a name or a description", tok)
		}
	}
	for _, r := range []role{roleDemo, roleACL} {
		if _, ok := roles[r]; !ok {
			t.Errorf("role %q has no token in Tokens()", r)
		}
	}
	acl := Tokens()[1]
	if !strings.Contains(acl.May, aclPrefix) || !aclAllows(roleACL, ACLRefuse, aclPrefix+"+", false) || aclAllows(roleACL, ACLRefuse, "flespi/#", false) ||
		!strings.Contains(acl.May, "refuse it gets SUBACK 0x87") || !aclAllows(roleACL, ACLFilter, "flespi/message/gw/channels/+/+", false) ||
		aclAllows(roleACL, ACLFilter, "flespi/message/gw/channels/1235/x", false) {
		t.Errorf("the acl description %q does not match aclAllows (prefix %s)", acl.May, aclPrefix)
	}
}
