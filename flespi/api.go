package flespi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

// Mode chooses how requests travel: over HTTPS, over MQTT, or HTTPS first
// and MQTT when HTTPS cannot be reached (auto).
type Mode string

// The modes --rest takes.
const (
	ModeAuto  Mode = "auto"
	ModeHTTPS Mode = "https"
	ModeMQTT  Mode = "mqtt"
)

// ParseMode reads --rest.
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.ToLower(strings.TrimSpace(s))) {
	case ModeAuto, "":
		return ModeAuto, nil
	case ModeHTTPS:
		return ModeHTTPS, nil
	case ModeMQTT:
		return ModeMQTT, nil
	}
	return "", fmt.Errorf("--rest %q: use mqtt, https or auto", s)
}

// ErrReadOnly is wrapped by every write refused in read-only mode.
var ErrReadOnly = errors.New("read-only mode")

// Client makes flespi REST calls. It is safe for concurrent use.
type Client struct {
	https    Transport // nil: no HTTPS base known
	mqtt     Transport // nil: no MQTT connection
	mode     Mode
	readOnly bool
	viaMQTT  atomic.Bool // auto mode fell back to MQTT after HTTPS failed
}

// New returns a client. https or mqtt may be nil when that way is not
// available; with ModeAuto the first one that works is used.
func New(https, mqtt Transport, mode Mode, readOnly bool) *Client {
	return &Client{https: https, mqtt: mqtt, mode: mode, readOnly: readOnly}
}

// ReadOnly reports whether writes are refused.
func (c *Client) ReadOnly() bool { return c.readOnly }

// Via says how the next request travels ("HTTPS", "MQTT", or "" when none
// is available).
func (c *Client) Via() string {
	if t := c.transport(); t != nil {
		return t.Name()
	}
	return ""
}

func (c *Client) transport() Transport {
	switch {
	case c.mode == ModeMQTT:
		return c.mqtt
	case c.mode == ModeHTTPS:
		return c.https
	case c.https != nil && !c.viaMQTT.Load():
		return c.https
	case c.mqtt != nil:
		return c.mqtt
	}
	return c.https
}

// Call sends one request and returns the "result" array's raw JSON.
// Writes (anything but GET) fail with ErrReadOnly in read-only mode. A
// flespi error body becomes an *APIError.
func (c *Client) Call(ctx context.Context, method, uri string, body []byte) (json.RawMessage, error) {
	method = strings.ToUpper(method)
	if c.readOnly && method != "GET" {
		return nil, fmt.Errorf("%s %s: %w: hubtap was started with --read-only", method, pathOnly(uri), ErrReadOnly)
	}
	t := c.transport()
	if t == nil {
		return nil, fmt.Errorf("%s %s: no way to reach flespi's REST API (no HTTPS base for this broker and no MQTT connection)", method, pathOnly(uri))
	}
	status, b, err := t.Do(ctx, method, uri, body)
	if err != nil && c.mode == ModeAuto && t == c.https && c.mqtt != nil && status == 0 && ctx.Err() == nil {
		c.viaMQTT.Store(true) // HTTPS unreachable: MQTT from now on
		status, b, err = c.mqtt.Do(ctx, method, uri, body)
	}
	if err != nil {
		return nil, err
	}
	return decode(method, uri, status, b)
}

// decode reads flespi's reply envelope.
func decode(method, uri string, status int, b []byte) (json.RawMessage, error) {
	var env struct {
		Result json.RawMessage `json:"result"`
		Errors []ErrorItem     `json:"errors"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		if status >= 400 {
			return nil, &APIError{Method: method, Path: pathOnly(uri), Status: status}
		}
		return nil, fmt.Errorf("%s %s: the reply is not flespi's JSON (status %d)", method, pathOnly(uri), status)
	}
	if status >= 400 || (len(env.Errors) > 0 && len(env.Result) == 0) {
		return nil, &APIError{Method: method, Path: pathOnly(uri), Status: status, Errors: env.Errors}
	}
	if len(env.Result) == 0 {
		env.Result = json.RawMessage("[]")
	}
	return env.Result, nil
}

// ErrorItem is one item of flespi's "errors" array.
type ErrorItem struct {
	ID     json.Number `json:"id,omitempty"`
	Code   int         `json:"code"`
	Reason string      `json:"reason"`
}

// APIError is a request flespi refused, in one sentence.
type APIError struct {
	Method, Path string
	Status       int
	Errors       []ErrorItem
}

// Error says what was asked, what flespi answered and, for the usual
// statuses, what it means.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Method + " " + e.Path + ": flespi refused")
	if e.Status > 0 {
		b.WriteString(" (status " + strconv.Itoa(e.Status) + ")")
	}
	for i, it := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		r := strings.TrimSpace(it.Reason)
		if r == "" {
			r = "no reason given"
		}
		b.WriteString(r)
		if it.Code != 0 {
			b.WriteString(" (code " + strconv.Itoa(it.Code) + ")")
		}
	}
	switch e.Status {
	case 401:
		b.WriteString(" — the token is wrong, expired or for another region")
	case 403:
		b.WriteString(" — the token may not do this (an ACL token lists what it may)")
	}
	return b.String()
}

// NotFound reports a 404: nothing matched the selector.
func (e *APIError) NotFound() bool { return e.Status == 404 }
