package statusbar

import (
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/ui/common"
)

// seg is one piece of the bar. rank orders what stays when space is short
// (lower stays longer); critical segments always stay.
type seg struct {
	full, short string
	st          lipgloss.Style
	rank        int
	critical    bool
	right       bool // in the counters on the right
}

// Height returns how many lines View draws now: 1, or more when the
// critical sentences do not fit on one.
func (m Model) Height() int { return len(m.lines(m.now())) }

// View renders the bar: Height lines of exactly width cells.
func (m Model) View() string { return strings.Join(m.lines(m.now()), "\n") }

func (m Model) lines(now time.Time) []string {
	if m.width <= 0 {
		return []string{""}
	}
	segs := m.segments(now)
	s := m.st.Status
	sep := s.Muted.Render(" · ")
	// Critical segments first, in full; if they are too wide together,
	// those that have a short form take it; if they still are, they wrap
	// (in full) and the rest goes.
	width := func(short bool) int {
		n := -3
		for _, g := range segs {
			if g.critical {
				t := g.full
				if short && g.short != "" {
					t = g.short
				}
				n += ansi.StringWidth(t) + 3
			}
		}
		return n
	}
	if width(false) > m.width {
		if width(true) > m.width {
			return m.wrapCritical(segs)
		}
		for i := range segs {
			if segs[i].critical && segs[i].short != "" {
				segs[i].full = segs[i].short
			}
		}
	}
	// Greedy by rank: each segment in its full form if it fits, else its
	// short form, else not at all.
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ga, gb := segs[order[a]], segs[order[b]]
		if ga.critical != gb.critical {
			return ga.critical
		}
		return ga.rank < gb.rank
	})
	chosen := make([]string, len(segs))
	used := 0
	full := false // once a segment finds no room, every lower-ranked one gives way too
	for _, i := range order {
		g := segs[i]
		if full && !g.critical {
			continue
		}
		for _, text := range []string{g.full, g.short} {
			if text == "" {
				continue
			}
			w := ansi.StringWidth(text) + 3
			if g.critical || used+w <= m.width+3 {
				chosen[i] = text
				used += w
				break
			}
		}
		full = full || chosen[i] == ""
	}
	var left, right []string
	for i, g := range segs {
		if chosen[i] == "" {
			continue
		}
		r := g.st.Render(chosen[i])
		if g.right {
			right = append(right, r)
		} else {
			left = append(left, r)
		}
	}
	l, r := strings.Join(left, sep), strings.Join(right, sep)
	gap := max(m.width-ansi.StringWidth(l)-ansi.StringWidth(r), 1)
	return []string{common.Fit(l+strings.Repeat(" ", gap)+r, m.width)}
}

// wrapCritical lays out only the critical segments (short forms where they
// have one) on as many lines as they need, packed in display order; a
// sentence longer than a line wraps. Past maxLines the last line points at
// the message log, where everything is in full.
func (m Model) wrapCritical(segs []seg) []string {
	sep := m.st.Status.Muted.Render(" · ")
	var out []string
	cur, curW := "", 0
	flush := func() {
		if curW > 0 {
			out = append(out, common.Fit(cur, m.width))
		}
		cur, curW = "", 0
	}
	for _, g := range segs {
		if !g.critical {
			continue
		}
		t := g.full
		if g.short != "" {
			t = g.short
		}
		for _, piece := range common.Wrap(t, m.width) {
			w := ansi.StringWidth(piece)
			if curW > 0 && curW+3+w > m.width {
				flush()
			}
			if curW > 0 {
				cur += sep
				curW += 3
			}
			cur += g.st.Render(piece)
			curW += w
		}
	}
	flush()
	if len(out) > maxLines {
		out = append(out[:maxLines-1], common.Fit(m.st.Status.Err.Render("… more: l shows the message log in full"), m.width))
	}
	return out
}
