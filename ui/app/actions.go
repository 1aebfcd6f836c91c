package app

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hubtap/ui/common"
	"hubtap/ui/msglog"
	"hubtap/ui/palette"
	"hubtap/ui/pane"
	"hubtap/ui/prompt"
)

// The handlers of the command table (keys.go). Each runs in Update on the
// root model; msg is the key that ran it (empty from the palette).

func (m *Model) cmdQuit(tea.KeyPressMsg) tea.Cmd {
	m.quitting = true
	m.stopReplay()
	return tea.Quit
}

func (m *Model) cmdHelp(tea.KeyPressMsg) tea.Cmd { return m.openOverlay(overlayHelp) }

func (m *Model) cmdPalette(tea.KeyPressMsg) tea.Cmd {
	m.palette = palette.New(m.st, m.paletteCommands())
	return m.openOverlay(overlayPalette)
}

func (m *Model) cmdFocus(msg tea.KeyPressMsg) tea.Cmd {
	m.cycleFocus(msg.String() == "shift+tab")
	return nil
}

func (m *Model) cmdLog(tea.KeyPressMsg) tea.Cmd  { return m.openOverlay(overlayLog) }
func (m *Model) cmdInfo(tea.KeyPressMsg) tea.Cmd { return m.openOverlay(overlayInfo) }

func (m *Model) cmdSubscribe(tea.KeyPressMsg) tea.Cmd {
	if m.cfg.Client == nil {
		return m.notify("no broker connection: subscribing is not available here", msglog.Error)
	}
	return m.ask(prompt.Spec{Kind: prompt.Subscribe, Label: "subscribe ▸ ", Placeholder: "flespi/message/gw/channels/+/+",
		Suggestions: m.topicSuggestions()})
}

func (m *Model) cmdFilter(tea.KeyPressMsg) tea.Cmd {
	cmd := m.filter.Open(m.cp().ID(), m.cp().FilterSource())
	m.closeOverlay()
	m.overlay = overlayFilter
	m.layout()
	return cmd
}

func (m *Model) cmdClearFilter(tea.KeyPressMsg) tea.Cmd {
	if m.cp().Filter() == nil {
		return nil
	}
	return m.applyFilter("", nil)
}

func (m *Model) cmdNewPane(tea.KeyPressMsg) tea.Cmd {
	if len(m.panes) >= maxPanes || m.replay != nil {
		return m.notify("at most "+strconv.Itoa(maxPanes)+" panes (and none during a replay)", msglog.Error)
	}
	return m.ask(prompt.Spec{Kind: prompt.NewPane, Label: "new pane topics ▸ ",
		Placeholder: "flespi/message/gw/devices/182083 (space-separated; empty: all topics)", Suggestions: m.topicSuggestions()})
}

func (m *Model) cmdClosePane(tea.KeyPressMsg) tea.Cmd {
	if len(m.panes) <= 1 {
		return m.notify("the last pane stays open (q quits)", msglog.Error)
	}
	return m.unsubscribe(m.closePane())
}

func (m *Model) cmdRename(tea.KeyPressMsg) tea.Cmd {
	return m.ask(prompt.Spec{Kind: prompt.Rename, Label: "pane name ▸ ", Value: m.panes[m.cur].name, Placeholder: "a name for this pane"})
}

func (m *Model) cmdTopics(tea.KeyPressMsg) tea.Cmd {
	return m.ask(prompt.Spec{Kind: prompt.Topics, Label: "pane topics ▸ ", Value: strings.Join(m.cp().Topics(), " "),
		Placeholder: "space-separated topic filters; empty: all topics", Suggestions: m.topicSuggestions()})
}

func (m *Model) cmdZoom(tea.KeyPressMsg) tea.Cmd {
	m.zoom = !m.zoom
	m.layout()
	return nil
}

func (m *Model) cmdLayout(tea.KeyPressMsg) tea.Cmd {
	m.arrange = (m.arrange + 1) % 3
	m.zoom = false
	m.layout()
	return m.notify("layout: "+m.arrange.String(), msglog.Info)
}

func (m *Model) cmdTree(tea.KeyPressMsg) tea.Cmd {
	m.treeOpen = !m.treeOpen
	if m.treeOpen {
		m.blurAll()
		m.focus = focusTree
		m.tree.Focus()
		m.tree.Prepare()
	} else if m.focus == focusTree {
		m.focusPane(m.cur)
	}
	m.layout()
	return nil
}

func (m *Model) cmdDevices(tea.KeyPressMsg) tea.Cmd {
	m.devOpen = !m.devOpen
	if m.devOpen {
		m.blurAll()
		m.focus = focusDevices
		m.devices.Focus()
		m.devices.Refresh(m.now())
	} else if m.focus == focusDevices {
		m.focusPane(m.cur)
	}
	m.layout()
	return m.startTick()
}

func (m *Model) cmdDetail(tea.KeyPressMsg) tea.Cmd {
	m.showDetail = !m.showDetail
	if !m.showDetail && m.focus == focusDetail {
		m.focusPane(m.cur)
	}
	m.layout()
	return nil
}

func (m *Model) cmdDiff(tea.KeyPressMsg) tea.Cmd {
	m.diffOn = !m.diffOn
	m.selectionChanged()
	return nil
}

func (m *Model) cmdColumns(tea.KeyPressMsg) tea.Cmd {
	return m.ask(prompt.Spec{Kind: prompt.Columns, Label: "columns ▸ ", Value: strings.Join(m.cp().Columns(), " "),
		Placeholder: "ident position.speed battery.voltage (empty: the summary)", Suggestions: flespiFields})
}

func (m *Model) cmdResume(tea.KeyPressMsg) tea.Cmd { return m.toggleResume() }

func (m *Model) cmdGoPane(msg tea.KeyPressMsg) tea.Cmd {
	if len(msg.Text) == 1 {
		if i := int(msg.Text[0] - '1'); i >= 0 && i < len(m.panes) {
			m.focusPane(i)
		}
	}
	return nil
}

func (m *Model) cmdPublish(tea.KeyPressMsg) tea.Cmd {
	if _, ok := m.sender(); !ok {
		return m.notify("no broker connection: publishing is not available here", msglog.Error)
	}
	if m.cfg.Toolbox.ReadOnly {
		return m.notify("read-only: publishing is disabled (started with --read-only)", msglog.Warn)
	}
	return m.openPublish()
}

func (m *Model) cmdREST(tea.KeyPressMsg) tea.Cmd {
	if _, ok := m.sender(); !ok {
		return m.notify("no broker connection: REST requests are not available here", msglog.Error)
	}
	return m.openREST()
}

func (m *Model) cmdJump(tea.KeyPressMsg) tea.Cmd {
	return m.ask(prompt.Spec{Kind: prompt.Jump, Label: "jump to ▸ ", Placeholder: "-5m, 10:42, 10:42:05 or 2026-11-26 10:42"})
}

func (m *Model) cmdRecord(tea.KeyPressMsg) tea.Cmd {
	if m.cfg.Recorder == nil {
		return m.notify("nothing to record: this is a file, not a broker", msglog.Error)
	}
	return toggleRecord(m.cfg.Recorder, m.now())
}

func (m *Model) cmdExport(tea.KeyPressMsg) tea.Cmd {
	return m.ask(prompt.Spec{Kind: prompt.Export, Label: "export pane to ▸ ",
		Value: "hubtap-export-" + m.now().Format("20060102-150405") + ".jsonl", Hint: "JSONL, or a JSON array if the name ends in .json; type a name to replace the suggestion"})
}

func (m *Model) cmdExportOne(tea.KeyPressMsg) tea.Cmd {
	if m.cp().Selected() == nil {
		return m.notify("no message selected to export", msglog.Error)
	}
	return m.ask(prompt.Spec{Kind: prompt.ExportOne, Label: "export message to ▸ ",
		Value: "hubtap-message-" + m.now().Format("20060102-150405") + ".json", Hint: "type a name to replace the suggestion"})
}

func (m *Model) cmdCopy(tea.KeyPressMsg) tea.Cmd {
	if m.focus == focusDetail {
		if path, value, ok := m.detail.Selected(); ok {
			v := strings.Trim(value, `"`)
			return tea.Batch(tea.SetClipboard(v), m.notify("copied "+path+" to the clipboard", msglog.Info))
		}
	}
	if e := m.cp().Selected(); e != nil {
		return tea.Batch(tea.SetClipboard(clipText(e.Payload)),
			m.notify("copied the payload ("+common.Commas(len(e.Payload))+" bytes) to the clipboard", msglog.Info))
	}
	return nil
}

func (m *Model) cmdCopyTopic(tea.KeyPressMsg) tea.Cmd {
	if e := m.cp().Selected(); e != nil {
		return tea.Batch(tea.SetClipboard(e.Topic), m.notify("copied the topic to the clipboard", msglog.Info))
	}
	return nil
}

func (m *Model) cmdReplay(tea.KeyPressMsg) tea.Cmd {
	if m.replay != nil {
		m.stopReplay()
		return nil
	}
	return m.startReplay()
}

// listDo runs a list action on the focused pane (from the palette; keys
// reach the pane through its own Update).
func listDo(a pane.Action) func(*Model, tea.KeyPressMsg) tea.Cmd {
	return func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
		m.cp().Do(a)
		m.restReply = nil
		m.selectionChanged()
		return nil
	}
}
