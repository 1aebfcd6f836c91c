package app

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/flespi"
	"hubtap/ui/msglog"
	"hubtap/ui/toolbox"
)

// --- MQTT sessions (S) ---

type sessionsDoneMsg struct {
	ss  []flespi.Session
	err error
}

type sessionDeletedMsg struct {
	id  string
	err error
}

func (m *Model) cmdSessions(tea.KeyPressMsg) tea.Cmd {
	c, cmd := m.rest()
	if c == nil {
		return cmd
	}
	open := m.openTool(overlaySessions, toolbox.Spec{Title: "MQTT sessions",
		Lines: lines(toolbox.Hint, "listing the account's MQTT sessions (GET mqtt/sessions/all, via "+c.Via()+")…")})
	return tea.Batch(open, m.fetchSessions())
}

func (m *Model) fetchSessions() tea.Cmd {
	c, ctx := m.cfg.Toolbox.REST, m.ctx
	return func() tea.Msg {
		ctx, cancel := restCtx(ctx)
		defer cancel()
		ss, err := c.Sessions(ctx)
		return sessionsDoneMsg{ss: ss, err: err}
	}
}

func (m *Model) onSessionsDone(msg sessionsDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.setTool(overlaySessions, toolbox.Spec{Title: "MQTT sessions", Lines: lines(toolbox.Err, msg.err.Error())})
		return m.notify("sessions: "+msg.err.Error(), msglog.Error)
	}
	m.tool.sessions = msg.ss
	m.setTool(overlaySessions, m.sessionsSpec())
	return nil
}

// sessionsSpec lists the sessions, one row each, hubtap's own marked.
func (m *Model) sessionsSpec() toolbox.Spec {
	own := m.cfg.Requested.ClientID
	connected := 0
	for _, s := range m.tool.sessions {
		if s.Connected {
			connected++
		}
	}
	head := plural(len(m.tool.sessions), "session") + ", " + strconv.Itoa(connected) + " connected" +
		" (the account's limit is not reported by this call; see flespi's counters)"
	ls := lines(toolbox.Label, head)
	for i, s := range m.tool.sessions {
		state := "offline"
		if s.Connected {
			state = "connected"
		}
		exp := "ends with the connection"
		if s.Expiry > 0 {
			exp = "kept " + flespi.Duration(s.Expiry) + " offline"
		}
		text := s.ClientID + "  " + state + " · " + plural(s.Subscriptions, "subscription") + " · " +
			strconv.Itoa(s.Queued) + " queued · " + exp
		if s.ClientID == own {
			text += "  ← hubtap (this session)"
		}
		ls = append(ls, toolbox.Line{Text: text, Row: i})
		if len(s.Topics) > 0 {
			ls = append(ls, toolbox.Line{Text: "    " + strings.Join(s.Topics, "  "), Level: toolbox.Hint, Row: i})
		}
	}
	if len(m.tool.sessions) == 0 {
		ls = append(ls, lines(toolbox.Hint, "no sessions")...)
	}
	hint := "d deletes the selected session and its queue (asks first)."
	if m.cfg.Toolbox.ReadOnly {
		hint = "read-only: deleting sessions is disabled."
	}
	ls = append(ls, lines(toolbox.Hint, "", hint)...)
	return toolbox.Spec{Title: "MQTT sessions", Lines: ls, Rows: len(m.tool.sessions), CanDelete: true}
}

// onSessionDelete asks before deleting the selected session.
func (m *Model) onSessionDelete(row int) tea.Cmd {
	if m.cfg.Toolbox.ReadOnly {
		return m.notify("read-only: deleting sessions is disabled (started with --read-only)", msglog.Warn)
	}
	if row < 0 || row >= len(m.tool.sessions) {
		return nil
	}
	s := m.tool.sessions[row]
	q := "Delete session " + s.ClientID + " and its " + strconv.Itoa(s.Queued) + " queued messages?"
	if s.Connected {
		q = "Delete session " + s.ClientID + "? It is connected: the client is disconnected and may reconnect."
	}
	if s.ClientID == m.cfg.Requested.ClientID {
		q = "Delete hubtap's own session? hubtap will reconnect with a new one."
	}
	m.tool.panel.Ask(q, "delete-session:"+s.ClientID)
	return nil
}

func (m *Model) deleteSession(id string) tea.Cmd {
	c, ctx := m.cfg.Toolbox.REST, m.ctx
	return tea.Batch(m.notify("deleting session "+id+"…", msglog.Info), func() tea.Msg {
		ctx, cancel := restCtx(ctx)
		defer cancel()
		return sessionDeletedMsg{id: id, err: c.DeleteSession(ctx, id)}
	})
}

func (m *Model) onSessionDeleted(msg sessionDeletedMsg) tea.Cmd {
	if msg.err != nil {
		return m.notify("delete session "+msg.id+": "+msg.err.Error(), msglog.Error)
	}
	return tea.Batch(m.notify("deleted session "+msg.id, msglog.Info), m.fetchSessions())
}

// --- hubtap's own persistent session ---

// broadFilter reports a filter that carries a lot of traffic into an
// offline queue.
func broadFilter(f string) bool {
	switch f {
	case "#", "flespi/#", "flespi/message/#", "flespi/message/gw/#", "flespi/message/gw/channels/#",
		"flespi/message/gw/channels/+/+", "flespi/message/gw/devices/+", "flespi/message/gw/devices/#",
		"flespi/state/#", "flespi/log/#":
		return true
	}
	return false
}

// persistWarning warns once when hubtap's own session is persistent and a
// broad subscription would keep queuing after hubtap quits (not in the
// demo: its broker runs inside hubtap and ends with it).
func (m *Model) persistWarning() tea.Cmd {
	if m.tool.warned || m.tool.endOnQuit || m.cfg.Requested.SessionExpiry <= 0 || m.cfg.Demo {
		return nil
	}
	for _, f := range m.topics {
		if _, ok := m.tool.granted[f]; ok && broadFilter(f) {
			m.tool.warned = true
			return m.notify("hubtap's session is persistent (kept "+flespi.Duration(m.cfg.Requested.SessionExpiry)+
				"): after you quit, flespi keeps queuing "+f+" for it (up to 1 GB). X ends the session on quit (or --end-session-on-quit).", msglog.Warn)
		}
	}
	return nil
}

func (m *Model) cmdEndOnQuit(tea.KeyPressMsg) tea.Cmd {
	if m.cfg.Requested.SessionExpiry <= 0 {
		return m.notify("hubtap's session is not persistent: it ends when hubtap quits anyway", msglog.Info)
	}
	m.tool.endOnQuit = !m.tool.endOnQuit
	if m.tool.endOnQuit {
		if m.cfg.Toolbox.ReadOnly {
			return m.notify("read-only: hubtap cannot delete its session on quit (deleting sessions is disabled)", msglog.Warn)
		}
		return m.notify("on quit hubtap deletes its session "+m.cfg.Requested.ClientID+" (nothing is queued for it afterwards)", msglog.Info)
	}
	return m.notify("on quit hubtap keeps its session: flespi queues its subscriptions until it expires", msglog.Info)
}

// EndSessionOnQuit reports whether the caller should delete hubtap's own
// session after quitting (X or --end-session-on-quit).
func (m Model) EndSessionOnQuit() bool { return m.tool.endOnQuit }

// grantedNow records when each subscription was first seen granted.
func (m *Model) grantedNow(now time.Time) {
	if m.tool.granted == nil {
		m.tool.granted = map[string]time.Time{}
	}
	for f, r := range m.subs {
		if _, ok := m.tool.granted[f]; !ok && r.Err == nil {
			m.tool.granted[f] = now
		}
	}
}

// plural is "1 session", "2 sessions".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
