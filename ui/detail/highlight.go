package detail

import (
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/themes"
)

// Highlights are what the pane's filter looks at: JSON fields whose keys are
// marked, and free-text terms marked wherever they occur (ASCII terms
// case-insensitively). The zero value marks nothing.
type Highlights struct {
	Fields []string
	Texts  []string
}

func (h Highlights) empty() bool { return len(h.Fields) == 0 && len(h.Texts) == 0 }

func (h Highlights) equal(o Highlights) bool {
	return strings.Join(h.Fields, "\x00") == strings.Join(o.Fields, "\x00") &&
		strings.Join(h.Texts, "\x00") == strings.Join(o.Texts, "\x00")
}

// apply marks matches of plain (the unstyled line) in styled (the same line
// with colours). json enables key matching.
func (h Highlights) apply(st *themes.Styles, plain, styled string, json bool) string {
	if h.empty() {
		return styled
	}
	type span struct{ a, b int } // byte offsets into plain
	var spans []span
	if json {
		for _, f := range h.Fields {
			keys := []string{f}
			if i := strings.LastIndexByte(f, '.'); i >= 0 && i < len(f)-1 {
				keys = append(keys, f[i+1:]) // nested lookup: position.speed → "speed"
			}
			for _, k := range keys {
				q := `"` + k + `":`
				if i := strings.Index(plain, q); i >= 0 {
					spans = append(spans, span{i, i + len(q) - 1})
					break
				}
			}
		}
	}
	lower := strings.ToLower(plain)
	if len(lower) == len(plain) { // byte offsets agree
		for _, t := range h.Texts {
			t = strings.ToLower(t)
			if t == "" {
				continue
			}
			for from := 0; ; {
				i := strings.Index(lower[from:], t)
				if i < 0 {
					break
				}
				spans = append(spans, span{from + i, from + i + len(t)})
				from += i + len(t)
			}
		}
	}
	if len(spans) == 0 {
		return styled
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	var ranges []lipgloss.Range
	end := -1
	for _, s := range spans {
		if s.a < end {
			continue // overlapping: keep the first
		}
		ranges = append(ranges, lipgloss.NewRange(ansi.StringWidth(plain[:s.a]), ansi.StringWidth(plain[:s.b]), st.Detail.Match))
		end = s.b
	}
	return lipgloss.StyleRanges(styled, ranges...)
}
