package app

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/ui/pane"
)

// KeyMap holds the global bindings, active unless a dialog or an input is
// open. It is the one source of truth for keys: the ? sheet, the command
// palette, the footer and the replay line are all derived from it (see
// commands).
type KeyMap struct {
	Quit, Help, Palette, Focus, Log                                 key.Binding
	Subscribe, Filter, ClearFilter                                  key.Binding
	NewPane, ClosePane, Rename, Topics, Zoom, Layout, Tree, Devices key.Binding
	Detail, Diff, Columns, Info, Publish, REST, Resume              key.Binding
	Jump, Record, Export, ExportOne, Copy, CopyTopic, Replay        key.Binding
	Pause, Older, Newer, PageOlder, PageNewer, Oldest, Newest       key.Binding // the focused list, also from the palette
	ReplayPause, ReplaySpeed1, ReplaySpeed10, ReplaySpeed100        key.Binding // during a replay
	ReplayMax, ReplayBack, ReplayForward                            key.Binding
	GoPane                                                          key.Binding // 1-9
	// The flespi toolbox (toolbox.go).
	Ident, Sessions, Command, Why, Telemetry, Backfill, EndOnQuit key.Binding
}

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	pk := pane.DefaultKeyMap()
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	one := func(k, desc string) key.Binding { return b([]string{k}, k, desc) }
	return KeyMap{
		Quit:        b([]string{"q", "ctrl+c"}, "q", "quit"),
		Help:        one("?", "all keys"),
		Palette:     b([]string{":", "ctrl+p"}, ":", "command palette"),
		Focus:       b([]string{"tab", "shift+tab"}, "tab", "next pane / detail"),
		Log:         one("l", "message log"),
		Subscribe:   one("s", "subscribe"),
		Filter:      one("/", "filter"),
		ClearFilter: one("esc", "clear filter"),

		NewPane:   one("n", "new pane"),
		ClosePane: one("x", "close pane"),
		Rename:    one("N", "rename pane"),
		Topics:    one("u", "edit pane topics"),
		Zoom:      one("z", "zoom pane"),
		Layout:    one("L", "grid/stacked/side"),
		Tree:      one("T", "topic tree"),
		Devices:   one("V", "device view"),
		Detail:    one("D", "detail on/off"),
		Diff:      one("d", "diff vs device's previous"),
		Columns:   one("c", "columns"),
		Info:      one("i", "connection info"),
		Publish:   one("p", "publish"),
		REST:      one("R", "REST request"),
		Resume:    one("M", "space resumes: live/in place"),

		Jump:      one("t", "jump to time"),
		Record:    one("r", "record on/off"),
		Export:    one("e", "export pane"),
		ExportOne: one("E", "export message"),
		Copy:      one("y", "copy payload/field"),
		CopyTopic: one("Y", "copy topic"),
		Replay:    one("P", "replay pane / stop"),

		Pause:     pk.Follow,
		Older:     pk.Up,
		Newer:     pk.Down,
		PageOlder: pk.PageUp,
		PageNewer: pk.PageDown,
		Oldest:    pk.Oldest,
		Newest:    pk.Newest,

		ReplayPause:    one("p", "replay pause/resume"),
		ReplaySpeed1:   one("1", "replay at 1x"),
		ReplaySpeed10:  one("2", "replay at 10x"),
		ReplaySpeed100: one("3", "replay at 100x"),
		ReplayMax:      one("4", "replay at max speed"),
		ReplayBack:     one("[", "replay back 5%"),
		ReplayForward:  one("]", "replay forward 5%"),

		Ident:     one("I", "ident → device (registered?)"),
		Sessions:  one("S", "MQTT sessions (list, delete)"),
		Command:   one("C", "send a command, follow it"),
		Why:       one("W", "device log: why it disconnected"),
		Telemetry: one("K", "telemetry snapshot with ages"),
		Backfill:  one("B", "device pane with stored history"),
		EndOnQuit: one("X", "end my session on quit: on/off"),

		GoPane: b([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "focus pane N"),
	}
}

// command is one global action: its id (for the palette), the binding that
// runs it, and its handler. A handler runs on a pointer to the root model in
// Update, so it may change state; its I/O goes into the returned Cmd.
type command struct {
	id  string
	b   key.Binding
	run func(m *Model, msg tea.KeyPressMsg) tea.Cmd
	// palette: false for bindings that make no sense without their key
	// (focus pane N).
	noPalette bool
}

// group is a titled set of commands, as the ? sheet shows them.
type group struct {
	title string
	cmds  []command
}

// groups is the table of every global command. The key dispatch, the ?
// sheet, the palette and FullHelp all read it, so a key cannot exist in one
// and be missing from another.
func (k KeyMap) groups() []group {
	c := func(id string, b key.Binding, run func(*Model, tea.KeyPressMsg) tea.Cmd) command {
		return command{id: id, b: b, run: run}
	}
	return []group{
		{"global", []command{
			c("quit", k.Quit, (*Model).cmdQuit), c("help", k.Help, (*Model).cmdHelp),
			c("palette", k.Palette, (*Model).cmdPalette), c("focus", k.Focus, (*Model).cmdFocus),
			c("log", k.Log, (*Model).cmdLog), c("info", k.Info, (*Model).cmdInfo),
			c("subscribe", k.Subscribe, (*Model).cmdSubscribe), c("filter", k.Filter, (*Model).cmdFilter),
			c("clear-filter", k.ClearFilter, (*Model).cmdClearFilter),
		}},
		{"panes", []command{
			c("new-pane", k.NewPane, (*Model).cmdNewPane), c("close-pane", k.ClosePane, (*Model).cmdClosePane),
			c("rename", k.Rename, (*Model).cmdRename), c("topics", k.Topics, (*Model).cmdTopics),
			c("zoom", k.Zoom, (*Model).cmdZoom), c("layout", k.Layout, (*Model).cmdLayout),
			c("tree", k.Tree, (*Model).cmdTree), c("devices", k.Devices, (*Model).cmdDevices),
			c("detail", k.Detail, (*Model).cmdDetail), c("diff", k.Diff, (*Model).cmdDiff),
			c("columns", k.Columns, (*Model).cmdColumns), c("resume-mode", k.Resume, (*Model).cmdResume),
			{id: "go-pane", b: k.GoPane, run: (*Model).cmdGoPane, noPalette: true},
		}},
		{"send", []command{
			c("publish", k.Publish, (*Model).cmdPublish), c("rest", k.REST, (*Model).cmdREST),
		}},
		{"flespi toolbox", []command{
			c("ident", k.Ident, (*Model).cmdIdent), c("sessions", k.Sessions, (*Model).cmdSessions),
			c("command", k.Command, (*Model).cmdCommand), c("why-disconnected", k.Why, (*Model).cmdWhy),
			c("telemetry", k.Telemetry, (*Model).cmdTelemetry), c("backfill", k.Backfill, (*Model).cmdBackfill),
			c("end-session-on-quit", k.EndOnQuit, (*Model).cmdEndOnQuit),
		}},
		{"history and output", []command{
			c("jump", k.Jump, (*Model).cmdJump), c("record", k.Record, (*Model).cmdRecord),
			c("export", k.Export, (*Model).cmdExport), c("export-one", k.ExportOne, (*Model).cmdExportOne),
			c("copy", k.Copy, (*Model).cmdCopy), c("copy-topic", k.CopyTopic, (*Model).cmdCopyTopic),
			c("replay", k.Replay, (*Model).cmdReplay),
		}},
		{"message list", []command{
			c("pause", k.Pause, listDo(pane.TogglePause)), c("older", k.Older, listDo(pane.Older)),
			c("newer", k.Newer, listDo(pane.Newer)), c("page-older", k.PageOlder, listDo(pane.PageOlder)),
			c("page-newer", k.PageNewer, listDo(pane.PageNewer)), c("oldest", k.Oldest, listDo(pane.Oldest)),
			c("newest", k.Newest, listDo(pane.Newest)),
		}},
		{"during a replay", []command{
			c("replay-pause", k.ReplayPause, replayDo(replayPause)), c("replay-1x", k.ReplaySpeed1, replayDo(replay1x)),
			c("replay-10x", k.ReplaySpeed10, replayDo(replay10x)), c("replay-100x", k.ReplaySpeed100, replayDo(replay100x)),
			c("replay-max", k.ReplayMax, replayDo(replayMax)), c("replay-back", k.ReplayBack, replayDo(replayBack)),
			c("replay-forward", k.ReplayForward, replayDo(replayForward)),
		}},
	}
}

// ShortHelp implements help.KeyMap: the footer's global part.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Help, k.Palette, k.Focus, k.Filter}
}

// FullHelp implements help.KeyMap: every global binding, by group.
func (k KeyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	for _, g := range k.groups() {
		var bs []key.Binding
		for _, c := range g.cmds {
			bs = append(bs, c.b)
		}
		out = append(out, bs)
	}
	return out
}

// lookup finds the global command a key runs. The list keys belong to the
// focused list (they also move the tree, the device view and the detail),
// and the replay keys only act during a replay: both are matched only
// where they apply (see onKey).
func (k KeyMap) lookup(msg tea.KeyPressMsg, replaying bool) (command, bool) {
	gs := k.groups()
	if replaying { // p and 1-4 mean the replay's keys while one runs
		gs = append([]group{gs[len(gs)-1]}, gs[:len(gs)-1]...)
	}
	for _, g := range gs {
		if g.title == "message list" || (g.title == "during a replay" && !replaying) {
			continue
		}
		for _, c := range g.cmds {
			if key.Matches(msg, c.b) {
				return c, true
			}
		}
	}
	return command{}, false
}

// byID finds a command by its palette id.
func (k KeyMap) byID(id string) (command, bool) {
	for _, g := range k.groups() {
		for _, c := range g.cmds {
			if c.id == id {
				return c, true
			}
		}
	}
	return command{}, false
}
