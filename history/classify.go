package history

import (
	"bytes"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Kind is how a payload was classified at ingest.
type Kind uint8

// The payload kinds, in the order Classify tries them.
const (
	KindEmpty  Kind = iota // zero-length payload
	KindJSON               // valid JSON: an object, an array, or a bare scalar such as true, 47 or "str"
	KindText               // valid UTF-8 and mostly printable, but not JSON
	KindBinary             // anything else, shown as hex
)

// String returns the kind's lower-case name: empty, json, text or binary.
func (k Kind) String() string {
	switch k {
	case KindEmpty:
		return "empty"
	case KindJSON:
		return "json"
	case KindText:
		return "text"
	case KindBinary:
		return "binary"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

const (
	// maxJSONDepth bounds nesting before validJSON (gjson's algorithm) sees
	// a payload: the validator recurses once per level, and a hostile "[[[[…" of a few MB
	// would grow the goroutine stack past its limit, a fatal error that
	// recover cannot catch. Deeper payloads are classified as text.
	maxJSONDepth = 512
	// textSample is how many leading bytes Classify inspects for "mostly
	// printable"; UTF-8 validity is checked on the whole payload.
	textSample = 4096
)

// Classify decides a payload's Kind. It is linear in len(p) at worst (one
// depth scan and one validJSON pass for JSON-looking payloads, one
// utf8.Valid pass otherwise), does not allocate, and never panics.
//
// JSON nested deeper than 512 levels is reported as text. Text means valid
// UTF-8 where, in the first 4 KiB, fewer than one rune in ten is a control
// other than tab, newline, CR, FF, VT or ESC (so coloured logs are text),
// and there is no NUL.
func Classify(p []byte) Kind {
	switch {
	case len(p) == 0:
		return KindEmpty
	case looksJSON(p) && validFast(p): // depth bounded inside
		return KindJSON
	case isText(p):
		return KindText
	}
	return KindBinary
}

// looksJSON is a cheap pre-check: the first non-blank byte can start a value.
func looksJSON(p []byte) bool {
	for _, c := range p {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n':
			return true
		}
		return false
	}
	return false
}

// depthOK reports whether brackets outside strings nest at most max deep.
func depthOK(p []byte, max int) bool {
	if len(p) <= max || bytes.Count(p, []byte{'{'})+bytes.Count(p, []byte{'['}) <= max {
		return true // not enough opening brackets to go deeper; Count is fast
	}
	depth, inStr, esc := 0, false, false
	for _, c := range p {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return false
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return true
}

func isText(p []byte) bool {
	if !utf8.Valid(p) {
		return false
	}
	sample := p[:min(len(p), textSample)]
	runes, bad := 0, 0
	for i := 0; i < len(sample); {
		r, w := utf8.DecodeRune(sample[i:])
		i += w
		if r == utf8.RuneError && w == 1 {
			break // a rune cut by the sample boundary; p is valid
		}
		runes++
		switch {
		case r == 0:
			return false
		case r == '\t', r == '\n', r == '\r', r == '\f', r == '\v', r == 0x1b:
		case unicode.IsControl(r): // other C0, DEL, C1
			bad++
		}
	}
	return bad*10 < runes
}
