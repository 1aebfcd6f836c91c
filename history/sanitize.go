package history

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SanitizeLine makes untrusted text safe to put on one terminal row. It
// replaces each invalid UTF-8 byte with U+FFFD, then maps: tab to a space,
// other C0 controls to their control pictures (␍ ␊ ␇ ␀, and ESC to ␛), DEL
// and C1 controls to U+FFFD, and every invisible or direction-changing rune
// to a visible marker: ⟨ZWSP⟩, ⟨ZWJ⟩, ⟨RLO⟩, ⟨BOM⟩ ... (InvisibleName lists
// them), or ⟨U+XXXX⟩ for the rarer ones. Escape sequences are thus
// neutralised but stay visible ("␛]52;c;…" shows that a device tried to
// write the clipboard), and an ident with a zero-width space in it no longer
// looks like the one without: both are what a debugger should show.
//
// A string that is already safe is returned as is, without a copy. The
// result is valid UTF-8 with no ESC, C0, DEL, C1, bidi control or other
// invisible format rune, and at most 9 cells per input rune. SanitizeLine
// does not cap length; callers cut the input first.
func SanitizeLine(s string) string {
	if lineSafe(s) {
		return s
	}
	return sanitizeSlow(s)
}

func sanitizeSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r) // control pictures: ␍ ␊ ␇ ␀ ␛
		case r == 0x7f || r >= 0x80 && r <= 0x9f:
			b.WriteRune(utf8.RuneError) // DEL, C1
		case invisible(r):
			b.WriteString("⟨")
			if name := InvisibleName(r); name != "" {
				b.WriteString(name)
			} else {
				b.WriteString("U+")
				var hex [8]byte
				b.Write(appendHex(hex[:0], r))
			}
			b.WriteString("⟩")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// appendHex appends r as 4 to 6 upper-case hex digits.
func appendHex(dst []byte, r rune) []byte {
	const digits = "0123456789ABCDEF"
	n := 4
	for r>>(4*n) != 0 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, digits[(r>>(4*i))&0xf])
	}
	return dst
}

// invisible reports whether r (≥ U+00A0) draws nothing or changes the
// direction of what follows: the format characters (Unicode category Cf:
// zero-width spaces and joiners, bidi embeddings, overrides and isolates,
// the BOM, soft hyphen, tags), the line and paragraph separators, and the
// Hangul fillers, which are letters that draw as blanks.
func invisible(r rune) bool {
	switch r {
	case 0x2028, 0x2029, 0x115f, 0x1160, 0x3164, 0xffa0:
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Bidi_Control, r)
}

// InvisibleName returns the short name SanitizeLine shows between ⟨ and ⟩
// for an invisible rune, or "" when it shows the code point instead.
func InvisibleName(r rune) string {
	switch r {
	case 0x00ad:
		return "SHY"
	case 0x061c:
		return "ALM"
	case 0x180e:
		return "MVS"
	case 0x200b:
		return "ZWSP"
	case 0x200c:
		return "ZWNJ"
	case 0x200d:
		return "ZWJ"
	case 0x200e:
		return "LRM"
	case 0x200f:
		return "RLM"
	case 0x2028:
		return "LSEP"
	case 0x2029:
		return "PSEP"
	case 0x202a:
		return "LRE"
	case 0x202b:
		return "RLE"
	case 0x202c:
		return "PDF"
	case 0x202d:
		return "LRO"
	case 0x202e:
		return "RLO"
	case 0x2060:
		return "WJ"
	case 0x2066:
		return "LRI"
	case 0x2067:
		return "RLI"
	case 0x2068:
		return "FSI"
	case 0x2069:
		return "PDI"
	case 0xfeff:
		return "BOM"
	}
	return ""
}

// HasInvisible reports whether s holds a rune that SanitizeLine shows as an
// ⟨...⟩ marker (an invisible or direction-changing character), so a view
// can say so next to the field.
func HasInvisible(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r >= 0xa0 && invisible(r) {
			return true
		}
		i += w
	}
	return false
}

// lineSafe reports whether SanitizeLine would return s unchanged: valid UTF-8
// and no rune that sanitizeSlow changes.
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
		if r == utf8.RuneError && w == 1 || r <= 0x9f || invisible(r) {
			return false
		}
		i += w
	}
	return true
}
