package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/flespi"
	"hubtap/ui/form"
	"hubtap/ui/msglog"
	"hubtap/ui/toolbox"
)

// resolvedMsg carries a target whose device id was looked up by ident,
// then runs next on it.
type resolvedMsg struct {
	t    target
	what string
	err  error
	next func(*Model, target) tea.Cmd
}

// withDevice runs next on the target's device, looking its id up by ident
// first when the message carried none.
func (m *Model) withDevice(what string, next func(*Model, target) tea.Cmd) tea.Cmd {
	c, cmd := m.rest()
	if c == nil {
		return cmd
	}
	t, ok := m.target()
	if !ok {
		return m.notify(what+": select a device's message, or a device in the device view (V)", msglog.Error)
	}
	if t.deviceID != 0 {
		return next(m, t)
	}
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := restCtx(ctx)
		defer cancel()
		d, err := c.DeviceByIdent(ctx, t.ident)
		switch {
		case err != nil:
		case d == nil:
			err = errors.New(flespi.DeviceWords(t.ident, nil, time.Now()))
		default:
			t.deviceID, t.name = d.ID, d.Name
		}
		return resolvedMsg{t: t, what: what, err: err, next: next}
	}
}

func (m *Model) onResolved(msg resolvedMsg) tea.Cmd {
	if msg.err != nil && msg.t.deviceID == 0 && msg.t.channelID != 0 && msg.what == "device log" {
		// An ident with no device: its channel's log tells why it drops.
		return tea.Batch(m.notify(msg.err.Error()+"; showing its channel's log instead", msglog.Info), m.channelLog(msg.t))
	}
	if msg.err != nil {
		return m.notify(msg.err.Error(), msglog.Error)
	}
	return msg.next(m, msg.t)
}

// ensureSub subscribes to filter unless it is subscribed already.
func (m *Model) ensureSub(filter string) tea.Cmd {
	if m.cfg.Client == nil || slices.Contains(m.topics, filter) {
		return nil
	}
	m.topics = append(m.topics, filter)
	return subscribe(m.ctx, m.cfg.Client, []string{filter})
}

// --- commands (C) ---

// commandSpec is a command the user filled in, before confirmation.
type commandSpec struct {
	t     target
	name  string
	props json.RawMessage
}

// commandWatch follows one queued command through its log records.
type commandWatch struct {
	spec    commandSpec
	sentAt  time.Time
	id      int64 // from the queue's reply; 0 until it comes
	err     string
	records []flespi.Record
	done    bool
}

type commandQueuedMsg struct {
	cmd *flespi.Command
	err error
}

func (m *Model) cmdCommand(tea.KeyPressMsg) tea.Cmd {
	if m.cfg.Toolbox.ReadOnly {
		return m.notify("read-only: sending commands is disabled (started with --read-only)", msglog.Warn)
	}
	return m.withDevice("command", func(m *Model, t target) tea.Cmd {
		m.tool.pending = &commandSpec{t: t}
		fields := []form.Field{
			{Label: "command", Placeholder: "getinfo", Check: func(s string) error {
				if strings.TrimSpace(s) == "" || strings.ContainsAny(s, "/+#") {
					return errors.New("a command name, without / + #")
				}
				return nil
			}, Choices: []string{"getinfo", "custom", "reboot", "output.set", "position.request"}},
			{Label: "properties (JSON)", Placeholder: `{"text":"hello"} (empty: {})`, Check: func(s string) error {
				if s = strings.TrimSpace(s); s == "" || (json.Valid([]byte(s)) && strings.HasPrefix(s, "{")) {
					return nil
				}
				return errors.New("a JSON object, or empty")
			}},
		}
		notes := []string{m.st.List.Hint.Render("queued with POST gw/devices/" + strconv.FormatInt(t.deviceID, 10) + "/commands-queue; you confirm before it is sent,"),
			m.st.List.Hint.Render("then its log records (flespi/log/gw/devices/" + strconv.FormatInt(t.deviceID, 10) + "/commands-queue/…) are followed here.")}
		m.form = form.New(m.st, form.Spec{ID: "command", Title: "command to " + t.label(), Fields: fields, Notes: notes})
		return m.openOverlay(overlayForm)
	})
}

// onCommandForm asks for confirmation of the filled-in command.
func (m *Model) onCommandForm(msg form.SubmitMsg) tea.Cmd {
	p := m.tool.pending
	if p == nil {
		return nil
	}
	p.name = strings.TrimSpace(msg.Values[0])
	p.props = json.RawMessage(strings.TrimSpace(msg.Values[1]))
	if len(p.props) == 0 {
		p.props = json.RawMessage("{}")
	}
	open := m.openTool(overlayCommand, toolbox.Spec{Title: "command", Lines: lines(toolbox.Plain,
		"device:     "+p.t.label(), "command:    "+p.name, "properties: "+string(p.props))})
	m.tool.panel.Ask("Send "+p.name+" to "+p.t.label()+"?", "send-command")
	return open
}

// sendCommand queues the confirmed command and starts following it.
func (m *Model) sendCommand() tea.Cmd {
	p := m.tool.pending
	m.tool.pending = nil
	if p == nil {
		return nil
	}
	m.tool.cmd = &commandWatch{spec: *p, sentAt: m.now()}
	m.setTool(overlayCommand, m.commandSpec())
	c, ctx, sub := m.cfg.Toolbox.REST, m.ctx, m.cfg.Client
	logs := "flespi/log/gw/devices/" + strconv.FormatInt(p.t.deviceID, 10) + "/#"
	if slices.Contains(m.topics, logs) || sub == nil {
		logs = ""
	} else {
		m.topics = append(m.topics, logs)
	}
	return func() tea.Msg {
		ctx, cancel := restCtx(ctx)
		defer cancel()
		// Subscribed before the command is queued: flespi may log it at once.
		if logs != "" {
			if _, err := sub.Subscribe(ctx, logs); err != nil {
				return commandQueuedMsg{err: fmt.Errorf("subscribe %s (to follow the command): %w", logs, err)}
			}
		}
		cmd, err := c.QueueCommand(ctx, p.t.deviceID, p.name, p.props, 0)
		return commandQueuedMsg{cmd: cmd, err: err}
	}
}

func (m *Model) onCommandQueued(msg commandQueuedMsg) tea.Cmd {
	w := m.tool.cmd
	if w == nil {
		return nil
	}
	if msg.err != nil {
		w.err, w.done = msg.err.Error(), true
		m.setTool(overlayCommand, m.commandSpec())
		return m.notify("command "+w.spec.name+": "+msg.err.Error(), msglog.Error)
	}
	w.id = msg.cmd.ID
	// Records that came before the reply (flespi may log at once) and
	// belong to another command of the same name are dropped now.
	kept := w.records[:0]
	for _, r := range w.records {
		if r.Command == 0 || r.Command == w.id {
			kept = append(kept, r)
		}
	}
	w.records = kept
	m.setTool(overlayCommand, m.commandSpec())
	return m.notify("command "+w.spec.name+" queued for "+w.spec.t.label()+" (#"+strconv.FormatInt(w.id, 10)+")", msglog.Info)
}

// watchRecord takes a device log record for the command being followed.
func (m *Model) watchRecord(r flespi.Record) tea.Cmd {
	w := m.tool.cmd
	if w == nil || w.done || r.Kind != "command" || r.DeviceID != w.spec.t.deviceID || r.Name != w.spec.name ||
		(w.id != 0 && r.Command != 0 && r.Command != w.id) {
		return nil
	}
	if r.Time > 0 && flespi.UnixTime(r.Time).Before(w.sentAt.Add(-5*time.Second)) {
		return nil // an older run of the same command
	}
	w.records = append(w.records, r)
	w.done = flespi.CommandDone(r.Status)
	m.setTool(overlayCommand, m.commandSpec())
	if w.done {
		lvl := msglog.Info
		if r.Status != "processed" {
			lvl = msglog.Warn
		}
		return m.notify("command "+w.spec.name+" "+r.Status+" ("+m.commandTook(w)+")", lvl)
	}
	return nil
}

// commandTook is the time from queued to the last record.
func (m *Model) commandTook(w *commandWatch) string {
	var q, last float64
	for _, r := range w.records {
		if r.Status == "queued" && q == 0 {
			q = r.Time
		}
		last = r.Time
	}
	if q == 0 || last == 0 {
		return "queued-to-done time unknown: records without timestamps"
	}
	return strconv.FormatFloat(last-q, 'f', 3, 64) + " s from queued to " + w.records[len(w.records)-1].Status
}

// commandSpec is the command panel: what was sent, then each record.
func (m *Model) commandSpec() toolbox.Spec {
	w := m.tool.cmd
	ls := lines(toolbox.Plain, "device:     "+w.spec.t.label(), "command:    "+w.spec.name, "properties: "+string(w.spec.props), "")
	id := "waiting for the queue's reply…"
	if w.id != 0 {
		id = "queued as #" + strconv.FormatInt(w.id, 10)
	}
	ls = append(ls, lines(toolbox.Label, id)...)
	for _, r := range w.records {
		at := ""
		if r.Time > 0 {
			at = flespi.UnixTime(r.Time).Local().Format("15:04:05.000") + "  "
		}
		lvl := toolbox.Plain
		switch {
		case r.Status == "processed":
			lvl = toolbox.OK
		case flespi.CommandDone(r.Status):
			lvl = toolbox.Warn
		}
		ls = append(ls, toolbox.Line{Text: "  " + at + r.Words, Level: lvl, Row: -1})
	}
	switch {
	case w.err != "":
		ls = append(ls, lines(toolbox.Err, w.err)...)
	case w.done:
		ls = append(ls, lines(toolbox.OK, "", m.commandTook(w))...)
	default:
		ls = append(ls, lines(toolbox.Hint, "", "following flespi/log/gw/devices/"+strconv.FormatInt(w.spec.t.deviceID, 10)+
			"/commands-queue/"+w.spec.name+"/… until processed, failed, canceled or expired",
			"(a device that is not connected gets it when it connects, until the command's ttl ends)")...)
	}
	return toolbox.Spec{Title: "command " + w.spec.name, Lines: ls}
}

// --- device logs in words, and why it disconnected (W) ---

func (m *Model) cmdWhy(tea.KeyPressMsg) tea.Cmd {
	if t, ok := m.target(); ok && t.deviceID == 0 && t.channelID != 0 && m.cfg.Toolbox.REST == nil {
		return m.channelLog(t) // no REST API to find its device: the channel's log
	}
	return m.withDevice("device log", func(m *Model, t target) tea.Cmd {
		logs := "flespi/log/gw/devices/" + strconv.FormatInt(t.deviceID, 10) + "/#"
		var cmds []tea.Cmd
		cmds = append(cmds, m.ensureSub(logs))
		if !m.paneOn(logs) && len(m.panes) < maxPanes {
			cmds = append(cmds, m.addPane("log "+t.label(), []string{logs}))
		}
		m.tool.whyFor = t
		cmds = append(cmds, m.openTool(overlayWhy, m.whySpec()))
		return tea.Batch(cmds...)
	})
}

// paneOn reports a pane that shows exactly topic.
func (m *Model) paneOn(topic string) bool {
	for i := range m.panes {
		if t := m.panes[i].p.Topics(); len(t) == 1 && t[0] == topic {
			return true
		}
	}
	return false
}

// channelLog subscribes to a channel's log, opens a pane on it and shows
// the records about one ident (an ident without a device has no device log).
func (m *Model) channelLog(t target) tea.Cmd {
	logs := "flespi/log/gw/channels/" + strconv.FormatInt(t.channelID, 10) + "/#"
	cmds := []tea.Cmd{m.ensureSub(logs)}
	if !m.paneOn(logs) && len(m.panes) < maxPanes {
		cmds = append(cmds, m.addPane("log channel "+strconv.FormatInt(t.channelID, 10), []string{logs}))
	}
	m.tool.whyFor = t
	return tea.Batch(append(cmds, m.openTool(overlayWhy, m.whySpec()))...)
}

// whySpec is the device's log records in words and its disconnect summary
// (for an ident without a device: its channel's records about it).
func (m *Model) whySpec() toolbox.Spec {
	t := m.tool.whyFor
	var mine []flespi.Record
	for _, r := range m.tool.logs {
		switch {
		case t.deviceID != 0 && r.DeviceID == t.deviceID:
		case t.channelID != 0 && r.ChannelID == t.channelID && (r.Ident == "" || r.Ident == t.ident):
		default:
			continue
		}
		mine = append(mine, r)
	}
	ls := lines(toolbox.Label, "why did it disconnect?")
	for _, s := range flespi.WhyDisconnected(mine) {
		ls = append(ls, toolbox.Line{Text: s, Row: -1})
	}
	ls = append(ls, toolbox.Line{Row: -1}, toolbox.Line{Text: "log records (newest first)", Level: toolbox.Label, Row: -1})
	for i := len(mine) - 1; i >= 0 && i >= len(mine)-200; i-- {
		r := mine[i]
		at := "—"
		if r.Time > 0 {
			at = flespi.UnixTime(r.Time).Local().Format("15:04:05")
		}
		lvl := toolbox.Plain
		if r.Kind == "disconnected" || r.Kind == "error" {
			lvl = toolbox.Warn
		}
		ls = append(ls, toolbox.Line{Text: "  " + at + "  " + r.Words, Level: lvl, Row: -1})
	}
	topic, title := "flespi/log/gw/devices/"+strconv.FormatInt(t.deviceID, 10)+"/#", "log of "+t.label()
	if t.deviceID == 0 {
		topic, title = "flespi/log/gw/channels/"+strconv.FormatInt(t.channelID, 10)+"/#", "channel "+strconv.FormatInt(t.channelID, 10)+" log about "+t.label()
	}
	if len(mine) == 0 {
		ls = append(ls, lines(toolbox.Hint, "  none yet: records arrive live on "+topic+" (now subscribed)")...)
	}
	return toolbox.Spec{Title: title, Lines: ls}
}
