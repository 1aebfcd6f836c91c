package app

import (
	"context"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/common"
	"hubtap/ui/msglog"
	"hubtap/ui/pane"
	"hubtap/ui/statusbar"
)

// replayPaneID names the pane that shows a replay.
const replayPaneID = 2

// replayState is a running replay: its own store and pane stand in for the
// live pane, which keeps receiving (and filtering) underneath.
type replayState struct {
	r      *history.Replay
	store  *history.Store
	live   pane.Model
	cancel context.CancelFunc
	ctx    context.Context
	title  string
	idx    int // the pane slot the replay took over
}

// replayBatchMsg carries one batch of a replay.
type replayBatchMsg struct{ broker.Batch }

func waitForReplay(ctx context.Context, r *history.Replay) tea.Cmd {
	return func() tea.Msg {
		b, ok := r.Next(ctx)
		if !ok {
			return nil
		}
		return replayBatchMsg{b}
	}
}

// startReplay replays what the focused pane shows (as filtered), from its
// oldest message, at 10x.
func (m *Model) startReplay() tea.Cmd {
	ids, all := m.cp().Shown()
	msgs := m.cpStore().Snapshot().Messages(ids, all)
	if len(msgs) == 0 {
		return m.notify("nothing to replay: the pane is empty", msglog.Error)
	}
	ctx, cancel := context.WithCancel(m.ctx)
	rs := &replayState{r: history.NewReplay(msgs, 10, nil), live: *m.cp(), cancel: cancel, ctx: ctx, idx: m.cur,
		title: "replay of " + common.Commas(len(msgs)) + " messages"}
	if f := m.cp().FilterSource(); f != "" {
		rs.title += " │ " + history.SanitizeLine(f)
	}
	m.replay = rs
	m.newReplayPane()
	go rs.r.Run(ctx)
	m.syncReplay()
	return tea.Batch(waitForReplay(ctx, rs.r), m.startTick())
}

// newReplayPane (re)creates the replay's store and pane.
func (m *Model) newReplayPane() {
	rs := m.replay
	rs.store = history.NewStore(m.store.Stats().Budget)
	p := &m.panes[rs.idx].p
	*p = m.newPaneModel(replayPaneID, rs.store, rs.title)
	m.layout()
	if m.focus == focusList && m.cur == rs.idx {
		p.Focus()
	}
	m.selectionChanged()
}

func (m *Model) stopReplay() {
	if m.replay == nil {
		return
	}
	m.replay.cancel()
	p := &m.panes[m.replay.idx].p
	*p = m.replay.live
	m.replay = nil
	m.status.SetReplay("", "")
	m.layout()
	if m.focus == focusList {
		m.focusPane(m.cur)
	} else {
		p.Blur()
	}
	m.refreshPane()
	m.selectionChanged()
}

func (m *Model) onReplayBatch(b broker.Batch) tea.Cmd {
	rs := m.replay
	if rs == nil {
		return nil
	}
	if b.Reset {
		m.newReplayPane()
	}
	if len(b.Msgs) > 0 {
		first, n := rs.store.Append(b.Msgs)
		m.panes[rs.idx].p.Ingest(first, n)
	}
	m.syncReplay()
	m.selectionChanged()
	return waitForReplay(rs.ctx, rs.r)
}

// syncReplay puts the replay's position on the status bar.
func (m *Model) syncReplay() {
	if m.replay == nil {
		return
	}
	st := m.replay.r.Status()
	state := "▶"
	if st.Paused {
		state = "⏸"
	}
	speed := "max"
	if st.Speed > 0 {
		speed = strconv.FormatFloat(st.Speed, 'f', -1, 64) + "x"
	}
	pct := 0
	if st.Total > 0 {
		pct = st.Pos * 100 / st.Total
	}
	clock := ""
	if !st.Clock.IsZero() {
		clock = " " + st.Clock.Format("15:04:05.000")
	}
	if st.Pos == st.Total {
		state = "■"
	}
	m.status.SetReplay(state+" replay "+speed+" "+statusbar.ProgressBar(pct, 20)+" "+strconv.Itoa(pct)+"%"+clock+
		" ("+common.Commas(st.Pos)+"/"+common.Commas(st.Total)+")", m.replayKeys())
}

// replayAction is one of the replay's own commands.
type replayAction int

const (
	replayPause replayAction = iota
	replay1x
	replay10x
	replay100x
	replayMax
	replayBack
	replayForward
)

// replayDo returns the handler of a replay command (keys.go). Outside a
// replay it says so.
func replayDo(a replayAction) func(*Model, tea.KeyPressMsg) tea.Cmd {
	return func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
		rs := m.replay
		if rs == nil {
			return m.notify("no replay is running: P replays the focused pane", msglog.Error)
		}
		st := rs.r.Status()
		step := max(st.Total/20, 1)
		switch a {
		case replayPause:
			rs.r.TogglePause()
		case replay1x:
			rs.r.SetSpeed(1)
		case replay10x:
			rs.r.SetSpeed(10)
		case replay100x:
			rs.r.SetSpeed(100)
		case replayMax:
			rs.r.SetSpeed(0)
		case replayBack:
			rs.r.Seek(st.Pos - step)
		case replayForward:
			rs.r.Seek(st.Pos + step)
		}
		m.syncReplay()
		return m.startTick()
	}
}
