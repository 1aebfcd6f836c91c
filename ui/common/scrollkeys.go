package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// ScrollKeys are the bindings every scrolling list shares (the tree, the
// message log, …): a line, a page, the first and the last row. Embed it in
// a component's KeyMap and call Apply before the component's own keys.
type ScrollKeys struct{ Up, Down, PageUp, PageDown, Top, Bottom key.Binding }

// DefaultScrollKeys returns fresh bindings; up and down name what a line
// move means in the list ("up"/"down", "older"/"newer").
func DefaultScrollKeys(up, down string) ScrollKeys {
	return ScrollKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", up)),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", down)),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page "+up)),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn", "page "+down)),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),
	}
}

// Apply moves s for a scroll key and reports whether kp was one.
func (k ScrollKeys) Apply(kp tea.KeyPressMsg, s *Scroller) bool {
	switch {
	case key.Matches(kp, k.Up):
		s.Up()
	case key.Matches(kp, k.Down):
		s.Down()
	case key.Matches(kp, k.PageUp):
		s.PageUp()
	case key.Matches(kp, k.PageDown):
		s.PageDown()
	case key.Matches(kp, k.Top):
		s.Home()
	case key.Matches(kp, k.Bottom):
		s.End()
	default:
		return false
	}
	return true
}

// Bindings lists the keys, for help.
func (k ScrollKeys) Bindings() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}
