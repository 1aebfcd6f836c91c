package flespi

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CloseCode explains a close_code of a device's disconnect log record in
// words (docs/FLESPI.md §8). documented is false for a code flespi's
// documentation does not list: the caller shows it raw.
func CloseCode(code int) (words string, documented bool) {
	switch code {
	case 4:
		return "protocol violation: the device sent something its protocol forbids", true
	case 7:
		return "server restart: flespi restarted the channel's server", true
	case 8:
		return "protocol update: flespi updated the protocol and reconnected devices", true
	case 12:
		return "ident collision: a new connection came with the same ident while this one was open", true
	case 17:
		return "inactivity timeout: nothing came from the device for 10 minutes", true
	case 19:
		return "garbage traffic: the device sent data its protocol cannot decode", true
	case 21:
		return "blocked: the device or channel is blocked", true
	case 23:
		return "disabled: the device or channel is disabled", true
	}
	return "close code " + strconv.Itoa(code) + " (not documented)", false
}

// Record is one flespi log record in words.
type Record struct {
	Kind      string  // connected, disconnected, command, error, other
	DeviceID  int64   // from the topic; 0 for channel records
	ChannelID int64   // from the topic for channel records
	Ident     string  // the record's "ident", when it has one
	Time      float64 // the record's timestamp, Unix seconds (0: none)
	CloseCode int     // for disconnected
	Command   int64   // the command's id, for command records
	Name      string  // the command's name
	Status    string  // the command's status: queued, sent, processed, …
	Words     string  // the whole record in one sentence
}

// DescribeLog reads a record from flespi/log/gw/devices/{id}/… or
// flespi/log/gw/channels/{id}/…; ok is false for any other topic.
// Field names beyond event_code and close_code are not documented by
// flespi (docs/FLESPI.md §3): what is missing is left out.
func DescribeLog(topic string, payload []byte) (r Record, ok bool) {
	lv := strings.Split(topic, "/")
	if len(lv) < 5 || lv[0] != "flespi" || lv[1] != "log" || lv[2] != "gw" {
		return r, false
	}
	var p struct {
		EventCode int             `json:"event_code"`
		CloseCode *int            `json:"close_code"`
		Timestamp float64         `json:"timestamp"`
		Peer      string          `json:"peer"`
		ID        int64           `json:"id"`
		Name      string          `json:"name"`
		Reason    string          `json:"reason"`
		Response  json.RawMessage `json:"response"`
		Executed  *bool           `json:"executed"`
		Ident     string          `json:"ident"`
	}
	_ = json.Unmarshal(payload, &p) // a record we cannot read is still named by its topic
	r.Time = p.Timestamp
	r.Ident = p.Ident
	switch lv[3] {
	case "devices":
		r.DeviceID, _ = strconv.ParseInt(lv[4], 10, 64)
	case "channels":
		r.ChannelID, _ = strconv.ParseInt(lv[4], 10, 64)
	}
	event := ""
	if len(lv) > 5 {
		event = lv[5]
	}
	switch {
	case lv[3] == "devices" && (event == "connected" || p.EventCode == 300):
		r.Kind = "connected"
		r.Words = "connected"
		if p.Peer != "" {
			r.Words += " from " + p.Peer
		}
	case lv[3] == "devices" && (event == "disconnected" || p.EventCode == 301):
		r.Kind = "disconnected"
		r.Words = "disconnected"
		if p.CloseCode != nil {
			r.CloseCode = *p.CloseCode
			w, _ := CloseCode(*p.CloseCode)
			r.Words += ": " + w
			if _, doc := CloseCode(*p.CloseCode); doc {
				r.Words += " (close code " + strconv.Itoa(*p.CloseCode) + ")"
			}
		}
	case lv[3] == "devices" && event == "commands-queue":
		r.Kind = "command"
		r.Command, r.Name = p.ID, p.Name
		if len(lv) > 6 && r.Name == "" {
			r.Name = lv[6]
		}
		if len(lv) > 7 {
			r.Status = lv[7]
		}
		r.Words = "command " + strconv.Quote(r.Name)
		if r.Command != 0 {
			r.Words += " #" + strconv.FormatInt(r.Command, 10)
		}
		r.Words += " " + r.Status
		if len(p.Response) > 0 && string(p.Response) != "null" {
			r.Words += ", response " + string(p.Response)
		}
		if p.Executed != nil && !*p.Executed {
			r.Words += ", not executed"
		}
	case event == "error" || lv[len(lv)-1] == "error":
		r.Kind = "error"
		r.Words = "error"
		if p.Reason != "" {
			r.Words += ": " + p.Reason
		}
	default:
		r.Kind = "other"
		r.Words = strings.Join(lv[5:], "/")
		if r.Words == "" {
			r.Words = "log record"
		}
		if p.EventCode != 0 {
			r.Words += " (event " + strconv.Itoa(p.EventCode) + ")"
		}
	}
	return r, true
}

// CommandDone reports whether a command status is final: processed,
// failed, canceled (or cancelled), expired or deleted.
func CommandDone(status string) bool {
	switch status {
	case "processed", "failed", "canceled", "cancelled", "expired", "deleted":
		return true
	}
	return false
}

// WhyDisconnected summarises a device's disconnect records: how many by
// close code, most frequent first, and the last one. records may hold any
// kind; only disconnects count.
func WhyDisconnected(records []Record) []string {
	count := map[int]int{}
	var last *Record
	for i := range records {
		if records[i].Kind != "disconnected" {
			continue
		}
		count[records[i].CloseCode]++
		if last == nil || records[i].Time >= last.Time {
			last = &records[i]
		}
	}
	if last == nil {
		return []string{"no disconnect seen in this session's log records (subscribe to flespi/log/gw/devices/{id}/# to collect them)"}
	}
	codes := make([]int, 0, len(count))
	for c := range count {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if count[codes[i]] != count[codes[j]] {
			return count[codes[i]] > count[codes[j]]
		}
		return codes[i] < codes[j]
	})
	out := []string{"last disconnect: " + strings.TrimPrefix(last.Words, "disconnected: ")}
	for _, c := range codes {
		w, _ := CloseCode(c)
		n := strconv.Itoa(count[c]) + "×"
		out = append(out, "  "+n+" "+w)
	}
	return out
}

// TokenType names access.type.
func TokenType(t json.Number) string {
	switch t.String() {
	case "0":
		return "standard (telematics: channels, devices, streams…; no tokens or platform calls)"
	case "1":
		return "master (everything, including the platform API and other tokens)"
	case "2":
		return "ACL (only what its access list grants; everything else is denied)"
	case "":
		return "not reported"
	}
	return "type " + t.String() + " (not documented)"
}

// TokenWords describes a token for the info panel at now.
func TokenWords(t *Token, now time.Time) []string {
	out := []string{"type: " + TokenType(t.Access.Type)}
	if t.Info != "" {
		out = append(out, "description: "+t.Info)
	}
	out = append(out, "account (cid): "+strconv.FormatInt(t.CID, 10)+"   token id: "+strconv.FormatInt(t.ID, 10))
	switch {
	case t.Expire > 0:
		exp := time.Unix(t.Expire, 0)
		rel := "in " + Duration(exp.Sub(now))
		if exp.Before(now) {
			rel = Duration(now.Sub(exp)) + " ago (expired)"
		}
		out = append(out, "expires: "+exp.Local().Format("2006-01-02 15:04")+" ("+rel+")")
	case t.TTL == 0:
		out = append(out, "expires: not reported")
	}
	if t.TTL > 0 {
		out = append(out, "ttl: valid for "+Duration(time.Duration(t.TTL)*time.Second)+" after its last use (an open MQTT session counts as use)")
	}
	if t.IPs != "" {
		out = append(out, "allowed from IPs: "+t.IPs)
	}
	out = append(out, aclWords(t.Access.ACL)...)
	return out
}

// aclWords lists an ACL in words: one line per entry, uri and methods.
func aclWords(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var acl []struct {
		URI     string   `json:"uri"`
		Methods []string `json:"methods"`
		IDs     any      `json:"ids"`
		Topic   string   `json:"topic"`
		Actions []string `json:"actions"`
	}
	if json.Unmarshal(raw, &acl) != nil {
		return []string{"access list: " + string(raw)}
	}
	out := []string{"access list (everything else is denied):"}
	for _, a := range acl {
		what := a.URI
		if a.Topic != "" {
			what = "MQTT topic " + a.Topic
		}
		verbs := "all methods"
		if len(a.Methods) > 0 {
			verbs = strings.Join(a.Methods, ", ")
		}
		if len(a.Actions) > 0 {
			verbs = strings.Join(a.Actions, ", ")
		}
		ids := ""
		if a.IDs != nil {
			b, _ := json.Marshal(a.IDs)
			if s := string(b); s != "null" && s != `"all"` {
				ids = " ids " + s
			}
		}
		out = append(out, "  "+what+ids+": "+verbs)
	}
	return out
}

// Duration prints 12 s, 5 min, 3 h 20 min or 4 days.
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	s := int64(math.Round(d.Seconds()))
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + " s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + " min"
	case s < 86400:
		h, m := s/3600, (s%3600)/60
		if m == 0 {
			return strconv.FormatInt(h, 10) + " h"
		}
		return strconv.FormatInt(h, 10) + " h " + strconv.FormatInt(m, 10) + " min"
	}
	days := s / 86400
	if days == 1 {
		return "1 day"
	}
	return strconv.FormatInt(days, 10) + " days"
}

// DeviceWords is the ident lookup's answer in one sentence.
func DeviceWords(ident string, d *Device, now time.Time) string {
	if d == nil {
		return ident + ": not registered on this account: the channel receives it, no device is created for it"
	}
	s := ident + ": registered as " + d.Name + " (id " + strconv.FormatInt(d.ID, 10) + ", type " + strconv.FormatInt(d.DeviceTypeID, 10) + ")"
	if d.Connected != nil {
		if *d.Connected {
			s += ", connected"
		} else {
			s += ", not connected"
		}
	}
	if d.LastActive > 0 {
		la := time.Unix(0, int64(d.LastActive*1e9))
		s += ", last active " + Duration(now.Sub(la)) + " ago"
	}
	return s
}
