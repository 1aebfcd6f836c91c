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

// flatState is what compactFlat carries from one chunk to the next.
type flatState struct {
	inStr uint64 // all ones: the chunk starts inside a string
	cKey  uint64 // the carry of the key-finding addition
	cFrac uint64 // the carry of the fraction-filling addition
	bad   uint64 // non-zero: a rule broken somewhere (or a special byte)
}

// blanks pads the last bytes of a payload to 64.
var blanks = [64]byte{
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
}

// maskGroup is how many chunks' masks are made in one call.
const maskGroup = 4

// stride is how far apart the chunks start: each chunk of 64 bytes
// begins with the last two bytes of the one before, so every rule, which
// looks at a byte and at most the two before it, sees them in one word
// without a carry; the first two bits of a chunk are context only (the
// chunk before judged them).
const stride = 62

// chunks is how many chunks of 64 bytes, stride apart, cover n bytes.
func chunks(n int) int {
	if n <= 64 {
		return 1
	}
	return (n-64+stride-1)/stride + 1
}

// compactFlat is the fast path of compactObject for the payload almost
// every telematics message has: one compact object of string keys and
// scalar or string values, in printable ASCII without a backslash. It
// answers fastValid, or fastOther for anything else (never fastInvalid):
// compactObject then has the last word.
//
// A byte-by-byte walk is bound by latency: each step needs the index the
// previous one found. Here the payload is read 64 bytes at a time into bit
// masks, and the grammar is checked on whole masks at once, the way
// simdjson finds structure:
//
//   - with no backslash, each quote opens or closes a string by its parity
//     (a prefix XOR of the quote mask), which tells inside from outside;
//   - outside strings, after each ',' (and the opening '{', counted as
//     one) comes a key's opening quote; adding those bits to the mask of
//     string bodies carries through each key onto its closing quote. A
//     ':' must follow each key's closing quote and nothing else; ',' or
//     the final '}' must follow every other closing quote (a value's);
//     after each ':' comes a value: a string or a run of value bytes;
//   - every other outside byte is a value byte, and the runs of value
//     bytes end right before ',', ':' or the final '}' (and start right
//     after a ':': nothing else can come before them by the rules above);
//   - a run of digits, '.' and '-' is a number: '-' only first and
//     followed by a digit, no leading zero, '.' between digits and at most
//     one per number (adding the bit after each '.' to the run carries to the
//     end of the number, or onto a second '.'); a run of other bytes must
//     be exactly true, false or null (checked in place, literalAt), and
//     no number byte comes after one of them.
//
// The chunks overlap by two bytes (stride): every rule looks at a byte
// and at most the two before it, so only the string parity and the two
// additions' carries cross from chunk to chunk.
//
// Every byte is thereby accounted for, so the object is valid JSON (and
// valid UTF-8: it is ASCII). FuzzCompactFlat and TestCompactFlatPaths
// check it against gjson and compactWalk, on each path this CPU has.
func compactFlat(data []byte) int {
	n := len(data)
	if !flatMasksFast || n < 3 || data[0] != '{' || data[n-1] != '}' {
		return fastOther
	}
	if useFlatScan {
		if flatScan(&data[0], n) {
			return fastValid
		}
		return fastOther
	}
	var (
		st    flatState
		group [maskGroup]byteMasks
		tail  [64]byte
	)
	total := chunks(n)
	for j := 0; j < total; {
		base := stride * j
		k := min(total-j, maskGroup)
		if base+stride*(k-1)+64 > n { // the last chunk runs past the end
			k--
		}
		if k > 0 {
			masks(&data[base], k, &group)
		} else {
			tail = blanks // no bit in any mask
			copy(tail[:], data[base:])
			masks(&tail[0], 1, &group)
			k = 1
		}
		if j == 0 {
			group[0].comma |= 1 // the opening '{' counts as a ','
		}
		if j+k == total {
			group[k-1].stop = ^(1<<(n-1-stride*(total-1)) - 1) // the final '}' and what follows it
		}
		keep := ^uint64(3) // the two bytes the chunk before judged
		if j == 0 {
			keep = ^uint64(0)
		}
		flatRules(&group[0], k, &st, keep)
		if st.bad != 0 {
			return fastOther // not flat (nested, white space, UTF-8 ...): no need to read the rest
		}
		for i := range k { // flatRules left the literal starts in special
			for lits := group[i].special; lits != 0; lits &= lits - 1 {
				if !literalAt(data, base+stride*i+bits.TrailingZeros64(lits)) {
					return fastOther
				}
			}
		}
		j += k
	}
	return fastValid
}

// flatChunk applies compactFlat's rules to the bits in keep of the masks
// of one chunk: it ORs every rule's violations into st.bad (one test at
// the end beats a branch per rule on valid input), carries the string
// parity and the additions' carries to the next chunk (which starts at
// this one's bit 62), and returns the literal runs' starts for the caller
// to check.
func flatChunk(m *byteMasks, st *flatState, keep uint64) (lits uint64) {
	inside := m.quoteParity ^ st.inStr // opening quotes and string bodies
	notOut := inside | m.quote
	open, closing := m.quote&inside, m.quote&^inside
	colon, comma := m.colon&^notOut, m.comma&^notOut
	// After each ',' (and the '{') comes a key's opening quote: adding
	// that bit to the string's body carries through it onto its closing
	// quote.
	keyOpen := comma << 1
	sum, _ := bits.Add64(inside, keyOpen, st.cKey)
	keyClose := sum &^ inside
	valueClose := closing &^ keyClose
	end := colon | comma | m.stop
	value := ^(notOut | end)
	num := value & (m.digit | m.dot | m.minus)
	word := value &^ num // true, false or null
	starts := value &^ (value << 1)
	minus, dot := m.minus&value, m.dot&value
	first := starts&m.digit | minus<<1 // a number's first digit
	digits, fracOpen := value&^dot, dot<<1
	frac, _ := bits.Add64(digits, fracOpen, st.cFrac) // carries from each '.' to its number's end

	bad := keyOpen&^open | // a key after ',' and '{'
		(colon ^ keyClose<<1) | // ':' after each key and nowhere else
		valueClose<<1&^(comma|m.stop) | // ',' or '}' after a string value
		colon<<1&^(open|value) | // a value after ':'
		value<<1&^value&^end | // runs end before ',' ':' or '}' (and start after ':': by the rules above)
		num<<1&word | // a run is a number or a word (literalAt: nothing after a word)
		minus&^starts | minus<<1&^m.digit | // '-' first, then a digit
		dot&^(m.digit<<1) | dot<<1&^m.digit | // '.' between digits
		frac&dot | // once per number
		(first&m.zero)<<1&m.digit | // no leading zero
		inside&m.stop // a string open at the end
	st.bad |= m.special | bad&keep // (special only zero or not: the SSE2 mask is not by byte)
	st.inStr = -(inside >> 61 & 1)
	// The next chunk redoes bits 62 and 63 with the carry into bit 62 (and
	// the bit added there, which it does not see).
	st.cKey = ((sum ^ inside ^ keyOpen) | keyOpen) >> 62 & 1
	st.cFrac = ((frac ^ digits ^ fracOpen) | fracOpen) >> 62 & 1
	return word &^ (word << 1) & keep
}

// flatRulesGo is flatRules in Go: flatChunk on the masks of k chunks,
// m[0:k] (the first judged whole when keep is all ones), each chunk's
// literal starts written over its special mask once special has gone
// into st.bad.
func flatRulesGo(m []byteMasks, st *flatState, keep uint64) {
	for j := range m {
		m[j].special = flatChunk(&m[j], st, keep)
		keep = ^uint64(3)
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
