package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/mochi-mqtt/server/v2/packets"
)

// REST over MQTT (docs/FLESPI.md §7). A client PUBLISH to
// flespi/rest/{method}/{uri} is discarded like every client publish to
// flespi/... (subscribers never see the request), and answered once with
// flespi's REST body, {"result":[…]} or {"errors":[{"code":…,"reason":…}]}:
// on the request's Response Topic, with its Correlation Data, when the
// request has one (and it is not a flespi/... or $... topic: a client
// cannot make the platform publish there), else on the request topic
// itself, which is where third-party flespi clients listen. flespi documents
// only the request topic; whether it honours Response Topic is unconfirmed.
//
// The reply is QoS 1, not retained, from the broker's inline client, with
// the usual `timestamp` and `cid` user properties and nothing else: the
// HTTP status is not sent (flespi's MQTT replies carry none that we know
// of), so clients read the body. Error codes are flespi's: 2 for a request
// the API cannot take (bad method, body or selector; seen in flespi's own
// tools), otherwise the HTTP status (403, 404, 405, 413).
//
// The simulator answers:
//
//	get gw/devices/all, gw/devices/{id}[,{id}...]    registered devices
//	get gw/channels/all, gw/channels/{id}[,{id}...]  the two channels
//	get platform/customer                            the account (never a token)
//	post gw/devices/{id}/commands-queue              queues commands: body [{"name":…,"properties":{…}}];
//	                                                 publishes their command-queue log records (logs.go)
//
// A list where some ids exist answers the found ones in "result" and one
// 404 item per missing id in "errors"; none found is 404. Unknown paths are
// 404, other methods 405. ACLToken may only GET gw/channels/{ACLChannelID}:
// everything else is 403.
const restPrefix = "flespi/rest/"

// restQueueLen bounds the requests waiting for an answer. Past it requests
// are dropped (and counted), like an overloaded platform: clients time out.
const restQueueLen = 64

// restMaxBody is the largest request body kept; larger ones get 413.
const restMaxBody = 1 << 20

// restRequest is one request, copied out of mochi's packet.
type restRequest struct {
	role      role
	topic     string
	body      []byte
	tooLarge  bool
	respTopic string
	corr      []byte
}

// restResponder answers REST requests on a goroutine of its own (run), so
// the client's read loop only copies the request.
type restResponder struct {
	s       *Sim
	queue   chan restRequest
	dropped atomic.Uint64
}

func newRESTResponder(s *Sim) *restResponder {
	return &restResponder{s: s, queue: make(chan restRequest, restQueueLen)}
}

// offer queues a request from the flespi hook. It never blocks.
func (r *restResponder) offer(ro role, pk packets.Packet) {
	req := restRequest{role: ro, topic: pk.TopicName, respTopic: pk.Properties.ResponseTopic,
		corr: bytes.Clone(pk.Properties.CorrelationData)}
	if len(pk.Payload) > restMaxBody {
		req.tooLarge = true
	} else {
		req.body = bytes.Clone(pk.Payload)
	}
	select {
	case r.queue <- req:
	default:
		if n := r.dropped.Add(1); n == 1 || n%100 == 0 {
			r.s.log.Warn("REST requests dropped: queue full", "dropped", n)
		}
	}
}

// run answers queued requests until ctx ends.
func (r *restResponder) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-r.queue:
			r.reply(req)
		}
	}
}

// reply publishes the answer to req (see the package comment above).
func (r *restResponder) reply(req restRequest) {
	method, uri, _ := strings.Cut(strings.TrimPrefix(req.topic, restPrefix), "/")
	_, body := r.s.restAnswer(req.role, method, uri, req.body, req.tooLarge)
	props := packets.Properties{User: []packets.UserProperty{
		{Key: "timestamp", Val: string(appendMicros(nil, r.s.now().UnixMicro(), 6))},
		{Key: "cid", Val: strconv.Itoa(AccountID)},
	}}
	if validResponseTopic(req.respTopic) {
		props.CorrelationData = req.corr
		r.publish(req.respTopic, body, props)
		return
	}
	r.publish(req.topic, body, props)
}

func (r *restResponder) publish(topic string, body []byte, props packets.Properties) {
	err := r.s.srv.InjectPacket(r.s.pub, packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: 1},
		TopicName:   topic,
		Payload:     body,
		PacketID:    1, // any nonzero id; mochi assigns real ids per subscriber
		Properties:  props,
	})
	if err != nil {
		r.s.log.Warn("REST reply not published", "topic", topic, "err", err)
	}
}

// validResponseTopic accepts a topic the platform may publish a reply to:
// a valid topic name in the client's own namespace.
func validResponseTopic(t string) bool {
	return t != "" && len(t) <= 65535 && utf8.ValidString(t) &&
		!strings.ContainsAny(t, "+#\x00") && !strings.HasPrefix(t, "$") &&
		t != "flespi" && !strings.HasPrefix(t, "flespi/")
}

// restDevice is a device as GET gw/devices/... returns it (a subset of
// flespi's default fields; the ident lives in configuration, as on flespi).
type restDevice struct {
	ID            int64  `json:"id"`
	CID           int    `json:"cid"`
	Name          string `json:"name"`
	DeviceTypeID  int64  `json:"device_type_id"`
	Configuration struct {
		Ident string `json:"ident"`
	} `json:"configuration"`
	MessagesTTL int `json:"messages_ttl"`
}

// restChannel is a channel as GET gw/channels/... returns it.
type restChannel struct {
	ID          int64  `json:"id"`
	CID         int    `json:"cid"`
	Name        string `json:"name"`
	ProtocolID  int64  `json:"protocol_id"`
	Enabled     bool   `json:"enabled"`
	MessagesTTL int    `json:"messages_ttl"`
}

// restError is one item of flespi's "errors" array.
type restError struct {
	ID     int64  `json:"id,omitempty"`
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// restAnswer computes the status and body for one request. It only reads
// immutable simulator state, so it is safe from any goroutine.
func (s *Sim) restAnswer(r role, method, uri string, body []byte, tooLarge bool) (int, []byte) {
	switch method {
	case "get", "post", "put", "patch", "delete":
	default:
		return restFail(400, codeBadRequest, "unknown method "+strconv.Quote(method)+": use get, post, put, patch or delete")
	}
	if tooLarge {
		return restFail(413, 413, "request body too large")
	}
	if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		return restFail(400, codeBadRequest, "request body is not valid JSON")
	}
	path, _, _ := strings.Cut(uri, "?") // query parameters (fields=…) are ignored
	if r == roleACL && (method != "get" || path != "gw/channels/"+strconv.Itoa(ACLChannelID)) {
		return restFail(403, 403, "access denied: the token's ACL does not allow "+method+" "+path)
	}
	levels := strings.Split(path, "/")
	if len(levels) == 4 && levels[0] == "gw" && levels[1] == "devices" && levels[3] == "commands-queue" {
		if method != "post" {
			return restFail(405, 405, "the simulator takes post on commands-queue only")
		}
		return s.restCommands(levels[2], body)
	}
	switch {
	case len(levels) == 3 && levels[0] == "gw" && levels[1] == "devices":
	case len(levels) == 3 && levels[0] == "gw" && levels[1] == "channels":
	case path == "platform/customer":
	default:
		return restFail(404, 404, "resource not found: "+path+" (the simulator answers gw/devices, gw/channels, gw/devices/{id}/commands-queue and platform/customer)")
	}
	if method != "get" {
		return restFail(405, 405, "the simulator only reads here: get is answered (and post on gw/devices/{id}/commands-queue)")
	}
	if path == "platform/customer" {
		return restOK([]any{map[string]any{"id": AccountID, "name": "hubtap simulator", "blocked": false}}, nil)
	}
	if levels[1] == "devices" {
		return restSelect(levels[2], "device", s.restDevices())
	}
	return restSelect(levels[2], "channel", restChannels())
}

func (s *Sim) restDevices() map[int64]any {
	out := make(map[int64]any, len(s.infos))
	for _, d := range s.infos {
		rd := restDevice{ID: d.ID, CID: AccountID, Name: d.Name, DeviceTypeID: d.TypeID, MessagesTTL: 31536000}
		rd.Configuration.Ident = d.Ident
		out[d.ID] = rd
	}
	return out
}

func restChannels() map[int64]any {
	out := make(map[int64]any, 2)
	for _, c := range cities() {
		name := "Warsaw trackers"
		if c.channel == SecondChannelID {
			name = "Riga trackers"
		}
		out[c.channel] = restChannel{ID: c.channel, CID: AccountID, Name: name, ProtocolID: c.protocol, Enabled: true, MessagesTTL: 86400}
	}
	return out
}

// restSelect answers a flespi selector: "all" or a comma list of ids.
func restSelect(sel, kind string, items map[int64]any) (int, []byte) {
	if sel == "all" {
		ids := make([]int64, 0, len(items))
		for id := range items {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		res := make([]any, len(ids))
		for i, id := range ids {
			res[i] = items[id]
		}
		return restOK(res, nil)
	}
	var res []any
	var missing []restError
	for part := range strings.SplitSeq(sel, ",") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return restFail(400, codeBadRequest, "selector "+strconv.Quote(sel)+": the simulator takes all or a comma list of ids")
		}
		if it, ok := items[id]; ok {
			res = append(res, it)
		} else {
			missing = append(missing, restError{ID: id, Code: 404, Reason: kind + " not found"})
		}
	}
	if len(res) == 0 {
		return restStatus(404, map[string]any{"errors": missing})
	}
	return restOK(res, missing)
}

func restOK(result []any, errs []restError) (int, []byte) {
	body := map[string]any{"result": result}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	return restStatus(200, body)
}

// codeBadRequest is flespi's own error code for a request it cannot take
// (seen in flespi's skills file: "a code=2 (bad-request)").
const codeBadRequest = 2

// restFail answers one error: status is HTTP-like (for tests and logs; not
// sent), code is what the body says.
func restFail(status, code int, reason string) (int, []byte) {
	return restStatus(status, map[string]any{"errors": []restError{{Code: code, Reason: reason}}})
}

// restCommands queues commands for one registered device.
func (s *Sim) restCommands(sel string, body []byte) (int, []byte) {
	id, err := strconv.ParseInt(sel, 10, 64)
	if err != nil || id <= 0 {
		return restFail(400, codeBadRequest, "selector "+strconv.Quote(sel)+": the simulator takes one device id here")
	}
	var d *device
	for _, dv := range s.devs[:s.nReg] {
		if dv.info.ID == id {
			d = dv
		}
	}
	if d == nil {
		return restFail(404, 404, "device "+sel+" not found")
	}
	var cmds []struct {
		Name       string          `json:"name"`
		Properties json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(body, &cmds) != nil || len(cmds) == 0 {
		return restFail(400, codeBadRequest, `body: want an array of commands, [{"name":"…","properties":{…}}]`)
	}
	res := make([]any, 0, len(cmds))
	for _, c := range cmds {
		if c.Name == "" || strings.ContainsAny(c.Name, "/+#") {
			return restFail(400, codeBadRequest, "command name "+strconv.Quote(c.Name)+": want a non-empty name without / + #")
		}
		p := []byte(c.Properties)
		if len(p) == 0 {
			p = []byte("{}")
		}
		res = append(res, json.RawMessage(s.queueCommand(d, c.Name, p)))
	}
	return restOK(res, nil)
}

func restStatus(code int, body map[string]any) (int, []byte) {
	b, err := json.Marshal(body)
	if err != nil {
		return 500, []byte(`{"errors":[{"code":500,"reason":"internal error"}]}`)
	}
	return code, b
}
