package history

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"hubtap/bench"
)

// flespiMessages are n flat flespi messages with varied values, as the
// drain benchmark publishes.
func flespiMessages(n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 7))
	out := make([][]byte, n)
	for i := range out {
		out[i] = bench.AppendMessage(nil, rng, i%200, int64(i))
	}
	return out
}

// randomChunk is 64 bytes, mostly printable ASCII, rich in the bytes the
// masks look for, sometimes with any byte at all.
func randomChunk(rng *rand.Rand) *[64]byte {
	var p [64]byte
	for j := range p {
		switch rng.IntN(4) {
		case 0:
			p[j] = byte(rng.IntN(256))
		case 1:
			p[j] = `":,\ a0-./9`[rng.IntN(11)]
		default:
			p[j] = byte(0x20 + rng.IntN(0x60))
		}
	}
	return &p
}

func TestChunkMasksGo(t *testing.T) {
	p := []byte(`{"a":"b\\",0-9./:x}` + "\x01\x80")
	var c [64]byte
	copy(c[:], p)
	for i := len(p); i < 64; i++ {
		c[i] = ' '
	}
	var m byteMasks
	chunkMasksGo(&c, &m)
	bitsOf := func(chars string) (w uint64) {
		for i, b := range c {
			for j := range len(chars) {
				if b == chars[j] {
					w |= 1 << i
				}
			}
		}
		return w
	}
	want := byteMasks{quote: bitsOf(`"`), colon: bitsOf(":"), comma: bitsOf(","), digit: bitsOf("0123456789"),
		dot: bitsOf("."), minus: bitsOf("-"), zero: bitsOf("0")}
	want.quoteParity = prefixXor(want.quote)
	got := m
	got.special = 0
	if got != want || m.special == 0 {
		t.Fatalf("chunkMasksGo(%q):\n got %x\nwant %x (special must be non-zero: a backslash, \\x01 and \\x80)", c, m, want)
	}
	var plain [64]byte
	copy(plain[:], `{"a":1}                                                         `)
	if chunkMasksGo(&plain, &m); m.special != 0 {
		t.Fatalf("chunkMasksGo(%q): special = %x, want 0 (printable ASCII)", plain, m.special)
	}
}

// flatDoc writes a random flat object: keys and string values of bytes
// that matter to the masks, numbers valid and not, literals and near
// misses; in a third of them one byte is replaced, deleted or inserted.
func flatDoc(rng *rand.Rand) []byte {
	b := []byte{'{'}
	str := func() {
		const cs = " az:,{}[]-.0123456789tfn\x7f"
		b = append(b, '"')
		for range rng.IntN(12) {
			b = append(b, cs[rng.IntN(len(cs))])
		}
		b = append(b, '"')
	}
	vals := []string{"0", "-0", "1", "-12", "01", "1.", "1.5", "-0.25", "12.345.6", "-", "--1", "1e5", ".5", "true", "false",
		"null", "tru", "truex", "nul", "00", "0.0", "123456789012345678", "3.14159265358979", "-9.000001", "-01", "1-2"}
	for k := range rng.IntN(12) + 1 {
		if k > 0 {
			b = append(b, ',')
		}
		str()
		b = append(b, ':')
		if rng.IntN(3) == 0 {
			str()
		} else {
			b = append(b, vals[rng.IntN(len(vals))]...)
		}
	}
	b = append(b, '}')
	if rng.IntN(3) == 0 {
		i := rng.IntN(len(b))
		const cs = `{}[]":,.-0123456789 tx\` + "\x00\xc3"
		switch rng.IntN(3) {
		case 0:
			b[i] = cs[rng.IntN(len(cs))]
		case 1:
			b = append(b[:i], b[i+1:]...)
		default:
			b = append(b[:i], append([]byte{cs[rng.IntN(len(cs))]}, b[i:]...)...)
		}
	}
	return b
}

// checkCompactFlat checks compactFlat on n random flat documents: never
// valid when gjson says invalid, and valid whenever compactWalk says so of
// a document compactFlat is meant to take (printable ASCII, no backslash).
func checkCompactFlat(t *testing.T, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	accepted := 0
	for range n {
		d := flatDoc(rng)
		got := compactFlat(d)
		if got == fastValid && !(gjson.ValidBytes(d) && utf8.Valid(d)) {
			t.Fatalf("compactFlat(%q) = valid, but gjson says invalid JSON", d)
		}
		if got == fastInvalid {
			t.Fatalf("compactFlat(%q) = fastInvalid, want fastValid or fastOther only", d)
		}
		if got == fastValid {
			accepted++
			continue
		}
		if !flatMasksFast {
			continue // it steps aside here: only that it is never wrong
		}
		if flatBytes(d) && compactWalk(d) == fastValid {
			t.Fatalf("compactFlat(%q) = fastOther, but compactWalk says valid: the fast path missed a flat object", d)
		}
	}
	// About one in six documents is valid; a fast path that accepted none
	// would pass the checks above and help nobody.
	if flatMasksFast && accepted < n/10 {
		t.Fatalf("compactFlat accepted %d of %d random documents, want at least %d", accepted, n, n/10)
	}
}

func TestCompactFlatFlespi(t *testing.T) {
	if !flatMasksFast {
		t.Skip("compactFlat steps aside on this architecture (no SIMD masks)")
	}
	for i, m := range flespiMessages(200) {
		if got := compactFlat(m); got != fastValid {
			t.Fatalf("message %d: compactFlat = %d, want fastValid (%d): %s", i, got, fastValid, m)
		}
		for _, cut := range []int{1, 2, 63, 64, 65} { // cut short: never valid
			if cut < len(m) && compactFlat(m[:len(m)-cut]) == fastValid {
				t.Fatalf("message %d cut by %d bytes: compactFlat = valid: %s", i, cut, m[:len(m)-cut])
			}
		}
	}
}

func FuzzCompactFlat(f *testing.F) {
	for _, m := range flespiMessages(8) {
		f.Add(m)
	}
	for _, c := range append(append([]string{exampleA}, validCases...), fastCases...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := compactFlat(data)
		if got == fastValid && !(gjson.ValidBytes(data) && utf8.Valid(data)) {
			t.Fatalf("compactFlat(%q) = valid, but gjson says invalid JSON", data)
		}
		if got == fastInvalid {
			t.Fatalf("compactFlat(%q) = fastInvalid, want fastValid or fastOther only", data)
		}
		if flatMasksFast && got != fastValid && len(data) > 2 && flatBytes(data) && compactWalk(data) == fastValid { // ({} is the walk's)
			t.Fatalf("compactFlat(%q) = %d, but compactWalk says valid: the fast path missed a flat object", data, got)
		}
		pathsAgree(t, data)
	})
}

// flatBytes reports whether every byte of d is printable ASCII and not
// a backslash: what compactFlat must take whole.
func flatBytes(d []byte) bool {
	for _, c := range d {
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}

// BenchmarkCompactObject: compactObject (compactFlat first) against the
// byte-by-byte compactWalk alone, on varied flespi messages.
func BenchmarkCompactObject(b *testing.B) {
	ms := flespiMessages(1024)
	for _, v := range []struct {
		name string
		fn   func([]byte) int
	}{{"compactObject", compactObject}, {"compactWalk", compactWalk}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(ms[0])))
			i := 0
			for b.Loop() {
				if r := v.fn(ms[i%len(ms)]); r != fastValid && r != fastASCII {
					b.Fatal("not valid")
				}
				i++
			}
		})
	}
}

// TestCompactFlatNearMisses: flat objects broken in one way each, with
// the break moved across every position of a chunk (a string member in
// front grows a byte at a time), are never valid; the same objects
// unbroken always are.
func TestCompactFlatNearMisses(t *testing.T) {
	if !flatMasksFast {
		t.Skip("compactFlat steps aside on this architecture (no SIMD masks)")
	}
	broken := []string{
		`{2:3}`, `{"a":1,2:3}`, `{true:1}`, `{"a":1,null:2}`, `{"a"}`, `{"a":1,"b"}`, `{"a":1,,"b":2}`,
		`{,"a":1}`, `{"a":1,}`, `{"a"::1}`, `{"a":1:2}`, `{"a":"b":"c"}`, `{"a":,"b":1}`,
		`{"a":01}`, `{"a":-01}`, `{"a":1.2.3}`, `{"a":12.34.5}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":1-2}`, `{"a":--1}`,
		`{"a":tru}`, `{"a":truex}`, `{"a":1true}`, `{"a":true1}`, `{"a":falsee}`, `{"a":nul}`, `{"a":"x"1}`,
		`{"a":1"x"}`, `{"a":"x""y"}`, `{"a":}`, `{:1}`, `{"a":1}}`, `{"a":1}x}`, `{"a":"x}`, `{"a":1,"b}`, `{"a"1}`,
		`{"a":t}`, `{"a":f}`, `{"a":1e}`, `{"a":[1}`,
	}
	valid := []string{
		`{"a":1}`, `{"a":-0.5,"b":true,"c":false,"d":null,"e":"x:,y"}`, `{"":""}`, `{"a":0,"b":10,"c":-10.01}`,
		`{"a":"}","b":"{"}`, `{"a":123456789.123456789}`,
	}
	forEachFlatPath(t, func(t *testing.T) {
		for pad := range 140 {
			front := `{"p":"` + strings.Repeat("x", pad) + `",`
			for _, c := range broken {
				for _, d := range []string{c, front + c[1:]} {
					if gjson.Valid(d) {
						t.Fatalf("%s is valid JSON: not a near miss", d)
					}
					if got := compactFlat([]byte(d)); got == fastValid {
						t.Fatalf("compactFlat(%s) = valid, want not", d)
					}
				}
			}
			for _, c := range valid {
				for _, d := range []string{c, front + c[1:]} {
					if got := compactFlat([]byte(d)); got != fastValid {
						t.Fatalf("compactFlat(%s) = %d, want fastValid (%d)", d, got, fastValid)
					}
				}
			}
		}
	})
}
