package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/ui/common"
)

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

// render: the main area (panes and detail, with the open panel overlay in
// the detail's place or over everything), then the bottom (status and the
// footer or the prompt, or the filter bar).
func (m Model) render() string {
	if m.width <= 0 || m.height <= 0 || m.quitting {
		return ""
	}
	var main string
	over := m.overlayView()
	switch {
	case over != "" && (m.overlay == overlayHelp || !m.inDetailArea()):
		main = over
	case !m.inDetailArea():
		main = m.panesView()
	default:
		right := m.detail.View()
		if over != "" {
			right = over
		}
		if m.wide {
			main = joinH(m.panesView(), right)
		} else {
			main = m.panesView() + "\n" + right
		}
	}
	if m.overlay == overlayFilter {
		return main + "\n" + m.filter.View()
	}
	bottom := common.Fit(m.help.ShortHelpView(m.shortHelp()), m.width)
	if m.overlay == overlayPrompt {
		bottom = m.prompt.View()
	}
	return main + "\n" + m.status.View() + "\n" + bottom
}

// panesView composes the panes (and the tree and device view) into their
// cells: rows of cells joined side by side.
func (m Model) panesView() string {
	type cellView struct {
		r rect
		v string
	}
	var cells []cellView
	for i := range m.panes {
		if c := m.cells[i]; c.w > 0 && c.h > 0 { // else hidden by zoom
			cells = append(cells, cellView{c, m.panes[i].p.View()})
		}
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

// shortHelp is the footer: the keymap's short help, then the focused
// component's (or the open overlay's).
func (m Model) shortHelp() []key.Binding {
	b := m.keys.ShortHelp()
	if m.cfg.Client != nil {
		b = append(b, m.keys.Subscribe)
	}
	switch m.overlay {
	case overlayPalette:
		return m.palette.KeyMap().ShortHelp()
	case overlayInfo:
		return m.info.KeyMap().ShortHelp()
	case overlayLog:
		return m.log.KeyMap().ShortHelp()
	case overlayForm:
		return m.form.KeyMap().ShortHelp()
	case overlayHelp:
		return []key.Binding{m.keys.Help}
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

// replayKeys is the replay's key line for the status bar, from the keymap.
func (m Model) replayKeys() string {
	var parts []string
	for _, g := range m.keys.groups() {
		if g.title != "during a replay" {
			continue
		}
		for _, c := range g.cmds {
			parts = append(parts, c.b.Help().Key)
		}
	}
	return strings.Join(parts, " ") + " · " + m.keys.Replay.Help().Key + " stop"
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
