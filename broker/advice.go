package broker

import (
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// Credentials says what hubtap sends to log in, for advice and the info
// panel. TokenLen is the flespi token's length (not the token).
type Credentials struct {
	Kind     string // "flespi token", "user name and password", "user name", "none"
	TokenLen int
}

// CredentialsOf describes what o sends, without revealing it.
func CredentialsOf(o *Options) Credentials {
	switch {
	case !o.Token.Empty():
		return Credentials{Kind: "flespi token", TokenLen: len(o.Token.Reveal())}
	case o.Username != "" && !o.Password.Empty():
		return Credentials{Kind: "user name and password"}
	case o.Username != "":
		return Credentials{Kind: "user name"}
	}
	return Credentials{Kind: "none"}
}

// flespiTokenLen is the length of a flespi token (docs/FLESPI.md).
const flespiTokenLen = 64

// Advice says, in one sentence, what the user can do about a connection
// error ("" when there is nothing useful to say). It never includes a
// secret.
func Advice(err error, scheme string, c Credentials) string {
	if err == nil {
		return ""
	}
	var unk x509.UnknownAuthorityError
	var host x509.HostnameError
	var inv x509.CertificateInvalidError
	var dnsErr *net.DNSError
	tls := scheme == "mqtts" || scheme == "wss"
	msg := err.Error()
	switch {
	case errors.Is(err, ErrNotAuthorized), errors.Is(err, ErrBadCredentials):
		switch c.Kind {
		case "flespi token":
			s := "check the token (FLESPI_TOKEN, --token-file or the profile)"
			if c.TokenLen != flespiTokenLen && !strings.Contains(msg, "this one is") {
				s += ": flespi tokens are " + strconv.Itoa(flespiTokenLen) + " characters, this one is " + strconv.Itoa(c.TokenLen)
			}
			return s + "; it may also have expired or been deleted"
		case "none":
			return "this broker wants credentials: pass --token (flespi) or --username and --password-file"
		}
		return "check the user name and password (--username, --password-file) and the broker's ACL for them"
	case errors.As(err, &unk):
		return "pass the CA that signed the broker's certificate with --ca FILE, or --insecure to skip the check (not for production)"
	case errors.As(err, &host):
		return "connect by the host name the certificate names, or pass --insecure to skip the check"
	case errors.As(err, &inv):
		return "the certificate is expired or not yet valid: check the broker's certificate and this machine's clock"
	case strings.Contains(msg, "speaks TLS"), strings.Contains(msg, "does not speak TLS"):
		return "" // the error itself names the scheme to use
	case errors.Is(err, syscall.ECONNREFUSED):
		return "check the host and port (--url), and that the broker is running and reachable from here"
	case errors.As(err, &dnsErr):
		return "check the host name in --url (and this machine's DNS)"
	case errors.Is(err, syscall.ECONNRESET), strings.Contains(msg, "closed the connection"):
		if tls {
			return "if this port serves plain MQTT, use mqtt:// (or ws://) instead of " + scheme + "://"
		}
		return "if this port serves TLS, use mqtts:// (or wss://) instead of " + scheme + "://"
	case errors.Is(err, ErrSessionTakenOver):
		return "another client uses the same client ID: pass --client-id to run both"
	case errors.Is(err, ErrQuotaExceeded):
		return "the account is over a limit (sessions, subscriptions or traffic): see i and the flespi panel"
	}
	return ""
}
