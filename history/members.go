package history

import (
	"strings"

	"github.com/tidwall/gjson"
)

// members calls fn for each top-level member of js, in order, until fn
// returns false. js must be a JSON object that gjson.Valid accepted (the
// summaries only walk payloads Classify found valid). key is the member's
// name, unescaped as gjson would; val is the value's raw JSON text, as
// gjson.Result.Raw. Unlike gjson.Result.ForEach it converts nothing it is
// not asked for: numbers are not parsed and strings not unescaped, which is
// most of ForEach's cost on a flespi message. Malformed input ends the walk
// early; it never panics on it (indices are checked).
func members(js string, fn func(key, val string) bool) {
	i := skipWS(js, 0)
	if i >= len(js) || js[i] != '{' {
		return
	}
	i++
	for {
		i = skipWS(js, i)
		if i >= len(js) || js[i] != '"' {
			return // '}' or malformed
		}
		end := stringEnd(js, i)
		if end < 0 {
			return
		}
		key := js[i+1 : end-1]
		if strings.IndexByte(key, '\\') >= 0 {
			key = gjson.Parse(js[i:end]).Str
		}
		i = skipWS(js, end)
		if i >= len(js) || js[i] != ':' {
			return
		}
		i = skipWS(js, i+1)
		vend := valueEnd(js, i)
		if vend <= i {
			return
		}
		if !fn(key, js[i:vend]) {
			return
		}
		i = skipWS(js, vend)
		if i >= len(js) || js[i] != ',' {
			return
		}
		i++
	}
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string literal starting at
// s[i] == '"', or -1.
func stringEnd(s string, i int) int {
	j := i + 1
	for {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		bs := 0 // an odd run of backslashes before it escapes the quote
		for b := j - 1; b > i && s[b] == '\\'; b-- {
			bs++
		}
		if bs%2 == 0 {
			return j + 1
		}
		j++
	}
}

// valueEnd returns the index just past the JSON value starting at s[i].
func valueEnd(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				e := stringEnd(s, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i // number, true, false, null
	for j < len(s) && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
		j++
	}
	return j
}

// rawType is gjson's Type of a valid raw JSON value.
func rawType(raw string) gjson.Type {
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
