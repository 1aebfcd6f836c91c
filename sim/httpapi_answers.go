package sim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
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
