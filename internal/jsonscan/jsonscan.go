// Package jsonscan walks the top-level members of a JSON object in place,
// without parsing their values.
//
// Why not gjson's ForEach: it converts every value it passes (strconv for
// each number, unescaping for each string), which cost ~3 µs per 550-byte
// flespi message, while its callers want a dozen of ~30 values, or only the
// first few. Members only finds where each key and value ends and hands
// back slices of the input; the caller converts what it reads (gjson still
// decodes the rare escaped key, see Key). filters, history's summaries and
// telematics each had a copy of this walker; this is the one they share.
//
// Input is expected to be valid JSON (history classified it, or the caller
// validates afterwards, as filters does), but any bytes are safe: on
// malformed input a walk stops early, and nothing here panics or reads out
// of bounds (FuzzMembers and FuzzNoPanic check both; on valid objects
// FuzzMembers also checks every key and value against gjson). Structure is
// checked only as far as finding the ends needs, so the answers count only
// once the input is known to be valid.
//
// Containers are skipped by counting brackets outside strings, iteratively:
// no recursion, so a payload of a million '[' costs time, not stack.
package jsonscan

import (
	"math/bits"

	"github.com/tidwall/gjson"
)

// Members walks the members of a top-level JSON object, one per Next. It
// holds only the input and an offset, so it lives on the caller's stack and
// a walk does not allocate. The zero value is a finished walk, which lets a
// caller keep one in a struct before it knows there is an object.
type Members struct {
	s    string // the input
	i    int    // where the next member's key should start, whitespace allowed
	more bool   // false once the walk has ended (the object's end, or malformed)
}

// NewMembers starts a walk over the object js. It reports false (and returns
// a finished walk) if js, after leading whitespace, does not start with '{',
// so callers can tell "not an object" from "an empty one".
func NewMembers(js string) (Members, bool) {
	i := SkipWS(js, 0)
	if i >= len(js) || js[i] != '{' {
		return Members{}, false
	}
	return Members{s: js, i: i + 1, more: true}, true
}

// Next returns the next member: key as written between its quotes, esc
// reporting whether it holds a backslash (then pass it through Key to get
// what gjson would report; most keys have none, and then key is the name
// as it is, with no copy), and val, the raw JSON text of the value, as
// gjson.Result.Raw would give it (never empty). ok is false at the end of
// the object, and on malformed input; after that Next keeps returning false.
func (m *Members) Next() (key string, esc bool, val string, ok bool) {
	if !m.more {
		return "", false, "", false
	}
	// A flag, not m.s = "", marks the end: storing a string (a pointer) in
	// *m costs a write-barrier check per member, ~5% of a walk. Locals
	// rather than m's fields keep the loops below in registers.
	m.more = false // until this member is complete, any failure ends the walk
	s, i := m.s, SkipWS(m.s, m.i)
	if i >= len(s) || s[i] != '"' {
		return "", false, "", false // '}', or malformed
	}
	ks := i + 1
	kend, esc := StringEnd(s, i)
	if kend < 0 {
		return "", false, "", false
	}
	i = SkipWS(s, kend)
	if i >= len(s) || s[i] != ':' {
		return "", false, "", false
	}
	vs := SkipWS(s, i+1)
	ve := ValueEnd(s, vs)
	if ve < 0 {
		return "", false, "", false
	}
	// Only a comma lets the walk go on; '}' (or anything else) ends it.
	if i = SkipWS(s, ve); i < len(s) && s[i] == ',' {
		m.i, m.more = i+1, true
	}
	return s[ks : kend-1], esc, s[vs:ve], true
}

// Key returns the name of a key that Next returned with its esc: raw itself
// when esc is false (no copy), else raw decoded as gjson decodes it (for
// "\u0069dent", "ident"), so lookups agree with gjson paths and ForEach.
// Escaped keys are rare; decoding them allocates.
func Key(raw string, esc bool) string {
	if esc {
		return unescape(raw)
	}
	return raw
}

// unescape is Key's slow path. It is kept out of line (noinline) so that
// Key inlines as a bare test: inlined, the concatenation's setup made
// callers' loops spill registers (BenchmarkMembers, ~5% slower).
//
//go:noinline
func unescape(raw string) string {
	return gjson.Parse(`"` + raw + `"`).Str
}

// SkipWS returns the index of the first byte at or after i that is not JSON
// whitespace (space, tab, newline, carriage return), or len(s). i must not
// be negative.
func SkipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// StringEnd returns the index just past the string literal whose opening
// quote is s[i], and whether it holds a backslash (an escape); end is -1 if
// the string is not closed. s[i] is taken to be the quote, not checked (the
// callers have just looked at it), and i >= len(s) yields -1. Escapes are
// skipped, not checked: "\q" passes.
//
// It reads eight bytes at a time (SWAR) looking for a quote or a backslash
// at once. Of the string scans in the three walkers this package replaced,
// this one (filters') was the fastest on a flespi message, by ~15% over
// strings.IndexByte plus a check for backslashes before the quote
// (telematics', history's): flespi keys and strings are a few to ~30 bytes,
// too short for IndexByte's call and setup to pay off, and a byte loop is
// slower still.
func StringEnd(s string, i int) (end int, esc bool) {
	j := i + 1
	for {
		for j+8 <= len(s) {
			x := load64(s, j)
			if m := hasByte(x, '"') | hasByte(x, '\\'); m != 0 {
				j += bits.TrailingZeros64(m) / 8 // the lowest hit is exact
				break
			}
			j += 8
		}
		for j < len(s) && s[j] != '"' && s[j] != '\\' {
			j++
		}
		switch {
		case j >= len(s):
			return -1, esc
		case s[j] == '"':
			return j + 1, esc
		}
		esc = true
		j += 2 // the backslash and the byte it escapes
	}
}

// ValueEnd returns the index just past the JSON value starting at s[i], or
// -1 if there is none there (i at the end, an unclosed string or container).
// Strings and containers are found by their closing quote or bracket;
// anything else (numbers, true, false, null) runs to the next delimiter or
// the end of s, and is not checked: "tru" or "1x" is a value as far as
// ValueEnd goes. The result is never i: a value is never empty.
func ValueEnd(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		end, _ := StringEnd(s, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				end, _ := StringEnd(s, j)
				if end < 0 {
					return -1
				}
				j = end - 1
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
	// A number or a literal. Numbers such as 1715843522.418732 are common
	// and long enough that eight bytes at a time pays off here too.
	j := i
	for j+8 <= len(s) {
		x := load64(s, j)
		if m := hasLess(x, '!') | hasByte(x, ',') | hasByte(x, '}') | hasByte(x, ']'); m != 0 {
			j += bits.TrailingZeros64(m) / 8
			break
		}
		j += 8
	}
	for j < len(s) && !isDelim(s[j]) {
		j++
	}
	if j == i {
		return -1 // a delimiter where a value should be: {"a":,}
	}
	return j
}

// RawType is gjson's Type for a raw JSON value such as Next returns, found
// from its first byte alone: callers use it to pick out the values worth
// converting before paying for gjson.Parse. "" is Null, as gjson has it
// for a missing value. Only valid JSON gets a meaningful answer.
func RawType(raw string) gjson.Type {
	if raw == "" {
		return gjson.Null
	}
	switch raw[0] {
	case '"':
		return gjson.String
	case '{', '[':
		return gjson.JSON
	case 't':
		return gjson.True
	case 'f':
		return gjson.False
	case 'n':
		return gjson.Null
	}
	return gjson.Number
}

// load64 reads s[i:i+8] as a little-endian word (the compiler merges the
// byte loads into one).
func load64(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// SWAR ("SIMD within a register") masks: the low and high bit of each byte.
const lo, hi = 0x0101010101010101, 0x8080808080808080

// hasByte sets the high bit of every byte of x equal to c. Bytes above the
// first match may be flagged wrongly (borrows), the first one never is, and
// the callers use only the lowest.
func hasByte(x uint64, c byte) uint64 {
	y := x ^ (lo * uint64(c))
	return (y - lo) &^ y & hi
}

// hasLess sets the high bit of every byte of x below c (c <= 128), exactly
// for the first such byte, as hasByte.
func hasLess(x uint64, c byte) uint64 {
	return (x - lo*uint64(c)) &^ x & hi
}

// isDelim reports whether c ends a number or literal: what may follow a
// value inside an object or array.
func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
