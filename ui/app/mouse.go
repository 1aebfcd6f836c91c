package app

import (
	tea "charm.land/bubbletea/v2"

	"hubtap/ui/pane"
)

// hit returns what is at screen cell (x, y): a pane index, the tree (-2),
// the detail (-3) or nothing (-1), and the row inside it.
func (m Model) hit(x, y int) (target, row int) {
	extras := m.extras()
	for i, c := range m.cells {
		if c.w > 0 && c.h > 0 && x >= c.x && x < c.x+c.w && y >= c.y && y < c.y+c.h {
			if i >= len(m.panes) {
				if extras[i-len(m.panes)] == focusDevices {
					return -4, y - c.y - 1
				}
				return -2, y - c.y - 1
			}
			return i, y - c.y - 1 // below the top border
		}
	}
	if m.detailOn() {
		w, h := m.detailSize()
		if x >= m.width-w && y >= max(m.height-2, 0)-h && y < max(m.height-2, 0) {
			return -3, 0
		}
	}
	return -1, 0
}

// onClick focuses what was clicked; in a pane it also selects the message.
func (m Model) onClick(ms tea.Mouse) (tea.Model, tea.Cmd) {
	if ms.Button != tea.MouseLeft || m.overlay != overlayNone {
		return m, nil
	}
	target, row := m.hit(ms.X, ms.Y)
	switch {
	case target >= 0:
		m.focusPane(target)
		if m.cp().ClickRow(row) {
			m.selectionChanged()
		}
	case target == -2:
		m.blurAll()
		m.focus = focusTree
		m.tree.Focus()
	case target == -4:
		m.blurAll()
		m.focus = focusDevices
		m.devices.Focus()
	case target == -3:
		m.cp().Blur()
		m.tree.Blur()
		m.focus = focusDetail
		m.detail.Focus()
	}
	return m, nil
}

// onWheel scrolls what is under the pointer (three lines a notch; the
// tree, the device view and the detail take the wheel message themselves).
func (m Model) onWheel(ms tea.Mouse) (tea.Model, tea.Cmd) {
	if m.overlay != overlayNone {
		return m, nil
	}
	if ms.Button != tea.MouseWheelUp && ms.Button != tea.MouseWheelDown {
		return m, nil
	}
	wheel := tea.MouseWheelMsg(ms)
	target, _ := m.hit(ms.X, ms.Y)
	var cmd tea.Cmd
	switch {
	case target >= 0:
		if m.focus != focusList || m.cur != target {
			m.focusPane(target)
		}
		a := pane.Newer
		if ms.Button == tea.MouseWheelUp {
			a = pane.Older
		}
		for i := 0; i < 3; i++ {
			m.cp().Do(a)
		}
		m.selectionChanged()
	case target == -3:
		m.blurAll()
		m.focus = focusDetail
		m.detail.Focus()
		m.detail, cmd = m.detail.Update(wheel)
	case target == -2:
		m.blurAll()
		m.focus = focusTree
		m.tree.Focus()
		m.tree, cmd = m.tree.Update(wheel)
	case target == -4:
		m.blurAll()
		m.focus = focusDevices
		m.devices.Focus()
		m.devices, cmd = m.devices.Update(wheel)
	}
	return m, cmd
}
