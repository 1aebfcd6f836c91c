package filters

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// substring is a case-insensitive free-text filter over topic and payload.
type substring struct {
	src    string // trimmed source, as typed; returned by String
	needle string // ASCII needles: folded to lower case; otherwise src
	ascii  bool
}

func newSubstring(s string) *substring {
	f := &substring{src: s, needle: s, ascii: isASCII(s)}
	if f.ascii {
		f.needle = lowerASCII(s)
	}
	return f
}

// Match reports whether the needle occurs, ignoring case, in the topic or the
// payload. For ASCII needles it does not allocate.
func (f *substring) Match(topic string, payload []byte) bool {
	// The payload is only read, never retained, so a zero-copy view is safe.
	p := unsafe.String(unsafe.SliceData(payload), len(payload))
	if f.ascii {
		return containsFoldASCII(topic, f.needle) || containsFoldASCII(p, f.needle)
	}
	return containsFoldUnicode(topic, f.needle) || containsFoldUnicode(p, f.needle)
}

// String returns the trimmed source, which Parse turns into the same filter.
func (f *substring) String() string { return f.src }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// containsFoldASCII reports whether needle (ASCII, lower case, non-empty)
// occurs in h with ASCII letters compared case-insensitively. Candidate
// positions come from strings.IndexByte for the lower- and upper-case first
// byte; each search resumes where it stopped, so finding candidates is linear
// in len(h). Verifying one candidate costs up to len(needle).
func containsFoldASCII(h, needle string) bool {
	m := len(needle)
	if m > len(h) {
		return false
	}
	end := len(h) - m + 1 // candidates start before end
	lo, up := needle[0], needle[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	a := nextByte(h, lo, 0, end)
	b := end // no second candidate stream when the first byte has no case
	if up != lo {
		b = nextByte(h, up, 0, end)
	}
	for {
		i := min(a, b)
		if i == end {
			return false
		}
		if equalFoldASCII(h[i+1:i+m], needle[1:]) {
			return true
		}
		if a == i {
			a = nextByte(h, lo, i+1, end)
		}
		if b == i {
			b = nextByte(h, up, i+1, end)
		}
	}
}

// nextByte returns the index of the first c in h[from:end], or end.
func nextByte(h string, c byte, from, end int) int {
	if j := strings.IndexByte(h[from:end], c); j >= 0 {
		return from + j
	}
	return end
}

// equalFoldASCII reports whether s equals lower (same length, lower case)
// when ASCII upper-case letters in s are folded.
func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// containsFoldUnicode is the slow path for needles with non-ASCII runes:
// simple Unicode case folding, as strings.EqualFold, tried at every rune
// start. It does not allocate either, but costs O(len(h)·len(needle)).
func containsFoldUnicode(h, needle string) bool {
	for i := 0; i < len(h); {
		if hasPrefixFold(h[i:], needle) {
			return true
		}
		_, w := utf8.DecodeRuneInString(h[i:])
		i += w
	}
	return needle == ""
}

// hasPrefixFold reports whether s starts with prefix under simple folding.
// Folded runes may differ in encoded length, so both sides advance by rune.
func hasPrefixFold(s, prefix string) bool {
	for _, pr := range prefix {
		if s == "" {
			return false
		}
		sr, w := utf8.DecodeRuneInString(s)
		if !equalRuneFold(sr, pr) {
			return false
		}
		s = s[w:]
	}
	return true
}

// equalRuneFold mirrors the rune comparison inside strings.EqualFold.
func equalRuneFold(a, b rune) bool {
	if a == b {
		return true
	}
	if a < b {
		a, b = b, a
	}
	if a < utf8.RuneSelf { // both ASCII: only letters fold
		return 'A' <= b && b <= 'Z' && a == b+'a'-'A'
	}
	r := unicode.SimpleFold(b)
	for r != b && r < a {
		r = unicode.SimpleFold(r)
	}
	return r == a
}
