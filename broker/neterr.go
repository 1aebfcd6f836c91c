package broker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"
)

// plainNetError rewrites common network failures in plain words, keeping the
// original error wrapped for errors.Is/As.
func plainNetError(err error) error {
	if err == nil {
		return nil
	}
	var msg string
	var dnsErr *net.DNSError
	var unk x509.UnknownAuthorityError
	var host x509.HostnameError
	var inv x509.CertificateInvalidError
	var rec tls.RecordHeaderError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "connection refused: is the broker running on that host and port?"
	case errors.Is(err, syscall.ECONNRESET):
		msg = "connection reset by the broker"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "the broker closed the connection"
	case errors.As(err, &dnsErr):
		msg = "host not found: " + dnsErr.Name
	case errors.As(err, &unk):
		msg = "TLS: the broker's certificate is signed by an unknown authority: pass --ca FILE with that authority's certificate (PEM), or --insecure to skip the check"
	case errors.As(err, &host):
		msg = "TLS: the broker's certificate is not valid for " + host.Host + ": use a host name it covers, or --insecure to skip the check"
	case errors.As(err, &inv):
		msg = "TLS: the broker's certificate is invalid or expired: check the broker's clock and certificate, or pass --insecure to skip the check"
	case errors.As(err, &rec):
		msg = "TLS: the broker did not answer in TLS: if the port speaks plain MQTT, use mqtt://"
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			msg = "timed out"
		}
	}
	if msg == "" {
		return err
	}
	return &plainError{msg: msg, err: err}
}

type plainError struct {
	msg string
	err error
}

func (e *plainError) Error() string { return e.msg }
func (e *plainError) Unwrap() error { return e.err }
