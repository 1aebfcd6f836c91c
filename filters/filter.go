// Package filters decides which history entries a pane shows.
//
// For now a filter is free text: a case-insensitive substring searched in the
// topic and the payload. Parse keeps the signature a real expression grammar
// will need, so callers do not change when one replaces it.
//
// The package is pure: it imports neither the UI nor bubbletea, and every
// Filter it returns is immutable, so one may be evaluated off the UI
// goroutine (for example inside a tea.Cmd that filters a snapshot).
package filters

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Filter decides whether an entry is shown. Implementations are immutable and
// safe for concurrent use. Match never blocks, never retains its arguments and
// must not panic on any input.
type Filter interface {
	// Match reports whether a message with this topic and payload is shown.
	Match(topic string, payload []byte) bool
	// String returns the filter in a form that Parse accepts again.
	String() string
}

// MaxLen is the longest filter source Parse accepts, in bytes.
const MaxLen = 4096

// ErrInvalidUTF8 is returned by Parse for a source that is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("filter is not valid UTF-8")

// Parse turns what the user typed into a Filter.
//
// A source that is empty or only white space yields a nil Filter and a nil
// error: nil means "show everything" (see Matches). Anything else, with
// surrounding white space trimmed, is a case-insensitive substring searched
// in the topic and in the payload. Parse fails for sources longer than MaxLen
// bytes and for invalid UTF-8. It is cheap and never blocks.
func Parse(src string) (Filter, error) {
	s := strings.TrimSpace(src)
	switch {
	case s == "":
		return nil, nil
	case len(s) > MaxLen:
		return nil, fmt.Errorf("filter is %d bytes, longer than the %d-byte limit", len(s), MaxLen)
	case !utf8.ValidString(s):
		return nil, ErrInvalidUTF8
	}
	return newSubstring(s), nil
}

// Matches reports whether f shows the message, treating a nil f (the result
// of parsing an empty source) as "show everything".
func Matches(f Filter, topic string, payload []byte) bool {
	return f == nil || f.Match(topic, payload)
}
