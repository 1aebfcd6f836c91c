package sim

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// The simulator's HTTP REST API (RESTURL): the subset of flespi's REST API
// hubtap's toolbox uses, on loopback, so every toolbox feature works in
// --demo and in tests (docs/FLESPI.md §11).
// Requests carry `Authorization: FlespiToken <token>` like flespi's; a
// missing or unknown token is 401. Answers use flespi's envelope,
// {"result":[…]} or {"errors":[{"code":…,"reason":…}]}, with HTTP statuses.
//
//	GET    auth/info                                  the token (never its key)
//	GET    gw/devices/{sel}[?fields=a,b]              all, ids, or configuration.ident="…";
//	                                                  adds connected and last_active
//	GET    gw/devices/{id}/messages?data={"from","to"} stored messages: the live ones since
//	                                                  RESTURL was first called, and a synthetic
//	                                                  hour before it (one message a minute)
//	GET    gw/devices/{id}/telemetry/all              latest value and time of each parameter
//	GET    mqtt/sessions/all                          the broker's MQTT sessions
//	DELETE mqtt/sessions/client_id="…"                ends a session and deletes its queue
//
// Everything else goes to the REST-over-MQTT answers (rest.go), so both
// ways agree: POST gw/devices/{id}/commands-queue, for one, queues the
// command and publishes its log records (logs.go). ACLToken may only GET auth/info here (403 otherwise).

// storedPerDevice bounds each device's stored messages (oldest dropped).
const storedPerDevice = 2000

// backfillSpan is the synthetic history before RESTURL's first call.
const backfillSpan = time.Hour

// httpAPIState is the lazily started HTTP server (one per Sim).
type httpAPIState struct {
	once sync.Once
	url  string
	err  error
	srv  *http.Server
	done chan struct{}

	mu     sync.Mutex
	stored map[int64][]storedMsg // device id → messages, oldest first
}

type storedMsg struct {
	ts      float64
	payload []byte
}

// RESTURL starts (on the first call) the HTTP REST API on a free loopback
// port and returns its base URL, e.g. http://127.0.0.1:40123. From then on
// device messages are kept for gw/devices/{id}/messages. It stops with the
// simulator.
func (s *Sim) RESTURL() (string, error) {
	a := &s.httpAPI
	a.once.Do(func() {
		a.stored = make(map[int64][]storedMsg, s.nReg)
		s.synthesizeHistory(s.now())
		if err := s.srv.AddHook(&storeHook{s: s}, nil); err != nil {
			a.err = err
			return
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			a.err = err
			return
		}
		a.url = "http://" + l.Addr().String()
		a.srv = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
		a.done = make(chan struct{})
		go func() {
			defer close(a.done)
			_ = a.srv.Serve(l)
		}()
	})
	return a.url, a.err
}

// close stops the HTTP server and waits for it (Close calls it).
func (a *httpAPIState) close() {
	if a.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = a.srv.Shutdown(ctx)
	<-a.done
}

// storeHook keeps device messages as the broker publishes them.
type storeHook struct {
	mqtt.HookBase
	s *Sim
}

func (h *storeHook) ID() string { return "sim-rest-store" }

func (h *storeHook) Provides(b byte) bool { return b == mqtt.OnPublished }

// OnPublished runs on the publishing goroutine: it only copies the payload.
func (h *storeHook) OnPublished(_ *mqtt.Client, pk packets.Packet) {
	rest, ok := strings.CutPrefix(pk.TopicName, "flespi/message/gw/devices/")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return
	}
	var ts struct {
		T float64 `json:"timestamp"`
	}
	_ = json.Unmarshal(pk.Payload, &ts)
	h.s.httpAPI.add(id, storedMsg{ts: ts.T, payload: append([]byte(nil), pk.Payload...)})
}

func (a *httpAPIState) add(id int64, m storedMsg) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ms := append(a.stored[id], m)
	if len(ms) > storedPerDevice {
		ms = append(ms[:0:0], ms[len(ms)-storedPerDevice:]...)
	}
	a.stored[id] = ms
}

// synthesizeHistory stores one message a minute per registered device for
// the hour before now, so a backfill shows messages older than the start.
func (s *Sim) synthesizeHistory(now time.Time) {
	for i, d := range s.devs[:s.nReg] {
		for k := int(backfillSpan / time.Minute); k >= 1; k-- {
			t := now.Add(-time.Duration(k) * time.Minute).Truncate(time.Second)
			b := []byte(`{"ident":`)
			b = appendString(b, d.info.Ident)
			b = append(b, `,"timestamp":`...)
			b = strconv.AppendInt(b, t.Unix(), 10)
			b = append(b, `,"server.timestamp":`...)
			b = appendMicros(b, t.UnixMicro()+int64(400000+i*1000), 6)
			b = append(b, `,"channel.id":`...)
			b = strconv.AppendInt(b, d.info.ChannelID, 10)
			b = append(b, `,"device.id":`...)
			b = strconv.AppendInt(b, d.info.ID, 10)
			b = append(b, `,"device.name":`...)
			b = appendString(b, d.info.Name)
			b = append(b, `,"device.type.id":`...)
			b = strconv.AppendInt(b, d.info.TypeID, 10)
			b = append(b, `,"position.latitude":`...)
			b = strconv.AppendFloat(b, d.c.lat+float64(i%7)*0.004+float64(k)*0.0002, 'f', 6, 64)
			b = append(b, `,"position.longitude":`...)
			b = strconv.AppendFloat(b, d.c.lon+float64(i%5)*0.004-float64(k)*0.0002, 'f', 6, 64)
			b = append(b, `,"position.speed":`...)
			b = strconv.AppendInt(b, int64((k*7+i*3)%60), 10)
			b = append(b, `,"position.valid":true,"engine.ignition.status":true,"battery.voltage":4.1}`...)
			s.httpAPI.add(d.info.ID, storedMsg{ts: float64(t.Unix()), payload: b})
		}
	}
}

// serveHTTP answers one request (see the comment at the top).
func (s *Sim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ro := tokenRole([]byte(r.Header.Get("Authorization")), nil)
	if ro == roleNone {
		httpFail(w, 401, "authorization required: send Authorization: FlespiToken <token>")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, restMaxBody+1))
	if err != nil {
		httpFail(w, 400, "reading the request body: "+err.Error())
		return
	}
	method := strings.ToLower(r.Method)
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	levels := strings.Split(path, "/")
	own := path == "auth/info" || (len(levels) >= 3 && levels[0] == "mqtt" && levels[1] == "sessions") ||
		(len(levels) == 3 && levels[0] == "gw" && levels[1] == "devices") ||
		(len(levels) == 4 && levels[0] == "gw" && levels[1] == "devices" && levels[3] == "messages") ||
		(len(levels) == 5 && levels[0] == "gw" && levels[1] == "devices" && levels[3] == "telemetry")
	if !own {
		uri := path
		if r.URL.RawQuery != "" {
			uri += "?" + r.URL.RawQuery
		}
		status, b := s.restAnswer(ro, method, uri, body, len(body) > restMaxBody)
		writeJSON(w, status, b)
		return
	}
	if ro == roleACL && !(method == "get" && path == "auth/info") {
		httpFail(w, 403, "access denied: the token's ACL does not allow "+method+" "+path)
		return
	}
	switch {
	case path == "auth/info" && method == "get":
		httpOK(w, []any{json.RawMessage(s.tokenJSON(ro))})
	case levels[0] == "mqtt" && method == "get":
		httpOK(w, s.sessionsJSON())
	case levels[0] == "mqtt" && method == "delete":
		s.deleteSession(w, strings.Join(levels[2:], "/"))
	case method != "get":
		httpFail(w, 405, "the simulator only reads "+path)
	case len(levels) == 3:
		s.devicesJSON(w, levels[2])
	case levels[3] == "messages":
		s.messagesJSON(w, levels[2], r.URL.Query().Get("data"))
	default:
		s.telemetryJSON(w, levels[2])
	}
}

func httpOK(w http.ResponseWriter, result []any) {
	b, err := json.Marshal(map[string]any{"result": result})
	if err != nil {
		httpFail(w, 500, "internal error")
		return
	}
	writeJSON(w, 200, b)
}

func httpFail(w http.ResponseWriter, status int, reason string) {
	b, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"code": status, "reason": reason}}})
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
