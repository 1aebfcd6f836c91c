package common

import tea "charm.land/bubbletea/v2"

// WheelLines is how many rows one mouse-wheel notch moves.
const WheelLines = 3

// Scroller is a line cursor over Len rows of which Height are shown,
// starting at row Top. It is the scrolling of the tree, the device view
// and the detail view. The zero value is an empty list; the owner sets Len
// and Height (SetLen, SetHeight) as they change and reads Visible to draw.
//
// Every move clamps: Cursor is in [0, Len-1] (0 when Len is 0), Top in
// [0, max(Len-Height, 0)], and, after Clamp, the cursor is on screen.
// bubbles' viewport does not fit: it scrolls a rendered string and has no
// cursor, while these views render only their visible rows.
type Scroller struct {
	Cursor, Top, Height, Len int
}

// page is how far PageUp/PageDown move: a screen less one row, so one row
// of context stays in view.
func (s Scroller) page() int { return max(s.Height-1, 1) }

// SetLen changes the row count and clamps (keeping the cursor on screen).
func (s *Scroller) SetLen(n int) {
	s.Len = max(n, 0)
	s.Clamp()
}

// SetHeight changes the visible row count and clamps.
func (s *Scroller) SetHeight(h int) {
	s.Height = max(h, 0)
	s.Clamp()
}

// Move moves the cursor by delta rows (negative: up) and clamps.
func (s *Scroller) Move(delta int) {
	s.Cursor += delta
	s.Clamp()
}

// Up moves the cursor one row up.
func (s *Scroller) Up() { s.Move(-1) }

// Down moves the cursor one row down.
func (s *Scroller) Down() { s.Move(1) }

// PageUp moves the cursor and the window a page up, so the cursor keeps
// its place on screen unless the window hits the top.
func (s *Scroller) PageUp() {
	s.Top -= s.page()
	s.Move(-s.page())
}

// PageDown moves the cursor and the window a page down.
func (s *Scroller) PageDown() {
	s.Top += s.page()
	s.Move(s.page())
}

// Home moves to the first row.
func (s *Scroller) Home() {
	s.Cursor, s.Top = 0, 0
	s.Clamp()
}

// End moves to the last row, with the window at the bottom.
func (s *Scroller) End() {
	s.Cursor, s.Top = s.Len-1, s.Len
	s.Clamp()
}

// Wheel moves the cursor WheelLines rows per wheel notch, up or down; it
// reports whether msg was a vertical wheel event.
func (s *Scroller) Wheel(msg tea.MouseWheelMsg) bool {
	switch msg.Button {
	case tea.MouseWheelUp:
		s.Move(-WheelLines)
	case tea.MouseWheelDown:
		s.Move(WheelLines)
	default:
		return false
	}
	return true
}

// Clamp puts the cursor in range, scrolls the window the least needed to
// show it, and keeps the window in range.
func (s *Scroller) Clamp() {
	s.clampCursor()
	if s.Height > 0 {
		if s.Cursor < s.Top {
			s.Top = s.Cursor
		}
		if s.Cursor >= s.Top+s.Height {
			s.Top = s.Cursor - s.Height + 1
		}
	}
	s.clampTop()
}

// ClampTop puts the cursor and the window in range without scrolling to
// the cursor: for a view that is not showing its cursor (the unfocused
// detail keeps the top of a message in view).
func (s *Scroller) ClampTop() {
	s.clampCursor()
	s.clampTop()
}

func (s *Scroller) clampCursor() { s.Cursor = max(min(s.Cursor, s.Len-1), 0) }

func (s *Scroller) clampTop() { s.Top = max(min(s.Top, s.Len-s.Height), 0) }

// Visible returns the rows on screen, [from, to).
func (s Scroller) Visible() (from, to int) {
	from = min(s.Top, s.Len)
	return from, min(from+s.Height, s.Len)
}
