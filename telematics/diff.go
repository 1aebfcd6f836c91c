package telematics

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"

	"hubtap/history"
)

// ChangeKind is what happened to one field between two messages.
type ChangeKind uint8

// The change kinds.
const (
	Added   ChangeKind = iota // only in the newer message: New is set
	Removed                   // only in the older message: Old is set
	Changed                   // in both, with different values: Old → New
)

// String returns "added", "removed" or "changed".
func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Removed:
		return "removed"
	}
	return "changed"
}

// Change is one field that differs between two messages.
type Change struct {
	// Key is the top-level key ("position.speed"); "" when the payloads are
	// not both JSON objects and are compared whole.
	Key string
	// Old and New are the values' JSON texts as they appear in the payloads
	// (`47`, `"Truck 17"`, `{"a":1}`), or the whole payloads' text. Each is
	// sanitized (history.SanitizeLine) and cut to MaxChangeBytes plus "…",
	// so it is safe to print on one line.
	Old, New string
	Kind     ChangeKind
}

// MaxChangeBytes caps Change.Key, Old and New.
const MaxChangeBytes = 1024

// Diff lists the fields that differ from prev to cur, sorted by key:
// top-level keys only added, removed, or changed (old → new). Values are
// compared by their JSON text, so 47 and 47.0 differ, and a nested object or
// array is one value compared by its raw text. A repeated key counts once,
// the first occurrence winning (as in history). When either payload is not
// a JSON object (text, binary, a JSON array or scalar, invalid JSON) the
// payloads are compared whole: one Changed with Key "" if they differ.
// Equal payloads give nil. Diff is meant for one pair on demand (the detail
// view), not for every message: it allocates.
func Diff(prev, cur []byte) []Change {
	po, co := isObject(prev), isObject(cur)
	if !po || !co {
		if bytes.Equal(bytes.TrimSpace(prev), bytes.TrimSpace(cur)) {
			return nil
		}
		return []Change{{Old: clip(string(prev)), New: clip(string(cur)), Kind: Changed}}
	}
	old := make(map[string]string)
	view(prev).ForEach(func(k, v gjson.Result) bool {
		if _, dup := old[k.Str]; !dup {
			old[k.Str] = v.Raw
		}
		return true
	})
	var out []Change
	seen := make(map[string]bool, len(old))
	view(cur).ForEach(func(k, v gjson.Result) bool {
		if seen[k.Str] {
			return true
		}
		seen[k.Str] = true
		o, ok := old[k.Str]
		switch {
		case !ok:
			out = append(out, Change{Key: clip(k.Str), New: clip(v.Raw), Kind: Added})
		case o != v.Raw:
			out = append(out, Change{Key: clip(k.Str), Old: clip(o), New: clip(v.Raw), Kind: Changed})
		}
		return true
	})
	for k, o := range old {
		if !seen[k] {
			out = append(out, Change{Key: clip(k), Old: clip(o), Kind: Removed})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// view reads p as a gjson value without copying. Nothing returned by Diff
// aliases p: clip copies.
func view(p []byte) gjson.Result {
	return gjson.Parse(unsafe.String(unsafe.SliceData(p), len(p)))
}

// isObject reports whether p is a valid JSON object.
func isObject(p []byte) bool {
	t := bytes.TrimLeft(p, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && gjson.ValidBytes(p)
}

// clip sanitizes s for one terminal line and cuts it to MaxChangeBytes. The
// result never aliases s's memory.
func clip(s string) string {
	if len(s) > MaxChangeBytes {
		cut := MaxChangeBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return history.SanitizeLine(s[:cut]) + "…"
	}
	return strings.Clone(history.SanitizeLine(s))
}
