package telematics

import (
	"strings"

	"github.com/tidwall/gjson"
)

// members walks the top-level members of a JSON object, yielding each key
// and the raw text of its value without parsing the value.
//
// Why not gjson's ForEach: it parses every value it passes (strconv for
// each number), which cost ~3 µs per 550-byte flespi message, most of
// Observe's budget, while Observe needs a dozen of ~30 values. This walker
// only finds where values end; gjson still decodes keys that carry escapes.
// Input is expected to be valid JSON (history classified it); on anything
// else next stops early, and it never panics or reads out of bounds
// (FuzzMembers checks both against gjson).
type members struct {
	s string
	i int
}

// newMembers starts a walk over js, reporting false if js is not an object.
func newMembers(js string) (members, bool) {
	i := skipWS(js, 0)
	if i >= len(js) || js[i] != '{' {
		return members{}, false
	}
	return members{s: js, i: i + 1}, true
}

// next returns the next member: its key (escapes decoded) and the raw JSON
// text of its value. ok is false at the end of the object or on malformed
// input.
func (m *members) next() (key, val string, ok bool) {
	s, i := m.s, skipWS(m.s, m.i) // locals: the loops below stay in registers
	m.s = ""                      // until a member is complete, a failure ends the walk
	if i < len(s) && s[i] == ',' {
		i = skipWS(s, i+1)
	}
	if i >= len(s) || s[i] != '"' {
		return "", "", false
	}
	end, esc := stringEnd(s, i)
	if end < 0 {
		return "", "", false
	}
	key = s[i+1 : end]
	if esc { // rare: "\u0069dent"; gjson decodes it (and allocates)
		key = gjson.Parse(s[i : end+1]).Str
	}
	i = skipWS(s, end+1)
	if i >= len(s) || s[i] != ':' {
		return "", "", false
	}
	vs := skipWS(s, i+1)
	ve := valueEnd(s, vs)
	if ve < 0 {
		return "", "", false
	}
	m.s, m.i = s, ve
	return key, s[vs:ve], true
}

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index of the closing quote of the string whose
// opening quote is at i (-1 if it has none) and whether it has escapes.
func stringEnd(s string, i int) (end int, esc bool) {
	// Fast path, the usual case: the next quote closes the string because
	// nothing before it is a backslash. IndexByte is vectorised.
	if q := strings.IndexByte(s[i+1:], '"'); q >= 0 && !hasBackslash(s[i+1:i+1+q]) {
		return i + 1 + q, false
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			esc = true
			j++
		case '"':
			return j, esc
		}
	}
	return -1, esc
}

// valueEnd returns the index just past the value starting at i, or -1.
func valueEnd(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		end, _ := stringEnd(s, i)
		if end < 0 {
			return -1
		}
		return end + 1
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '"':
				end, _ := stringEnd(s, i)
				if end < 0 {
					return -1
				}
				i = end
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	start := i // number, true, false, null
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if i == start {
				return -1
			}
			return i
		}
	}
	return -1 // no closing brace
}

// hasBackslash reports whether s has a backslash (an escape).
func hasBackslash(s string) bool { return strings.IndexByte(s, '\\') >= 0 }
