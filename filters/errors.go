package filters

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// SyntaxError is a mistake in a filter source, at a column.
type SyntaxError struct {
	Col int    // 1-based, in runes of Src; len(Src)+1 means "at the end"
	Msg string // short, lower case: "expected a value after >"
	Src string // the source as given to Parse
}

// Error returns "col 17: expected a value after >".
func (e *SyntaxError) Error() string {
	return "col " + strconv.Itoa(e.Col) + ": " + e.Msg
}

// Caret returns two lines: the source, and a caret under the column, e.g.
//
//	position.speed >
//	                ^
//
// Control characters in the source show as spaces, so that one rune is one
// cell up to the column; wide runes before it widen the padding to match.
func (e *SyntaxError) Caret() string {
	line := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, e.Src)
	prefix := line
	if n := e.Col - 1; n >= 0 && n < utf8.RuneCountInString(line) {
		i := 0
		for k := range line {
			if n == 0 {
				i = k
				break
			}
			n--
		}
		prefix = line[:i]
	}
	return line + "\n" + strings.Repeat(" ", ansi.StringWidth(prefix)) + "^"
}

// errAt builds a SyntaxError at byte offset off of src.
func errAt(src string, off int, msg string) *SyntaxError {
	off = min(max(off, 0), len(src))
	return &SyntaxError{Col: utf8.RuneCountInString(src[:off]) + 1, Msg: msg, Src: src}
}
