package flespi

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// MessageTarget reads what a message says about its device: ident,
// device.id, device.name and channel.id from a flespi JSON message, and the
// device id from the topic (flespi/…/gw/devices/{id}…) when the payload has
// none. What is missing is zero. Names are returned as sent: sanitise
// before showing them.
func MessageTarget(topic string, payload []byte) (ident string, deviceID int64, name string, channelID int64) {
	var p struct {
		Ident     string `json:"ident"`
		DeviceID  int64  `json:"device.id"`
		Name      string `json:"device.name"`
		ChannelID int64  `json:"channel.id"`
	}
	if len(payload) > 0 && payload[0] == '{' {
		_ = json.Unmarshal(payload, &p)
	}
	if p.DeviceID == 0 {
		lv := strings.Split(topic, "/")
		for i := 0; i+2 < len(lv); i++ {
			if lv[i] == "gw" && lv[i+1] == "devices" {
				p.DeviceID, _ = strconv.ParseInt(lv[i+2], 10, 64)
				break
			}
		}
	}
	return p.Ident, p.DeviceID, p.Name, p.ChannelID
}

// StorageKey is a message's identity in flespi's device message storage:
// ident and timestamp to the µs (storage keeps one message per device and
// µs timestamp, docs/FLESPI.md §5), with the timestamp as a time. History's
// copy rule also compares server.timestamp; storage and the live stream may
// write it differently and storage merges by timestamp anyway, so a
// backfill de-duplicates by this key.
func StorageKey(payload []byte) (string, time.Time) {
	var p struct {
		Ident string      `json:"ident"`
		TS    json.Number `json:"timestamp"`
	}
	_ = json.Unmarshal(payload, &p)
	f, _ := p.TS.Float64()
	return p.Ident + "|" + strconv.FormatFloat(f, 'f', 6, 64), UnixTime(f)
}

// UnixTime turns flespi's Unix seconds (with a µs fraction) into a time.
func UnixTime(s float64) time.Time { return time.UnixMicro(int64(math.Round(s * 1e6))) }
