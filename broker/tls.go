package broker

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
)

// TLSFiles names the optional TLS material for a connection.
type TLSFiles struct {
	CA       string // PEM file of extra trusted CAs (added to the system roots)
	Cert     string // client certificate (PEM), with Key
	Key      string
	Insecure bool // skip verification of the broker's certificate (shown as a warning)
}

// TLSConfig builds the TLS configuration for u: the broker's certificate is
// verified against the system roots (plus CA) for u's host name unless
// Insecure. It returns nil for plain mqtt:// and ws:// with no TLS files.
func TLSConfig(u *url.URL, f TLSFiles) (*tls.Config, error) {
	if !Encrypted(u) {
		if f.CA != "" || f.Cert != "" || f.Insecure {
			return nil, fmt.Errorf("--ca, --cert and --insecure need an mqtts:// or wss:// URL, not %s://", u.Scheme)
		}
		return nil, nil
	}
	cfg := &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12, InsecureSkipVerify: f.Insecure} //nolint:gosec // only with --insecure, shown in the status bar
	if f.CA != "" {
		pem, err := os.ReadFile(f.CA)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate in it", f.CA)
		}
		cfg.RootCAs = pool
	}
	if (f.Cert == "") != (f.Key == "") {
		return nil, fmt.Errorf("--cert and --key go together")
	}
	if f.Cert != "" {
		pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
