// Package flespi is a small client for flespi's REST API, the part hubtap's
// toolbox uses (docs/FLESPI.md §11): devices by
// ident, device messages, telemetry and logs, the command queue, the token's
// own description and the account's MQTT sessions.
//
// Requests go over HTTPS with `Authorization: FlespiToken …` (flespi's
// documented way), or over MQTT through flespi/rest/… (broker.Client.Request)
// where HTTPS is blocked; see Transport. The token is a broker.Secret and
// never appears in errors or logs. Errors from flespi's
// {"errors":[{"code":…,"reason":…}]} bodies become one sentence (APIError).
//
// The package never imports the UI; every call blocks, so the UI calls it
// from a tea.Cmd.
package flespi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hubtap/broker"
)

// DefaultTimeout bounds one request when the caller's context allows longer.
const DefaultTimeout = 20 * time.Second

// maxBody is the largest response body read (a device's messages for a few
// minutes are well below it); past it the request fails.
const maxBody = 32 << 20

// Transport carries one REST call and returns the HTTP-like status and the
// body. HTTPS and MQTT are the two in this package.
type Transport interface {
	// Do sends method (GET, POST, PUT, DELETE) to uri (the REST path
	// without the leading slash, query included) and blocks until the reply
	// or ctx ends.
	Do(ctx context.Context, method, uri string, body []byte) (status int, reply []byte, err error)
	// Name says how requests travel, for messages ("HTTPS", "MQTT").
	Name() string
}

// RESTBase returns flespi's REST base URL for an MQTT host: mqtt.flespi.io
// is the EU region (https://flespi.io), ru-mqtt.flespi.io the RU region
// (https://ru.flespi.io). ok is false for any other host (a local broker,
// the simulator): the caller must give the base URL itself.
func RESTBase(mqttHost string) (base string, ok bool) {
	h := strings.ToLower(strings.TrimSuffix(mqttHost, "."))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	switch h {
	case "mqtt.flespi.io":
		return "https://flespi.io", true
	case "ru-mqtt.flespi.io":
		return "https://ru.flespi.io", true
	}
	return "", false
}

// HTTPS is the Transport over flespi's HTTP REST API.
type HTTPS struct {
	base   *url.URL
	token  broker.Secret
	client *http.Client
}

// NewHTTPS returns an HTTPS transport for base (e.g. https://flespi.io or
// the simulator's http://127.0.0.1:port). timeout bounds each request
// (0: DefaultTimeout).
func NewHTTPS(base string, token broker.Secret, timeout time.Duration) (*HTTPS, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("REST base %q: want https://host or http://host", base)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &HTTPS{base: u, token: token, client: &http.Client{Timeout: timeout}}, nil
}

// Name implements Transport.
func (h *HTTPS) Name() string { return "HTTPS" }

// Base returns the base URL requests go to.
func (h *HTTPS) Base() string { return h.base.String() }

// Do implements Transport.
func (h *HTTPS) Do(ctx context.Context, method, uri string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	target := h.base.String() + "/" + strings.TrimPrefix(uri, "/")
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(method), target, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, pathOnly(uri), err)
	}
	req.Header.Set("Authorization", "FlespiToken "+string(h.token))
	req.Header.Set("Accept", "application/json")
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %s", method, pathOnly(uri), netWords(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: reading the reply: %s", method, pathOnly(uri), netWords(err))
	}
	if len(b) > maxBody {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: reply larger than %d MiB", method, pathOnly(uri), maxBody>>20)
	}
	return resp.StatusCode, b, nil
}

// netWords describes a transport error without the URL (which net/http
// puts in every *url.Error; ours holds no token, but query strings can be
// long) and says "timed out" plainly.
func netWords(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return "no reply in time (timed out)"
	}
	return err.Error()
}

// pathOnly is the URI without its query, for messages.
func pathOnly(uri string) string {
	p, _, _ := strings.Cut(uri, "?")
	return p
}

// Requester is what the MQTT transport needs: *broker.Client is one.
type Requester interface {
	Request(ctx context.Context, method, uri string, body []byte) (*broker.Reply, error)
}

// MQTT is the Transport over flespi's REST-over-MQTT bridge
// (flespi/rest/{method}/{uri}; experimental, docs/FLESPI.md §7).
type MQTT struct{ R Requester }

// Name implements Transport.
func (m MQTT) Name() string { return "MQTT" }

// Do implements Transport. A reply without a known status counts as 200
// when its body has "result".
func (m MQTT) Do(ctx context.Context, method, uri string, body []byte) (int, []byte, error) {
	r, err := m.R.Request(ctx, strings.ToLower(method), uri, body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s over MQTT: %w", method, pathOnly(uri), err)
	}
	st := r.Status
	if st == 0 {
		st = 200
	}
	return st, r.Payload, nil
}
