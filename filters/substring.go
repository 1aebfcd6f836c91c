package filters

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// substring is a case-insensitive free-text matcher: free text over topic and
// payload, and the contains operator.
type substring struct {
	needle string // ASCII needles: folded to lower case; otherwise as given
	ascii  bool
	anchor int // ASCII needles: index of the byte candidates are searched by
}

func newSubstring(s string) *substring {
	f := &substring{needle: s, ascii: isASCII(s)}
	if f.ascii {
		f.needle = lowerASCII(s)
		f.anchor = rarestByte(f.needle)
	}
	return f
}

// rarestByte returns the index of the needle byte that is probably rarest in
// telemetry JSON, so that few candidate positions need checking: in "truck
// 17" the space, not the t or the digits that fill every flespi message.
func rarestByte(needle string) int {
	best, bestRank := 0, 1<<30
	for i := 0; i < len(needle); i++ {
		if r := byteRank(needle[i]); r < bestRank {
			best, bestRank = i, r
		}
	}
	return best
}

// byteRank estimates how common c (ASCII, lower case) is in flespi JSON and
// in English text; lower is rarer. Letters count twice (both cases are
// searched), by English letter frequency.
func byteRank(c byte) int {
	const letters = "zqjxkvbpygfwmucldrhsnioate" // rarest first
	switch {
	case c == '"' || c == ',' || c == ':' || c == '.':
		return 100
	case '0' <= c && c <= '9':
		return 90
	case 'a' <= c && c <= 'z':
		return 30 + 2*strings.IndexByte(letters, c)
	case c == '{' || c == '}' || c == '_' || c == '-':
		return 40
	}
	return 10 // blanks, other punctuation and control bytes
}

// Match reports whether the needle occurs, ignoring case, in the topic or the
// payload. For ASCII needles it does not allocate.
func (f *substring) Match(topic string, payload []byte) bool {
	// The payload is only read, never retained, so a zero-copy view is safe.
	p := unsafe.String(unsafe.SliceData(payload), len(payload))
	return f.contains(topic) || f.contains(p)
}

// contains reports whether the needle occurs in h, ignoring case. The empty
// needle occurs everywhere.
func (f *substring) contains(h string) bool {
	switch {
	case f.needle == "":
		return true
	case f.ascii:
		return containsFoldASCII(h, f.needle, f.anchor)
	}
	return containsFoldUnicode(h, f.needle)
}

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
// positions come from strings.IndexByte for the lower- and upper-case anchor
// byte needle[a]; each search resumes where it stopped, so finding candidates
// is linear in len(h). Verifying one candidate costs up to len(needle).
func containsFoldASCII(h, needle string, a int) bool {
	m := len(needle)
	if m > len(h) {
		return false
	}
	end := len(h) - m + a + 1 // anchors sit in h[a:end]
	lo, up := needle[a], needle[a]
	if 'a' <= lo && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	x := nextByte(h, lo, a, end)
	y := end // no second candidate stream when the anchor has no case
	if up != lo {
		y = nextByte(h, up, a, end)
	}
	for {
		j := min(x, y)
		if j == end {
			return false
		}
		if equalFoldASCII(h[j-a:j-a+m], needle) {
			return true
		}
		if x == j {
			x = nextByte(h, lo, j+1, end)
		}
		if y == j {
			y = nextByte(h, up, j+1, end)
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
