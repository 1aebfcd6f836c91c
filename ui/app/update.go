package app

import (
	tea "charm.land/bubbletea/v2"

	"hubtap/filters"
	"hubtap/themes"
	"hubtap/ui/common"
	"hubtap/ui/detail"
	"hubtap/ui/devices"
	"hubtap/ui/filterbar"
	"hubtap/ui/form"
	"hubtap/ui/info"
	"hubtap/ui/msglog"
	"hubtap/ui/palette"
	"hubtap/ui/pane"
	"hubtap/ui/prompt"
	"hubtap/ui/tree"
)

// Update routes messages in a fixed order:
//  1. tea.WindowSizeMsg: layout, then SetSize on every child;
//  2. tea.BackgroundColorMsg: rebuild styles once, hand them down;
//  3. common.BatchMsg: history first, then events, then the panes and
//     detail; re-arm the batch wait;
//  4. result messages, each to the owner it names (components' messages,
//     the results of Cmds, notices);
//  5. tea.KeyPressMsg: the open overlay takes every key; else global
//     bindings; else the focused component only. Mouse: hit-test, then
//     the component under the pointer.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	nm, cmd := m.route(msg)
	mm := nm.(Model)
	// The bottom grows and shrinks (a critical status sentence wraps, the
	// prompt shows an error): lay out again when it did.
	if mm.width > 0 && (mm.bottomHeight() != mm.laidBottom || mm.detailOn() != mm.laidDetail) {
		mm.layout()
	}
	return mm, cmd
}

func (m Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		p := themes.Dark()
		if !msg.IsDark() {
			p = themes.Light()
		}
		m.applyStyles(themes.Build(p))
		return m, nil
	case common.BatchMsg:
		cmd := m.ingest(msg.Batch, msg.Entries)
		return m, tea.Batch(waitForBatch(m.ctx, m.cfg.Source), cmd)
	case replayBatchMsg:
		return m, m.onReplayBatch(msg.Batch)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.MouseClickMsg:
		return m.onClick(msg.Mouse())
	case tea.MouseWheelMsg:
		return m.onWheel(msg.Mouse())
	}
	return m.onResult(msg)
}

// onResult handles the messages components and Cmds send back.
func (m Model) onResult(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := m.onToolResult(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case pane.FilterDoneMsg:
		var cmd tea.Cmd
		if p := m.paneByID(msg.Pane); p != nil {
			*p, cmd = p.Update(msg)
		}
		m.selectionChanged()
		return m, cmd
	case tree.OpenMsg:
		return m, m.openTreePane(msg.Topic)
	case devices.OpenMsg:
		return m, m.openDevicePane(msg)
	case prompt.SubmitMsg:
		return m, m.onPromptSubmit(msg)
	case prompt.CancelMsg, palette.CloseMsg, info.CloseMsg, msglog.CloseMsg, form.CancelMsg:
		m.closeOverlay()
		return m, nil
	case palette.RunMsg:
		m.closeOverlay()
		if c, ok := m.keys.byID(msg.ID); ok {
			return m, c.run(&m, tea.KeyPressMsg{})
		}
		return m, nil
	case msglog.CopyMsg:
		return m, tea.Batch(tea.SetClipboard(msg.Text), m.notify("copied the log line to the clipboard", msglog.Info))
	case form.SubmitMsg:
		m.closeOverlay()
		return m, m.onFormSubmit(msg)
	case publishDoneMsg:
		return m, m.onPublishDone(msg)
	case restDoneMsg:
		return m, m.onRESTDone(msg)
	case recordDoneMsg:
		m.syncRecording()
		switch {
		case msg.err != nil:
			return m, m.notify("recording: "+msg.err.Error(), msglog.Error)
		case msg.started:
			return m, m.notify("recording every received message to "+msg.path, msglog.Info)
		}
		return m, m.notify("recording stopped: "+msg.path, msglog.Info)
	case exportDoneMsg:
		if msg.err != nil {
			return m, m.notify("export: "+msg.err.Error(), msglog.Error)
		}
		return m, m.notify("exported "+common.Commas(msg.n)+" messages to "+msg.path, msglog.Info)
	case detail.QuickFilterMsg:
		src := msg.Clause
		if old := m.cp().FilterSource(); old != "" {
			src = "(" + old + ") && " + msg.Clause
		}
		expr, err := filters.Compile(src)
		if err != nil {
			return m, m.notify("quick filter: "+err.Error(), msglog.Error)
		}
		m.filter.Remember(src)
		return m, tea.Batch(m.applyFilter(src, expr), m.notify("filter: "+src, msglog.Info))
	case filterbar.ChangedMsg:
		return m, m.applyFilter(msg.Src, msg.Expr)
	case filterbar.ClosedMsg:
		m.closeOverlay()
		if msg.Cancelled && m.cp().FilterSource() != msg.Restore {
			if expr, err := filters.Compile(msg.Restore); err == nil {
				return m, m.applyFilter(msg.Restore, expr)
			}
		}
		return m, nil
	case tickMsg:
		return m, m.onTick(msg.at)
	case subscribeDoneMsg:
		if msg.err != nil {
			return m, m.notify("subscribe "+joinFilters(msg.filters)+": "+msg.err.Error(), msglog.Error)
		}
		return m, nil
	case common.ErrMsg:
		return m, m.notify(msg.Error(), msglog.Error)
	case common.InfoMsg:
		return m, m.notify(msg.Text, msglog.Info)
	}
	// Anything else (cursor blinks, completions) goes to the open input.
	return m.toOverlay(msg)
}

// onKey: the open overlay takes every key; else a global command; else the
// focused component.
func (m Model) onKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.overlay != overlayNone {
		return m.toOverlay(msg)
	}
	if c, ok := m.keys.lookup(msg, m.replay != nil); ok {
		return m, c.run(&m, msg)
	}
	var cmd tea.Cmd
	switch m.focus {
	case focusList:
		*m.cp(), cmd = m.cp().Update(msg)
		m.restReply = nil
		m.selectionChanged()
	case focusTree:
		m.tree, cmd = m.tree.Update(msg)
	case focusDevices:
		m.devices, cmd = m.devices.Update(msg)
	case focusDetail:
		m.detail, cmd = m.detail.Update(msg)
	}
	return m, cmd
}

// applyFilter sets the pane's filter and marks what it looks at in the
// detail view.
func (m *Model) applyFilter(src string, expr *filters.Expr) tea.Cmd {
	if expr == nil || src == "" {
		expr, src = nil, ""
	}
	cmd := m.cp().SetFilter(src, expr)
	var hl detail.Highlights
	if expr != nil {
		hl.Fields, hl.Texts = expr.Highlights()
	}
	m.detail.SetHighlights(hl)
	m.refreshPane()
	m.selectionChanged()
	return tea.Batch(cmd, m.startTick())
}
