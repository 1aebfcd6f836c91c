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
	n := len(data)
	if n < 2 || data[0] != '{' || data[n-1] != '}' {
		return validDeep(data)
	}
	i := 1
	if data[i] == '}' {
		return i+1 == n
	}
	var ok bool
	for {
		if data[i] != '"' { // a key
			return validDeep(data)
		}
		if i, ok = vString(data, i+1); !ok || i >= n || data[i] != ':' {
			return validDeep(data)
		}
		i++
		if i >= n {
			return false
		}
		switch c := data[i]; {
		case c == '"':
			if i, ok = vString(data, i+1); !ok {
				return validDeep(data)
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
				return validDeep(data)
			}
			if i < n && data[i] == '.' {
				i++
				start = i
				for i < n && data[i]-'0' < 10 {
					i++
				}
				if i == start {
					return validDeep(data)
				}
			}
		case c == 't' && i+4 <= n && string(data[i:i+4]) == "true":
			i += 4
		case c == 'f' && i+5 <= n && string(data[i:i+5]) == "false":
			i += 5
		case c == 'n' && i+4 <= n && string(data[i:i+4]) == "null":
			i += 4
		default:
			return validDeep(data)
		}
		if i >= n {
			return false
		}
		switch data[i] {
		case ',':
			i++
			if i >= n {
				return false
			}
		case '}':
			return i+1 == n || validDeep(data)
		default:
			return validDeep(data)
		}
	}
}

// validDeep is the general check: nesting bounded, then validJSON.
func validDeep(data []byte) bool { return depthOK(data, maxJSONDepth) && validJSON(data) }
