package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/flespi"
	"hubtap/history"
	"hubtap/sim"
	"hubtap/themes"
	"hubtap/ui/toolbox"
)

// fakeREST is a flespi REST API for model tests: each path answers what
// the test set; everything else {"result":[]}. It records requests.
type fakeREST struct {
	mu      sync.Mutex
	answers map[string]string // "METHOD path" → body
	got     []string
}

func (f *fakeREST) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := r.Method + " " + r.URL.Path
	f.got = append(f.got, k)
	body, ok := f.answers[k]
	if !ok {
		body = `{"result":[]}`
	}
	_, _ = w.Write([]byte(body))
}

func (f *fakeREST) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// fakeToolbox is a toolbox on a fakeREST.
func fakeToolbox(t *testing.T, readOnly bool, answers map[string]string) (Toolbox, *fakeREST) {
	t.Helper()
	f := &fakeREST{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	tr, err := flespi.NewHTTPS(srv.URL, broker.Secret("test-token"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return Toolbox{REST: flespi.New(tr, nil, flespi.ModeHTTPS, readOnly), ReadOnly: readOnly}, f
}

// drive runs cmd like the program would (runWithin), with a deadline long
// enough for a loopback REST call on a loaded machine.
func drive(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	return runWithin(t, m, cmd, 10*time.Second)
}

// tool presses keys, driving their commands to the end.
func tool(t *testing.T, m Model, ks ...tea.KeyPressMsg) Model {
	t.Helper()
	for _, k := range ks {
		nm, cmd := m.Update(k)
		m = drive(t, nm.(Model), cmd)
	}
	return m
}

func toolModel(t *testing.T, tb Toolbox, now func() time.Time) Model {
	t.Helper()
	m := New(Config{Styles: themes.Build(themes.Plain()), Store: history.NewStore(1 << 22), Source: noSource{},
		Client: &fakeClient{}, Topics: []string{"#"}, Target: "mqtt://127.0.0.1:1883", Now: now, Toolbox: tb,
		Requested: requestedToken(0)})
	return update(t, m, tea.WindowSizeMsg{Width: 160, Height: 50})
}

func panelText(m Model) string {
	var b strings.Builder
	for _, l := range m.tool.panel.Spec().Lines {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// chanMsg is a channel message from ident (registered or not), as the
// simulator would send it, at time at.
func chanMsg(seq int, ident string, at time.Time, extra string) broker.Message {
	p := `{"ident":"` + ident + `","timestamp":` + strconv.FormatInt(at.Unix(), 10) + extra + `}`
	return broker.Message{Seq: uint64(seq), Topic: "flespi/message/gw/channels/1234/" + ident, Payload: []byte(p), QoS: 1, Received: at}
}

// TestToolboxAgainstSimulator: ident lookup on an unregistered and a
// registered ident, telemetry with ages, sessions and backfill, through the
// simulator's HTTP REST API.
func TestToolboxAgainstSimulator(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sim.Start(ctx, sim.Config{Devices: 3, Unregistered: 1, Rate: -1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base, err := s.RESTURL()
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := flespi.NewHTTPS(base, broker.Secret(sim.DemoToken), 10*time.Second)
	m := toolModel(t, Toolbox{REST: flespi.New(tr, nil, flespi.ModeHTTPS, false)}, time.Now)
	un, reg := s.Unregistered()[0], s.Devices()[0]
	start := time.Now()

	m = update(t, m, batch([]broker.Message{chanMsg(1, un.Ident, start, "")}))
	m = tool(t, m, press("I"))
	if m.overlay != overlayIdent || !strings.Contains(panelText(m), un.Ident+": not registered on this account: the channel receives it, no device is created for it") {
		t.Fatalf("I on unregistered %s: overlay %d, panel:\n%s", un.Ident, m.overlay, panelText(m))
	}
	m = tool(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})

	m = update(t, m, batch([]broker.Message{chanMsg(2, reg.Ident, start, "")}))
	m = tool(t, m, press("I"))
	want := reg.Ident + ": registered as " + reg.Name + " (id " + strconv.FormatInt(reg.ID, 10) + ", type " + strconv.FormatInt(reg.TypeID, 10) + "), connected"
	if !strings.Contains(panelText(m), want) {
		t.Fatalf("I on registered: want %q in:\n%s", want, panelText(m))
	}
	m = tool(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})

	// Telemetry: the device resolved by ident, ages shown, old ones marked.
	m = tool(t, m, press("K"))
	txt := panelText(m)
	if m.overlay != overlayTelemetry || !strings.Contains(txt, "parameters;") || !strings.Contains(txt, "position.speed") || !strings.Contains(txt, "old") {
		t.Fatalf("K: overlay %d, panel:\n%s", m.overlay, txt)
	}
	warned := false
	for _, l := range m.tool.panel.Spec().Lines {
		warned = warned || (l.Level == toolbox.Warn && strings.Contains(l.Text, "⚠"))
	}
	if warned {
		t.Errorf("the simulator's newest stored message is a minute old, under the 10 min threshold, yet a parameter is marked old:\n%s", txt)
	}
	m = tool(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})

	// Sessions: the list opens (nobody is connected over MQTT here).
	m = tool(t, m, press("S"))
	if m.overlay != overlaySessions || !strings.Contains(panelText(m), "0 sessions, 0 connected") {
		t.Fatalf("S: overlay %d, panel:\n%s", m.overlay, panelText(m))
	}
	m = tool(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})

	// Backfill: a pane of its own with stored messages older than the
	// start, marked fetched, then the live one, not twice.
	live := broker.Message{Seq: 3, Topic: "flespi/message/gw/devices/" + strconv.FormatInt(reg.ID, 10), QoS: 1, Received: start,
		Payload: []byte(`{"ident":"` + reg.Ident + `","timestamp":` + strconv.FormatInt(start.Unix(), 10) + `,"device.id":` + strconv.FormatInt(reg.ID, 10) + `}`)}
	m = update(t, m, batch([]broker.Message{live}))
	n := len(m.panes)
	m = tool(t, m, press("B"))
	if len(m.panes) != n+1 {
		t.Fatalf("B opened no pane; log: %v", m.LogLines())
	}
	bp := m.tool.backfill[m.cp().ID()]
	if bp == nil {
		t.Fatal("the new pane is not a backfill pane")
	}
	fetched, older := 0, 0
	for abs := bp.store.First(); abs < bp.store.End(); abs++ {
		e, _ := bp.store.Get(abs)
		if p := e.Properties(); p != nil && len(p.User) > 0 && p.User[0].Key == fetchedProp {
			fetched++
			if e.Received.Before(start) {
				older++
			}
		}
	}
	if fetched < 9 || older != fetched || bp.store.Len() != fetched+1 {
		t.Fatalf("backfill store: %d messages, %d fetched, %d of them older than the start; want ~10 fetched, all older, plus the one live", bp.store.Len(), fetched, older)
	}
	// A live copy arriving again (same ident and timestamp) is dropped; a new one is added.
	again := live // the same message, its timestamp written as 123.0
	again.Seq = 4
	again.Payload = []byte(`{"ident":"` + reg.Ident + `","timestamp":` + strconv.FormatInt(start.Unix(), 10) + `.0,"device.id":` + strconv.FormatInt(reg.ID, 10) + `}`)
	newer := live
	newer.Seq, newer.Payload = 5, []byte(`{"ident":"`+reg.Ident+`","timestamp":`+strconv.FormatInt(start.Unix()+1, 10)+`}`)
	m = update(t, m, batch([]broker.Message{again, newer}))
	if bp.store.Len() != fetched+2 {
		t.Fatalf("after a duplicate and a new live message the backfill store has %d, want %d", bp.store.Len(), fetched+2)
	}
	// Export and replay read the pane's own store: its messages, not the main store's.
	ids, all := m.cp().Shown()
	msgs := m.cpStore().Snapshot().Messages(ids, all)
	if len(msgs) != fetched+2 || msgs[0].Props == nil || msgs[0].Props.User[0].Key != fetchedProp {
		t.Fatalf("the backfill pane exports %d messages (first %+v); want its %d, fetched first", len(msgs), msgs[0], fetched+2)
	}
	if !strings.Contains(screen(t, m), "fetched + live") {
		t.Errorf("the backfill pane's title does not say it is fetched:\n%s", screen(t, m))
	}
}

// TestCommandSentAndFollowed: C on a device asks for a command, asks
// before sending, queues it over REST and follows its log records to
// processed, with the time from queued to processed.
func TestCommandSentAndFollowed(t *testing.T) {
	tb, f := fakeToolbox(t, false, map[string]string{
		"POST /gw/devices/182083/commands-queue": `{"result":[{"id":77,"device_id":182083,"name":"getinfo","properties":{}}]}`,
	})
	m := toolModel(t, tb, func() time.Time { return t0 })
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "352625066000001", 10)}))
	m = tool(t, m, press("C"))
	if m.overlay != overlayForm {
		t.Fatalf("C opened overlay %d, want the command form", m.overlay)
	}
	m = typeText(t, m, "getinfo")
	m = tool(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if m.overlay != overlayCommand || !m.tool.panel.Asking() {
		t.Fatalf("after the form: overlay %d, asking %v; want the confirmation", m.overlay, m.tool.panel.Asking())
	}
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "POST") {
			t.Fatalf("a command was sent before confirmation: %v", f.requests())
		}
	}
	m = tool(t, m, press("y"))
	if got := f.requests(); len(got) == 0 || got[len(got)-1] != "POST /gw/devices/182083/commands-queue" {
		t.Fatalf("requests %v; want the commands-queue POST", got)
	}
	rec := func(seq int, status string, ts float64) broker.Message {
		return broker.Message{Seq: uint64(seq), Topic: "flespi/log/gw/devices/182083/commands-queue/getinfo/" + status, QoS: 1, Received: t0,
			Payload: []byte(`{"id":77,"device_id":182083,"name":"getinfo","timestamp":` + strconv.FormatFloat(ts, 'f', 3, 64) + `}`)}
	}
	base := float64(t0.Unix())
	m = update(t, m, batch([]broker.Message{rec(2, "queued", base), rec(3, "sent", base+0.2)}))
	if m.tool.cmd.done {
		t.Fatal("done before processed")
	}
	m = update(t, m, batch([]broker.Message{rec(4, "processed", base+1.25)}))
	txt := panelText(m)
	for _, want := range []string{"queued as #77", `command "getinfo" #77 queued`, `command "getinfo" #77 sent`, `command "getinfo" #77 processed`, "1.250 s from queued to processed"} {
		if !strings.Contains(txt, want) {
			t.Errorf("command panel lacks %q:\n%s", want, txt)
		}
	}
}

// TestReadOnlyRefuses: publish, commands and session deletion say they are
// disabled, and nothing is sent.
func TestReadOnlyRefuses(t *testing.T) {
	tb, f := fakeToolbox(t, true, map[string]string{
		"GET /mqtt/sessions/all": `{"result":[{"client_id":"old","connected":false,"subscriptions":[{"topic":"flespi/#"}],"queued":12,"session_expiry":86400}]}`,
	})
	m := toolModel(t, tb, func() time.Time { return t0 })
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "352625066000001", 10)}))
	m = tool(t, m, press("p"))
	m = tool(t, m, press("C"))
	m = tool(t, m, press("S"))
	if !strings.Contains(panelText(m), "old  offline · 1 subscription · 12 queued · kept 1 day offline") {
		t.Fatalf("sessions panel:\n%s", panelText(m))
	}
	m = tool(t, m, press("d"))
	if m.tool.panel.Asking() {
		t.Fatal("read-only: d asked to delete")
	}
	m = tool(t, m, tea.KeyPressMsg{Code: tea.KeyEscape}, press("R"))
	m = typeText(t, m, "post")
	m = tool(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if fc := m.cfg.Client.(*fakeClient); len(fc.reqs) != 0 || len(fc.sent) != 0 {
		t.Fatalf("read-only sent over MQTT: requests %v, publishes %v", fc.reqs, fc.sent)
	}
	log := strings.Join(m.LogLines(), "\n")
	for _, want := range []string{"read-only: publishing is disabled", "read-only: sending commands is disabled", "read-only: deleting sessions is disabled",
		"read-only: REST post is disabled"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	for _, r := range f.requests() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("read-only sent %s", r)
		}
	}
}

// TestSessionDeleteAsksFirst: d asks, n keeps the session, y deletes it.
func TestSessionDeleteAsksFirst(t *testing.T) {
	tb, f := fakeToolbox(t, false, map[string]string{
		"GET /mqtt/sessions/all": `{"result":[{"client_id":"old","connected":false,"subscriptions":2,"queued":5}]}`,
	})
	m := toolModel(t, tb, func() time.Time { return t0 })
	m = tool(t, m, press("S"), press("d"))
	if !m.tool.panel.Asking() || !strings.Contains(m.tool.panel.View(), "Delete session old and its 5 queued messages?") {
		t.Fatalf("d did not ask:\n%s", m.tool.panel.View())
	}
	m = tool(t, m, press("n"))
	m = tool(t, m, press("d"), press("y"))
	var del []string
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "DELETE") {
			del = append(del, r)
		}
	}
	if len(del) != 1 || del[0] != `DELETE /mqtt/sessions/client_id="old"` {
		t.Fatalf("deletes %v; want exactly one, after y", del)
	}
}

// TestWhyDisconnectedAndPersistWarning: W subscribes to the device's log,
// opens a pane on it and explains close codes; a persistent session with
// flespi/# is warned about once.
func TestWhyDisconnectedAndPersistWarning(t *testing.T) {
	tb, _ := fakeToolbox(t, false, nil)
	m := toolModel(t, tb, func() time.Time { return t0 })
	m.subs["#"] = broker.SubResult{Filter: "#"}
	m.topics = append(m.topics, "flespi/#")
	m.subs["flespi/#"] = broker.SubResult{Filter: "flespi/#"}
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "352625066000001", 10)}))
	m = update(t, m, batch([]broker.Message{flespiMsg(2, "352625066000001", 10)}))
	if log := strings.Join(m.LogLines(), "\n"); strings.Count(log, "after you quit, flespi keeps queuing") != 1 {
		t.Fatalf("want one persistent-session warning:\n%s", log)
	}
	m = tool(t, m, press("W"))
	if m.overlay != overlayWhy || !m.paneOn("flespi/log/gw/devices/182083/#") {
		t.Fatalf("W: overlay %d, panes %v", m.overlay, m.panes)
	}
	d := func(seq, code int) broker.Message {
		b, _ := json.Marshal(map[string]any{"event_code": 301, "close_code": code, "timestamp": float64(t0.Unix() + int64(seq))})
		return broker.Message{Seq: uint64(seq), Topic: "flespi/log/gw/devices/182083/disconnected", Payload: b, Received: t0}
	}
	m = update(t, m, batch([]broker.Message{d(2, 17), d(3, 17), d(4, 44)}))
	txt := panelText(m)
	for _, want := range []string{"last disconnect: close code 44 (not documented)", "2× inactivity timeout", "disconnected: inactivity timeout: nothing came from the device for 10 minutes (close code 17)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("W panel lacks %q:\n%s", want, txt)
		}
	}
	m = tool(t, m, tea.KeyPressMsg{Code: tea.KeyEscape}, press("X"))
	if !m.EndSessionOnQuit() {
		t.Error("X did not turn on ending the session on quit")
	}
}

// TestTelemetryAgesHighlightOld: parameters older than the threshold are
// highlighted and counted; the newest come first.
func TestTelemetryAgesHighlightOld(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	tel := map[string]flespi.Telemetry{
		"position.speed":  {Value: json.RawMessage(`47`), TS: 999_990},
		"battery.voltage": {Value: json.RawMessage(`4.05`), TS: 999_000},
		"din":             {Value: json.RawMessage(`1`)},
	}
	ls := telemetryLines(tel, now, 10*time.Minute)
	if ls[0].Text != "3 parameters; 1 older than 10 min (highlighted)" {
		t.Fatalf("head %q", ls[0].Text)
	}
	if !strings.HasPrefix(ls[1].Text, "position.speed") || !strings.Contains(ls[1].Text, "10 s old") || ls[1].Level == toolbox.Warn {
		t.Errorf("newest line %+v", ls[1])
	}
	if !strings.HasPrefix(ls[2].Text, "battery.voltage") || !strings.Contains(ls[2].Text, "16 min old ⚠") || ls[2].Level != toolbox.Warn {
		t.Errorf("old line %+v; want it highlighted", ls[2])
	}
	if !strings.Contains(ls[3].Text, "age unknown") {
		t.Errorf("no timestamp: %+v", ls[3])
	}
}

// TestSilentSubscriptionHint: a subscription granted a minute ago that
// matched nothing is named in i; one that matched a topic is not.
func TestSilentSubscriptionHint(t *testing.T) {
	now := t0
	m := toolModel(t, Toolbox{}, func() time.Time { return now })
	m.topics = []string{"flespi/message/gw/channels/+/+", "flespi/state/gw/devices/+/connected"}
	m.subs = map[string]broker.SubResult{m.topics[0]: {Filter: m.topics[0]}, m.topics[1]: {Filter: m.topics[1]}}
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "352625066000001", 10)}))
	if h := m.silentHints(); len(h) != 0 {
		t.Fatalf("hints right after the SUBACK: %v", h)
	}
	now = t0.Add(2 * time.Minute)
	h := m.silentHints()
	if len(h) != 1 || !strings.HasPrefix(h[0], "flespi/state/gw/devices/+/connected: granted, but nothing has arrived") {
		t.Fatalf("hints after 2 min: %v; want only the silent state filter", h)
	}
	m = tool(t, m, press("i"))
	if !strings.Contains(flat(screen(t, m)), "silent: flespi/state/gw/devices/+/connected") {
		t.Errorf("i does not show the silent subscription:\n%s", screen(t, m))
	}
}

// TestIdentFromDeviceView: I on a row of the device view looks up that
// row's ident.
func TestIdentFromDeviceView(t *testing.T) {
	tb, f := fakeToolbox(t, false, nil)
	m := toolModel(t, tb, func() time.Time { return t0 })
	m = update(t, m, batch([]broker.Message{flespiMsg(1, "352625066000009", 10)}))
	m = tool(t, m, press("V"), press("I"))
	got := f.requests()
	if len(got) != 1 || got[0] != `GET /gw/devices/configuration.ident="352625066000009"` || m.overlay != overlayIdent {
		t.Fatalf("requests %v, overlay %d; want the lookup of the row's ident", got, m.overlay)
	}
}

// TestWhyOnUnregisteredIdentShowsChannelLog: W on an ident with no device
// falls back to its channel's log and shows the records about it.
func TestWhyOnUnregisteredIdentShowsChannelLog(t *testing.T) {
	tb, _ := fakeToolbox(t, false, nil) // every lookup: no device
	m := toolModel(t, tb, func() time.Time { return t0 })
	m = update(t, m, batch([]broker.Message{chanMsg(1, "860000000000001", t0, `,"channel.id":1234`)}))
	m = tool(t, m, press("W"))
	if m.overlay != overlayWhy || !m.paneOn("flespi/log/gw/channels/1234/#") {
		t.Fatalf("W: overlay %d; want the channel log panel and a pane on flespi/log/gw/channels/1234/#; log %v", m.overlay, m.LogLines())
	}
	rec := broker.Message{Seq: 2, Topic: "flespi/log/gw/channels/1234/error", Received: t0,
		Payload: []byte(`{"event_code":1,"ident":"860000000000001","reason":"undecodable data: connection closed (close code 19)"}`)}
	other := broker.Message{Seq: 3, Topic: "flespi/log/gw/channels/1234/error", Received: t0,
		Payload: []byte(`{"event_code":1,"ident":"999","reason":"someone else"}`)}
	m = update(t, m, batch([]broker.Message{rec, other}))
	txt := panelText(m)
	if !strings.Contains(txt, "error: undecodable data: connection closed (close code 19)") || strings.Contains(txt, "someone else") {
		t.Fatalf("channel log panel:\n%s", txt)
	}
}

// TestBackfillKeysBounded: a long-lived backfill pane remembers the fetched
// keys and only the newest maxLiveKeys live ones.
func TestBackfillKeysBounded(t *testing.T) {
	bp := &backfillPane{seen: map[string]struct{}{"fetched": {}}}
	for i := range maxLiveKeys + 100 {
		bp.remember("live" + strconv.Itoa(i))
	}
	if len(bp.seen) != maxLiveKeys+1 || len(bp.live) != maxLiveKeys {
		t.Fatalf("%d keys remembered (%d live), want %d live plus the fetched one", len(bp.seen), len(bp.live), maxLiveKeys)
	}
	if _, ok := bp.seen["fetched"]; !ok {
		t.Fatal("a fetched key was let go")
	}
	if _, ok := bp.seen["live0"]; ok {
		t.Fatal("the oldest live key stayed")
	}
}
