package app

import (
	"charm.land/bubbles/v2/help"

	"hubtap/themes"
)

// layoutKind is how the panes share the screen.
type layoutKind int

const (
	layoutGrid layoutKind = iota
	layoutStacked
	layoutSide
)

func (l layoutKind) String() string {
	switch l {
	case layoutStacked:
		return "stacked"
	case layoutSide:
		return "side by side"
	}
	return "grid"
}

// rect is a cell of the layout.
type rect struct{ x, y, w, h int }

// layoutCells splits a w×h area into n cells. Grid: as square as the
// count allows; stacked: rows; side by side: columns. Sizes differ by at
// most one cell, and the cells tile the area exactly.
func layoutCells(kind layoutKind, n, w, h int) []rect {
	if n <= 0 {
		return nil
	}
	cols, rows := 1, n
	switch kind {
	case layoutSide:
		cols, rows = n, 1
	case layoutGrid:
		for cols*cols < n {
			cols++
		}
		rows = (n + cols - 1) / cols
		if w < 2*h && cols > rows { // a tall screen: more rows than columns
			cols, rows = rows, cols
		}
	}
	out := make([]rect, 0, n)
	for r := 0; r < rows; r++ {
		y0, y1 := r*h/rows, (r+1)*h/rows
		inRow := cols
		if r == rows-1 {
			inRow = n - cols*(rows-1) // the last row takes what is left, full width
		}
		for c := 0; c < inRow; c++ {
			x0, x1 := c*w/inRow, (c+1)*w/inRow
			out = append(out, rect{x0, y0, x1 - x0, y1 - y0})
		}
	}
	return out
}

// bottomHeight is how many lines the bottom takes: the filter bar, or the
// status (one line or more, see statusbar) and the prompt or the footer.
func (m Model) bottomHeight() int {
	if m.overlay == overlayFilter {
		return 2
	}
	sh := m.status.Height()
	if m.overlay == overlayPrompt {
		return sh + m.prompt.Height()
	}
	return sh + 1
}

// layout computes component sizes from the window size: the panes area
// (split by the layout, or the focused pane alone when zoomed), the detail
// on the right (wide screens) or below, and the overlay's area.
func (m *Model) layout() {
	m.status.SetSize(m.width)
	m.help.SetWidth(m.width)
	m.filter.SetWidth(m.width)
	m.prompt.SetSize(m.width)
	m.laidBottom, m.laidDetail = m.bottomHeight(), m.detailOn()
	w, h := m.width, max(m.height-m.laidBottom, 0)
	m.wide = w >= 150
	pw, ph := w, h
	switch {
	case !m.detailOn():
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
		zoomed := m.cur
		for i, x := range extras {
			if x == m.focus {
				zoomed = len(m.panes) + i
			}
		}
		m.cells[zoomed] = rect{0, 0, pw, ph}
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
	ow, oh := m.overlaySize()
	m.palette.SetSize(ow, oh)
	m.info.SetSize(ow, oh)
	m.log.SetSize(ow, oh)
	m.form.SetSize(ow, oh)
	m.tool.panel.SetSize(ow, oh)
	m.detail.Prepare()
}

// detailSize is the detail view's area.
func (m Model) detailSize() (int, int) {
	w, h := m.width, max(m.height-m.bottomHeight(), 0)
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

// applyStyles hands new styles to every component.
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
	m.prompt.SetStyles(st)
	m.palette.SetStyles(st)
	m.info.SetStyles(st)
	m.log.SetStyles(st)
	m.form.SetStyles(st)
	m.tool.panel.SetStyles(st)
	hs := help.DefaultStyles(true)
	hs.ShortKey, hs.FullKey = st.Help.Key, st.Help.Key
	hs.ShortDesc, hs.FullDesc = st.Help.Desc, st.Help.Desc
	hs.ShortSeparator, hs.FullSeparator, hs.Ellipsis = st.Help.Sep, st.Help.Sep, st.Help.Sep
	m.help.Styles = hs
	m.detail.Prepare()
}

// detailOn reports whether the detail is on screen: asked for (D), and with
// something to show (before the first message the panes take the room, so
// an empty pane's connection panel is readable on a small screen).
func (m Model) detailOn() bool {
	return m.showDetail && (m.store.Len() > 0 || m.restReply != nil || m.replay != nil)
}
