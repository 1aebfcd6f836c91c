package history

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SanitizeLine makes untrusted text safe to put on one terminal row. It
// replaces each invalid UTF-8 byte with U+FFFD, then maps: tab to a space,
// other C0 controls to their control pictures (␍ ␊ ␇ ␀, and ESC to ␛), and
// DEL, C1 controls and bidi overrides to U+FFFD. Escape sequences are thus
// neutralised but stay visible ("␛]52;c;…" shows that a device tried to write
// the clipboard), which is what a debugger should show.
//
// A string that is already safe is returned as is, without a copy. The
// result is valid UTF-8 with no ESC, C0, DEL, C1 or bidi control rune.
// SanitizeLine does not cap length; callers cut the input first.
func SanitizeLine(s string) string {
	if lineSafe(s) {
		return s
	}
	return sanitizeSlow(s)
}

func sanitizeSlow(s string) string {
	if !utf8.ValidString(s) {
		s = replaceInvalid(s)
	}
	return strings.Map(mapLineRune, s)
}

// mapLineRune is the per-rune mapping of SanitizeLine (STYLE §4).
func mapLineRune(r rune) rune {
	switch {
	case r == '\t':
		return ' '
	case r < 0x20:
		return 0x2400 + r // control pictures: ␍ ␊ ␇ ␀ ␛
	case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
		return utf8.RuneError // DEL, C1, bidi overrides
	}
	return r
}

// lineSafe reports whether SanitizeLine would return s unchanged: valid UTF-8
// and no rune that mapLineRune changes.
func lineSafe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || mapLineRune(r) != r {
			return false
		}
		i += w
	}
	return true
}

// replaceInvalid replaces every byte that is not part of a valid UTF-8
// sequence with U+FFFD (one per byte, unlike strings.ToValidUTF8).
func replaceInvalid(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}
