package app

import (
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/info"
	"hubtap/ui/msglog"
)

// notify shows text on the status bar for a few seconds and keeps it in the
// message log. It returns the tick that clears it.
func (m *Model) notify(text string, lvl msglog.Level) tea.Cmd {
	now := m.now()
	m.status.Notice(text, lvl == msglog.Error, now)
	m.log.Add(now, lvl, text)
	m.status.SetUnseen(m.log.Unseen())
	return m.startTick()
}

// tickMsg drives the msg/s figure and countdowns; it runs only while
// something changes (idle means idle).
type tickMsg struct{ at time.Time }

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg{at: t} })
}

func (m *Model) startTick() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	m.lastTick = m.now()
	return tick()
}

// onTick updates the rate; it stops ticking once nothing changes.
func (m *Model) onTick(time.Time) tea.Cmd {
	now := m.now()
	if el := now.Sub(m.lastTick).Seconds(); el > 0 {
		m.rate = float64(m.sinceTick) / el
	}
	m.sinceTick, m.lastTick = 0, now
	m.tree.Tick(now)
	if m.devOpen {
		m.devices.Refresh(now)
	}
	m.status.SetCounts(m.rate, m.received, m.store.Stats(), m.dropped)
	m.status.SetUnseen(m.log.Unseen())
	filtering, _, _ := m.cp().Filtering()
	m.syncRecording()
	m.syncReplay()
	loading := m.syncLoader()
	m.refreshPane() // the connection panel's countdown
	if m.overlay == overlayInfo {
		m.syncInfo() // "granted but silent" hints age
	}
	active := m.rate > 0 || now.Sub(m.lastMsgAt) < 3*time.Second || m.status.Waiting() || m.status.NoticeActive(now) ||
		filtering || loading || m.recording() || m.replay != nil || m.devOpen
	if !active {
		m.ticking = false
		return nil
	}
	return tick()
}

func (m *Model) recording() bool { return m.cfg.Recorder != nil && m.cfg.Recorder.Status().Active }

func (m *Model) syncRecording() {
	if m.cfg.Recorder == nil {
		return
	}
	st := m.cfg.Recorder.Status()
	if st.Err != nil && !m.recErrLogged {
		m.recErrLogged = true
		m.log.Add(m.now(), msglog.Error, "recording failed: "+st.Err.Error())
	}
	m.status.SetRecording(st)
}

// syncLoader shows an offline file's progress; it reports whether loading
// goes on.
func (m *Model) syncLoader() bool {
	if m.cfg.Loader == nil {
		return false
	}
	read, size, done, bad, err := m.cfg.Loader.Progress()
	m.status.SetOffline(m.cfg.Loader.Path(), read, size, done, bad, err)
	return !done
}

// syncInfo hands the connection panel what it shows.
func (m *Model) syncInfo() {
	s := info.State{Target: m.cfg.Target, Requested: m.cfg.Requested, Session: m.sessionInfo,
		Connected: m.status.State() == broker.StateConnected, Offline: m.cfg.Loader != nil}
	if m.status.State() != broker.StateConnected {
		s.Problem = m.status.Reason()
	}
	for _, t := range m.topics {
		r, ok := m.subs[t]
		s.Subs = append(s.Subs, info.Sub{Filter: t, Result: r, Pending: !ok})
	}
	s.Token, s.Silent = m.tokenLines(), m.silentHints()
	m.info.Set(s)
}

// hint is what an empty pane says. It tells the truth about why nothing is
// there: no subscription yet, a file that had nothing readable, or a
// connection that is not up (what is wrong, what hubtap does next, what the
// user can do), before "waiting for messages".
func (m Model) hint(paneTopics []string) []string {
	if m.cfg.Loader != nil {
		return m.fileHint()
	}
	if m.cfg.Client != nil && m.status.State() != broker.StateConnected {
		return m.connectionPanel()
	}
	if len(m.topics) == 0 && len(paneTopics) == 0 {
		h := []string{"No subscriptions yet."}
		if m.cfg.Client != nil {
			h = append(h, "Press s and type a topic filter, for example:")
		} else {
			h = append(h, "Start hubtap with topic filters, for example:")
		}
		return append(h,
			"  flespi/message/gw/channels/+/+            every message your channels parse",
			"  flespi/message/gw/devices/+               messages of registered devices",
			"  flespi/state/gw/devices/+/telemetry/+     latest value of each parameter (retained)",
			"  flespi/log/gw/devices/+/#                 device logs: connects, disconnects, commands",
			"Or: hubtap --token $FLESPI_TOKEN 'flespi/message/gw/channels/+/+'",
		)
	}
	if len(paneTopics) == 0 {
		paneTopics = m.topics
	}
	return []string{"Connected. Waiting for messages on " + joinFilters(paneTopics) + " …",
		"Nothing has arrived yet on these topics. If it stays silent, check that devices are sending and that",
		"the token may see these entities (i shows the SUBACK results and the token's description)."}
}

// fileHint is what an empty pane says while showing a file.
func (m Model) fileHint() []string {
	read, _, done, bad, err := m.cfg.Loader.Progress()
	switch {
	case err != nil:
		return []string{"Could not read " + history.SanitizeLine(m.cfg.Loader.Path()) + ":", "  " + history.SanitizeLine(err.Error())}
	case !done:
		return []string{"Reading " + history.SanitizeLine(m.cfg.Loader.Path()) + " …"}
	case bad > 0:
		return []string{"No message in this pane. " + strconv.Itoa(bad) + " unreadable lines of " + history.SanitizeLine(m.cfg.Loader.Path()) +
			" were skipped (" + strconv.FormatInt(read, 10) + " bytes read)."}
	}
	return []string{"No message in this pane: the file has none that match its topics and filter."}
}

// connectionPanel says, in the empty pane, what is wrong with the
// connection, what hubtap does next and what the user can do.
func (m Model) connectionPanel() []string {
	st := m.status
	var out []string
	switch st.State() {
	case broker.StateConnecting, broker.StateIdle:
		out = append(out, "Connecting to "+history.SanitizeLine(m.cfg.Target)+" …")
	default:
		out = append(out, "Not connected to "+history.SanitizeLine(m.cfg.Target)+".")
	}
	if r := st.Reason(); r != "" {
		out = append(out, "", "What is wrong: "+r)
	}
	switch {
	case st.Waiting():
		in := "in " + st.RetryIn(m.now()).String()
		if st.RetryIn(m.now()) < time.Second {
			in = "in a moment"
		}
		out = append(out, "What hubtap does: tries again "+in+" (with growing pauses; l lists every try).")
	case st.State() == broker.StateStopped:
		out = append(out, "What hubtap does: nothing more; it gave up.")
	}
	if tip := m.tip; tip != "" {
		out = append(out, "What you can do: "+tip)
	}
	return out
}
