package filters

import (
	"math/bits"
	"strings"

	"github.com/tidwall/gjson"
)

// maxJSONDepth bounds the nesting that JSONUnknown validation accepts: gjson's
// validator recurses, and a payload of a million '[' must not grow the stack
// to match. history uses the same limit when it classifies payloads.
const maxJSONDepth = 512

// walker reads the members of a top-level JSON object one at a time, in
// place. It accepts any bytes and stops at the first thing it does not
// understand; it checks structure only as far as it needs to, so its answers
// count only once the payload is known to be valid JSON.
type walker struct {
	p    string
	i    int
	done bool
}

// next returns the next member: its key as written between the quotes
// (escapes not decoded; esc says there were some) and its raw value.
func (w *walker) next() (key string, esc bool, val string, ok bool) {
	if w.done {
		return "", false, "", false
	}
	w.done = true // until proven otherwise
	p, i := w.p, skipWS(w.p, w.i)
	if i >= len(p) || p[i] != '"' {
		return "", false, "", false
	}
	kend, kesc := skipString(p, i)
	if kend < 0 {
		return "", false, "", false
	}
	key = p[i+1 : kend-1]
	i = skipWS(p, kend)
	if i >= len(p) || p[i] != ':' {
		return "", false, "", false
	}
	i = skipWS(p, i+1)
	vend := skipValue(p, i)
	if vend < 0 {
		return "", false, "", false
	}
	val = p[i:vend]
	if i = skipWS(p, vend); i < len(p) && p[i] == ',' {
		w.i, w.done = i+1, false
	}
	return key, kesc, val, true
}

func skipWS(p string, i int) int {
	for i < len(p) && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at p[i] == '"'
// and whether it holds a backslash, or -1 if it is not closed. It reads eight
// bytes at a time (SWAR): flespi's strings are short, too short for
// strings.IndexByte's call to pay off, and a byte loop is slower.
func skipString(p string, i int) (int, bool) {
	esc := false
	j := i + 1
	for {
		for j+8 <= len(p) {
			x := load64(p, j)
			m := hasByte(x, '"') | hasByte(x, '\\')
			if m == 0 {
				j += 8
				continue
			}
			j += bits.TrailingZeros64(m) / 8 // the lowest hit is exact
			break
		}
		for j < len(p) && p[j] != '"' && p[j] != '\\' {
			j++
		}
		switch {
		case j >= len(p):
			return -1, false
		case p[j] == '"':
			return j + 1, esc
		}
		esc = true
		j += 2 // the backslash and the byte it escapes
	}
}

// load64 reads p[i:i+8] as a little-endian word (the compiler merges the
// loads into one).
func load64(p string, i int) uint64 {
	b := p[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// hasByte sets the high bit of every byte of x equal to c. Bytes above the
// first match may be flagged wrongly (borrows), the first one never is.
func hasByte(x uint64, c byte) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	y := x ^ (lo * uint64(c))
	return (y - lo) &^ y & hi
}

// skipValue returns the index just past the value starting at p[i], or -1.
// Containers are skipped by counting brackets outside strings (iteratively:
// no recursion, whatever the depth).
func skipValue(p string, i int) int {
	if i >= len(p) {
		return -1
	}
	switch p[i] {
	case '"':
		j, _ := skipString(p, i)
		return j
	case '{', '[':
		depth := 0
		for j := i; j < len(p); j++ {
			switch p[j] {
			case '"':
				k, _ := skipString(p, j)
				if k < 0 {
					return -1
				}
				j = k - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j+8 <= len(p) { // numbers such as 1715843522.418732: eight bytes at a time
		x := load64(p, j)
		m := hasLess(x, '!') | hasByte(x, ',') | hasByte(x, '}') | hasByte(x, ']')
		if m != 0 {
			j += bits.TrailingZeros64(m) / 8
			break
		}
		j += 8
	}
	for j < len(p) && !isDelim(p[j]) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// hasLess sets the high bit of every byte of x below c (c <= 128), exactly
// for the first such byte, as hasByte.
func hasLess(x uint64, c byte) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	return (x - lo*uint64(c)) &^ x & hi
}

// isDelim reports whether c ends a number or literal.
func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// validJSON is the JSONUnknown check: bounded nesting, then gjson.Valid.
func validJSON(p string) bool {
	return depthOK(p, maxJSONDepth) && gjson.Valid(p)
}

// depthOK reports whether brackets outside strings nest at most max deep.
func depthOK(p string, max int) bool {
	if len(p) <= max || strings.Count(p, "{")+strings.Count(p, "[") <= max {
		return true // not enough opening brackets to go deeper
	}
	depth := 0
	for j := 0; j < len(p); j++ {
		switch p[j] {
		case '"':
			k, _ := skipString(p, j)
			if k < 0 {
				return false
			}
			j = k - 1
		case '{', '[':
			if depth++; depth > max {
				return false
			}
		case '}', ']':
			depth--
		}
	}
	return true
}

// unescapeKey decodes a member key that holds escapes (rare; allocates).
func unescapeKey(raw string) string {
	return gjson.Parse(`"` + raw + `"`).Str
}
