package app

import (
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hubtap/filters"
	"hubtap/history"
	"hubtap/ui/devices"
	"hubtap/ui/msglog"
	"hubtap/ui/pane"
)

// maxPanes bounds the message panes (keys 1-9 reach them).
const maxPanes = 9

// slot is one message pane and what the root knows about it.
type slot struct {
	p    pane.Model
	name string
}

// cp returns the focused message pane (or the last one focused, while the
// tree or the detail has the keyboard).
func (m *Model) cp() *pane.Model { return &m.panes[m.cur].p }

// paneByID finds a message pane by id (the replay pane included).
func (m *Model) paneByID(id int) *pane.Model {
	for i := range m.panes {
		if m.panes[i].p.ID() == id {
			return &m.panes[i].p
		}
	}
	return nil
}

// newPaneModel returns a pane on store with the workspace's settings.
func (m *Model) newPaneModel(id int, store *history.Store, title string) pane.Model {
	p := pane.New(id, m.st, pane.DefaultKeyMap(), store, title)
	p.SetResumeInPlace(m.resumeInPlace)
	return p
}

// toggleResume switches what space does on a paused pane, in every pane.
func (m *Model) toggleResume() tea.Cmd {
	m.resumeInPlace = !m.resumeInPlace
	for i := range m.panes {
		m.panes[i].p.SetResumeInPlace(m.resumeInPlace)
	}
	if m.replay != nil {
		m.replay.live.SetResumeInPlace(m.resumeInPlace)
	}
	if m.resumeInPlace {
		return m.notify("resume mode: in place (space keeps the position; G jumps to the newest)", msglog.Info)
	}
	return m.notify("resume mode: live (space jumps to the newest and follows)", msglog.Info)
}

// addPane opens a message pane on topics (none: every message) and
// focuses it.
func (m *Model) addPane(name string, topics []string) tea.Cmd {
	m.nextID++
	p := m.newPaneModel(m.nextID+replayPaneID, m.store, "")
	cmd := p.SetTopics(topics)
	m.panes = append(m.panes, slot{p: p, name: name})
	m.focusPane(len(m.panes) - 1)
	m.layout()
	m.refreshPane()
	return cmd
}

// focusPane gives pane i the keyboard.
func (m *Model) focusPane(i int) {
	for j := range m.panes {
		m.panes[j].p.Blur()
	}
	m.tree.Blur()
	m.devices.Blur()
	m.detail.Blur()
	m.cur, m.focus = i, focusList
	m.panes[i].p.Focus()
	m.selectionChanged()
}

// extras lists the non-message views shown in the grid after the panes.
func (m Model) extras() []focus {
	var x []focus
	if m.treeOpen {
		x = append(x, focusTree)
	}
	if m.devOpen {
		x = append(x, focusDevices)
	}
	return x
}

// blurAll takes the keyboard from every component.
func (m *Model) blurAll() {
	m.cp().Blur()
	m.tree.Blur()
	m.devices.Blur()
	m.detail.Blur()
}

// openDevicePane opens a pane on one device's messages (all topics,
// filtered to the device).
func (m *Model) openDevicePane(d devices.OpenMsg) tea.Cmd {
	if len(m.panes) >= maxPanes {
		return m.notify("at most "+strconv.Itoa(maxPanes)+" panes: close one with x", msglog.Error)
	}
	cmd := m.addPane(d.Key, nil)
	expr, err := filters.Compile(d.Filter)
	if err != nil {
		return cmd
	}
	return tea.Batch(cmd, m.applyFilter(d.Filter, expr))
}

// cycleFocus moves the keyboard to the next (or previous) pane, through
// the topic tree and the detail view.
func (m *Model) cycleFocus(back bool) {
	// Stops: panes 0..n-1, the tree and the device view (if open), the
	// detail (if shown).
	stops := len(m.panes)
	treeStop, devStop, detailStop := -1, -1, -1
	if m.treeOpen {
		treeStop = stops
		stops++
	}
	if m.devOpen {
		devStop = stops
		stops++
	}
	if m.detailOn() {
		detailStop = stops
		stops++
	}
	at := m.cur
	switch m.focus {
	case focusTree:
		at = treeStop
	case focusDevices:
		at = devStop
	case focusDetail:
		at = detailStop
	}
	if back {
		at = (at - 1 + stops) % stops
	} else {
		at = (at + 1) % stops
	}
	switch at {
	case treeStop:
		m.blurAll()
		m.focus = focusTree
		m.tree.Focus()
	case devStop:
		m.blurAll()
		m.focus = focusDevices
		m.devices.Focus()
	case detailStop:
		m.blurAll()
		m.focus = focusDetail
		m.detail.Focus()
	default:
		m.focusPane(at)
	}
}

// closePane closes the focused message pane (never the last one) and
// returns the topics no other pane uses.
func (m *Model) closePane() []string {
	if len(m.panes) <= 1 || m.replay != nil {
		return nil
	}
	gone := m.panes[m.cur].p.Topics()
	m.panes[m.cur].p.Close()
	m.panes = append(m.panes[:m.cur], m.panes[m.cur+1:]...)
	m.focusPane(max(m.cur-1, 0))
	m.layout()
	return m.unused(gone)
}

// unused returns the filters of topics that no pane shows any more.
func (m *Model) unused(topics []string) []string {
	var out []string
	for _, t := range topics {
		used := false
		for i := range m.panes {
			if slices.Contains(m.panes[i].p.Topics(), t) {
				used = true
				break
			}
		}
		if !used {
			out = append(out, t)
		}
	}
	return out
}

// paneTitle is "[2] name · topics ✓ │ filter".
func (m *Model) paneTitle(i int) string {
	s := &m.panes[i]
	var b strings.Builder
	if len(m.panes) > 1 {
		b.WriteString("[" + strconv.Itoa(i+1) + "] ")
	}
	if s.name != "" {
		b.WriteString(history.SanitizeLine(s.name))
		b.WriteString(" · ")
	}
	topics := s.p.Topics()
	if len(topics) == 0 {
		if len(m.topics) == 0 {
			b.WriteString("messages")
		} else {
			b.WriteString("all topics")
		}
	}
	for j, t := range topics {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString(history.SanitizeLine(t))
		if r, ok := m.subs[t]; ok {
			if r.Err != nil {
				b.WriteString(" ✕")
			} else {
				b.WriteString(" ✓")
			}
		}
	}
	if f := s.p.FilterSource(); f != "" {
		b.WriteString(" │ ")
		b.WriteString(history.SanitizeLine(f))
	}
	return b.String()
}

// openTreePane handles tree.OpenMsg: a pane on that topic (reusing one that
// shows exactly it).
func (m *Model) openTreePane(topic string) tea.Cmd {
	for i := range m.panes {
		if t := m.panes[i].p.Topics(); len(t) == 1 && t[0] == topic {
			m.focusPane(i)
			return nil
		}
	}
	if len(m.panes) >= maxPanes {
		return m.notify("at most "+strconv.Itoa(maxPanes)+" panes: close one with x", msglog.Error)
	}
	// The topic is already covered by a subscription (it was received), so
	// no SUBSCRIBE is needed.
	return m.addPane("", []string{topic})
}
