package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/ui/common"
	"hubtap/ui/form"
	"hubtap/ui/palette"
)

// openOverlay puts o on top and gives it the keyboard (closing any other).
func (m *Model) openOverlay(o overlay) tea.Cmd {
	m.closeOverlay()
	m.overlay = o
	m.helpTop = 0
	m.layout()
	switch o {
	case overlayPalette:
		return m.palette.Focus()
	case overlayInfo:
		m.syncInfo()
		m.info.Focus()
		return m.fetchToken() // the token's REST description (toolbox.go)
	case overlayLog:
		m.log.Focus()
	case overlayForm:
		return m.form.Focus()
	}
	return nil
}

// closeOverlay closes whatever is on top; the keyboard goes back to the
// component that had it.
func (m *Model) closeOverlay() {
	switch m.overlay {
	case overlayPrompt:
		m.prompt.Close()
	case overlayPalette:
		m.palette.Blur()
	case overlayForm:
		m.form.Blur()
	case overlayLog:
		m.log.Blur()
	case overlayIdent, overlaySessions, overlayCommand, overlayWhy, overlayTelemetry:
		m.tool.panel.Blur()
	}
	m.overlay = overlayNone
}

// toOverlay hands a message to the open overlay. esc closes every overlay
// (each component answers its own close message, or closes here).
func (m Model) toOverlay(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.overlay {
	case overlayHelp:
		kp, ok := msg.(tea.KeyPressMsg)
		switch {
		case !ok:
		case key.Matches(kp, m.keys.Help) || kp.String() == "esc" || kp.String() == "q":
			m.closeOverlay()
		case key.Matches(kp, m.keys.Older):
			m.helpTop = max(m.helpTop-1, 0)
		case key.Matches(kp, m.keys.Newer):
			m.helpTop++
		case key.Matches(kp, m.keys.PageOlder):
			m.helpTop = max(m.helpTop-10, 0)
		case key.Matches(kp, m.keys.PageNewer):
			m.helpTop += 10
		}
	case overlayInfo:
		m.info, cmd = m.info.Update(msg)
	case overlayLog:
		m.log, cmd = m.log.Update(msg)
	case overlayPalette:
		m.palette, cmd = m.palette.Update(msg)
	case overlayForm:
		m.form, cmd = m.form.Update(msg)
	case overlayPrompt:
		m.prompt, cmd = m.prompt.Update(msg)
	case overlayFilter:
		m.filter, cmd = m.filter.Update(msg)
	case overlayIdent, overlaySessions, overlayCommand, overlayWhy, overlayTelemetry:
		m.tool.panel, cmd = m.tool.panel.Update(msg)
	}
	return m, cmd
}

// inDetailArea reports whether overlays draw in the detail's place (the
// detail is shown and has room) rather than over the whole main area.
func (m Model) inDetailArea() bool {
	return m.detailOn() && (m.wide || max(m.height-2, 0) >= 12)
}

// overlaySize is the area the open panel overlay draws in.
func (m Model) overlaySize() (int, int) {
	if m.overlay == overlayHelp || !m.inDetailArea() {
		return m.width, max(m.height-m.bottomHeight(), 0)
	}
	return m.detailSize()
}

// overlayView draws the open panel overlay ("" when none draws in the
// main area: the prompt and the filter bar live at the bottom).
func (m Model) overlayView() string {
	switch m.overlay {
	case overlayHelp:
		return m.helpView()
	case overlayInfo:
		return m.info.View()
	case overlayLog:
		return m.log.View()
	case overlayPalette:
		return m.palette.View()
	case overlayForm:
		return m.form.View()
	case overlayIdent, overlaySessions, overlayCommand, overlayWhy, overlayTelemetry:
		return m.tool.panel.View()
	}
	return ""
}

// paletteCommands lists every command of the keymap the palette offers.
func (m Model) paletteCommands() []palette.Command {
	var out []palette.Command
	for _, g := range m.keys.groups() {
		for _, c := range g.cmds {
			if c.noPalette || !c.b.Enabled() {
				continue
			}
			out = append(out, palette.Command{ID: c.id, Key: c.b.Help().Key, Desc: c.b.Help().Desc, Group: g.title})
		}
	}
	return out
}

// helpView is the ? sheet: the keymap's groups, then the focused
// components' own keys. Every line comes from a KeyMap.
func (m Model) helpView() string {
	w, h := m.overlaySize()
	hv := m.help
	hv.SetWidth(max(w-4, 10))
	var lines []string
	section := func(title string, groups [][]key.Binding) {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, m.st.Detail.Label.Render(title))
		lines = append(lines, strings.Split(hv.FullHelpView(groups), "\n")...)
	}
	for _, g := range m.keys.groups() {
		var bs []key.Binding
		for _, c := range g.cmds {
			bs = append(bs, c.b)
		}
		section(g.title, chunk(bs, 4))
	}
	section("message detail (after tab)", m.detail.KeyMap().FullHelp())
	section("topic tree (T)", m.tree.KeyMap().FullHelp())
	section("device view (V)", m.devices.KeyMap().FullHelp())
	section("message log (l)", m.log.KeyMap().FullHelp())
	section("flespi toolbox panels (I S C W K)", m.tool.panel.KeyMap().FullHelp())
	section("dialogs", form.DefaultKeyMap().FullHelp())
	top := min(m.helpTop, max(len(lines)-(h-2), 0))
	info := "? or esc to close"
	if len(lines) > h-2 {
		info = "↑↓ scroll · " + info
	}
	return common.Frame(m.st, true, "keys", info, w, h, lines[top:])
}

// chunk splits bindings into columns of n for the help view.
func chunk(bs []key.Binding, n int) [][]key.Binding {
	var out [][]key.Binding
	for len(bs) > n {
		out = append(out, bs[:n])
		bs = bs[n:]
	}
	return append(out, bs)
}
