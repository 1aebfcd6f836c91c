// Package app is the root model. It owns the layout and routes messages to
// the components in a fixed order (see Update); it does no I/O itself.
//
// Files by job: model.go (state, New), update.go (routing), keys.go (the
// keymap and the command table), actions.go (what each command does),
// prompts.go (one-line questions and their answers), ingest.go (batches
// from the broker), notify.go (notices, the message log, the tick),
// layout.go and view.go (geometry and drawing), overlay.go (what is drawn
// on top), panes.go (pane management).
package app

import (
	"context"
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/config"
	"hubtap/filters"
	"hubtap/history"
	"hubtap/telematics"
	"hubtap/themes"
	"hubtap/ui/detail"
	"hubtap/ui/devices"
	"hubtap/ui/filterbar"
	"hubtap/ui/form"
	"hubtap/ui/info"
	"hubtap/ui/msglog"
	"hubtap/ui/palette"
	"hubtap/ui/prompt"
	"hubtap/ui/statusbar"
	"hubtap/ui/toolbox"
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
	// Requested is the session hubtap asks for (shown by i before the
	// broker answers, and beside what it granted after).
	Requested info.Requested
	// StartNotice is shown in the status bar at start (e.g. a warning).
	StartNotice string
	// Recorder records every received message (r toggles it); nil disables
	// recording (offline files).
	Recorder *history.Recorder
	// Loader is set when showing a file (hubtap open) instead of a broker.
	Loader Loader
	// Panes opens these panes instead of one pane on Topics (a profile).
	Panes []config.Pane
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

	// Toolbox configures the flespi toolbox (toolbox.go).
	Toolbox Toolbox
}

// focus says which component has the keyboard when no overlay is open.
type focus int

const (
	focusList focus = iota
	focusDetail
	focusTree
	focusDevices
)

// overlay is what sits on top of the panes and takes every key. Exactly one
// (or none) is open; esc closes any of them.
type overlay int

const (
	overlayNone    overlay = iota
	overlayHelp            // the ? sheet
	overlayInfo            // connection info (i)
	overlayPalette         // the command palette (:)
	overlayForm            // the publish or REST dialog
	overlayLog             // the message log (l)
	overlayPrompt          // the one-line prompt at the bottom
	overlayFilter          // the filter bar at the bottom
	// The flespi toolbox's panels (toolbox.go): one toolbox.Model, one kind each.
	overlayIdent     // ident → device (I)
	overlaySessions  // MQTT sessions (S)
	overlayCommand   // a command and its log records (C)
	overlayWhy       // a device's log in words (W)
	overlayTelemetry // a device's telemetry snapshot (K)
)

// Model is the root of hubtap's UI.
type Model struct {
	cfg   Config
	ctx   context.Context
	now   func() time.Time
	st    *themes.Styles
	keys  KeyMap
	store *history.Store

	panes   []slot // message panes; at least one
	cur     int    // the focused (or last focused) message pane
	nextID  int
	tree    tree.Model
	devices devices.Model
	tracker *telematics.Tracker
	detail  detail.Model
	status  statusbar.Model
	help    help.Model
	prompt  prompt.Model
	filter  filterbar.Model
	palette palette.Model
	info    info.Model
	log     msglog.Model
	form    form.Model
	tool    toolState // the flespi toolbox (toolbox.go)

	focus   focus
	overlay overlay
	helpTop int // the ? sheet's scroll position

	width, height int
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

	topics   []string
	subs     map[string]broker.SubResult
	received uint64
	dropped  uint64
	session  sessionCount
	// sessionInfo is what the last CONNACK granted.
	sessionInfo  broker.SessionInfo
	laidBottom   int    // bottomHeight when last laid out
	laidDetail   bool   // detailOn when last laid out
	recErrLogged bool   // a failed recording is in the log already
	tip          string // what the user can do about the last connection error

	replay    *replayState // non-nil while replaying
	sent      []broker.Outgoing
	restReply *history.Entry // shown in the detail until the selection moves

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
		status: statusbar.New(st, cfg.Target, cfg.Now),
		help:   help.New(),
		prompt: prompt.New(st),
		info:   info.New(st),
		log:    msglog.New(st, 2000),
		topics: append([]string(nil), cfg.Topics...),
		subs:   map[string]broker.SubResult{},
	}
	m.showDetail = true
	m.tool.panel, m.tool.endOnQuit = toolbox.New(st), cfg.Toolbox.EndSessionOnQuit
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
	m.openProfilePanes(cfg.Panes)
	m.focusPane(0)
	m.ticking, m.lastTick = true, cfg.Now() // Init starts the first tick
	m.syncLoader()
	m.syncRecording()
	m.status.SetWarning(cfg.Warning)
	if cfg.Warning != "" {
		m.log.Add(cfg.Now(), msglog.Warn, cfg.Warning)
	}
	if cfg.StartNotice != "" {
		m.status.Notice(cfg.StartNotice, true, cfg.Now())
		m.log.Add(cfg.Now(), msglog.Warn, cfg.StartNotice)
	}
	m.applyStyles(st)
	m.refreshPane()
	m.syncInfo()
	return m
}

// openProfilePanes opens a profile's panes (the first replaces the pane New
// made) with their names, topics, columns and filters.
func (m *Model) openProfilePanes(specs []config.Pane) {
	for i, ps := range specs {
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
}

// Init starts the batch wait (and asks for the background colour).
func (m Model) Init() tea.Cmd {
	cmds := append([]tea.Cmd{waitForBatch(m.ctx, m.cfg.Source), tick()}, m.initCmds...)
	if m.cfg.AutoTheme {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Workspace returns the panes as they are now (a replay pane counts as the
// pane it replaced), and the layout, for --save-profile.
func (m Model) Workspace() (panes []config.Pane, layout string) {
	for i := range m.panes {
		p := m.panes[i].p
		if m.replay != nil && i == m.replay.idx {
			p = m.replay.live
		}
		panes = append(panes, config.Pane{Name: m.panes[i].name, Topics: p.Topics(), Filter: p.FilterSource(), Columns: p.Columns()})
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

// ResumeMode returns the resume mode as a profile writes it: live or in-place.
func (m Model) ResumeMode() string {
	if m.resumeInPlace {
		return "in-place"
	}
	return "live"
}

// LogLines returns the message log as text (time, level, words), oldest
// first, for tests and for the caller after quit.
func (m Model) LogLines() []string { return m.log.Lines() }
