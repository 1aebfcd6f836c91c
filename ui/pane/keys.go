package pane

import "charm.land/bubbles/v2/key"

// KeyMap lists the pane's bindings. It satisfies help.KeyMap.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Oldest, Newest, Follow key.Binding
}

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "older")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "newer")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b", "ctrl+u"), key.WithHelp("pgup/b", "page older")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "f", "ctrl+d"), key.WithHelp("pgdn/f", "page newer")),
		Oldest:   key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "oldest")),
		Newest:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "newest, follow")),
		Follow:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause/resume")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Follow, k.Up, k.Down} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Oldest, k.Newest, k.Follow}}
}
