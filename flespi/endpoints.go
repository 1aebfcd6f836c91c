package flespi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Device is a registered device as GET gw/devices/… returns it (the fields
// hubtap asks for).
type Device struct {
	ID           int64   `json:"id"`
	Name         string  `json:"name"`
	DeviceTypeID int64   `json:"device_type_id"`
	Connected    *bool   `json:"connected,omitempty"`   // nil: not reported
	LastActive   float64 `json:"last_active,omitempty"` // Unix seconds; 0: not reported
	Config       struct {
		Ident string `json:"ident"`
	} `json:"configuration"`
}

// DeviceByIdent finds the device registered with ident on this account:
// GET gw/devices/configuration.ident="{ident}"?fields=…. It returns nil and
// no error when no device has that ident (flespi answers an empty result or
// 404).
func (c *Client) DeviceByIdent(ctx context.Context, ident string) (*Device, error) {
	uri := "gw/devices/configuration.ident=" + url.PathEscape(strconv.Quote(ident)) +
		"?fields=" + url.QueryEscape("id,name,device_type_id,configuration,connected,last_active")
	res, err := c.Call(ctx, "GET", uri, nil)
	if ae, ok := err.(*APIError); ok && ae.NotFound() {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ds []Device
	if err := json.Unmarshal(res, &ds); err != nil {
		return nil, fmt.Errorf("device by ident: unexpected reply: %w", err)
	}
	for i := range ds {
		if ds[i].Config.Ident == "" || ds[i].Config.Ident == ident {
			return &ds[i], nil
		}
	}
	return nil, nil
}

// Messages returns a device's stored messages with from ≤ timestamp ≤ to,
// oldest first: GET gw/devices/{id}/messages?data={"from":…,"to":…}. Each
// item is one flat flespi message object, as on MQTT.
func (c *Client) Messages(ctx context.Context, deviceID int64, from, to time.Time) ([]json.RawMessage, error) {
	data, _ := json.Marshal(map[string]int64{"from": from.Unix(), "to": to.Unix()})
	uri := "gw/devices/" + strconv.FormatInt(deviceID, 10) + "/messages?data=" + url.QueryEscape(string(data))
	res, err := c.Call(ctx, "GET", uri, nil)
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	if err := json.Unmarshal(res, &out); err != nil {
		return nil, fmt.Errorf("device messages: unexpected reply: %w", err)
	}
	return out, nil
}

// Command is a command as the queue returns it.
type Command struct {
	ID         int64           `json:"id"`
	DeviceID   int64           `json:"device_id"`
	Name       string          `json:"name"`
	Properties json.RawMessage `json:"properties"`
	TTL        int64           `json:"ttl"`
}

// QueueCommand puts one command into a device's queue: POST
// gw/devices/{id}/commands-queue with [{"name":…,"properties":…,"ttl":…}].
// flespi sends it when the device is connected; its progress appears as
// log records on flespi/log/gw/devices/{id}/… (see DescribeLog). It fails
// in read-only mode.
func (c *Client) QueueCommand(ctx context.Context, deviceID int64, name string, props json.RawMessage, ttl time.Duration) (*Command, error) {
	if len(props) == 0 {
		props = json.RawMessage("{}")
	}
	item := map[string]any{"name": name, "properties": props}
	if ttl > 0 {
		item["ttl"] = int64(ttl / time.Second)
	}
	body, err := json.Marshal([]any{item})
	if err != nil {
		return nil, fmt.Errorf("command %s: %w", name, err)
	}
	res, err := c.Call(ctx, "POST", "gw/devices/"+strconv.FormatInt(deviceID, 10)+"/commands-queue", body)
	if err != nil {
		return nil, err
	}
	var cs []Command
	if err := json.Unmarshal(res, &cs); err != nil || len(cs) == 0 {
		return nil, fmt.Errorf("command %s: flespi's reply lists no queued command", name)
	}
	return &cs[0], nil
}

// Token is what GET auth/info says about the token in use (never the key).
type Token struct {
	ID      int64  `json:"id"`
	CID     int64  `json:"cid"`
	Info    string `json:"info"`
	Expire  int64  `json:"expire"`  // Unix seconds; 0: none
	TTL     int64  `json:"ttl"`     // seconds of validity after last use; 0: none
	Created int64  `json:"created"` // Unix seconds
	Access  struct {
		Type json.Number     `json:"type"` // 0 standard, 1 master, 2 ACL (docs/FLESPI.md)
		ACL  json.RawMessage `json:"acl"`
	} `json:"access"`
	IPs string `json:"ips"`
}

// TokenInfo describes the token in use: GET auth/info.
func (c *Client) TokenInfo(ctx context.Context) (*Token, error) {
	res, err := c.Call(ctx, "GET", "auth/info", nil)
	if err != nil {
		return nil, err
	}
	var ts []Token
	if err := json.Unmarshal(res, &ts); err != nil || len(ts) == 0 {
		var one Token // a bare object, in case
		if err2 := json.Unmarshal(res, &one); err2 == nil && one.CID != 0 {
			return &one, nil
		}
		return nil, fmt.Errorf("auth/info: unexpected reply")
	}
	return &ts[0], nil
}

// Session is one of the account's MQTT sessions (GET mqtt/sessions/all).
// flespi's field names here are not confirmed (docs/FLESPI.md): the
// decoder takes the likely spellings.
type Session struct {
	ClientID      string
	Connected     bool
	Subscriptions int
	Queued        int
	Expiry        time.Duration // session expiry interval; 0: ends with the connection
	Topics        []string      // subscription filters, when reported
}

// UnmarshalJSON accepts the likely field spellings.
func (s *Session) UnmarshalJSON(b []byte) error {
	var raw struct {
		ClientID      string          `json:"client_id"`
		ID            json.RawMessage `json:"id"`
		Connected     *bool           `json:"connected"`
		Status        *bool           `json:"status"`
		Subscriptions json.RawMessage `json:"subscriptions"`
		Queued        *int            `json:"queued"`
		Queue         *int            `json:"queue"`
		Expiry        *int64          `json:"session_expiry"`
		Expiry2       *int64          `json:"session_expiry_interval"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	s.ClientID = raw.ClientID
	if s.ClientID == "" && len(raw.ID) > 0 {
		_ = json.Unmarshal(raw.ID, &s.ClientID)
	}
	switch {
	case raw.Connected != nil:
		s.Connected = *raw.Connected
	case raw.Status != nil:
		s.Connected = *raw.Status
	}
	var subs []struct {
		Topic string `json:"topic"`
	}
	var n int
	switch {
	case json.Unmarshal(raw.Subscriptions, &subs) == nil:
		s.Subscriptions = len(subs)
		for _, x := range subs {
			s.Topics = append(s.Topics, x.Topic)
		}
	case json.Unmarshal(raw.Subscriptions, &n) == nil:
		s.Subscriptions = n
	}
	switch {
	case raw.Queued != nil:
		s.Queued = *raw.Queued
	case raw.Queue != nil:
		s.Queued = *raw.Queue
	}
	switch {
	case raw.Expiry != nil:
		s.Expiry = time.Duration(*raw.Expiry) * time.Second
	case raw.Expiry2 != nil:
		s.Expiry = time.Duration(*raw.Expiry2) * time.Second
	}
	return nil
}

// Sessions lists the account's MQTT sessions: GET mqtt/sessions/all.
func (c *Client) Sessions(ctx context.Context) ([]Session, error) {
	res, err := c.Call(ctx, "GET", "mqtt/sessions/all", nil)
	if err != nil {
		return nil, err
	}
	var out []Session
	if err := json.Unmarshal(res, &out); err != nil {
		return nil, fmt.Errorf("mqtt sessions: unexpected reply: %w", err)
	}
	return out, nil
}

// DeleteSession ends and deletes one MQTT session with its queue: DELETE
// mqtt/sessions/client_id="{id}". It fails in read-only mode.
func (c *Client) DeleteSession(ctx context.Context, clientID string) error {
	_, err := c.Call(ctx, "DELETE", "mqtt/sessions/client_id="+url.PathEscape(strconv.Quote(clientID)), nil)
	return err
}

// Telemetry is one parameter's latest value and when the device sent it.
type Telemetry struct {
	Value json.RawMessage `json:"value"`
	TS    float64         `json:"ts"` // Unix seconds
}

// DeviceTelemetry returns a device's latest value of each parameter: GET
// gw/devices/{id}/telemetry/all.
func (c *Client) DeviceTelemetry(ctx context.Context, deviceID int64) (map[string]Telemetry, error) {
	res, err := c.Call(ctx, "GET", "gw/devices/"+strconv.FormatInt(deviceID, 10)+"/telemetry/all", nil)
	if err != nil {
		return nil, err
	}
	var items []struct {
		Telemetry map[string]Telemetry `json:"telemetry"`
	}
	if err := json.Unmarshal(res, &items); err != nil || len(items) == 0 {
		return nil, fmt.Errorf("device telemetry: unexpected reply")
	}
	return items[0].Telemetry, nil
}
