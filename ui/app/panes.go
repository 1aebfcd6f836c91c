package app

import (
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/filters"
	"hubtap/history"
	"hubtap/ui/common"
	"hubtap/ui/devices"
	"hubtap/ui/pane"
)

// maxPanes bounds the message panes (keys 1-9 reach them).
const maxPanes = 9

// slot is one message pane and what the root knows about it.
type slot struct {
	p    pane.Model
	name string
}

// layoutKind is how the panes share the screen.
type layoutKind int

const (
	layoutGrid layoutKind = iota
	layoutStacked
	layoutSide
)

func (l layoutKind) String() string {
	switch l {
	case layoutStacked:
		return "stacked"
	case layoutSide:
		return "side by side"
	}
	return "grid"
}

// rect is a cell of the layout.
type rect struct{ x, y, w, h int }

// layoutCells splits a w×h area into n cells. Grid: as square as the
// count allows; stacked: rows; side by side: columns. Sizes differ by at
// most one cell, and the cells tile the area exactly.
func layoutCells(kind layoutKind, n, w, h int) []rect {
	if n <= 0 {
		return nil
	}
	cols, rows := 1, n
	switch kind {
	case layoutSide:
		cols, rows = n, 1
	case layoutGrid:
		for cols*cols < n {
			cols++
		}
		rows = (n + cols - 1) / cols
		if w < 2*h && cols > rows { // a tall screen: more rows than columns
			cols, rows = rows, cols
		}
	}
	out := make([]rect, 0, n)
	for r := 0; r < rows; r++ {
		y0, y1 := r*h/rows, (r+1)*h/rows
		inRow := cols
		if r == rows-1 {
			inRow = n - cols*(rows-1) // the last row takes what is left, full width
		}
		for c := 0; c < inRow; c++ {
			x0, x1 := c*w/inRow, (c+1)*w/inRow
			out = append(out, rect{x0, y0, x1 - x0, y1 - y0})
		}
	}
	return out
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
func (m *Model) toggleResume() {
	m.resumeInPlace = !m.resumeInPlace
	for i := range m.panes {
		m.panes[i].p.SetResumeInPlace(m.resumeInPlace)
	}
	if m.replay != nil {
		m.replay.live.SetResumeInPlace(m.resumeInPlace)
	}
	if m.resumeInPlace {
		m.status.Notice("resume mode: in place (space keeps the position; G jumps to the newest)", false, m.now())
	} else {
		m.status.Notice("resume mode: live (space jumps to the newest and follows)", false, m.now())
	}
}

// ResumeMode returns the resume mode as a profile writes it: live or in-place.
func (m Model) ResumeMode() string {
	if m.resumeInPlace {
		return "in-place"
	}
	return "live"
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
		m.status.Notice("at most "+strconv.Itoa(maxPanes)+" panes: close one with x", true, m.now())
		return m.startTick()
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
	if m.showDetail {
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
		m.status.Notice("at most "+strconv.Itoa(maxPanes)+" panes: close one with x", true, m.now())
		return m.startTick()
	}
	// The topic is already covered by a subscription (it was received), so
	// no SUBSCRIBE is needed.
	return m.addPane("", []string{topic})
}

// restoreSession opens a pane on the subscriptions a resumed session
// carries (flespi's CONNACK "subscriptions" user property) that no pane
// shows yet, and subscribes to them so they are renewed on reconnect.
func (m *Model) restoreSession(info broker.SessionInfo) tea.Cmd {
	var restored []string
	for _, u := range info.User {
		if u.Key != "subscriptions" {
			continue
		}
		for _, t := range parseSubscriptions(u.Value) {
			if !slices.Contains(m.topics, t) && broker.ValidateFilter(t) == nil {
				restored = append(restored, t)
			}
		}
	}
	if len(restored) == 0 || len(m.panes) >= maxPanes {
		return nil
	}
	m.topics = append(m.topics, restored...)
	cmd := m.addPane("restored", restored)
	m.status.Notice("session resumed with "+common.Commas(len(restored))+" subscription(s) hubtap did not ask for: opened a pane on them", false, m.now())
	if m.cfg.Client != nil {
		cmd = tea.Batch(cmd, subscribe(m.ctx, m.cfg.Client, restored))
	}
	return cmd
}
