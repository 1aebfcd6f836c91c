package app

import "charm.land/bubbles/v2/key"

// KeyMap holds the global bindings, active unless a text input is open.
type KeyMap struct {
	Quit, Help, Focus, Subscribe                                           key.Binding
	Filter, ClearFilter                                                    key.Binding
	Jump, Record, Export, ExportOne, Copy, CopyTopic                       key.Binding
	Replay                                                                 key.Binding
	NewPane, ClosePane, Rename, Topics, Zoom, Layout, Tree, Detail, Resume key.Binding
	Palette, Devices, Diff, Columns, Info, Publish, REST                   key.Binding
	Submit, Cancel                                                         key.Binding // in the subscribe prompt
}

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
		Focus:       key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "next pane")),
		Subscribe:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "subscribe")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Jump:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "jump to time")),
		Record:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "record on/off")),
		Export:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export pane")),
		ExportOne:   key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "export message")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy payload/field")),
		CopyTopic:   key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy topic")),
		Replay:      key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "replay pane / stop")),
		NewPane:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new pane")),
		ClosePane:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "close pane")),
		Rename:      key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "rename pane")),
		Topics:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "edit pane topics")),
		Zoom:        key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom pane")),
		Resume:      key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "space resumes: live/in place")),
		Layout:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "grid/stacked/side")),
		Tree:        key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "topic tree")),
		Detail:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "detail on/off")),
		Palette:     key.NewBinding(key.WithKeys(":", "ctrl+p"), key.WithHelp(":", "commands")),
		Devices:     key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "device view")),
		Columns:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "columns")),
		Publish:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "publish")),
		REST:        key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "REST request")),
		Info:        key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "connection info")),
		Diff:        key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "diff vs device's previous")),
		Submit:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel:      key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel")),
	}
}
