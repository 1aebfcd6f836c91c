package history

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// validJSON reports whether data is one JSON value (surrounded by optional
// white space) in valid UTF-8, as RFC 8259 requires: gjson.ValidBytes(data)
// && utf8.Valid(data), in one pass. It is gjson's validator (v1.20) with a
// faster string scan, which reads 8 bytes at a time while they hold no
// quote, backslash, control or non-ASCII byte, and checks each non-ASCII
// rune where it finds one (only strings may hold them). Strings dominate a
// flespi message, so Classify, the JSONL writer and the summaries it gates
// run about twice as fast as with gjson. It recurses once per nesting
// level: callers bound the depth first (depthOK). FuzzValidJSON checks it
// against gjson and utf8.Valid.
func validJSON(data []byte) bool {
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			continue
		}
		i, ok := vAny(data, i)
		if !ok {
			return false
		}
		for ; i < len(data); i++ {
			switch data[i] {
			case ' ', '\t', '\n', '\r':
			default:
				return false
			}
		}
		return true
	}
	return false
}

func vAny(data []byte, i int) (int, bool) {
	for ; i < len(data); i++ {
		switch data[i] {
		default:
			return i, false
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return vObject(data, i+1)
		case '[':
			return vArray(data, i+1)
		case '"':
			return vString(data, i+1)
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			return vNumber(data, i)
		case 't':
			return vWord(data, i+1, "rue")
		case 'f':
			return vWord(data, i+1, "alse")
		case 'n':
			return vWord(data, i+1, "ull")
		}
	}
	return i, false
}

func vObject(data []byte, i int) (int, bool) {
	var ok bool
	for ; i < len(data); i++ {
		switch data[i] {
		default:
			return i, false
		case ' ', '\t', '\n', '\r':
			continue
		case '}':
			return i + 1, true
		case '"':
		key:
			if i, ok = vString(data, i+1); !ok {
				return i, false
			}
			if i, ok = vColon(data, i); !ok {
				return i, false
			}
			if i, ok = vAny(data, i); !ok {
				return i, false
			}
			if i, ok = vComma(data, i, '}'); !ok {
				return i, false
			}
			if data[i] == '}' {
				return i + 1, true
			}
			i++
			for ; i < len(data); i++ {
				switch data[i] {
				default:
					return i, false
				case ' ', '\t', '\n', '\r':
					continue
				case '"':
					goto key
				}
			}
			return i, false
		}
	}
	return i, false
}

func vColon(data []byte, i int) (int, bool) {
	for ; i < len(data); i++ {
		switch data[i] {
		default:
			return i, false
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return i + 1, true
		}
	}
	return i, false
}

func vComma(data []byte, i int, end byte) (int, bool) {
	for ; i < len(data); i++ {
		switch data[i] {
		default:
			return i, false
		case ' ', '\t', '\n', '\r':
			continue
		case ',', end:
			return i, true
		}
	}
	return i, false
}

func vArray(data []byte, i int) (int, bool) {
	var ok bool
	for ; i < len(data); i++ {
		switch data[i] {
		default:
			for ; i < len(data); i++ {
				if i, ok = vAny(data, i); !ok {
					return i, false
				}
				if i, ok = vComma(data, i, ']'); !ok {
					return i, false
				}
				if data[i] == ']' {
					return i + 1, true
				}
			}
		case ' ', '\t', '\n', '\r':
			continue
		case ']':
			return i + 1, true
		}
	}
	return i, false
}

// SWAR constants: one byte repeated across a word.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stringStop has the high bit set in exactly the bytes of w that a string
// scan must look at: a quote, a backslash, a control byte (< 0x20) or a
// non-ASCII byte. It works on the low 7 bits of each byte, where the sums
// cannot carry into the next byte, so no byte is flagged falsely (a
// subtract-based test borrows across bytes and needs a re-check).
func stringStop(w uint64) uint64 {
	t := w &^ highs
	ok := (t + ones*(0x80-0x20)) & // high bit set: t >= 0x20
		((t ^ ones*'"') + ones*0x7f) & // t != '"'
		((t ^ ones*'\\') + ones*0x7f) // t != '\\'
	return (w | ^ok) & highs
}

// skipPlain returns the index of the first byte at or after i that
// stringStop flags, or the first index from which fewer than 8 bytes
// remain, whichever comes first.
func skipPlain(data []byte, i int) int {
	for i+8 <= len(data) {
		if m := stringStop(binary.LittleEndian.Uint64(data[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	return i
}

// vString validates a string body from data[i] (after the opening quote),
// UTF-8 included, and returns the index after its closing quote.
func vString(data []byte, i int) (int, bool) {
	for i < len(data) {
		i = skipPlain(data, i)
		if i >= len(data) {
			break
		}
		switch c := data[i]; {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return i, false
			}
			i += size
			continue
		case c == '"':
			return i + 1, true
		case c < ' ':
			return i, false
		case c == '\\':
			i++
			if i == len(data) {
				return i, false
			}
			switch data[i] {
			default:
				return i, false
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					i++
					if i >= len(data) || !isHex(data[i]) {
						return i, false
					}
				}
			}
		}
		i++ // an ordinary byte in the tail without a full word
	}
	return i, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// vNumber validates a number starting at data[i] ('-' or a digit).
func vNumber(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
		if i == len(data) || data[i] < '0' || data[i] > '9' {
			return i, false
		}
	}
	if data[i] == '0' {
		i++
	} else {
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i == len(data) {
		return i, true
	}
	if data[i] == '.' {
		i++
		if i == len(data) || data[i] < '0' || data[i] > '9' {
			return i, false
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i == len(data) {
		return i, true
	}
	if data[i] == 'e' || data[i] == 'E' {
		i++
		if i == len(data) {
			return i, false
		}
		if data[i] == '+' || data[i] == '-' {
			i++
		}
		if i == len(data) || data[i] < '0' || data[i] > '9' {
			return i, false
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	return i, true
}

// vWord checks the rest of true, false or null.
func vWord(data []byte, i int, rest string) (int, bool) {
	if i+len(rest) <= len(data) && string(data[i:i+len(rest)]) == rest {
		return i + len(rest), true
	}
	return i, false
}
