package detail

import "charm.land/bubbles/v2/key"

// KeyMap lists the detail view's bindings (active while it has focus).
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Include, Exclude                        key.Binding
}

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "line up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "line down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b", "ctrl+u"), key.WithHelp("pgup/b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "f", "ctrl+d", "space"), key.WithHelp("pgdn/f", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		Include:  key.NewBinding(key.WithKeys("="), key.WithHelp("=", "filter: field == value")),
		Exclude:  key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "filter: field != value")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Include, k.Exclude}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Top, k.Bottom}, {k.Include, k.Exclude}}
}
