package pane

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"hubtap/history"
	"hubtap/ui/common"
)

const (
	timeWidth  = 12 // 15:04:05.000
	identWidth = 15 // IMEI
	flagWidth  = 2  // "R ", "D ", "  "
)

// View renders exactly height lines of at most width cells.
func (m Model) View() string {
	h := m.visible()
	inner := m.width - 2
	lines := make([]string, 0, h+len(m.banner))
	for _, l := range m.banner[:m.bannerRows()] {
		lines = append(lines, m.st.List.Paused.Render(ansi.Truncate(l, max(inner, 0), "…")))
	}
	n := m.rows.Len()
	if n == 0 && m.filter != nil && m.filter.expr != nil {
		lines = append(lines, m.st.List.Hint.Render(ansi.Truncate("No message matches "+m.filter.src, max(inner-1, 0), "…")))
		for _, h := range m.filter.expr.Hints() {
			for _, w := range common.Wrap(h, max(inner-1, 1)) {
				lines = append(lines, m.st.List.Hint.Render(w))
			}
		}
		if run, done, total := m.Filtering(); run {
			lines = append(lines, m.st.List.Hint.Render("checking history: "+common.Commas(done)+" of "+common.Commas(total)+"…"))
		} else {
			lines = append(lines, m.st.List.Hint.Render(common.Commas(m.store.Len())+" kept messages checked; new ones are checked as they arrive. esc clears the filter."))
		}
	} else if n == 0 {
		for _, l := range m.hint {
			if strings.HasPrefix(l, "  ") { // an aligned example: cut
				lines = append(lines, m.st.List.Hint.Render(ansi.Truncate(l, max(inner-1, 0), "…")))
				continue
			}
			for _, w := range common.Wrap(l, max(inner-1, 1)) { // a sentence: in full
				lines = append(lines, m.st.List.Hint.Render(w))
			}
		}
	} else if inner > 0 {
		top, cur := m.window()
		cols := layout(inner)
		if len(m.fields) > 0 {
			cols.topic = false
			lines = append(lines, m.columnsHeader(cols, m.colWidth(inner, cols), inner))
		}
		var b strings.Builder
		for pos := top; pos < n && pos < top+h; pos++ {
			e := m.rows.At(pos)
			if e == nil {
				lines = append(lines, "")
				continue
			}
			b.Reset()
			if pos == cur {
				sel := m.st.List.Selected
				if !m.focused {
					sel = m.st.List.SelectedBlurred
				}
				lines = append(lines, sel.Render(common.Fit(m.row(&b, pos, e, cols, inner, false), inner)))
				continue
			}
			lines = append(lines, m.row(&b, pos, e, cols, inner, true))
		}
	}
	return common.Frame(m.st, m.focused, m.title, m.info(n), m.width, m.height, lines)
}

// info is the right part of the top border: counts and follow state.
func (m Model) info(n int) string {
	var b strings.Builder
	b.WriteString(common.Commas(n))
	if m.filter != nil && m.filter.expr != nil {
		b.WriteString(" of ")
		b.WriteString(common.Commas(m.store.Len()))
		if run, done, total := m.Filtering(); run && total > 0 {
			b.WriteString(" · filtering ")
			b.WriteString(strconv.Itoa(done * 100 / total))
			b.WriteString("%")
		}
	} else {
		b.WriteString(" msgs")
	}
	switch {
	case m.detached:
		b.WriteString(" · live, ")
		b.WriteString(m.st.List.Paused.Render(common.Commas(m.Below()) + " below"))
	case !m.follow:
		b.WriteString(" · ")
		b.WriteString(m.st.List.Paused.Render("paused, " + common.Commas(m.NewSincePause()) + " new"))
	}
	return b.String()
}

type columns struct {
	time, topic, ident bool
	topicW             int
}

// layout decides which columns fit in w cells.
func layout(w int) columns {
	c := columns{time: w >= 36, ident: w >= 52}
	rest := w - flagWidth
	if c.time {
		rest -= timeWidth + 1
	}
	if c.ident {
		rest -= identWidth + 1
	}
	c.topic = rest >= 20 && w >= 72
	if c.topic {
		c.topicW = min(max(rest*30/100, 16), 40)
	}
	return c
}

// row renders one entry's cells; styled is false for the selected row, which
// gets one style over the whole line.
func (m Model) row(b *strings.Builder, pos int, e *history.Entry, c columns, inner int, styled bool) string {
	st := &m.st.List
	put := func(s string, style func(string) string) {
		if styled {
			s = style(s)
		}
		b.WriteString(s)
	}
	if c.time {
		var buf [16]byte
		put(string(e.Received.AppendFormat(buf[:0], "15:04:05.000")), func(s string) string { return st.Time.Render(s) })
		b.WriteByte(' ')
	}
	flag := " "
	switch {
	case e.Duplicate || e.Repeat: // DUP set, or a second copy of a recent message
		flag = "D"
	case e.Retain:
		flag = "R"
	}
	if e.Flags != 0 {
		flag += "!" // a telematics anomaly (gap, future, …): see the detail
	} else {
		flag += " "
	}
	put(flag, func(s string) string { return st.Flag.Render(s) })
	if c.topic {
		put(fitLeft(e.TopicSafe, c.topicW), func(s string) string { return st.Topic.Render(s) })
		b.WriteByte(' ')
	}
	if c.ident {
		put(common.Fit(e.Ident, identWidth), func(s string) string { return st.Ident.Render(s) })
		b.WriteByte(' ')
	}
	if len(m.fields) > 0 {
		m.columnsRow(b, pos, e, m.colWidth(inner, c), styled)
		return b.String()
	}
	put(e.Summary, func(s string) string { return st.Summary.Render(s) })
	return b.String()
}

// fitLeft keeps the end of s (topics end in their most specific level) and
// pads to exactly w cells.
func fitLeft(s string, w int) string {
	if sw := ansi.StringWidth(s); sw > w {
		s = "…" + ansi.TruncateLeft(s, sw-w+1, "")
	}
	return common.Fit(s, w)
}
