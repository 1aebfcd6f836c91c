package app

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/msglog"
	"hubtap/ui/pane"
	"hubtap/ui/prompt"
)

// flespiFields are offered when choosing columns (docs/FLESPI.md).
var flespiFields = []string{"ident", "device.name", "position.speed", "position.latitude", "position.longitude",
	"position.satellites", "position.valid", "engine.ignition.status", "battery.voltage", "external.powersource.voltage",
	"gsm.signal.level", "din", "vehicle.mileage", "timestamp", "server.timestamp", "channel.id", "device.id"}

// flespiPresets are offered when typing a topic filter (docs/FLESPI.md).
var flespiPresets = []string{
	"flespi/message/gw/channels/+/+",
	"flespi/message/gw/devices/+",
	"flespi/state/gw/devices/+/telemetry/+",
	"flespi/state/gw/devices/+/connected",
	"flespi/state/gw/devices/+/settings/+",
	"flespi/log/gw/devices/+/#",
	"flespi/log/gw/channels/+/#",
	"flespi/interval/gw/calcs/+/devices/+/+",
	"flespi/state/platform/customer/counters/#",
	"flespi/#",
	"$share/hubtap/flespi/message/gw/channels/+/+",
}

// ask opens the one-line prompt.
func (m *Model) ask(spec prompt.Spec) tea.Cmd {
	m.closeOverlay()
	m.overlay = overlayPrompt
	m.prompt.SetSize(m.width)
	cmd := m.prompt.Open(spec)
	m.layout()
	return cmd
}

// topicSuggestions are flespi's families, then every topic seen.
func (m *Model) topicSuggestions() []string {
	return append(append([]string(nil), flespiPresets...), m.tree.Seen(5000)...)
}

// answer closes the prompt after a good answer; a bad one keeps it open
// with the error inside (cleared by the next edit).
func (m *Model) answer(err error) bool {
	if err != nil {
		m.prompt.SetError(err)
		m.layout()
		return false
	}
	m.closeOverlay()
	m.layout()
	return true
}

// onPromptSubmit acts on the prompt's answer.
func (m *Model) onPromptSubmit(msg prompt.SubmitMsg) tea.Cmd {
	value := msg.Value
	switch msg.Kind {
	case prompt.Jump:
		newest, ok := m.cp().Newest()
		if !ok {
			m.answer(nil)
			return m.notify("nothing to jump in: the pane is empty", msglog.Error)
		}
		t, err := history.ParseJump(value, newest)
		if !m.answer(err) {
			return nil
		}
		m.cp().JumpTo(t)
		m.selectionChanged()
		return nil
	case prompt.Export, prompt.ExportOne:
		path := strings.TrimSpace(value)
		m.answer(nil)
		if path == "" {
			return nil
		}
		snap := m.cpStore().Snapshot()
		if msg.Kind == prompt.ExportOne {
			return export(snap, []uint64{m.cp().SelectedAbs()}, false, path)
		}
		ids, all := m.cp().Shown()
		return export(snap, ids, all, path)
	case prompt.Columns:
		cols, err := pane.ParseColumns(value) // a field named twice is refused; the prompt stays open
		if !m.answer(err) {
			return nil
		}
		m.cp().SetColumns(cols)
		return nil
	case prompt.Rename:
		m.panes[m.cur].name = strings.TrimSpace(value)
		m.answer(nil)
		m.refreshPane()
		return nil
	}
	given, err := promptFilters(value)
	if !m.answer(err) {
		return nil
	}
	switch msg.Kind {
	case prompt.NewPane, prompt.Topics:
		return m.setPaneTopics(msg.Kind == prompt.NewPane, given)
	}
	return m.subscribeMore(given)
}

// setPaneTopics opens a pane on topics, or changes the focused pane's,
// subscribing to what is new and unsubscribing from what no pane shows.
func (m *Model) setPaneTopics(newPane bool, given []string) tea.Cmd {
	var topics []string
	for _, f := range given {
		if !slices.Contains(topics, f) {
			topics = append(topics, f)
		}
	}
	var cmds []tea.Cmd
	var old []string
	if newPane {
		cmds = append(cmds, m.addPane("", topics))
	} else {
		old = m.cp().Topics()
		cmds = append(cmds, m.cp().SetTopics(topics))
	}
	var fresh []string
	for _, t := range topics {
		if !slices.Contains(m.topics, t) {
			m.topics = append(m.topics, t)
			fresh = append(fresh, t)
		}
	}
	if len(fresh) > 0 && m.cfg.Client != nil {
		cmds = append(cmds, subscribe(m.ctx, m.cfg.Client, fresh), m.notify("subscribing to "+joinFilters(fresh)+"…", msglog.Info))
	}
	cmds = append(cmds, m.unsubscribe(m.unused(old)))
	m.refreshPane()
	m.selectionChanged()
	return tea.Batch(cmds...)
}

// subscribeMore subscribes to filters; the focused pane shows them too (a
// pane showing every topic stays as it is).
func (m *Model) subscribeMore(filters []string) tea.Cmd {
	if len(filters) == 0 {
		return nil
	}
	for _, f := range filters {
		if !slices.Contains(m.topics, f) {
			m.topics = append(m.topics, f)
		}
	}
	var cmd tea.Cmd
	if pt := m.cp().Topics(); len(pt) > 0 {
		for _, f := range filters {
			if !slices.Contains(pt, f) {
				pt = append(pt, f)
			}
		}
		cmd = m.cp().SetTopics(pt)
	} else if len(m.topics) == len(filters) {
		cmd = m.cp().SetTopics(filters) // the first subscription of an empty workspace
	}
	m.refreshPane()
	return tea.Batch(cmd, subscribe(m.ctx, m.cfg.Client, filters), m.notify("subscribing to "+joinFilters(filters)+"…", msglog.Info))
}

// promptFilters reads the space-separated topic filters typed in a prompt,
// each checked before anything is sent.
func promptFilters(value string) ([]string, error) {
	fs := strings.Fields(value)
	for _, f := range fs {
		if err := broker.ValidateFilter(f); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

// joinFilters lists topic filters for a sentence, safe for the terminal.
func joinFilters(fs []string) string { return history.SanitizeLine(strings.Join(fs, ", ")) }
