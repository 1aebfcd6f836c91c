// Package app is the root model. It owns the layout and routes messages to
// the components in a fixed order (see Update); it does no I/O itself.
package app

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/filters"
	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
	"hubtap/ui/detail"
	"hubtap/ui/filterbar"
	"hubtap/ui/pane"
	"hubtap/ui/statusbar"
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
	Ctx    context.Context  // ends the batch wait on shutdown; nil = Background
	Now    func() time.Time // nil = time.Now
}

type focus int

// promptKind says what the one-line prompt is asking for.
type promptKind int

const (
	promptSubscribe promptKind = iota
	promptJump
	promptExport    // the pane's messages
	promptExportOne // the selected message
)

const (
	focusList focus = iota
	focusDetail
	focusPrompt // the subscribe prompt owns every key
)

// Model is the root of hubtap's UI.
type Model struct {
	cfg    Config
	ctx    context.Context
	now    func() time.Time
	st     *themes.Styles
	keys   KeyMap
	store  *history.Store
	list   pane.Model
	detail detail.Model
	status statusbar.Model
	help   help.Model
	prompt textinput.Model
	filter filterbar.Model

	focus      focus
	promptKind promptKind
	showHelp   bool
	width      int
	height     int
	wide       bool // list and detail side by side

	topics   []string
	subs     map[string]broker.SubResult
	received uint64
	dropped  uint64

	replay *replayState // non-nil while replaying

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
		list:   pane.New(1, st, pane.DefaultKeyMap(), cfg.Store, ""),
		filter: filterbar.New(st),
		detail: detail.New(st, detail.DefaultKeyMap()),
		status: statusbar.New(st, cfg.Target),
		help:   help.New(),
		prompt: textinput.New(),
		topics: append([]string(nil), cfg.Topics...),
		subs:   map[string]broker.SubResult{},
	}
	m.prompt.Prompt = "subscribe ▸ "
	m.prompt.Placeholder = "flespi/message/gw/channels/+/+"
	m.list.Focus()
	m.ticking, m.lastTick = true, cfg.Now() // Init starts the first tick
	m.syncLoader()
	m.syncRecording()
	if cfg.StartNotice != "" {
		m.status.Notice(cfg.StartNotice, true, cfg.Now())
	}
	m.applyStyles(st)
	m.refreshPane()
	return m
}

// Init starts the batch wait (and asks for the background colour).
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{waitForBatch(m.ctx, m.cfg.Source), tick()}
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
		cmd := m.ingest(msg.Batch)
		return m, tea.Batch(waitForBatch(m.ctx, m.cfg.Source), cmd)
	case replayBatchMsg:
		return m, m.onReplayBatch(msg.Batch)
	case pane.FilterDoneMsg:
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		m.selectionChanged()
		return m, cmd
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
		if old := m.list.FilterSource(); old != "" {
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
		if msg.Cancelled && m.list.FilterSource() != msg.Restore {
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
	cmd := m.list.SetFilter(src, expr)
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
	case key.Matches(msg, m.keys.Filter):
		return m, m.filter.Open(m.list.ID(), m.list.FilterSource())
	case key.Matches(msg, m.keys.ClearFilter) && m.list.Filter() != nil:
		return m, m.applyFilter("", nil)
	case key.Matches(msg, m.keys.Focus):
		if m.focus == focusList {
			m.focus = focusDetail
			m.list.Blur()
			m.detail.Focus()
		} else {
			m.focus = focusList
			m.detail.Blur()
			m.list.Focus()
		}
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
		if m.list.Selected() == nil {
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
		if e := m.list.Selected(); e != nil {
			m.status.Notice("copied the payload ("+common.Commas(len(e.Payload))+" bytes) to the clipboard", false, m.now())
			return m, tea.Batch(tea.SetClipboard(clipText(e.Payload)), m.startTick())
		}
		return m, nil
	case key.Matches(msg, m.keys.CopyTopic):
		if e := m.list.Selected(); e != nil {
			m.status.Notice("copied the topic to the clipboard", false, m.now())
			return m, tea.Batch(tea.SetClipboard(e.Topic), m.startTick())
		}
		return m, nil
	}
	var cmd tea.Cmd
	switch m.focus {
	case focusList:
		m.list, cmd = m.list.Update(msg)
		m.selectionChanged()
	case focusDetail:
		m.detail, cmd = m.detail.Update(msg)
	}
	return m, cmd
}

func (m *Model) openPrompt(kind promptKind, prompt, value, placeholder string) tea.Cmd {
	m.focus, m.promptKind = focusPrompt, kind
	m.prompt.Reset()
	m.prompt.Prompt, m.prompt.Placeholder = prompt, placeholder
	m.prompt.SetValue(value)
	m.prompt.CursorEnd()
	m.prompt.SetWidth(max(m.width-len([]rune(prompt))-2, 10))
	return m.prompt.Focus()
}

func (m *Model) closePrompt() {
	m.prompt.Blur()
	m.focus = focusList
	m.detail.Blur()
	m.list.Focus()
}

func (m Model) submitPrompt() (tea.Model, tea.Cmd) {
	switch m.promptKind {
	case promptJump:
		newest, ok := m.list.Newest()
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
		m.list.JumpTo(t)
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
			return m, export(snap, []uint64{m.list.SelectedAbs()}, false, path)
		}
		ids, all := m.list.Shown()
		return m, export(snap, ids, all, path)
	}
	var filters []string
	for _, f := range strings.Fields(m.prompt.Value()) {
		if err := broker.ValidateFilter(f); err != nil {
			m.status.Notice(err.Error(), true, m.now())
			return m, m.startTick()
		}
		filters = append(filters, f)
	}
	m.closePrompt()
	if len(filters) == 0 {
		return m, nil
	}
	for _, f := range filters {
		if !contains(m.topics, f) {
			m.topics = append(m.topics, f)
		}
	}
	m.refreshPane()
	m.status.Notice("subscribing to "+strings.Join(filters, ", ")+"…", false, m.now())
	return m, tea.Batch(subscribe(m.ctx, m.cfg.Client, filters), m.startTick())
}

// ingest applies one batch: history, then connection events, then views.
func (m *Model) ingest(b broker.Batch) tea.Cmd {
	if len(b.Msgs) > 0 {
		first, n := m.store.Append(b.Msgs)
		if m.replay != nil {
			m.replay.live.Ingest(first, n) // the live pane keeps filtering underneath
		} else {
			m.list.Ingest(first, n)
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
	for _, e := range b.Events {
		switch e.Kind {
		case broker.EventState:
			m.status.Event(e, now)
		case broker.EventSubscribe:
			m.onSubResults(e)
		}
	}
	m.refreshPane()
	m.selectionChanged()
	m.status.SetCounts(m.rate, m.received, m.store.Stats(), m.dropped)
	return m.startTick()
}

func (m *Model) onSubResults(e broker.Event) {
	if e.Err != nil {
		m.status.Notice(e.Err.Error(), true, m.now())
	}
	var refused []string
	for _, r := range e.Subs {
		m.subs[r.Filter] = r
		if !contains(m.topics, r.Filter) {
			m.topics = append(m.topics, r.Filter)
		}
		if r.Err != nil {
			refused = append(refused, r.Filter+": "+r.Err.Error())
		}
	}
	if len(refused) > 0 {
		m.status.Notice("subscribe "+strings.Join(refused, "; "), true, m.now())
	}
}

// refreshPane updates the pane's title and empty-state hint.
func (m *Model) refreshPane() {
	if m.replay != nil {
		return // the replay pane keeps its own title
	}
	var title []string
	for _, t := range m.topics {
		s := history.SanitizeLine(t)
		if r, ok := m.subs[t]; ok {
			if r.Err != nil {
				s += " ✕"
			} else {
				s += " ✓"
			}
		}
		title = append(title, s)
	}
	t := "messages"
	if len(title) > 0 {
		t = strings.Join(title, ", ")
	}
	if f := m.list.FilterSource(); f != "" {
		t += " │ " + history.SanitizeLine(f)
	}
	m.list.SetTitle(t)
	m.list.SetHint(m.hint())
	var banner []string
	for _, t := range m.topics {
		if r, ok := m.subs[t]; ok && r.Err != nil {
			banner = append(banner, "✕ "+history.SanitizeLine(t)+": "+r.Err.Error())
		}
	}
	m.list.SetBanner(banner)
}

func (m Model) hint() []string {
	if len(m.topics) == 0 {
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
	return []string{"Waiting for messages on " + history.SanitizeLine(strings.Join(m.topics, ", ")) + " …"}
}

// selectionChanged shows the pane's selected message in the detail view and
// renders it now, so View stays cheap.
func (m *Model) selectionChanged() {
	m.detail.SetEntry(m.list.Selected())
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
	m.status.SetCounts(m.rate, m.received, m.store.Stats(), m.dropped)
	filtering, _, _ := m.list.Filtering()
	m.syncRecording()
	m.syncReplay()
	loading := m.syncLoader()
	active := m.rate > 0 || now.Sub(m.lastMsgAt) < 3*time.Second || m.status.Waiting() || m.status.NoticeActive(now) ||
		filtering || loading || m.recording() || m.replay != nil
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
	m.list.SetStyles(st)
	m.detail.SetStyles(st)
	m.status.SetStyles(st)
	m.filter.SetStyles(st)
	hs := help.DefaultStyles(true)
	hs.ShortKey, hs.FullKey = st.Help.Key, st.Help.Key
	hs.ShortDesc, hs.FullDesc = st.Help.Desc, st.Help.Desc
	hs.ShortSeparator, hs.FullSeparator = st.Help.Sep, st.Help.Sep
	m.help.Styles = hs
	m.detail.Prepare()
}

// layout computes component sizes from the window size.
func (m *Model) layout() {
	w, h := m.width, max(m.height-2, 0) // status + help lines
	m.status.SetSize(w)
	m.help.SetWidth(w)
	m.filter.SetWidth(w)
	m.wide = w >= 150
	switch {
	case m.wide:
		lw := w * 11 / 20
		m.list.SetSize(lw, h)
		m.detail.SetSize(w-lw, h)
	case h < 12:
		m.list.SetSize(w, h)
		m.detail.SetSize(w, 0)
	default:
		lh := max(h*9/20, 5)
		m.list.SetSize(w, lh)
		m.detail.SetSize(w, h-lh)
	}
	m.detail.Prepare()
}

// View draws the whole screen: exactly height lines of width cells.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "hubtap"
	return v
}

func (m Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.quitting {
		return ""
	}
	h := max(m.height-2, 0)
	var main string
	right := m.detail.View()
	if m.showHelp {
		right = m.helpView()
	}
	switch {
	case m.wide:
		main = joinH(m.list.View(), right)
	case h < 12:
		main = m.list.View()
		if m.showHelp {
			main = m.helpViewSized(m.width, h)
		}
	default:
		main = m.list.View() + "\n" + right
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

func (m Model) shortHelp() []key.Binding {
	b := []key.Binding{m.keys.Quit, m.keys.Help, m.keys.Focus, m.keys.Filter}
	if m.cfg.Client != nil {
		b = append(b, m.keys.Subscribe)
	}
	if m.focus == focusDetail {
		return append(b, m.detail.KeyMap().ShortHelp()...)
	}
	return append(b, m.list.KeyMap().ShortHelp()...)
}

func (m Model) helpView() string {
	w, h := m.width, max(m.height-2, 0)
	if m.wide {
		w = m.width - m.width*11/20
	} else {
		h -= max(h*9/20, 5)
	}
	return m.helpViewSized(w, h)
}

func (m Model) helpViewSized(w, h int) string {
	groups := [][]key.Binding{{m.keys.Quit, m.keys.Help, m.keys.Focus, m.keys.Subscribe, m.keys.Filter, m.keys.ClearFilter}}
	groups = append(groups, m.list.KeyMap().FullHelp()...)
	hv := m.help
	hv.SetWidth(max(w-4, 10))
	var lines []string
	lines = append(lines, m.st.Detail.Label.Render("global"))
	lines = append(lines, strings.Split(hv.FullHelpView(groups[:1]), "\n")...)
	lines = append(lines, "", m.st.Detail.Label.Render("history and output"))
	lines = append(lines, strings.Split(hv.FullHelpView([][]key.Binding{{m.keys.Jump, m.keys.Record, m.keys.Export}, {m.keys.ExportOne, m.keys.Copy, m.keys.CopyTopic}, {m.keys.Replay}}), "\n")...)
	lines = append(lines, m.st.Help.Desc.Render("during a replay: p pause/resume · 1 1x · 2 10x · 3 100x · 4 max · [ ] seek ∓5% · P stop"))
	lines = append(lines, "", m.st.Detail.Label.Render("message list"))
	lines = append(lines, strings.Split(hv.FullHelpView(groups[1:]), "\n")...)
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

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Received returns how many messages the UI has taken from the bridge.
func (m Model) Received() uint64 { return m.received }

// Store returns the history store (for tests and the caller after quit).
func (m Model) Store() *history.Store { return m.store }
