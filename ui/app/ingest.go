package app

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/telematics"
	"hubtap/ui/common"
	"hubtap/ui/detail"
	"hubtap/ui/msglog"
)

// sessionCount counts the messages a resumed session delivers from its
// queue: those that arrive after the CONNACK and before the broker
// confirms hubtap's subscriptions (SUBACK). A broker sends its queue right
// after the CONNACK, so this is the queue unless new messages happen to
// come in the same few milliseconds; the status says how it was counted.
type sessionCount struct {
	counting bool
	n        uint64
}

// ingest stores a batch (entries: its messages prepared by history.Prepare,
// or nil to prepare them here), then applies its connection events, then
// updates everything that shows it.
func (m *Model) ingest(b broker.Batch, entries []history.Entry) tea.Cmd {
	var cmds []tea.Cmd
	if len(b.Msgs) > 0 {
		if len(entries) != len(b.Msgs) {
			entries = history.Prepare(b.Msgs)
		}
		first, n := m.store.AppendEntries(entries)
		for i := range m.panes {
			if m.replay != nil && i == m.replay.idx {
				m.replay.live.Ingest(first, n) // the live pane keeps filtering underneath
				continue
			}
			if m.ownStore(m.panes[i].p.ID()) { // a backfill pane: toolIngest feeds it
				continue
			}
			m.panes[i].p.Ingest(first, n)
		}
		m.tree.Ingest(m.store, first, n)
		cmds = append(cmds, m.toolIngest(first, n))
		m.received += uint64(len(b.Msgs))
		m.sinceTick += uint64(len(b.Msgs))
		m.lastMsgAt = m.now()
	}
	if b.Dropped > m.dropped {
		m.store.AddDropped(b.Dropped - m.dropped)
		m.dropped = b.Dropped
	}
	for _, e := range b.Events {
		cmds = append(cmds, m.onEvent(e))
	}
	m.countQueued(b) // after the events: a CONNACK resets the status's count
	m.tree.Prepare() // the device view refreshes on the 1 s tick: copying and sorting every device per batch is too much
	m.refreshPane()
	m.selectionChanged()
	m.status.SetCounts(m.rate, m.received, m.store.Stats(), m.dropped)
	if m.overlay == overlayInfo { // else it is brought up to date when it opens
		m.syncInfo()
	}
	return tea.Batch(append(cmds, m.startTick())...)
}

// countQueued counts, by receive time, the messages of a batch that came
// between a resumed session's CONNACK and the first SUBACK after it, and
// reports the count once the SUBACK is in.
func (m *Model) countQueued(b broker.Batch) {
	count := func(from, to time.Time) {
		for i := range b.Msgs {
			r := b.Msgs[i].Received
			if !r.Before(from) && (to.IsZero() || r.Before(to)) {
				m.session.n++
			}
		}
	}
	var from time.Time // zero: counting went on from an earlier batch
	for _, e := range b.Events {
		switch {
		case e.Kind == broker.EventState && e.State == broker.StateConnected && e.Session.Present:
			m.session, from = sessionCount{counting: true}, e.Time
		case e.Kind == broker.EventSubscribe && m.session.counting:
			count(from, e.Time)
			m.session.counting = false
			m.status.SetQueued(m.session.n)
			m.log.Add(m.now(), msglog.Info, "session resumed: "+common.Commas(int(m.session.n))+
				" queued messages delivered (counted by receive time from the CONNACK to the broker's SUBACK)")
		}
	}
	if m.session.counting {
		count(from, time.Time{})
	}
}

// onEvent applies one connection event: the status, the message log, the
// session count and the panes' refusal banners.
func (m *Model) onEvent(e broker.Event) tea.Cmd {
	now := m.now()
	switch e.Kind {
	case broker.EventState:
		m.status.Event(e, now)
		if e.State == broker.StateDisconnected {
			r := m.cfg.Requested
			m.tip = broker.Advice(e.Err, r.Scheme, r.Creds)
		}
		if text, lvl, ok := eventWords(e); ok {
			if e.State == broker.StateDisconnected && m.tip != "" {
				text += " · what you can do: " + m.tip
			}
			m.log.Add(now, lvl, text)
		}
		if e.State != broker.StateConnected {
			return nil
		}
		m.tip = ""
		m.sessionInfo = e.Session
		return m.restoreSession(e.Session)
	case broker.EventSubscribe:
		return m.onSubResults(e)
	}
	return nil
}

// eventWords says a state change in a sentence for the message log.
func eventWords(e broker.Event) (string, msglog.Level, bool) {
	switch e.State {
	case broker.StateConnecting, broker.StateWaiting:
		return "", 0, false // on the status bar; the log keeps what happened
	case broker.StateConnected:
		s := e.Session
		switch {
		case s.Lost:
			return "connected · session lost: messages sent while away are gone", msglog.Warn, true
		case s.Present:
			return "connected · session resumed", msglog.Info, true
		case s.Persistent:
			return "connected · new persistent session (expiry " + strconv.FormatUint(uint64(s.ExpirySeconds), 10) + " s)", msglog.Info, true
		}
		return "connected · clean session (nothing is queued while hubtap is away)", msglog.Info, true
	case broker.StateDisconnected:
		if e.Err != nil {
			return "disconnected: " + e.Err.Error(), msglog.Error, true
		}
		return "disconnected", msglog.Warn, true
	case broker.StateStopped:
		return "stopped", msglog.Info, true
	}
	return "", 0, false
}

func (m *Model) onSubResults(e broker.Event) tea.Cmd {
	var cmds []tea.Cmd
	if e.Err != nil {
		cmds = append(cmds, m.notify(e.Err.Error(), msglog.Error))
	}
	var refused, ok []string
	for _, r := range e.Subs {
		m.subs[r.Filter] = r
		if !slices.Contains(m.topics, r.Filter) {
			m.topics = append(m.topics, r.Filter)
		}
		if r.Err != nil {
			refused = append(refused, r.Filter+": "+r.Err.Error())
		} else {
			ok = append(ok, r.Filter+" (QoS "+strconv.Itoa(int(r.Granted))+")")
		}
	}
	switch {
	case len(refused) > 0:
		cmds = append(cmds, m.notify("subscribe "+strings.Join(refused, "; "), msglog.Error))
	case len(ok) > 0 && e.Err == nil:
		cmds = append(cmds, m.notify("subscribed to "+strings.Join(ok, ", "), msglog.Info))
	}
	return tea.Batch(cmds...)
}

// refreshPane updates every pane's title, empty-state hint and banner of
// refused subscriptions.
func (m *Model) refreshPane() {
	for i := range m.panes {
		if m.replay != nil && i == m.replay.idx {
			continue // the replay pane keeps its own title
		}
		p := &m.panes[i].p
		p.SetTitle(m.paneTitle(i))
		p.SetHint(m.hint(p.Topics()))
		var banner []string
		for _, t := range p.Topics() {
			if r, ok := m.subs[t]; ok && r.Err != nil {
				banner = append(banner, "✕ "+history.SanitizeLine(t)+": "+r.Err.Error())
			}
		}
		p.SetBanner(banner)
	}
}

// selectionChanged shows the pane's selected message in the detail view and
// renders it now, so View stays cheap.
func (m *Model) selectionChanged() {
	if m.restReply != nil {
		return // a REST reply is on show until the user moves in a pane
	}
	e := m.cp().Selected()
	m.detail.SetEntry(e)
	var also []string // the same message on other topics (not in replay: its pane reads another store)
	if e != nil && m.replay == nil {
		also = m.store.AlsoOn(m.cp().SelectedAbs())
	}
	m.detail.SetAlsoOn(also)
	var d *detail.Diff
	switch {
	case !m.diffOn || e == nil || m.replay != nil:
	case e == m.diffFor:
		d = m.diff // the same message: no new search back through history, no re-render
	default:
		d = &detail.Diff{}
		if prev, ok := telematics.PrevOf(m.cpStore().Get, m.cp().SelectedAbs(), 50_000); ok {
			if pe, ok := m.cpStore().Get(prev); ok {
				d.Prev, d.Changes = pe, telematics.Diff(pe.Payload, e.Payload)
			}
		}
	}
	m.diffFor, m.diff = e, d
	if d == nil {
		m.diffFor = nil
	}
	m.detail.SetDiff(d)
	m.detail.Prepare()
}

// restoreSession opens a pane on the subscriptions a session carries
// (flespi's CONNACK "subscriptions" user property, read whether or not
// Session Present is set) that no pane shows yet, and subscribes to them so
// they are renewed on reconnect.
func (m *Model) restoreSession(info broker.SessionInfo) tea.Cmd {
	var restored []string
	for _, t := range broker.RestoredSubscriptions(info) {
		if !slices.Contains(m.topics, t) && broker.ValidateFilter(t) == nil {
			restored = append(restored, t)
		}
	}
	if len(restored) == 0 || len(m.panes) >= maxPanes {
		return nil
	}
	m.topics = append(m.topics, restored...)
	cmd := m.addPane("restored", restored)
	note := m.notify("the session carries "+common.Commas(len(restored))+" subscription(s) hubtap did not ask for: opened a pane on them", msglog.Info)
	if m.cfg.Client != nil {
		cmd = tea.Batch(cmd, subscribe(m.ctx, m.cfg.Client, restored))
	}
	return tea.Batch(cmd, note)
}
