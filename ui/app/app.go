// Package app is the root model. It owns the layout and routes messages to
// the components in a fixed order (see Update); it does no I/O itself.
package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/filters"
	"hubtap/history"
	"hubtap/telematics"
	"hubtap/themes"
	"hubtap/ui/common"
	"hubtap/ui/detail"
	"hubtap/ui/devices"
	"hubtap/ui/filterbar"
	"hubtap/ui/form"
	"hubtap/ui/pane"
	"hubtap/ui/statusbar"
	"hubtap/ui/tree"
)

// Config wires the root model. Store and Source are required.
type Config struct {
	Styles    *themes.Styles // nil: dark, or chosen from the terminal background when AutoTheme
	AutoTheme bool           // ask the terminal for its background and pick dark or light
	Store     *history.Store
	Source    BatchSource
	Client    Subscriber // nil: no broker (subscribing is disabled)
	Target    string     // shown in the status bar, e.g. "mqtts://mqtt.flespi.io:8883"
	Topics    []string   // subscribed at start
	Demo      bool
	// StartNotice is shown in the status bar at start (e.g. a warning).
	StartNotice string
	// Recorder records every received message (r toggles it); nil disables
	// recording (offline files).
	Recorder *history.Recorder
	// Loader is set when showing a file (hubtap open) instead of a broker.
	Loader Loader
	// Panes opens these panes instead of one pane on Topics (a profile).
	Panes []PaneSpec
	// Layout is grid (default), stacked or side.
	Layout string
	// Warning stays on the status bar (e.g. TLS not verified).
	Warning string
	// NoMouse leaves the mouse to the terminal (selection, copy).
	NoMouse bool
	// ResumeInPlace: space on a paused pane keeps the position instead of
	// jumping to the newest message (M toggles it).
	ResumeInPlace bool
	// Telematics sets the device checks (stale after, gap, future, latency).
	Telematics telematics.Config
	Ctx        context.Context  // ends the batch wait on shutdown; nil = Background
	Now        func() time.Time // nil = time.Now
}

type focus int

// promptKind says what the one-line prompt is asking for.
type promptKind int

const (
	promptSubscribe promptKind = iota
	promptJump
	promptExport    // the pane's messages
	promptExportOne // the selected message
	promptNewPane
	promptTopics
	promptRename
	promptColumns
)

const (
	focusList focus = iota
	focusDetail
	focusTree
	focusDevices
	focusPrompt // the one-line prompt owns every key
)

// Model is the root of hubtap's UI.
type Model struct {
	cfg     Config
	ctx     context.Context
	now     func() time.Time
	st      *themes.Styles
	keys    KeyMap
	store   *history.Store
	panes   []slot // message panes; at least one
	cur     int    // the focused (or last focused) message pane
	nextID  int
	tree    tree.Model
	devices devices.Model
	tracker *telematics.Tracker
	detail  detail.Model
	status  statusbar.Model
	help    help.Model
	prompt  textinput.Model
	filter  filterbar.Model

	focus         focus
	promptKind    promptKind
	showHelp      bool
	width         int
	height        int
	wide          bool // list and detail side by side
	arrange       layoutKind
	zoom          bool // only the focused pane is shown
	showDetail    bool
	resumeInPlace bool // space on a paused pane keeps the position (M toggles)
	treeOpen      bool
	devOpen       bool           // the device view is shown
	diffOn        bool           // the detail shows changes against the device's previous message
	diffFor       *history.Entry // the message m.diff was computed for (nil: none)
	diff          *detail.Diff
	cells         []rect // where each pane (then the tree) was drawn
	initCmds      []tea.Cmd

	queuedSince bool   // counting messages that arrive before the first SUBACK after a resumed session
	queued      uint64 // how many did

	topics   []string
	subs     map[string]broker.SubResult
	received uint64
	dropped  uint64

	replay    *replayState // non-nil while replaying
	showInfo  bool         // the connection info overlay
	form      *form.Model  // an open dialog (publish, REST)
	sent      []broker.Outgoing
	restReply *history.Entry // shown in the detail until the selection moves
	session   broker.SessionInfo
	palette   palette

	ticking   bool
	lastTick  time.Time
	sinceTick uint64 // messages since the last tick
	lastMsgAt time.Time
	rate      float64
	quitting  bool
}

// New builds the root model.
func New(cfg Config) Model {
	if cfg.Ctx == nil {
		cfg.Ctx = context.Background()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st := cfg.Styles
	if st == nil {
		st = themes.Build(themes.Dark())
	}
	m := Model{
		cfg:    cfg,
		ctx:    cfg.Ctx,
		now:    cfg.Now,
		st:     st,
		keys:   DefaultKeyMap(),
		store:  cfg.Store,
		filter: filterbar.New(st),
		tree:   tree.New(st),
		detail: detail.New(st, detail.DefaultKeyMap()),
		status: statusbar.New(st, cfg.Target),
		help:   help.New(),
		prompt: textinput.New(),
		topics: append([]string(nil), cfg.Topics...),
		subs:   map[string]broker.SubResult{},
	}
	m.showDetail = true
	m.tracker = telematics.NewTracker(cfg.Telematics)
	tr := m.tracker
	cfg.Store.SetObserver(func(abs uint64, e *history.Entry) { e.Flags = uint8(tr.Observe(abs, e)) })
	m.devices = devices.New(st, tr)
	m.resumeInPlace = cfg.ResumeInPlace
	first := m.newPaneModel(1, cfg.Store, "")
	m.initCmds = append(m.initCmds, first.SetTopics(cfg.Topics))
	m.panes = []slot{{p: first}}
	m.nextID = 1
	switch cfg.Layout {
	case "stacked":
		m.arrange = layoutStacked
	case "side":
		m.arrange = layoutSide
	}
	for i, ps := range cfg.Panes {
		if i >= maxPanes {
			break
		}
		if i == 0 {
			m.panes[0].name = ps.Name
			m.initCmds = append(m.initCmds, m.panes[0].p.SetTopics(ps.Topics))
		} else {
			m.initCmds = append(m.initCmds, m.addPane(ps.Name, ps.Topics))
		}
		for _, t := range ps.Topics {
			if !slices.Contains(m.topics, t) {
				m.topics = append(m.topics, t)
			}
		}
		m.panes[i].p.SetColumns(ps.Columns)
		if ps.Filter != "" {
			if expr, err := filters.Compile(ps.Filter); err == nil {
				m.initCmds = append(m.initCmds, m.panes[i].p.SetFilter(ps.Filter, expr))
				m.filter.Remember(ps.Filter)
			}
		}
	}
	m.focusPane(0)
	m.ticking, m.lastTick = true, cfg.Now() // Init starts the first tick
	m.syncLoader()
	m.syncRecording()
	m.status.SetWarning(cfg.Warning)
	if cfg.StartNotice != "" {
		m.status.Notice(cfg.StartNotice, true, cfg.Now())
	}
	m.applyStyles(st)
	m.refreshPane()
	return m
}

// Init starts the batch wait (and asks for the background colour).
func (m Model) Init() tea.Cmd {
	cmds := append([]tea.Cmd{waitForBatch(m.ctx, m.cfg.Source), tick()}, m.initCmds...)
	if m.cfg.AutoTheme {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update routes messages in a fixed order:
//  1. tea.WindowSizeMsg: layout, then SetSize on every child;
//  2. tea.BackgroundColorMsg: rebuild styles once, hand them down;
//  3. common.BatchMsg: history first, then events, then the pane and detail;
//     re-arm the batch wait;
//  4. result messages (subscribeDoneMsg, tickMsg, ErrMsg, InfoMsg);
//  5. tea.KeyPressMsg: an open prompt takes every key; else global
//     bindings; else the focused component only.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
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
	case form.SubmitMsg:
		return m, m.onFormSubmit(msg)
	case form.CancelMsg:
		m.form = nil
		return m, nil
	case publishDoneMsg:
		m.onPublishDone(msg)
		return m, m.startTick()
	case restDoneMsg:
		m.onRESTDone(msg)
		return m, m.startTick()
	case recordDoneMsg:
		switch {
		case msg.err != nil:
			m.status.Notice(msg.err.Error(), true, m.now())
		case msg.started:
			m.status.Notice("recording every received message to "+msg.path, false, m.now())
		default:
			m.status.Notice("recording stopped: "+msg.path, false, m.now())
		}
		m.syncRecording()
		return m, m.startTick()
	case exportDoneMsg:
		if msg.err != nil {
			m.status.Notice("export: "+msg.err.Error(), true, m.now())
		} else {
			m.status.Notice("exported "+common.Commas(msg.n)+" messages to "+msg.path, false, m.now())
		}
		return m, m.startTick()
	case detail.QuickFilterMsg:
		src := msg.Clause
		if old := m.cp().FilterSource(); old != "" {
			src = "(" + old + ") && " + msg.Clause
		}
		expr, err := filters.Compile(src)
		if err != nil {
			m.status.Notice("quick filter: "+err.Error(), true, m.now())
			return m, m.startTick()
		}
		m.filter.Remember(src)
		m.status.Notice("filter: "+src, false, m.now())
		return m, m.applyFilter(src, expr)
	case filterbar.ChangedMsg:
		return m, m.applyFilter(msg.Src, msg.Expr)
	case filterbar.ClosedMsg:
		if msg.Cancelled && m.cp().FilterSource() != msg.Restore {
			expr, err := filters.Compile(msg.Restore)
			if err == nil {
				return m, m.applyFilter(msg.Restore, expr)
			}
		}
		return m, nil
	case tickMsg:
		return m, m.onTick(msg.at)
	case subscribeDoneMsg:
		if msg.err != nil {
			m.status.Notice("subscribe "+strings.Join(msg.filters, ", ")+": "+msg.err.Error(), true, m.now())
			return m, m.startTick()
		}
		return m, nil
	case common.ErrMsg:
		m.status.Notice(msg.Error(), true, m.now())
		return m, m.startTick()
	case common.InfoMsg:
		m.status.Notice(msg.Text, false, m.now())
		return m, m.startTick()
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.MouseClickMsg:
		return m.onClick(msg.Mouse())
	case tea.MouseWheelMsg:
		return m.onWheel(msg.Mouse())
	}
	if m.form != nil {
		f, cmd := m.form.Update(msg)
		m.form = &f
		return m, cmd
	}
	if m.filter.IsOpen() {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	if m.focus == focusPrompt {
		var cmd tea.Cmd
		m.prompt, cmd = m.prompt.Update(msg)
		return m, cmd
	}
	return m, nil
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

func (m Model) onKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.form != nil {
		f, cmd := m.form.Update(msg)
		m.form = &f
		return m, cmd
	}
	if m.palette.open {
		return m.paletteKey(msg)
	}
	if m.filter.IsOpen() {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	if m.focus == focusPrompt {
		switch {
		case key.Matches(msg, m.keys.Cancel):
			m.closePrompt()
			return m, nil
		case key.Matches(msg, m.keys.Submit):
			return m.submitPrompt()
		}
		var cmd tea.Cmd
		m.prompt, cmd = m.prompt.Update(msg)
		return m, cmd
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		m.quitting = true
		m.stopReplay()
		return m, tea.Quit
	case key.Matches(msg, m.keys.Replay):
		if m.replay != nil {
			m.stopReplay()
			return m, nil
		}
		return m, m.startReplay()
	case m.replayKey(msg):
		return m, m.startTick()
	case key.Matches(msg, m.keys.Help):
		m.showHelp = !m.showHelp
		return m, nil
	case key.Matches(msg, m.keys.Palette):
		return m, m.openPalette()
	case key.Matches(msg, m.keys.Filter):
		return m, m.filter.Open(m.cp().ID(), m.cp().FilterSource())
	case key.Matches(msg, m.keys.ClearFilter) && m.cp().Filter() != nil:
		return m, m.applyFilter("", nil)
	case key.Matches(msg, m.keys.Focus):
		m.cycleFocus(msg.String() == "shift+tab")
		return m, nil
	case key.Matches(msg, m.keys.NewPane):
		if len(m.panes) >= maxPanes || m.replay != nil {
			m.status.Notice("at most "+strconv.Itoa(maxPanes)+" panes (and none during a replay)", true, m.now())
			return m, m.startTick()
		}
		return m, m.openPrompt(promptNewPane, "new pane topics ▸ ", "", "flespi/message/gw/devices/182083 (space-separated; empty: all topics)")
	case key.Matches(msg, m.keys.ClosePane):
		if len(m.panes) <= 1 {
			m.status.Notice("the last pane stays open (q quits)", true, m.now())
			return m, m.startTick()
		}
		return m, m.unsubscribe(m.closePane())
	case key.Matches(msg, m.keys.Rename):
		return m, m.openPrompt(promptRename, "pane name ▸ ", m.panes[m.cur].name, "")
	case key.Matches(msg, m.keys.Topics):
		return m, m.openPrompt(promptTopics, "pane topics ▸ ", strings.Join(m.cp().Topics(), " "), "space-separated topic filters; empty: all topics")
	case key.Matches(msg, m.keys.Zoom):
		m.zoom = !m.zoom
		m.layout()
		return m, nil
	case key.Matches(msg, m.keys.Resume):
		m.toggleResume()
		return m, m.startTick()
	case key.Matches(msg, m.keys.Layout):
		m.arrange = (m.arrange + 1) % 3
		m.zoom = false
		m.layout()
		m.status.Notice("layout: "+m.arrange.String(), false, m.now())
		return m, m.startTick()
	case key.Matches(msg, m.keys.Tree):
		m.treeOpen = !m.treeOpen
		if m.treeOpen {
			m.cp().Blur()
			m.detail.Blur()
			m.focus = focusTree
			m.tree.Focus()
			m.tree.Prepare()
		} else if m.focus == focusTree {
			m.focusPane(m.cur)
		}
		m.layout()
		return m, nil
	case key.Matches(msg, m.keys.Devices):
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
		return m, m.startTick()
	case key.Matches(msg, m.keys.Columns):
		return m, m.openPrompt(promptColumns, "columns ▸ ", strings.Join(m.cp().Columns(), " "), "ident position.speed battery.voltage (empty: the summary)")
	case key.Matches(msg, m.keys.Publish):
		if _, ok := m.sender(); !ok {
			m.status.Notice("no broker connection: publishing is not available here", true, m.now())
			return m, m.startTick()
		}
		return m, m.openPublish()
	case key.Matches(msg, m.keys.REST):
		if _, ok := m.sender(); !ok {
			m.status.Notice("no broker connection: REST requests are not available here", true, m.now())
			return m, m.startTick()
		}
		return m, m.openREST()
	case key.Matches(msg, m.keys.Info):
		m.showInfo = !m.showInfo
		return m, nil
	case key.Matches(msg, m.keys.Diff):
		m.diffOn = !m.diffOn
		m.selectionChanged()
		return m, nil
	case key.Matches(msg, m.keys.Detail):
		m.showDetail = !m.showDetail
		if !m.showDetail && m.focus == focusDetail {
			m.focusPane(m.cur)
		}
		m.layout()
		return m, nil
	case len(msg.Text) == 1 && msg.Text[0] >= '1' && msg.Text[0] <= '9' && int(msg.Text[0]-'1') < len(m.panes):
		m.focusPane(int(msg.Text[0] - '1'))
		return m, nil
	case key.Matches(msg, m.keys.Subscribe):
		if m.cfg.Client == nil {
			m.status.Notice("no broker connection: subscribing is not available here", true, m.now())
			return m, m.startTick()
		}
		return m, m.openPrompt(promptSubscribe, "subscribe ▸ ", "", "flespi/message/gw/channels/+/+")
	case key.Matches(msg, m.keys.Jump):
		return m, m.openPrompt(promptJump, "jump to ▸ ", "", "-5m, 10:42, 10:42:05 or 2026-11-26 10:42")
	case key.Matches(msg, m.keys.Export):
		return m, m.openPrompt(promptExport, "export pane to ▸ ", "hubtap-export-"+m.now().Format("20060102-150405")+".jsonl", "")
	case key.Matches(msg, m.keys.ExportOne):
		if m.cp().Selected() == nil {
			return m, nil
		}
		return m, m.openPrompt(promptExportOne, "export message to ▸ ", "hubtap-message-"+m.now().Format("20060102-150405")+".json", "")
	case key.Matches(msg, m.keys.Record):
		if m.cfg.Recorder == nil {
			m.status.Notice("nothing to record: this is a file, not a broker", true, m.now())
			return m, m.startTick()
		}
		return m, toggleRecord(m.cfg.Recorder, m.now())
	case key.Matches(msg, m.keys.Copy):
		if m.focus == focusDetail {
			if path, value, ok := m.detail.Selected(); ok {
				v := strings.Trim(value, `"`)
				m.status.Notice("copied "+path+" to the clipboard", false, m.now())
				return m, tea.Batch(tea.SetClipboard(v), m.startTick())
			}
		}
		if e := m.cp().Selected(); e != nil {
			m.status.Notice("copied the payload ("+common.Commas(len(e.Payload))+" bytes) to the clipboard", false, m.now())
			return m, tea.Batch(tea.SetClipboard(clipText(e.Payload)), m.startTick())
		}
		return m, nil
	case key.Matches(msg, m.keys.CopyTopic):
		if e := m.cp().Selected(); e != nil {
			m.status.Notice("copied the topic to the clipboard", false, m.now())
			return m, tea.Batch(tea.SetClipboard(e.Topic), m.startTick())
		}
		return m, nil
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

// unsubscribe drops filters no pane shows any more.
func (m *Model) unsubscribe(filters []string) tea.Cmd {
	if len(filters) == 0 {
		return nil
	}
	var keep []string
	for _, t := range m.topics {
		if !slices.Contains(filters, t) {
			keep = append(keep, t)
		}
	}
	m.topics = keep
	for _, f := range filters {
		delete(m.subs, f)
	}
	m.refreshPane()
	if m.cfg.Client == nil {
		return nil
	}
	m.status.Notice("unsubscribed from "+strings.Join(filters, ", "), false, m.now())
	return tea.Batch(unsubscribe(m.ctx, m.cfg.Client, filters), m.startTick())
}

// flespiFields are offered when choosing columns (FLESPI.md §5).
var flespiFields = []string{"ident", "device.name", "position.speed", "position.latitude", "position.longitude",
	"position.satellites", "position.valid", "engine.ignition.status", "battery.voltage", "external.powersource.voltage",
	"gsm.signal.level", "din", "vehicle.mileage", "timestamp", "server.timestamp", "channel.id", "device.id"}

// flespiPresets are offered when typing a topic filter (see FLESPI.md §3).
var flespiPresets = []string{
	"flespi/message/gw/channels/+/+",
	"flespi/message/gw/devices/+",
	"flespi/state/gw/devices/+/telemetry/+",
	"flespi/state/gw/devices/+/connected",
	"flespi/state/gw/devices/+/settings/+",
	"flespi/log/gw/devices/+/+",
	"flespi/log/gw/channels/+/+",
	"flespi/interval/gw/calcs/+/devices/+/+",
	"flespi/state/platform/customer/counters/#",
	"flespi/#",
	"$share/hubtap/flespi/message/gw/channels/+/+",
}

func (m *Model) openPrompt(kind promptKind, prompt, value, placeholder string) tea.Cmd {
	m.focus, m.promptKind = focusPrompt, kind
	m.prompt.Reset()
	topics := kind == promptSubscribe || kind == promptNewPane || kind == promptTopics
	m.prompt.ShowSuggestions = topics || kind == promptColumns
	switch {
	case kind == promptColumns:
		m.prompt.SetSuggestions(flespiFields)
	case topics:
		// Completion: flespi's families, then every topic seen (tab accepts,
		// ctrl+n/ctrl+p cycle).
		m.prompt.SetSuggestions(append(append([]string(nil), flespiPresets...), m.tree.Seen(5000)...))
	default:
		m.prompt.SetSuggestions(nil)
	}
	m.prompt.Prompt, m.prompt.Placeholder = prompt, placeholder
	m.prompt.SetValue(value)
	m.prompt.CursorEnd()
	m.prompt.SetWidth(max(m.width-len([]rune(prompt))-2, 10))
	return m.prompt.Focus()
}

func (m *Model) closePrompt() {
	m.prompt.Blur()
	m.focusPane(m.cur)
}

func (m Model) submitPrompt() (tea.Model, tea.Cmd) {
	switch m.promptKind {
	case promptJump:
		newest, ok := m.cp().Newest()
		if !ok {
			m.closePrompt()
			return m, nil
		}
		t, err := parseJump(m.prompt.Value(), newest)
		if err != nil {
			m.status.Notice(err.Error(), true, m.now())
			return m, m.startTick()
		}
		m.closePrompt()
		m.cp().JumpTo(t)
		m.selectionChanged()
		return m, nil
	case promptExport, promptExportOne:
		path := strings.TrimSpace(m.prompt.Value())
		m.closePrompt()
		if path == "" {
			return m, nil
		}
		snap := m.store.Snapshot()
		if m.promptKind == promptExportOne {
			return m, export(snap, []uint64{m.cp().SelectedAbs()}, false, path)
		}
		ids, all := m.cp().Shown()
		return m, export(snap, ids, all, path)
	case promptColumns:
		m.cp().SetColumns(strings.Fields(m.prompt.Value()))
		m.closePrompt()
		return m, nil
	case promptRename:
		m.panes[m.cur].name = strings.TrimSpace(m.prompt.Value())
		m.closePrompt()
		m.refreshPane()
		return m, nil
	case promptNewPane, promptTopics:
		given, err := promptFilters(m.prompt.Value())
		if err != nil {
			m.status.Notice(err.Error(), true, m.now())
			return m, m.startTick()
		}
		var topics []string
		for _, f := range given {
			if !slices.Contains(topics, f) {
				topics = append(topics, f)
			}
		}
		kind := m.promptKind
		m.closePrompt()
		var cmds []tea.Cmd
		var old []string
		if kind == promptNewPane {
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
			m.status.Notice("subscribing to "+strings.Join(fresh, ", ")+"…", false, m.now())
			cmds = append(cmds, subscribe(m.ctx, m.cfg.Client, fresh), m.startTick())
		}
		cmds = append(cmds, m.unsubscribe(m.unused(old)))
		m.refreshPane()
		m.selectionChanged()
		return m, tea.Batch(cmds...)
	}
	filters, err := promptFilters(m.prompt.Value())
	if err != nil {
		m.status.Notice(err.Error(), true, m.now())
		return m, m.startTick()
	}
	m.closePrompt()
	if len(filters) == 0 {
		return m, nil
	}
	for _, f := range filters {
		if !slices.Contains(m.topics, f) {
			m.topics = append(m.topics, f)
		}
	}
	// The focused pane shows the new filters too (a pane showing every
	// topic stays as it is).
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
	m.status.Notice("subscribing to "+strings.Join(filters, ", ")+"…", false, m.now())
	return m, tea.Batch(cmd, subscribe(m.ctx, m.cfg.Client, filters), m.startTick())
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

// ingest applies one batch: history, then connection events, then views.
// ingest stores a batch (entries: its messages prepared by history.Prepare,
// or nil to prepare them here) and updates everything that shows it.
func (m *Model) ingest(b broker.Batch, entries []history.Entry) tea.Cmd {
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
			m.panes[i].p.Ingest(first, n)
		}
		m.tree.Ingest(m.store, first, n)
		if m.queuedSince {
			m.queued += n
		}
		m.received += uint64(len(b.Msgs))
		m.sinceTick += uint64(len(b.Msgs))
		m.lastMsgAt = m.now()
	}
	if b.Dropped > m.dropped {
		m.store.AddDropped(b.Dropped - m.dropped)
		m.dropped = b.Dropped
	}
	now := m.now()
	var cmds []tea.Cmd
	for _, e := range b.Events {
		switch e.Kind {
		case broker.EventState:
			m.status.Event(e, now)
			if e.State == broker.StateConnected {
				m.session = e.Session
			}
			if e.State == broker.StateConnected && e.Session.Present {
				m.queuedSince, m.queued = true, 0
				cmds = append(cmds, m.restoreSession(e.Session))
			}
		case broker.EventSubscribe:
			if m.queuedSince {
				m.queuedSince = false
				if m.queued > 0 {
					m.status.Notice("session resumed: "+common.Commas(int(m.queued))+" queued messages came in", false, now)
				}
			}
			m.onSubResults(e)
		}
	}
	m.tree.Prepare() // the device view refreshes on the 1 s tick: copying and sorting every device per batch is too much
	m.refreshPane()
	m.selectionChanged()
	m.status.SetCounts(m.rate, m.received, m.store.Stats(), m.dropped)
	return tea.Batch(append(cmds, m.startTick())...)
}

func (m *Model) onSubResults(e broker.Event) {
	if e.Err != nil {
		m.status.Notice(e.Err.Error(), true, m.now())
	}
	var refused []string
	for _, r := range e.Subs {
		m.subs[r.Filter] = r
		if !slices.Contains(m.topics, r.Filter) {
			m.topics = append(m.topics, r.Filter)
		}
		if r.Err != nil {
			refused = append(refused, r.Filter+": "+r.Err.Error())
		}
	}
	if len(refused) > 0 {
		m.status.Notice("subscribe "+strings.Join(refused, "; "), true, m.now())
	} else if len(e.Subs) > 0 && e.Err == nil {
		var ok []string
		for _, r := range e.Subs {
			ok = append(ok, r.Filter+" (QoS "+strconv.Itoa(int(r.Granted))+")")
		}
		m.status.Notice("subscribed to "+strings.Join(ok, ", "), false, m.now())
	}
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

func (m Model) hint(paneTopics []string) []string {
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
			"  flespi/log/gw/devices/+/+                 device connect/disconnect log",
			"Or: hubtap --token $FLESPI_TOKEN 'flespi/message/gw/channels/+/+'",
		)
	}
	if len(paneTopics) == 0 {
		paneTopics = m.topics
	}
	return []string{"Waiting for messages on " + history.SanitizeLine(strings.Join(paneTopics, ", ")) + " …"}
}

// selectionChanged shows the pane's selected message in the detail view and
// renders it now, so View stays cheap.
func (m *Model) selectionChanged() {
	if m.restReply != nil {
		return // a REST reply is on show until the user moves in a pane
	}
	e := m.cp().Selected()
	m.detail.SetEntry(e)
	var d *detail.Diff
	switch {
	case !m.diffOn || e == nil || m.replay != nil:
	case e == m.diffFor:
		d = m.diff // the same message: no new search back through history, no re-render
	default:
		d = &detail.Diff{}
		if prev, ok := telematics.PrevOf(m.store.Get, m.cp().SelectedAbs(), 50_000); ok {
			if pe, ok := m.store.Get(prev); ok {
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

func (m *Model) startTick() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	m.lastTick = m.now()
	return tick()
}

// onTick updates the rate; it stops ticking once nothing changes.
func (m *Model) onTick(at time.Time) tea.Cmd {
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
	filtering, _, _ := m.cp().Filtering()
	m.syncRecording()
	m.syncReplay()
	loading := m.syncLoader()
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
	if m.cfg.Recorder != nil {
		m.status.SetRecording(m.cfg.Recorder.Status())
	}
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

func (m *Model) applyStyles(st *themes.Styles) {
	m.st = st
	for i := range m.panes {
		m.panes[i].p.SetStyles(st)
	}
	m.tree.SetStyles(st)
	m.devices.SetStyles(st)
	m.detail.SetStyles(st)
	m.status.SetStyles(st)
	m.filter.SetStyles(st)
	hs := help.DefaultStyles(true)
	hs.ShortKey, hs.FullKey = st.Help.Key, st.Help.Key
	hs.ShortDesc, hs.FullDesc = st.Help.Desc, st.Help.Desc
	hs.ShortSeparator, hs.FullSeparator, hs.Ellipsis = st.Help.Sep, st.Help.Sep, st.Help.Sep
	m.help.Styles = hs
	m.detail.Prepare()
}

// layout computes component sizes from the window size: the panes area
// (split by the layout, or the focused pane alone when zoomed), and the
// detail on the right (wide screens) or below.
func (m *Model) layout() {
	w, h := m.width, max(m.height-2, 0) // status + help lines
	m.status.SetSize(w)
	m.help.SetWidth(w)
	m.filter.SetWidth(w)
	m.wide = w >= 150
	pw, ph := w, h
	switch {
	case !m.showDetail:
		m.detail.SetSize(0, 0)
	case m.wide:
		pw = w * 11 / 20
		m.detail.SetSize(w-pw, h)
	case h < 12:
		m.detail.SetSize(w, 0)
	default:
		ph = max(h*9/20, 5)
		if len(m.panes) > 1 || m.treeOpen || m.devOpen {
			ph = max(h*6/10, 5)
		}
		m.detail.SetSize(w, h-ph)
	}
	extras := m.extras()
	n := len(m.panes) + len(extras)
	if m.zoom {
		m.cells = make([]rect, n)
		full := rect{0, 0, pw, ph}
		zoomed := m.cur
		for i, x := range extras {
			if (x == focusTree && m.focus == focusTree) || (x == focusDevices && m.focus == focusDevices) {
				zoomed = len(m.panes) + i
			}
		}
		m.cells[zoomed] = full
	} else {
		m.cells = layoutCells(m.arrange, n, pw, ph)
	}
	for i := range m.panes {
		c := m.cells[i]
		m.panes[i].p.SetSize(c.w, c.h)
	}
	if m.replay != nil {
		m.replay.live.SetSize(m.cells[m.replay.idx].w, m.cells[m.replay.idx].h)
	}
	for i, x := range extras {
		c := m.cells[len(m.panes)+i]
		switch x {
		case focusTree:
			m.tree.SetSize(c.w, c.h)
		case focusDevices:
			m.devices.SetSize(c.w, c.h)
		}
	}
	m.detail.Prepare()
}

// View draws the whole screen: exactly height lines of width cells.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	if !m.cfg.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "hubtap"
	return v
}

func (m Model) render() string {
	if m.width <= 0 || m.height <= 0 || m.quitting {
		return ""
	}
	h := max(m.height-2, 0)
	panes := m.panesView()
	var main string
	switch {
	case m.form != nil && (!m.showDetail || (!m.wide && h < 12)):
		main = m.form.View(m.width, h)
	case m.showInfo && (!m.showDetail || (!m.wide && h < 12)):
		main = m.infoView(m.width, h)
	case m.palette.open && (!m.showDetail || (!m.wide && h < 12)):
		main = m.paletteView(m.width, h)
	case m.showHelp:
		main = m.helpViewSized(m.width, h) // every key: the whole screen
	case !m.showDetail || (!m.wide && h < 12):
		main = panes
	default:
		right := m.detail.View()
		switch {
		case m.form != nil:
			right = m.form.View(m.detailSize())
		case m.showInfo:
			right = m.infoView(m.detailSize())
		case m.palette.open:
			right = m.paletteView(m.detailSize())
		}
		if m.wide {
			main = joinH(panes, right)
		} else {
			main = panes + "\n" + right
		}
	}
	if m.filter.IsOpen() {
		return main + "\n" + m.filter.View()
	}
	var bottom string
	if m.focus == focusPrompt {
		bottom = common.Fit(m.prompt.View(), m.width)
	} else {
		bottom = common.Fit(m.help.ShortHelpView(m.shortHelp()), m.width)
	}
	return main + "\n" + m.status.View(m.now()) + "\n" + bottom
}

// detailSize is the detail view's area.
func (m Model) detailSize() (int, int) {
	w, h := m.width, max(m.height-2, 0)
	if len(m.cells) == 0 {
		return w, h
	}
	pw, ph := 0, 0
	for _, c := range m.cells {
		pw, ph = max(pw, c.x+c.w), max(ph, c.y+c.h)
	}
	if m.wide {
		return w - pw, h
	}
	return w, h - ph
}

// panesView composes the panes (and the tree) into their cells: rows of
// cells joined side by side.
func (m Model) panesView() string {
	type cellView struct {
		r rect
		v string
	}
	var cells []cellView
	for i := range m.panes {
		c := m.cells[i]
		if c.w == 0 || c.h == 0 {
			continue // hidden by zoom
		}
		cells = append(cells, cellView{c, m.panes[i].p.View()})
	}
	for i, x := range m.extras() {
		c := m.cells[len(m.panes)+i]
		if c.w == 0 || c.h == 0 {
			continue
		}
		switch x {
		case focusTree:
			cells = append(cells, cellView{c, m.tree.View()})
		case focusDevices:
			cells = append(cells, cellView{c, m.devices.View()})
		}
	}
	// Group cells by row (same y), left to right.
	var out []string
	for len(cells) > 0 {
		y := cells[0].r.y
		var row []string
		rest := cells[:0:0]
		for _, c := range cells {
			if c.r.y == y {
				row = append(row, c.v)
			} else {
				rest = append(rest, c)
			}
		}
		joined := row[0]
		for _, r := range row[1:] {
			joined = joinH(joined, r)
		}
		out = append(out, joined)
		cells = rest
	}
	return strings.Join(out, "\n")
}

func (m Model) shortHelp() []key.Binding {
	b := []key.Binding{m.keys.Quit, m.keys.Help, m.keys.Focus, m.keys.Filter}
	if m.cfg.Client != nil {
		b = append(b, m.keys.Subscribe)
	}
	switch m.focus {
	case focusDetail:
		return append(b, m.detail.KeyMap().ShortHelp()...)
	case focusTree:
		return append(b, m.tree.KeyMap().ShortHelp()...)
	case focusDevices:
		return append(b, m.devices.KeyMap().ShortHelp()...)
	}
	return append(b, m.cp().KeyMap().ShortHelp()...)
}

func (m Model) helpViewSized(w, h int) string {
	groups := [][]key.Binding{{m.keys.Quit, m.keys.Help, m.keys.Palette, m.keys.Focus}, {m.keys.Subscribe, m.keys.Filter, m.keys.ClearFilter}}
	paneKeys := [][]key.Binding{{m.keys.NewPane, m.keys.ClosePane, m.keys.Rename, m.keys.Topics}, {m.keys.Zoom, m.keys.Layout, m.keys.Tree, m.keys.Devices}, {m.keys.Detail, m.keys.Diff, m.keys.Columns, m.keys.Info}, {m.keys.Publish, m.keys.REST}}
	groups = append(groups, m.cp().KeyMap().FullHelp()...)
	hv := m.help
	hv.SetWidth(max(w-4, 10))
	var lines []string
	lines = append(lines, m.st.Detail.Label.Render("global"))
	lines = append(lines, strings.Split(hv.FullHelpView(groups[:2]), "\n")...)
	lines = append(lines, "", m.st.Detail.Label.Render("panes (1-9 focus a pane)"))
	lines = append(lines, strings.Split(hv.FullHelpView(paneKeys), "\n")...)
	lines = append(lines, "", m.st.Detail.Label.Render("history and output"))
	lines = append(lines, strings.Split(hv.FullHelpView([][]key.Binding{{m.keys.Jump, m.keys.Record, m.keys.Export}, {m.keys.ExportOne, m.keys.Copy, m.keys.CopyTopic}, {m.keys.Replay}}), "\n")...)
	lines = append(lines, m.st.Help.Desc.Render("during a replay: p pause/resume · 1 1x · 2 10x · 3 100x · 4 max · [ ] seek ∓5% · P stop"))
	lines = append(lines, "", m.st.Detail.Label.Render("message list"))
	lines = append(lines, strings.Split(hv.FullHelpView(append(groups[2:], []key.Binding{m.keys.Resume})), "\n")...)
	lines = append(lines, "", m.st.Detail.Label.Render("message detail (after tab)"))
	lines = append(lines, strings.Split(hv.FullHelpView(m.detail.KeyMap().FullHelp()), "\n")...)
	return common.Frame(m.st, true, "keys", "? to close", w, h, lines)
}

// joinH puts two blocks of equal height side by side.
func joinH(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var sb strings.Builder
	for i := range al {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(al[i])
		if i < len(bl) {
			sb.WriteString(bl[i])
		}
	}
	return sb.String()
}

// PaneSpec describes a message pane, for profiles.
type PaneSpec struct {
	Name, Filter    string
	Topics, Columns []string
}

// Workspace returns the panes as they are now (a replay pane counts as the
// pane it replaced), and the layout, for --save-profile.
func (m Model) Workspace() (panes []PaneSpec, layout string) {
	for i := range m.panes {
		p := m.panes[i].p
		if m.replay != nil && i == m.replay.idx {
			p = m.replay.live
		}
		panes = append(panes, PaneSpec{Name: m.panes[i].name, Topics: p.Topics(), Filter: p.FilterSource(), Columns: p.Columns()})
	}
	switch m.arrange {
	case layoutStacked:
		layout = "stacked"
	case layoutSide:
		layout = "side"
	default:
		layout = "grid"
	}
	return panes, layout
}

// Received returns how many messages the UI has taken from the bridge.
func (m Model) Received() uint64 { return m.received }

// Store returns the history store (for tests and the caller after quit).
func (m Model) Store() *history.Store { return m.store }
