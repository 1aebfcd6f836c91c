package pane

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/tidwall/gjson"

	"hubtap/history"
	"hubtap/ui/common"
)

// SetColumns shows these JSON fields as columns instead of the summary
// (nil goes back to the summary). Flat dotted keys are looked up first.
func (m *Model) SetColumns(fields []string) {
	m.fields = nil
	for _, f := range fields {
		m.fields = append(m.fields, column{src: f, flat: gjson.Escape(f)})
	}
}

// ParseColumns splits what was typed at the columns prompt ("ident
// position.speed") into fields. A field named twice is refused with a
// sentence, so a pane never shows the same column twice.
func ParseColumns(s string) ([]string, error) {
	fields := strings.Fields(s)
	for i, f := range fields {
		for _, g := range fields[:i] {
			if f == g {
				return nil, fmt.Errorf("column %q is given twice: name each field once", history.SanitizeLine(f))
			}
		}
	}
	return fields, nil
}

// Columns returns the fields shown as columns.
func (m Model) Columns() []string {
	var out []string
	for _, c := range m.fields {
		out = append(out, c.src)
	}
	return out
}

type column struct{ src, flat string }

func (c column) value(payload []byte) gjson.Result {
	r := gjson.GetBytes(payload, c.flat)
	if !r.Exists() && c.flat != c.src {
		r = gjson.GetBytes(payload, c.src)
	}
	return r
}

func (c column) text(payload []byte) string {
	r := c.value(payload)
	switch {
	case !r.Exists():
		return "-"
	case r.Type == gjson.String:
		return history.SanitizeLine(r.Str)
	}
	return history.SanitizeLine(r.Raw)
}

// colWidth is how wide each field column is in a row of inner cells.
func (m Model) colWidth(inner int, c columns) int {
	used := flagWidth
	if c.time {
		used += timeWidth + 1
	}
	if c.ident {
		used += identWidth + 1
	}
	used += sparkWidth + 1
	return min(max((inner-used)/max(len(m.fields), 1)-1, 6), 24)
}

// sparkWidth is the sparkline of the first numeric column.
const sparkWidth = 8

// columnsRow renders the field values of e (and a sparkline of the first
// field's recent values for the same device).
func (m Model) columnsRow(b *strings.Builder, pos int, e *history.Entry, w int, styled bool) {
	for _, c := range m.fields {
		s := common.Fit(ansi.Truncate(c.text(e.Payload), w, "…"), w)
		if styled {
			s = m.st.List.Summary.Render(s)
		}
		b.WriteString(s)
		b.WriteByte(' ')
	}
	if len(m.fields) > 0 {
		b.WriteString(m.spark(pos, e))
	}
}

// spark draws the first field's last values for e's device, oldest left,
// looking back at most 400 rows of the pane.
func (m Model) spark(pos int, e *history.Entry) string {
	c := m.fields[0]
	if r := c.value(e.Payload); r.Type != gjson.Number {
		return ""
	}
	vals := make([]float64, 0, sparkWidth)
	for p := pos; p >= 0 && pos-p < 400 && len(vals) < sparkWidth; p-- {
		o := m.rows.At(p)
		if o == nil || o.Ident != e.Ident {
			continue
		}
		if r := c.value(o.Payload); r.Type == gjson.Number {
			vals = append(vals, r.Float())
		}
	}
	if len(vals) < 2 {
		return ""
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	bars := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for i := len(vals) - 1; i >= 0; i-- {
		k := 0
		if hi > lo {
			k = int((vals[i] - lo) / (hi - lo) * float64(len(bars)-1))
		}
		b.WriteRune(bars[k])
	}
	return b.String()
}

// columnsHeader names the columns above the rows.
func (m Model) columnsHeader(c columns, w, inner int) string {
	var b strings.Builder
	if c.time {
		b.WriteString(common.Fit("time", timeWidth+1))
	}
	b.WriteString(strings.Repeat(" ", flagWidth))
	if c.ident {
		b.WriteString(common.Fit("ident", identWidth+1))
	}
	for _, f := range m.fields {
		b.WriteString(common.Fit(ansi.Truncate(f.src, w, "…"), w+1))
	}
	b.WriteString("trend " + strconv.Itoa(sparkWidth))
	return m.st.Detail.Label.Render(common.Fit(b.String(), inner))
}
