package filters

import (
	"strings"

	"hubtap/internal/jsonscan"

	"github.com/tidwall/gjson"
)

// maxJSONDepth bounds the nesting that JSONUnknown validation accepts: gjson's
// validator recurses, and a payload of a million '[' must not grow the stack
// to match. history uses the same limit when it classifies payloads.
const maxJSONDepth = 512

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
			k, _ := jsonscan.StringEnd(p, j)
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
