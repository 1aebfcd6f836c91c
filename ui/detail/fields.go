package detail

import (
	"strconv"
	"strings"
)

// ref is the JSON field a rendered line shows, for quick filters: its path
// in the filter language and its value as a filter literal. Both are empty
// for lines that are not a scalar object member reachable by a path.
type ref struct{ path, value string }

// pathTracker follows pretty-printed JSON (two-space indent, one member per
// line, short arrays/objects inline) and names each scalar member's path.
type pathTracker struct {
	stack []string // object keys; "" marks an array level (no path inside)
}

// line reads one pretty-printed line (already sanitised; sanitising only
// touches control characters, which JSON escapes anyway).
func (t *pathTracker) line(l string) ref {
	s := strings.TrimSpace(l)
	switch {
	case s == "":
		return ref{}
	case s[0] == '}' || s[0] == ']':
		if len(t.stack) > 0 {
			t.stack = t.stack[:len(t.stack)-1]
		}
		return ref{}
	case s == "{" || s == "[" || s == "{," || s == "[,":
		if len(t.stack) > 0 || s[0] == '[' { // an element of an array, or the top-level array
			t.stack = append(t.stack, "")
		}
		if len(t.stack) == 0 && s[0] == '{' {
			t.stack = append(t.stack, "\x00root") // the top-level object
		}
		return ref{}
	case s[0] != '"':
		return ref{} // a scalar array element
	}
	key, rest, ok := splitMember(s)
	if !ok {
		return ref{}
	}
	rest = strings.TrimSuffix(rest, ",")
	switch rest {
	case "{", "[":
		t.stack = append(t.stack, key)
		if rest == "[" {
			t.stack = append(t.stack[:len(t.stack)-1], "") // members of an array have no path
		}
		return ref{}
	}
	if strings.HasPrefix(rest, "{") || strings.HasPrefix(rest, "[") {
		return ref{} // inline object or array: not a scalar
	}
	path, ok := t.path(key)
	if !ok {
		return ref{}
	}
	return ref{path: path, value: rest}
}

// path joins the keys from the top-level object down to key.
func (t *pathTracker) path(key string) (string, bool) {
	var segs []string
	for i, k := range t.stack {
		if i == 0 && k == "\x00root" {
			continue
		}
		if k == "" {
			return "", false
		}
		segs = append(segs, k)
	}
	segs = append(segs, key)
	for i, s := range segs {
		if !plainKey(s) || (len(segs) > 1 && strings.Contains(s, ".")) {
			if strings.Contains(s, "`") {
				return "", false
			}
			segs[i] = "`" + s + "`"
		}
	}
	return strings.Join(segs, "."), true
}

// splitMember splits `"key": rest` and unquotes the key.
func splitMember(s string) (key, rest string, ok bool) {
	end := 1
	for end < len(s) {
		if s[end] == '\\' {
			end += 2
			continue
		}
		if s[end] == '"' {
			break
		}
		end++
	}
	if end >= len(s) {
		return "", "", false
	}
	k, err := strconv.Unquote(s[:end+1])
	if err != nil {
		return "", "", false
	}
	r := strings.TrimLeft(s[end+1:], " ")
	if !strings.HasPrefix(r, ":") {
		return "", "", false
	}
	return k, strings.TrimSpace(r[1:]), true
}

// plainKey reports whether k can be written bare in a filter path.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '-':
		default:
			return false
		}
	}
	switch k {
	case "and", "or", "not", "in", "contains", "exists", "true", "false", "null", "topic", "qos", "retain", "dup", "payload":
		return false
	}
	return !strings.HasPrefix(k, "prop.")
}

// Clause returns the filter clause that keeps (or, with exclude, drops)
// messages whose field has this value.
func (r ref) Clause(exclude bool) string {
	op := " == "
	if exclude {
		op = " != "
	}
	return r.path + op + r.value
}
