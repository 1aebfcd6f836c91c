package sim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// The answers of the HTTP REST API (httpapi.go has the server and the
// routing).

// tokenJSON is auth/info's item: tokenInfo (the CONNACK description) with
// an expiry a year after now.
func (s *Sim) tokenJSON(ro role) []byte {
	var t map[string]any
	_ = json.Unmarshal([]byte(tokenInfo(ro)), &t)
	t["expire"] = s.now().Add(365 * 24 * time.Hour).Unix()
	t["ttl"] = 0
	if ro == roleACL {
		t["access"] = map[string]any{"type": 2, "acl": []any{map[string]any{"uri": "gw/channels", "methods": []string{"GET"}, "ids": []int{ACLChannelID}}}}
	}
	b, _ := json.Marshal(t)
	return b
}

// deviceByID finds a registered device.
func (s *Sim) deviceByID(sel string) *device {
	id, err := strconv.ParseInt(sel, 10, 64)
	if err != nil {
		return nil
	}
	for _, d := range s.devs[:s.nReg] {
		if d.info.ID == id {
			return d
		}
	}
	return nil
}

// devicesJSON answers gw/devices/{sel}: all, a comma list of ids, or
// configuration.ident=… (quoted or not).
func (s *Sim) devicesJSON(w http.ResponseWriter, sel string) {
	var pick []*device
	switch {
	case sel == "all":
		pick = s.devs[:s.nReg]
	case strings.HasPrefix(sel, "configuration.ident="):
		ident := strings.TrimPrefix(sel, "configuration.ident=")
		if uq, err := strconv.Unquote(ident); err == nil {
			ident = uq
		}
		if d := s.byIdent[ident]; d != nil && d.info.ID != 0 {
			pick = append(pick, d)
		}
	default:
		for part := range strings.SplitSeq(sel, ",") {
			if d := s.deviceByID(part); d != nil {
				pick = append(pick, d)
			} else if _, err := strconv.ParseInt(part, 10, 64); err != nil {
				httpFail(w, 400, "selector "+strconv.Quote(sel)+": the simulator takes all, ids or configuration.ident=…")
				return
			}
		}
	}
	res := make([]any, 0, len(pick))
	for _, d := range pick {
		item := map[string]any{"id": d.info.ID, "cid": AccountID, "name": d.info.Name, "device_type_id": d.info.TypeID,
			"configuration": map[string]any{"ident": d.info.Ident}, "connected": !d.stopped.Load()}
		if ms := s.httpAPI.copyOf(d.info.ID); len(ms) > 0 {
			item["last_active"] = ms[len(ms)-1].ts
		}
		res = append(res, item)
	}
	httpOK(w, res)
}

func (a *httpAPIState) copyOf(id int64) []storedMsg {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]storedMsg(nil), a.stored[id]...)
}

// messagesJSON answers gw/devices/{id}/messages?data={"from":…,"to":…}.
func (s *Sim) messagesJSON(w http.ResponseWriter, sel, data string) {
	d := s.deviceByID(sel)
	if d == nil {
		httpFail(w, 404, "device "+sel+" not found")
		return
	}
	q := struct {
		From float64 `json:"from"`
		To   float64 `json:"to"`
	}{To: 1 << 40}
	if data != "" && json.Unmarshal([]byte(data), &q) != nil {
		httpFail(w, 400, "data: want a JSON object like {\"from\":…,\"to\":…}")
		return
	}
	ms := s.httpAPI.copyOf(d.info.ID)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].ts < ms[j].ts })
	res := make([]any, 0, len(ms))
	for _, m := range ms {
		if m.ts >= q.From && m.ts <= q.To {
			res = append(res, json.RawMessage(m.payload))
		}
	}
	httpOK(w, res)
}

// telemetryJSON answers gw/devices/{id}/telemetry/all from the stored
// messages: each parameter's newest value and the timestamp it came with.
func (s *Sim) telemetryJSON(w http.ResponseWriter, sel string) {
	d := s.deviceByID(sel)
	if d == nil {
		httpFail(w, 404, "device "+sel+" not found")
		return
	}
	tel := map[string]any{}
	for _, m := range s.httpAPI.copyOf(d.info.ID) {
		var kv map[string]json.RawMessage
		if json.Unmarshal(m.payload, &kv) != nil {
			continue
		}
		for k, v := range kv {
			tel[k] = map[string]any{"value": v, "ts": m.ts}
		}
	}
	httpOK(w, []any{map[string]any{"id": d.info.ID, "telemetry": tel}})
}

// sessionsJSON lists the broker's client sessions (not the platform's own).
func (s *Sim) sessionsJSON() []any {
	all := s.srv.Clients.GetAll()
	ids := make([]string, 0, len(all))
	for id, cl := range all {
		if !cl.Net.Inline {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		cl := all[id]
		var subs []map[string]any
		for f, sub := range cl.State.Subscriptions.GetAll() {
			subs = append(subs, map[string]any{"topic": f, "qos": sub.Qos})
		}
		sort.Slice(subs, func(i, j int) bool { return subs[i]["topic"].(string) < subs[j]["topic"].(string) })
		out = append(out, map[string]any{"client_id": id, "cid": AccountID, "connected": !cl.Closed(),
			"subscriptions": subs, "queued": cl.State.Inflight.Len(),
			"session_expiry": cl.Properties.Props.SessionExpiryInterval})
	}
	return out
}

// deleteSession ends a session (DISCONNECT 0x98 Administrative action when
// connected) and deletes it with its queue.
func (s *Sim) deleteSession(w http.ResponseWriter, sel string) {
	id, ok := strings.CutPrefix(sel, "client_id=")
	if uq, err := strconv.Unquote(id); err == nil {
		id = uq
	}
	cl, found := s.srv.Clients.Get(id)
	if !ok || !found || cl.Net.Inline {
		httpFail(w, 404, "session "+strconv.Quote(id)+" not found")
		return
	}
	if !cl.Closed() {
		_ = s.srv.DisconnectClient(cl, packets.ErrAdministrativeAction)
	}
	s.srv.UnsubscribeClient(cl)
	s.srv.Clients.Delete(id)
	httpOK(w, []any{map[string]any{"client_id": id}})
}

// httpCommandSeq numbers the commands queued over HTTP.
var httpCommandSeq atomic.Int64

// httpCommands answers POST gw/devices/{id}/commands-queue: each command
// gets an id and its log records, in the record shape of docs/FLESPI.md
// (id, device_id, name, properties, timestamp; executed and response when
// processed). A device that is not connected (StopDevice) only gets queued.
func (s *Sim) httpCommands(w http.ResponseWriter, sel string, body []byte) {
	d := s.deviceByID(sel)
	if d == nil {
		httpFail(w, 404, "device "+sel+" not found")
		return
	}
	var cmds []struct {
		Name       string          `json:"name"`
		Properties json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(body, &cmds) != nil || len(cmds) == 0 {
		httpFail(w, 400, `body: want an array of commands, [{"name":"…","properties":{…}}]`)
		return
	}
	res := make([]any, 0, len(cmds))
	for _, c := range cmds {
		if c.Name == "" || strings.ContainsAny(c.Name, "/+#") {
			httpFail(w, 400, "command name "+strconv.Quote(c.Name)+": want a non-empty name without / + #")
			return
		}
		props := c.Properties
		if len(props) == 0 {
			props = json.RawMessage("{}")
		}
		id := httpCommandSeq.Add(1)
		rec := func(status string, extra map[string]any) {
			now := s.now()
			r := map[string]any{"id": id, "device_id": d.info.ID, "name": c.Name, "properties": props,
				"timestamp": json.Number(string(appendMicros(nil, now.UnixMicro(), 6)))}
			for k, v := range extra {
				r[k] = v
			}
			b, _ := json.Marshal(r)
			up := []packets.UserProperty{{Key: "timestamp", Val: string(appendMicros(nil, now.UnixMicro(), 6))},
				{Key: "cid", Val: strconv.Itoa(AccountID)}}
			_ = s.inject("flespi/log/gw/devices/"+strconv.FormatInt(d.info.ID, 10)+"/commands-queue/"+c.Name+"/"+status, b, false, 1, up)
		}
		rec("queued", nil)
		if !d.stopped.Load() {
			rec("sent", nil)
			rec("processed", map[string]any{"executed": true, "response": "OK"})
		}
		res = append(res, map[string]any{"id": id, "device_id": d.info.ID, "name": c.Name, "properties": props, "ttl": 86400})
	}
	httpOK(w, res)
}
