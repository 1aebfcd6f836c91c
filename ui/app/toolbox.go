package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/flespi"
	"hubtap/history"
	"hubtap/telematics"
	"hubtap/ui/msglog"
	"hubtap/ui/toolbox"
)

// The flespi toolbox (README "flespi toolbox"): one key answers a question
// that otherwise needs flespi's web panel. The REST calls run in Cmds
// through flespi.Client; answers show in the toolbox panel (ui/toolbox),
// one overlay kind per question. This file: configuration, the target (the
// ident or device in focus), ident lookup, token info and sessions;
// toolbox_device.go: command, backfill, logs and telemetry.

// Toolbox configures the flespi toolbox.
type Toolbox struct {
	// REST makes flespi REST calls; nil: no REST API (a file, or a broker
	// with neither an HTTPS base nor REST over MQTT).
	REST *flespi.Client
	// ReadOnly disables publishing, REST writes, commands and session
	// deletion (--read-only or the profile's read_only).
	ReadOnly bool
	// EndSessionOnQuit deletes hubtap's own MQTT session on quit
	// (--end-session-on-quit; X toggles it).
	EndSessionOnQuit bool
	// Backfill is how far back B fetches a device's stored messages; 0: 10 min.
	Backfill time.Duration
	// StaleAfter highlights telemetry older than this; 0: 10 min.
	StaleAfter time.Duration
}

// toolState is the toolbox's part of the root model.
type toolState struct {
	panel     toolbox.Model
	endOnQuit bool
	warned    bool     // the persistent-session warning was given
	token     []string // auth/info in words ("" until fetched)
	tokenErr  string   // why auth/info failed
	sessions  []flespi.Session
	logs      []flespi.Record // device log records seen (bounded)
	cmd       *commandWatch
	backfill  map[int]*backfillPane // by pane id
	pending   *commandSpec          // a command waiting for its confirmation
	granted   map[string]time.Time  // when each subscription was first seen granted
	whyFor    target                // the device W explains
}

// maxLogRecords bounds toolState.logs (oldest dropped).
const maxLogRecords = 5000

// target is what the toolbox keys act on: the ident or device in focus.
type target struct {
	ident     string
	deviceID  int64
	name      string
	channelID int64 // the channel the message came through (0: unknown)
}

func (t target) label() string {
	switch {
	case t.name != "" && t.deviceID != 0:
		return t.name + " (id " + strconv.FormatInt(t.deviceID, 10) + ")"
	case t.deviceID != 0:
		return "device " + strconv.FormatInt(t.deviceID, 10)
	}
	return "ident " + t.ident
}

// target finds the ident or device in focus: the device view's row, else
// the selected message (in the pane or the detail).
func (m *Model) target() (target, bool) {
	if m.focus == focusDevices {
		if d, ok := m.devices.Current(); ok {
			t := target{deviceID: d.DeviceID, name: d.Name}
			if d.By == telematics.ByIdent {
				t.ident = d.Key
			}
			if t.ident != "" || t.deviceID != 0 {
				return t, true
			}
		}
	}
	e := m.cp().Selected()
	if e == nil {
		return target{}, false
	}
	t := entryTarget(e) // reads the payload once
	return t, e.Ident != "" || t.deviceID != 0
}

// entryTarget is the device a message is about (flespi.MessageTarget),
// falling back on the ident history read.
func entryTarget(e *history.Entry) target {
	ident, id, name, ch := flespi.MessageTarget(e.Topic, e.Payload)
	t := target{ident: ident, deviceID: id, name: history.SanitizeLine(name), channelID: ch}
	if t.ident == "" && t.deviceID == 0 {
		t.ident = e.Ident
	}
	return t
}

// rest returns the REST client or says why there is none.
func (m *Model) rest() (*flespi.Client, tea.Cmd) {
	if m.cfg.Toolbox.REST == nil {
		return nil, m.notify("no flespi REST API here (a file, or a broker that is not flespi and not --demo)", msglog.Error)
	}
	return m.cfg.Toolbox.REST, nil
}

// openTool shows the toolbox panel as overlay o with spec.
func (m *Model) openTool(o overlay, spec toolbox.Spec) tea.Cmd {
	m.tool.panel.Set(spec)
	if m.overlay == o {
		return nil
	}
	cmd := m.openOverlay(o)
	m.tool.panel.Focus()
	return cmd
}

// setTool updates the panel when overlay o is still open.
func (m *Model) setTool(o overlay, spec toolbox.Spec) {
	if m.overlay == o {
		m.tool.panel.Set(spec)
	}
}

func lines(level toolbox.Level, texts ...string) []toolbox.Line {
	out := make([]toolbox.Line, 0, len(texts))
	for _, t := range texts {
		out = append(out, toolbox.Line{Text: t, Level: level, Row: -1})
	}
	return out
}

// restCtx bounds one toolbox request.
func restCtx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, 30*time.Second)
}

// --- ident → device (I) ---

type identDoneMsg struct {
	t   target
	dev *flespi.Device
	err error
	via string
}

func (m *Model) cmdIdent(tea.KeyPressMsg) tea.Cmd {
	c, cmd := m.rest()
	if c == nil {
		return cmd
	}
	t, ok := m.target()
	if !ok || t.ident == "" {
		return m.notify("no ident to look up: select a message or a device (V) that has an ident", msglog.Error)
	}
	ctx := m.ctx
	open := m.openTool(overlayIdent, toolbox.Spec{Title: "ident " + t.ident,
		Lines: lines(toolbox.Hint, "looking up "+t.ident+" on this account (GET gw/devices/configuration.ident=…, via "+c.Via()+")…")})
	return tea.Batch(open, func() tea.Msg {
		ctx, cancel := restCtx(ctx)
		defer cancel()
		d, err := c.DeviceByIdent(ctx, t.ident)
		return identDoneMsg{t: t, dev: d, err: err, via: c.Via()}
	})
}

func (m *Model) onIdentDone(msg identDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.setTool(overlayIdent, toolbox.Spec{Title: "ident " + msg.t.ident, Lines: lines(toolbox.Err, msg.err.Error())})
		return m.notify("ident lookup: "+msg.err.Error(), msglog.Error)
	}
	words := flespi.DeviceWords(msg.t.ident, msg.dev, m.now())
	lv := toolbox.OK
	ls := lines(lv, words)
	if msg.dev == nil {
		ls[0].Level = toolbox.Warn
		ls = append(ls, lines(toolbox.Hint, "",
			"Its messages reach flespi/message/gw/channels/{channel}/"+msg.t.ident+" only, without device.* fields.",
			"Register a device with configuration.ident = "+msg.t.ident+" to store them and get the device topics.")...)
	} else {
		ls = append(ls, lines(toolbox.Hint, "",
			"Device topics: flespi/message/gw/devices/"+strconv.FormatInt(msg.dev.ID, 10)+" and flespi/log/gw/devices/"+strconv.FormatInt(msg.dev.ID, 10)+"/#",
			"B backfills its stored messages, C sends it a command, W explains its disconnects, K shows its telemetry.")...)
	}
	m.setTool(overlayIdent, toolbox.Spec{Title: "ident " + msg.t.ident, Lines: ls})
	return m.notify(words, msglog.Info)
}

// --- token info (in i) ---

type tokenDoneMsg struct {
	tok *flespi.Token
	err error
}

// fetchToken asks auth/info for the info panel (once per opening).
func (m *Model) fetchToken() tea.Cmd {
	c := m.cfg.Toolbox.REST
	if c == nil {
		return nil
	}
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := restCtx(ctx)
		defer cancel()
		t, err := c.TokenInfo(ctx)
		return tokenDoneMsg{tok: t, err: err}
	}
}

func (m *Model) onTokenDone(msg tokenDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.tool.token, m.tool.tokenErr = nil, msg.err.Error()
	} else {
		m.tool.token, m.tool.tokenErr = flespi.TokenWords(msg.tok, m.now()), ""
	}
	if m.overlay == overlayInfo {
		m.syncInfo()
	}
	return nil
}

// tokenLines is what the info panel shows under "token (REST auth/info)".
func (m *Model) tokenLines() []string {
	switch {
	case m.cfg.Toolbox.REST == nil:
		return nil
	case m.tool.tokenErr != "":
		return []string{"auth/info: " + m.tool.tokenErr}
	case m.tool.token == nil:
		return []string{"asking auth/info…"}
	}
	return m.tool.token
}

// silentHints names granted subscriptions that received nothing for a
// minute after hubtap connected.
func (m *Model) silentHints() []string {
	seen := m.tree.Seen(5000)
	var out []string
	for _, f := range m.topics {
		at, ok := m.tool.granted[f]
		if !ok || m.now().Sub(at) < time.Minute {
			continue
		}
		hit := false
		for _, t := range seen {
			if topicMatches(f, t) {
				hit = true
				break
			}
		}
		if !hit {
			out = append(out, f+": granted, but nothing has arrived. flespi/state topics change only on change; "+
				"a device topic stays silent when its ident is not registered (I on a channel message checks); "+
				"an ACL token sees only what it lists (see the token above).")
		}
	}
	return out
}

// topicMatches matches an MQTT filter ($share/ and $filter/ prefixes
// stripped) against a topic.
func topicMatches(filter, topic string) bool {
	for {
		switch {
		case strings.HasPrefix(filter, "$share/"):
			if _, rest, ok := strings.Cut(filter[len("$share/"):], "/"); ok {
				filter = rest
				continue
			}
		case strings.HasPrefix(filter, "$filter/"):
			if _, rest, ok := strings.Cut(filter[len("$filter/"):], "/"); ok {
				filter = rest
				continue
			}
		}
		break
	}
	fl, tl := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, f := range fl {
		if f == "#" {
			return true
		}
		if i >= len(tl) {
			return false
		}
		if f != "+" && f != tl[i] && !strings.Contains(f, ",") {
			return false
		}
		if strings.Contains(f, ",") && !contains(strings.Split(f, ","), tl[i]) {
			return false
		}
	}
	return len(fl) == len(tl)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// onToolResult handles the toolbox's messages; ok is false for others.
func (m *Model) onToolResult(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case identDoneMsg:
		return m.onIdentDone(msg), true
	case tokenDoneMsg:
		return m.onTokenDone(msg), true
	case sessionsDoneMsg:
		return m.onSessionsDone(msg), true
	case sessionDeletedMsg:
		return m.onSessionDeleted(msg), true
	case resolvedMsg:
		return m.onResolved(msg), true
	case commandQueuedMsg:
		return m.onCommandQueued(msg), true
	case telemetryDoneMsg:
		return m.onTelemetryDone(msg), true
	case backfillDoneMsg:
		return m.onBackfillDone(msg), true
	case toolbox.CloseMsg:
		m.closeOverlay()
		return nil, true
	case toolbox.DeleteMsg:
		return m.onSessionDelete(msg.Row), true
	case toolbox.RefreshMsg:
		return m.refreshTool(), true
	case toolbox.AnswerMsg:
		switch {
		case !msg.Yes && msg.Tag == "send-command":
			m.tool.pending = nil
			return m.notify("command not sent", msglog.Info), true
		case !msg.Yes:
			return nil, true
		case msg.Tag == "send-command":
			return m.sendCommand(), true
		case strings.HasPrefix(msg.Tag, "delete-session:"):
			return m.deleteSession(strings.TrimPrefix(msg.Tag, "delete-session:")), true
		}
		return nil, true
	}
	return nil, false
}

// refreshTool fetches the open panel's content again (r).
func (m *Model) refreshTool() tea.Cmd {
	switch m.overlay {
	case overlaySessions:
		return m.fetchSessions()
	case overlayWhy:
		m.tool.panel.Set(m.whySpec())
	case overlayIdent:
		return m.cmdIdent(tea.KeyPressMsg{})
	case overlayTelemetry:
		return m.cmdTelemetry(tea.KeyPressMsg{})
	}
	return nil
}
