// Package common holds what every UI component shares: message types that
// cross components, the frame renderer and line-fitting helpers. It never
// imports a component package.
package common

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
)

// BatchMsg carries one bridge batch to the root model. Entries, when set,
// are its messages' history entries, built (history.Prepare) on the
// goroutine that waited for the batch rather than on the UI goroutine.
type BatchMsg struct {
	broker.Batch
	Entries []history.Entry
}

// ErrMsg is a failed operation, shown in the status bar in plain words.
type ErrMsg struct {
	Op  string
	Err error
}

// Error implements error.
func (e ErrMsg) Error() string { return e.Op + ": " + e.Err.Error() }

// InfoMsg is a short notice for the status bar.
type InfoMsg struct{ Text string }

// Fit cuts s (which may hold styling escapes) to at most w cells, with "…"
// when cut, and pads it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if sw := ansi.StringWidth(s); sw > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// PadLeft right-aligns s in w cells (s is returned as is when wider).
func PadLeft(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

// Frame draws a rounded box of exactly w×h cells around lines, with title
// on the left and info on the right of the top border. Lines are fitted to
// the inner width; missing lines are blank. w must be ≥ 4 and h ≥ 2.
func Frame(st *themes.Styles, focused bool, title, info string, w, h int, lines []string) string {
	if w < 4 || h < 2 {
		return blank(w, h)
	}
	border, titleSt := st.Frame.Border, st.Frame.Title
	if focused {
		border, titleSt = st.Frame.BorderFocused, st.Frame.TitleFocused
	}
	inner := w - 2
	var b strings.Builder
	// top: ╭─ title ──── info ─╮. When both do not fit, the info (counts,
	// paused) keeps at least half the border and the title gets the rest.
	in := ""
	if info != "" {
		titleW := 0
		if title != "" {
			titleW = ansi.StringWidth(title) + 2
		}
		iw := min(ansi.StringWidth(info), max(inner/2-2, inner-6-titleW, 0))
		if iw >= 5 {
			in = " " + ansi.Truncate(info, iw, "…") + " "
		}
	}
	t := ""
	if title != "" {
		room := inner - 4 - ansi.StringWidth(in)
		if room >= 1 {
			t = " " + ansi.Truncate(title, room, "…") + " "
		}
	}
	fill := inner - 1 - ansi.StringWidth(t) - ansi.StringWidth(in) - 1
	if fill < 0 {
		t, fill = "", inner-2-ansi.StringWidth(in)
		if fill < 0 {
			in, fill = "", inner-2
		}
	}
	b.WriteString(border.Render("╭─"))
	b.WriteString(titleSt.Render(t))
	b.WriteString(border.Render(strings.Repeat("─", fill)))
	b.WriteString(st.Frame.Info.Render(in))
	b.WriteString(border.Render("─╮"))
	side := border.Render("│")
	for i := 0; i < h-2; i++ {
		b.WriteByte('\n')
		b.WriteString(side)
		if i < len(lines) {
			b.WriteString(Fit(lines[i], inner))
		} else {
			b.WriteString(strings.Repeat(" ", inner))
		}
		b.WriteString(side)
	}
	b.WriteByte('\n')
	b.WriteString(border.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

func blank(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	row := strings.Repeat(" ", w)
	return strings.TrimSuffix(strings.Repeat(row+"\n", h), "\n")
}

// Blank returns h lines of w spaces.
func Blank(w, h int) string { return blank(w, h) }

// Width is lipgloss.Width, re-exported so components measure one way.
func Width(s string) int { return lipgloss.Width(s) }

// Commas formats n with thousands separators: 1234567 → "1,234,567".
func Commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) > 3 {
		var b strings.Builder
		pre := len(s) % 3
		b.WriteString(s[:pre])
		for i := pre; i < len(s); i += 3 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s[i : i+3])
		}
		s = b.String()
	}
	if neg {
		return "-" + s
	}
	return s
}

// Wrap breaks s (plain text, no escapes) into lines of at most w cells,
// at spaces where it can, so a sentence is shown in full.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, " /"), "\n")
}

// Short formats n in at most five characters for narrow screens:
// 999, 12.3k, 1.2M, 3.4G.
func Short(n uint64) string {
	switch {
	case n < 1000:
		return strconv.FormatUint(n, 10)
	case n < 1_000_000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "k"
	case n < 1_000_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
	}
	return strconv.FormatFloat(float64(n)/1e9, 'f', 1, 64) + "G"
}
