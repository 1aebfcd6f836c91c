package app

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/flespi"
	"hubtap/history"
	"hubtap/ui/msglog"
)

// --- backfill (B) ---

// backfillPane is a pane on its own store: a device's stored messages
// fetched from flespi, then its live ones, de-duplicated by (ident,
// timestamp).
type backfillPane struct {
	store    *history.Store
	deviceID int64
	topic    string
	seen     map[string]struct{} // ident|timestamp of the fetched messages and of the newest live ones
	live     []string            // the live keys in seen, oldest first: at most maxLiveKeys
}

// maxLiveKeys bounds how many live messages a backfill pane remembers for
// de-duplication: a device resends within seconds, not hours.
const maxLiveKeys = 4096

// remember adds a live message's key, letting the oldest live key go when
// the window is full (the fetched keys stay).
func (bp *backfillPane) remember(k string) {
	bp.seen[k] = struct{}{}
	bp.live = append(bp.live, k)
	if len(bp.live) > maxLiveKeys {
		delete(bp.seen, bp.live[0])
		bp.live = bp.live[1:]
	}
}

type backfillDoneMsg struct {
	t    target
	msgs []json.RawMessage
	from time.Time
	err  error
}

func (m *Model) backfillSpan() time.Duration {
	if d := m.cfg.Toolbox.Backfill; d > 0 {
		return d
	}
	return 10 * time.Minute
}

func (m *Model) cmdBackfill(tea.KeyPressMsg) tea.Cmd {
	if len(m.panes) >= maxPanes || m.replay != nil {
		return m.notify("at most "+strconv.Itoa(maxPanes)+" panes (and none during a replay)", msglog.Error)
	}
	return m.withDevice("backfill", func(m *Model, t target) tea.Cmd {
		c, ctx := m.cfg.Toolbox.REST, m.ctx
		to := m.now()
		from := to.Add(-m.backfillSpan())
		return tea.Batch(m.notify("fetching "+t.label()+"'s messages of the last "+flespi.Duration(m.backfillSpan())+"…", msglog.Info),
			func() tea.Msg {
				ctx, cancel := restCtx(ctx)
				defer cancel()
				ms, err := c.Messages(ctx, t.deviceID, from, to.Add(time.Minute))
				return backfillDoneMsg{t: t, msgs: ms, from: from, err: err}
			})
	})
}

// fetchedProp marks a message that came from flespi's storage.
const fetchedProp = "hubtap-fetched"

func (m *Model) onBackfillDone(msg backfillDoneMsg) tea.Cmd {
	if msg.err != nil {
		return m.notify("backfill: "+msg.err.Error(), msglog.Error)
	}
	if len(m.panes) >= maxPanes || m.replay != nil {
		return m.notify("backfill: no room for another pane", msglog.Error)
	}
	bp := &backfillPane{store: history.NewStore(64 << 20), deviceID: msg.t.deviceID,
		topic: "flespi/message/gw/devices/" + strconv.FormatInt(msg.t.deviceID, 10), seen: map[string]struct{}{}}
	var out []broker.Message
	for _, raw := range msg.msgs {
		k, ts := flespi.StorageKey(raw)
		if _, dup := bp.seen[k]; dup {
			continue
		}
		bp.seen[k] = struct{}{}
		out = append(out, broker.Message{Topic: bp.topic, Payload: []byte(raw), QoS: 1, Received: ts,
			Props: &broker.Properties{User: []broker.UserProperty{{Key: fetchedProp, Value: "gw/devices/" + strconv.FormatInt(msg.t.deviceID, 10) + "/messages"}}}})
	}
	n := len(out)
	// Live messages of the device already received come after, in order.
	live := m.liveOf(bp)
	bp.store.AppendEntries(history.Prepare(append(out, live...)))
	m.nextID++
	id := m.nextID + replayPaneID
	p := m.newPaneModel(id, bp.store, "")
	m.panes = append(m.panes, slot{p: p, name: msg.t.label() + " · " + strconv.Itoa(n) + " fetched + live"})
	if m.tool.backfill == nil {
		m.tool.backfill = map[int]*backfillPane{}
	}
	m.tool.backfill[id] = bp
	m.focusPane(len(m.panes) - 1)
	m.layout()
	m.refreshPane()
	return tea.Batch(m.ensureSub(bp.topic), m.notify("backfill: "+strconv.Itoa(n)+" stored messages of "+msg.t.label()+" since "+
		msg.from.Local().Format("15:04:05")+" (marked "+fetchedProp+"), then "+strconv.Itoa(len(live))+" live; duplicates dropped by ident and timestamp", msglog.Info))
}

// liveOf copies the main store's messages on the pane's device topic that
// the pane does not hold yet, marking them seen.
func (m *Model) liveOf(bp *backfillPane) []broker.Message {
	var out []broker.Message
	for abs := m.store.First(); abs < m.store.End(); abs++ {
		if e, ok := m.store.Get(abs); ok {
			if msg, ok := bp.take(e); ok {
				out = append(out, msg)
			}
		}
	}
	return out
}

// take returns a copy of e for the pane when it is on the pane's topic and
// new (by ident and timestamp) against the fetched messages and the newest
// maxLiveKeys live ones, so the set stays bounded however long the pane
// lives.
func (bp *backfillPane) take(e *history.Entry) (broker.Message, bool) {
	if e.Topic != bp.topic {
		return broker.Message{}, false
	}
	k, _ := flespi.StorageKey(e.Payload)
	if _, dup := bp.seen[k]; dup {
		return broker.Message{}, false
	}
	bp.remember(k)
	msg := e.Msg()
	msg.Payload = bytes.Clone(e.Payload)
	return msg, true
}

// ownStore reports a pane with a store of its own (a backfill pane): the
// main store's indices mean nothing to it.
func (m *Model) ownStore(paneID int) bool {
	_, ok := m.tool.backfill[paneID]
	return ok
}

// toolIngest runs after a batch is stored: backfill panes get their
// device's live messages, device log records are kept in words, a command
// being followed advances, subscriptions granted are timed.
func (m *Model) toolIngest(first, n uint64) tea.Cmd {
	var cmds []tea.Cmd
	for id, bp := range m.tool.backfill {
		p := m.paneByID(id)
		if p == nil && m.replay != nil && m.replay.live.ID() == id {
			p = &m.replay.live // being replayed: it stays live underneath
		}
		if p == nil {
			delete(m.tool.backfill, id) // closed
			continue
		}
		var add []broker.Message
		for abs := first; abs < first+n; abs++ {
			if e, ok := m.store.Get(abs); ok {
				if msg, ok := bp.take(e); ok {
					add = append(add, msg)
				}
			}
		}
		if len(add) > 0 {
			f, k := bp.store.AppendEntries(history.Prepare(add))
			p.Ingest(f, k)
		}
	}
	for abs := first; abs < first+n; abs++ {
		e, ok := m.store.Get(abs)
		if !ok || !strings.HasPrefix(e.Topic, "flespi/log/gw/") {
			continue
		}
		r, ok := flespi.DescribeLog(e.Topic, e.Payload)
		if !ok {
			continue
		}
		m.tool.logs = append(m.tool.logs, r)
		if len(m.tool.logs) > maxLogRecords {
			m.tool.logs = append(m.tool.logs[:0:0], m.tool.logs[len(m.tool.logs)-maxLogRecords:]...)
		}
		cmds = append(cmds, m.watchRecord(r))
	}
	if m.overlay == overlayWhy {
		m.tool.panel.Set(m.whySpec())
	}
	m.grantedNow(m.now())
	cmds = append(cmds, m.persistWarning())
	return tea.Batch(cmds...)
}

// cpStore is the store the focused pane's indices refer to: its own for a
// backfill pane, else the main one (export, replay and the diff use it).
func (m *Model) cpStore() *history.Store {
	if bp, ok := m.tool.backfill[m.cp().ID()]; ok {
		return bp.store
	}
	return m.store
}
