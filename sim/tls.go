package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Certs is a throw-away certificate authority and a server certificate it
// signed, for the simulator's TLS listeners (Config.TLSListen and
// Config.WSSListen), so that mqtts:// and wss:// can be tried with no other
// program. Clients trust CAFile (hubtap --ca, mosquitto_sub --cafile); a
// client that does not fails with "certificate signed by unknown
// authority", as it would against a broker with a private CA.
type Certs struct {
	Dir      string // where the PEM files are
	CAFile   string // Dir/ca.pem, the CA certificate clients trust
	CertFile string // Dir/server.pem, the server certificate (for other brokers)
	KeyFile  string // Dir/server-key.pem, its private key
	server   tls.Certificate
}

// certLifetime is how long the generated certificates are valid: long
// enough for a demo session, short enough that a leaked ca.pem is soon
// worthless.
const certLifetime = 7 * 24 * time.Hour

// NewCerts generates an ECDSA P-256 CA and a server certificate signed by
// it for localhost, 127.0.0.1, ::1 and the extra hosts (names or IP
// addresses), and writes ca.pem, server.pem and server-key.pem into dir
// (mode 0600; dir is created 0700 when missing). The CA's private key is
// never written and is gone when NewCerts returns, so nothing else can be
// signed with it. Each call makes a new CA.
func NewCerts(dir string, hosts ...string) (*Certs, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim: tls: generate CA key: %w", err)
	}
	ca := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"hubtap sim"}, CommonName: "hubtap sim throw-away CA"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sim: tls: sign CA: %w", err)
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return nil, fmt.Errorf("sim: tls: parse CA: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim: tls: generate server key: %w", err)
	}
	leaf := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"hubtap sim"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(certLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			leaf.IPAddresses = append(leaf.IPAddresses, ip)
		} else if h != "" {
			leaf.DNSNames = append(leaf.DNSNames, h)
		}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sim: tls: sign server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sim: tls: encode server key: %w", err)
	}
	c := &Certs{
		Dir:      dir,
		CAFile:   filepath.Join(dir, "ca.pem"),
		CertFile: filepath.Join(dir, "server.pem"),
		KeyFile:  filepath.Join(dir, "server-key.pem"),
		server:   tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: key},
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sim: tls: %w", err)
	}
	for path, block := range map[string]*pem.Block{
		c.CAFile:   {Type: "CERTIFICATE", Bytes: caDER},
		c.CertFile: {Type: "CERTIFICATE", Bytes: leafDER},
		c.KeyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			return nil, fmt.Errorf("sim: tls: %w", err)
		}
	}
	return c, nil
}

// serial is a random 128-bit certificate serial number.
func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128)) // crypto/rand does not fail on supported platforms
	return n
}

// ServerConfig is a fresh TLS server configuration presenting the server
// certificate, for one listener (the simulator's, or a test broker's).
func (c *Certs) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.server}, MinVersion: tls.VersionTLS12}
}

// tlsListener is the simulator's TCP listener (listen.go) with TLS on top.
type tlsListener struct {
	*tcpListener
	cfg *tls.Config
}

// Init binds the socket and wraps it in TLS.
func (l *tlsListener) Init(log *slog.Logger) error {
	if err := l.tcpListener.Init(log); err != nil {
		return err
	}
	l.ln = tls.NewListener(l.ln, l.cfg)
	return nil
}

// Protocol returns "tls".
func (l *tlsListener) Protocol() string { return "tls" }

// wssListener is the simulator's WebSocket listener (ws.go) with TLS on
// top: the HTTP server sees TLS connections and serves HTTP/1.1 on them.
type wssListener struct {
	*wsListener
	cfg *tls.Config
}

// Init binds the socket and wraps it in TLS.
func (l *wssListener) Init(log *slog.Logger) error {
	if err := l.wsListener.Init(log); err != nil {
		return err
	}
	l.ln = tls.NewListener(l.ln, l.cfg)
	// Failed handshakes (a client without the CA) go to the debug log, not
	// to the process's stderr through the standard logger.
	l.srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	return nil
}

// Protocol returns "wss".
func (l *wssListener) Protocol() string { return "wss" }

// secureListeners are the TLS listeners of a Sim; nil when not configured.
type secureListeners struct {
	tls   *tlsListener
	wss   *wssListener
	certs *Certs
}

// addSecureListeners adds the listeners Config.TLSListen and
// Config.WSSListen ask for. Start calls it before Serve.
func (s *Sim) addSecureListeners(cfg Config) error {
	if cfg.TLSListen == "" && cfg.WSSListen == "" {
		return nil
	}
	if cfg.TLS == nil {
		return fmt.Errorf("sim: TLSListen and WSSListen need Config.TLS (NewCerts)")
	}
	s.secure.certs = cfg.TLS
	if cfg.TLSListen != "" {
		s.secure.tls = &tlsListener{tcpListener: newTCPListener("tls", cfg.TLSListen), cfg: cfg.TLS.ServerConfig()}
		if err := s.srv.AddListener(s.secure.tls); err != nil {
			return fmt.Errorf("sim: listen tls %s: %w", cfg.TLSListen, err)
		}
	}
	if cfg.WSSListen != "" {
		s.secure.wss = &wssListener{wsListener: newWSListener("wss", cfg.WSSListen), cfg: cfg.TLS.ServerConfig()}
		if err := s.srv.AddListener(s.secure.wss); err != nil {
			return fmt.Errorf("sim: listen wss %s: %w", cfg.WSSListen, err)
		}
	}
	return nil
}

// TLSURL returns the MQTT over TLS URL, e.g. "mqtts://127.0.0.1:8883", or
// "" without Config.TLSListen.
func (s *Sim) TLSURL() string {
	if s.secure.tls == nil {
		return ""
	}
	return "mqtts://" + dialable(s.secure.tls.Address())
}

// WSSURL returns the secure WebSocket URL, e.g. "wss://127.0.0.1:8443", or
// "" without Config.WSSListen. Any path works.
func (s *Sim) WSSURL() string {
	if s.secure.wss == nil {
		return ""
	}
	return "wss://" + dialable(s.secure.wss.Address())
}

// secureBanner adds the TLS listeners, the CA file and a hubtap command
// line to RunStandalone's banner. part is "urls" or "try".
func (s *Sim) secureBanner(w *errWriter, part string) {
	c := s.secure.certs
	if c == nil {
		return
	}
	switch part {
	case "urls":
		if u := s.TLSURL(); u != "" {
			w.printf("  MQTT/TLS   %s\n", u)
		}
		if u := s.WSSURL(); u != "" {
			w.printf("  WSS        %s\n", u)
		}
		w.printf("  CA         %s  (throw-away, made at start; clients trust it with --ca)\n", c.CAFile)
	case "try":
		for _, u := range []string{s.TLSURL(), s.WSSURL()} {
			if u != "" {
				w.printf("  hubtap --url %s --ca %s --token %s 'flespi/message/gw/channels/+/+'\n", u, c.CAFile, DemoToken)
			}
		}
		if u := s.TLSURL(); u != "" {
			_, port, _ := net.SplitHostPort(dialable(s.secure.tls.Address()))
			w.printf("  mosquitto_sub -V mqttv5 -h localhost -p %s --cafile %s -u %s -t 'flespi/#' -v\n", port, c.CAFile, DemoToken)
		}
	}
}
