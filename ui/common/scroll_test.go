package common

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestScroller(t *testing.T) {
	type op func(*Scroller)
	wheel := func(b tea.MouseButton) op {
		return func(s *Scroller) { s.Wheel(tea.MouseWheelMsg{Button: b}) }
	}
	times := func(n int, o op) op {
		return func(s *Scroller) {
			for range n {
				o(s)
			}
		}
	}
	up, down := (*Scroller).Up, (*Scroller).Down
	cases := []struct {
		name                  string
		start                 Scroller
		ops                   []op
		cursor, top, from, to int
	}{
		{name: "empty list stays at zero", start: Scroller{Height: 5}, ops: []op{down, (*Scroller).End, (*Scroller).PageDown},
			cursor: 0, top: 0, from: 0, to: 0},
		{name: "zero height keeps the cursor in range", start: Scroller{Len: 10}, ops: []op{times(20, down)},
			cursor: 9, top: 0, from: 0, to: 0},
		{name: "down within the window does not scroll", start: Scroller{Len: 20, Height: 5}, ops: []op{times(4, down)},
			cursor: 4, top: 0, from: 0, to: 5},
		{name: "down past the bottom row scrolls by one", start: Scroller{Len: 20, Height: 5}, ops: []op{times(5, down)},
			cursor: 5, top: 1, from: 1, to: 6},
		{name: "up within the window does not scroll", start: Scroller{Len: 20, Height: 5, Cursor: 10, Top: 6}, ops: []op{times(3, up)},
			cursor: 7, top: 6, from: 6, to: 11},
		{name: "up past the top row scrolls by one", start: Scroller{Len: 20, Height: 5, Cursor: 6, Top: 6}, ops: []op{up},
			cursor: 5, top: 5, from: 5, to: 10},
		{name: "up at the first row stays", start: Scroller{Len: 20, Height: 5}, ops: []op{up},
			cursor: 0, top: 0, from: 0, to: 5},
		{name: "page down keeps the cursor's screen row", start: Scroller{Len: 20, Height: 5, Cursor: 1}, ops: []op{(*Scroller).PageDown},
			cursor: 5, top: 4, from: 4, to: 9},
		{name: "page down at the end stops on the last row", start: Scroller{Len: 20, Height: 5, Cursor: 17, Top: 15}, ops: []op{(*Scroller).PageDown},
			cursor: 19, top: 15, from: 15, to: 20},
		{name: "page up keeps the cursor's screen row", start: Scroller{Len: 20, Height: 5, Cursor: 12, Top: 10}, ops: []op{(*Scroller).PageUp},
			cursor: 8, top: 6, from: 6, to: 11},
		{name: "page up near the top stops at row 0", start: Scroller{Len: 20, Height: 5, Cursor: 2, Top: 1}, ops: []op{(*Scroller).PageUp},
			cursor: 0, top: 0, from: 0, to: 5},
		{name: "height 1 pages by one row", start: Scroller{Len: 20, Height: 1}, ops: []op{(*Scroller).PageDown, (*Scroller).PageDown},
			cursor: 2, top: 2, from: 2, to: 3},
		{name: "end shows the last page", start: Scroller{Len: 20, Height: 5}, ops: []op{(*Scroller).End},
			cursor: 19, top: 15, from: 15, to: 20},
		{name: "home after end", start: Scroller{Len: 20, Height: 5}, ops: []op{(*Scroller).End, (*Scroller).Home},
			cursor: 0, top: 0, from: 0, to: 5},
		{name: "shorter than the window", start: Scroller{Len: 3, Height: 5}, ops: []op{(*Scroller).End},
			cursor: 2, top: 0, from: 0, to: 3},
		{name: "shrinking the list pulls cursor and window in", start: Scroller{Len: 20, Height: 5, Cursor: 19, Top: 15},
			ops: []op{func(s *Scroller) { s.SetLen(8) }}, cursor: 7, top: 3, from: 3, to: 8},
		{name: "growing the list keeps the window", start: Scroller{Len: 20, Height: 5, Cursor: 7, Top: 5},
			ops: []op{func(s *Scroller) { s.SetLen(100) }}, cursor: 7, top: 5, from: 5, to: 10},
		{name: "a smaller window follows the cursor", start: Scroller{Len: 20, Height: 10, Cursor: 9},
			ops: []op{func(s *Scroller) { s.SetHeight(4) }}, cursor: 9, top: 6, from: 6, to: 10},
		{name: "a taller window near the end shows more above", start: Scroller{Len: 20, Height: 5, Cursor: 19, Top: 15},
			ops: []op{func(s *Scroller) { s.SetHeight(8) }}, cursor: 19, top: 12, from: 12, to: 20},
		{name: "wheel down moves three rows", start: Scroller{Len: 20, Height: 5}, ops: []op{wheel(tea.MouseWheelDown), wheel(tea.MouseWheelDown)},
			cursor: 6, top: 2, from: 2, to: 7},
		{name: "wheel up moves three rows", start: Scroller{Len: 20, Height: 5, Cursor: 10, Top: 8}, ops: []op{wheel(tea.MouseWheelUp)},
			cursor: 7, top: 7, from: 7, to: 12},
		{name: "sideways wheel does nothing", start: Scroller{Len: 20, Height: 5, Cursor: 10, Top: 8}, ops: []op{wheel(tea.MouseWheelLeft)},
			cursor: 10, top: 8, from: 8, to: 13},
		{name: "clamp top leaves the cursor off screen", start: Scroller{Len: 20, Height: 5, Cursor: 12, Top: 0},
			ops: []op{(*Scroller).ClampTop}, cursor: 12, top: 0, from: 0, to: 5},
		{name: "clamp top still bounds the window", start: Scroller{Len: 20, Height: 5, Cursor: -3, Top: 30},
			ops: []op{(*Scroller).ClampTop}, cursor: 0, top: 15, from: 15, to: 20},
		{name: "clamp scrolls to an off-screen cursor", start: Scroller{Len: 20, Height: 5, Cursor: 12, Top: 0},
			ops: []op{(*Scroller).Clamp}, cursor: 12, top: 8, from: 8, to: 13},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.start
			for _, o := range c.ops {
				o(&s)
			}
			from, to := s.Visible()
			if s.Cursor != c.cursor || s.Top != c.top || from != c.from || to != c.to {
				t.Fatalf("from %+v: cursor %d top %d visible [%d,%d), want cursor %d top %d visible [%d,%d)",
					c.start, s.Cursor, s.Top, from, to, c.cursor, c.top, c.from, c.to)
			}
		})
	}
}

func TestScrollerWheelReports(t *testing.T) {
	s := Scroller{Len: 10, Height: 3}
	if !s.Wheel(tea.MouseWheelMsg{Button: tea.MouseWheelDown}) || s.Wheel(tea.MouseWheelMsg{Button: tea.MouseWheelRight}) {
		t.Fatal("Wheel must report vertical wheel events only")
	}
}
