package headless

import (
	"io"
	"os"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
)

// Output says whether `hubtap sub` writes payload bytes as they are.
type Output uint8

// Output modes.
const (
	// OutputAuto writes raw bytes to a pipe or file (like mosquitto_sub)
	// and terminal-safe text to a terminal.
	OutputAuto Output = iota
	// OutputRaw always writes the exact bytes (--raw), even to a terminal.
	OutputRaw
	// OutputSafe always shows control bytes as visible markers.
	OutputSafe
)

// safe reports whether output to w is made terminal-safe.
func (o Output) safe(w io.Writer) bool {
	switch o {
	case OutputRaw:
		return false
	case OutputSafe:
		return true
	}
	return IsTerminal(w)
}

// IsTerminal reports whether w is a terminal (a tty, not /dev/null, a pipe
// or a file).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd()) // TCGETS on Linux, TIOCGETA on the BSDs and macOS
}

// appendSafe appends b made safe for a terminal, the way the TUI shows a
// payload (history.SanitizeLine), except that newlines and tabs stay (they
// separate records and fields): escape sequences lose their ESC, which
// shows as ␛, so an OSC 52 clipboard write, a title change or a terminal
// query is printed, not obeyed; other C0 controls (CR, BS, BEL, ...)
// become control pictures (␍ ␈ ␇); DEL, C1 controls (U+0080-U+009F, such
// as the one-rune CSI U+009B) and bidi overrides become U+FFFD, and so
// does every invalid UTF-8 byte.
func appendSafe(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\n' || c == '\t':
				dst = append(dst, c)
			case c < 0x20:
				dst = utf8.AppendRune(dst, 0x2400+rune(c))
			case c == 0x7f:
				dst = utf8.AppendRune(dst, utf8.RuneError)
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && w == 1, unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			dst = utf8.AppendRune(dst, utf8.RuneError)
		default:
			dst = append(dst, b[i:i+w]...)
		}
		i += w
	}
	return dst
}
