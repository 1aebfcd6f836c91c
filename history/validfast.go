package history

// validFast is depthOK && validJSON with a fast path for the shape almost every
// telematics payload has: one compact object of string keys and scalar
// values ({"ident":"352…","position.speed":47,"valid":true}), without
// white space. It walks that shape in one loop with no call per value but
// the string scan; anything else (nesting, white space, exponents, an
// error) hands the payload to depthOK and validJSON, so the result is
// always theirs; the fast path needs no depth check (it is one level
// deep). Like validJSON it requires valid UTF-8 (in vString). FuzzValidFast
// checks it against gjson and utf8.Valid.
func validFast(data []byte) bool {
	switch compactObject(data) {
	case fastValid, fastASCII:
		return true
	case fastInvalid:
		return false
	}
	return validDeep(data)
}

// The answers of compactObject.
const (
	fastOther   = iota // not the compact flat shape: ask validDeep
	fastValid          // a compact flat object, valid JSON in valid UTF-8
	fastInvalid        // invalid JSON whatever the shape
	fastASCII          // fastValid, and every byte is printable ASCII (compactFlat)
)

// compactObject is validFast's fast path: fastValid when data is one compact
// object of string keys and scalar values (so without white space) that is
// valid JSON in valid UTF-8 (fastASCII when compactFlat took it: printable
// ASCII, string values allowed too), fastInvalid when it is surely not
// valid JSON, fastOther when it takes the general check to tell.
func compactObject(data []byte) int {
	if compactFlat(data) == fastValid {
		return fastASCII
	}
	return compactWalk(data)
}

// compactWalk is compactObject byte by byte: it also takes escapes, UTF-8
// and payloads of any length, which compactFlat leaves to it.
func compactWalk(data []byte) int {
	n := len(data)
	if n < 2 || data[0] != '{' || data[n-1] != '}' {
		return fastOther
	}
	i := 1
	if data[i] == '}' {
		if i+1 == n {
			return fastValid
		}
		return fastInvalid
	}
	var ok bool
	for {
		if data[i] != '"' { // a key
			return fastOther
		}
		if i = skipPlain(data, i+1); i < n && data[i] == '"' {
			i++ // a plain key, the common case: no call
		} else if i, ok = vString(data, i); !ok {
			return fastOther
		}
		if i >= n || data[i] != ':' {
			return fastOther
		}
		i++
		if i >= n {
			return fastInvalid
		}
		switch c := data[i]; {
		case c == '"':
			if i = skipPlain(data, i+1); i < n && data[i] == '"' {
				i++
			} else if i, ok = vString(data, i); !ok {
				return fastOther
			}
		case c == '-' || c-'0' < 10:
			if c == '-' {
				i++
			}
			start := i
			for i < n && data[i]-'0' < 10 {
				i++
			}
			if i == start || i-start > 1 && data[start] == '0' {
				return fastOther
			}
			if i < n && data[i] == '.' {
				i++
				start = i
				for i < n && data[i]-'0' < 10 {
					i++
				}
				if i == start {
					return fastOther
				}
			}
		default:
			l := literalLen(data, i)
			if l == 0 {
				return fastOther
			}
			i += l
		}
		if i >= n {
			return fastInvalid
		}
		switch data[i] {
		case ',':
			i++
			if i >= n {
				return fastInvalid
			}
		case '}':
			if i+1 == n {
				return fastValid
			}
			return fastOther
		default:
			return fastOther
		}
	}
}

// validDeep is the general check: nesting bounded, then validJSON.
func validDeep(data []byte) bool { return depthOK(data, maxJSONDepth) && validJSON(data) }
