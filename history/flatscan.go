package history

import (
	"encoding/binary"
	"math/bits"
)

// byteMasks are the bit masks of 64 bytes of a payload: bit i is set when
// byte i is a quote, colon, and so on. special is non-zero when any byte
// is a control byte (< 0x20), a backslash or not ASCII; the other masks
// are then not to be used. The assembly (flatscan_amd64.s) writes the
// first nine words in this order (80 bytes a chunk) and reads all ten.
type byteMasks struct {
	quote, colon, comma, digit, dot, minus, zero, special uint64
	quoteParity                                           uint64 // prefixXor(quote)
	stop                                                  uint64 // set by compactFlat: the final '}' and the padding after it
}

// flatState is what compactFlat carries from one 64-bit word to the next.
// The assembly (flatWords) reads and writes this layout.
type flatState struct {
	inStr uint64 // all ones: the last word ended inside a string
	// Bit 0: the last word's final byte was (respectively) a key's closing
	// quote; a string value's; ',' (or the opening '{'); ':'; a value
	// byte; a digit; a '.' in a number; a '-' in a number; a number's
	// first digit, '0'.
	cKeyClose, cValueClose, cComma, cColon, cValue, cDigit, cDot, cMinus, cZero uint64
	cKey, cLit, cFrac                                                           uint64 // carries of the run-filling additions
	bad                                                                         uint64 // non-zero: a rule broken somewhere (or a special byte)
}

// blanks pads the last bytes of a payload to 64.
var blanks = [64]byte{
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
}

// maskGroup is how many 64-byte chunks' masks are made in one call.
const maskGroup = 4

// compactFlat is the fast path of compactObject for the payload almost
// every telematics message has: one compact object of string keys and
// scalar or string values, in printable ASCII without a backslash. It
// answers fastValid, or fastOther for anything else (never fastInvalid):
// compactObject then has the last word.
//
// A byte-by-byte walk is bound by latency: each step needs the index the
// previous one found. Here the payload is read 64 bytes at a time into bit
// masks, and the grammar is checked on whole masks at once, the way
// simdjson finds structure (carries link each 64-byte word to the next):
//
//   - with no backslash, each quote opens or closes a string by its parity
//     (a prefix XOR of the quote mask), which tells inside from outside;
//   - outside strings, after '{' and ',' comes a key: an opening quote.
//     Adding the key's first bit to the inside mask carries through the
//     string to its closing quote, which must be followed by ':'; and
//     every ':' must follow a key. A string value (after ':') must be
//     followed by ',' or the final '}';
//   - every other outside byte is a value byte, and the runs of value
//     bytes are exactly those that start right after a ':' (when no quote
//     follows it) and end right before a ',' or the final '}';
//   - a run that starts with a digit or '-' is a number: '-' only first
//     and followed by a digit, no leading zero, at most one '.', between
//     digits; no other byte. A run that starts otherwise is parsed as
//     true, false or null in place (literalAt), and must be exactly that.
//
// Every byte is thereby accounted for, so the object is valid JSON (and
// valid UTF-8: it is ASCII). FuzzCompactFlat and TestCompactFlatPaths
// check it against gjson; TestChunkMasksAsm and TestFlatWordsAsm the
// assembly against chunkMasksGo and flatWordsGo.
func compactFlat(data []byte) int {
	n := len(data)
	if !flatMasksFast || n < 3 || data[0] != '{' || data[n-1] != '}' {
		return fastOther
	}
	var (
		st    flatState
		group [maskGroup]byteMasks
		tail  [64]byte
	)
	for base := 0; base < n; {
		k := min((n-base)/64, maskGroup)
		if k > 0 {
			masks(&data[base], k, &group)
		} else {
			tail = blanks // no bit in any mask
			copy(tail[:], data[base:])
			masks(&tail[0], 1, &group)
			k = 1
		}
		if base == 0 {
			group[0].comma |= 1 // the opening '{' starts a key as ',' does
		}
		if end := base + 64*k; end >= n {
			group[k-1].stop = ^(1<<(n-1-(end-64)) - 1) // the final '}' and what follows it
		}
		flatWords(&group[0], k, &st)
		if st.bad != 0 {
			return fastOther // not flat (nested, white space, UTF-8 ...): no need to read the rest
		}
		// Literal runs (true, false, null) are checked in place; flatWords
		// left their starts in special.
		for j := range k {
			for s := group[j].special; s != 0; s &= s - 1 {
				if !literalAt(data, base+64*j+bits.TrailingZeros64(s)) {
					return fastOther
				}
			}
		}
		base += 64 * k
	}
	if st.inStr != 0 { // a string left open
		return fastOther
	}
	return fastValid
}

// flatWordsGo is flatWords in Go: compactFlat's rules on the masks of k
// chunks, m[0:k]. It ORs every rule's violations into st.bad (one test at
// the end beats a branch per rule on valid input), keeps the carries
// between words in st, and writes each chunk's literal starts over its
// special mask (once special has gone into bad).
func flatWordsGo(m []byteMasks, st *flatState) {
	for j := range m {
		m := &m[j]
		st.bad |= m.special
		inside := m.quoteParity ^ st.inStr // opening quotes and string bodies
		st.inStr = uint64(int64(inside) >> 63)
		open, closing := m.quote&inside, m.quote&^inside
		colon, comma := m.colon&^inside, m.comma&^inside
		keyOpen := comma<<1 | st.cComma // after ',' and '{' comes a key
		var sum uint64
		sum, st.cKey = bits.Add64(inside, keyOpen, st.cKey) // each key's string cleared, its closing quote set
		keyClose := sum &^ inside
		valueClose := closing &^ keyClose
		value := ^(inside | m.quote | colon | comma | m.stop)
		after := value<<1 | st.cValue // the byte after a value byte
		starts := (colon<<1 | st.cColon) &^ open
		// (^ binds like | in Go: each XOR term is in parentheses.)
		st.bad |= keyOpen&^open | // a key after '{' and ','
			(colon ^ (keyClose<<1 | st.cKeyClose)) | // ':' after each key and nowhere else
			(valueClose<<1|st.cValueClose)&^(comma|m.stop) | // ',' or '}' after a string value
			(value&^after ^ starts) | // runs start right after ':'
			after&^value&^(comma|m.stop) // and end before ',' or '}'
		lit := starts &^ (m.digit | m.minus)
		sum, st.cLit = bits.Add64(value, lit, st.cLit) // clears each literal run
		num := value & sum                             // value bytes outside literal runs
		minus, dot := m.minus&num, m.dot&num
		first := starts&m.digit | (minus<<1 | st.cMinus)    // a number's first digit
		frac := dot<<1 | st.cDot                            // a fraction's first digit
		sum, st.cFrac = bits.Add64(m.digit, frac, st.cFrac) // sets the byte after each fraction
		zero := first & m.zero
		st.bad |= num&^(m.digit|m.dot|m.minus) | // only digits, '.' and '-'
			minus&^starts | // '-' first
			(minus<<1|st.cMinus)&^m.digit | // then a digit
			dot&^(m.digit<<1|st.cDigit) | frac&^m.digit | // '.' between digits
			sum&^m.digit&value | // nothing after the fraction's digits
			(zero<<1|st.cZero)&m.digit // no leading zero
		st.cKeyClose, st.cValueClose, st.cComma, st.cColon = keyClose>>63, valueClose>>63, comma>>63, colon>>63
		st.cValue, st.cDigit, st.cDot, st.cMinus, st.cZero = value>>63, m.digit>>63, dot>>63, minus>>63, zero>>63
		m.special = lit
	}
}

// literalAt reports whether true, false or null starts at data[i] and is
// followed by ',' or by the final byte.
func literalAt(data []byte, i int) bool {
	n := len(data)
	if i >= n {
		return false
	}
	l := literalLen(data, i)
	return l > 0 && (i+l == n-1 || i+l < n && data[i+l] == ',')
}

// literalLen is the length of the literal true, false or null at data[i]
// (i < len(data)), or 0.
func literalLen(data []byte, i int) int {
	switch n := len(data); {
	case data[i] == 't' && i+4 <= n && string(data[i:i+4]) == "true":
		return 4
	case data[i] == 'f' && i+5 <= n && string(data[i:i+5]) == "false":
		return 5
	case data[i] == 'n' && i+4 <= n && string(data[i:i+4]) == "null":
		return 4
	}
	return 0
}

// prefixXor sets bit i of the result to the parity of bits 0..i of x.
func prefixXor(x uint64) uint64 {
	x ^= x << 1
	x ^= x << 2
	x ^= x << 4
	x ^= x << 8
	x ^= x << 16
	return x ^ x<<32
}

// chunkMasksGo is chunkMasks in portable Go (SWAR, 8 bytes at a time).
func chunkMasksGo(p *[64]byte, m *byteMasks) {
	*m = byteMasks{}
	var special uint64
	eq := func(t uint64, c byte) uint64 { // t has no high bits
		return gather(^((t ^ ones*uint64(c)) + ones*0x7f) & highs)
	}
	for i := 0; i < 64; i += 8 {
		w := binary.LittleEndian.Uint64(p[i:])
		t := w &^ highs
		special |= w | ^((t + ones*(0x80-0x20)) & ((t ^ ones*'\\') + ones*0x7f))
		m.quote |= eq(t, '"') << i
		m.colon |= eq(t, ':') << i
		m.comma |= eq(t, ',') << i
		m.dot |= eq(t, '.') << i
		m.minus |= eq(t, '-') << i
		m.zero |= eq(t, '0') << i
		m.digit |= gather((t+ones*(0x80-'0'))&^(t+ones*(0x7f-'9'))&highs) << i
	}
	// A non-ASCII byte may match in its low 7 bits, but then special is set.
	m.special = special & highs
	m.quoteParity = prefixXor(m.quote)
}

// gather packs the high bits of the 8 bytes of m into the low 8 bits.
func gather(m uint64) uint64 { return (m >> 7) * 0x0102040810204080 >> 56 }
