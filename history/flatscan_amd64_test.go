package history

import (
	"math/rand/v2"
	"testing"
)

// TestChunkMasksAsm: the SSE2 and AVX2 masks are chunkMasksGo's.
func TestChunkMasksAsm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		p := randomChunk(rng)
		var want, sse byteMasks
		chunkMasksGo(p, &want)
		chunkMasksSSE2(p, &sse)
		sse.quoteParity = prefixXor(sse.quote)
		same := func(got byteMasks) bool {
			if (got.special != 0) != (want.special != 0) {
				return false
			}
			got.special = want.special // only zero or not matters
			return want.special != 0 || got == want
		}
		if !same(sse) {
			t.Fatalf("chunkMasksSSE2(%q):\n got %x\nwant %x", p, sse, want)
		}
		if useAVX2 {
			var avx [maskGroup]byteMasks
			masksAVX2(&p[0], 1, &avx[0])
			if !same(avx[0]) {
				t.Fatalf("masksAVX2(%q):\n got %x\nwant %x", p, avx[0], want)
			}
		}
	}
}

// TestCompactFlatPaths runs the random documents through each path this
// CPU has.
func TestCompactFlatPaths(t *testing.T) {
	forEachFlatPath(t, func(t *testing.T) { checkCompactFlat(t, 150000) })
}

// flatPaths are the paths of compactFlat this CPU has: flatScan, and the
// masks (AVX2, SSE2) with flatChunk's rules. use switches to one; the
// returned function switches back.
func flatPaths() (names []string, use func(name string) (back func())) {
	names = []string{"SSE2"}
	if useAVX2 {
		names = append(names, "AVX2")
	}
	if useAVX512 {
		names = append(names, "AVX512")
	}
	return names, func(name string) func() {
		a, b := useFlatScan, useAVX2
		useFlatScan, useAVX2 = name == "AVX512", name == "AVX2"
		return func() { useFlatScan, useAVX2 = a, b }
	}
}

// pathsAgree fails t unless every path this CPU has gives compactFlat(d)
// the same answer, and returns it.
func pathsAgree(t *testing.T, d []byte) int {
	t.Helper()
	names, use := flatPaths()
	var first int
	for i, name := range names {
		back := use(name)
		got := compactFlat(d)
		back()
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("compactFlat(%q): %d on %s, %d on %s", d, first, names[0], got, name)
		}
	}
	return first
}

// forEachFlatPath runs f with compactFlat on each path this CPU has.
func forEachFlatPath(t *testing.T, f func(t *testing.T)) {
	names, use := flatPaths()
	if len(names) < 3 {
		t.Logf("only %v on this CPU: the other paths are not tested here", names)
	}
	for _, name := range names {
		back := use(name)
		t.Run(name, f)
		back()
	}
}

// TestFlatScan: every path this CPU has (flatScan, and the masks with the
// rules a chunk at a time) answers alike, on random flat documents and on
// flespi messages with one byte changed at each place (every rule broken
// at every chunk position, the two bytes each chunk shares with the one
// before included), and cut short at each length.
func TestFlatScan(t *testing.T) {
	if names, _ := flatPaths(); len(names) < 2 {
		t.Skipf("only %v on this CPU: nothing to compare", names)
	}
	check := func(d []byte) int { return pathsAgree(t, d) }
	rng := rand.New(rand.NewPCG(8, 9))
	for range 100000 {
		check(flatDoc(rng))
	}
	const cs = `{}[]":,.-0123456789 tfnxe\` + "\x00\x1f\x7f\xc3"
	valid := 0
	// Three flespi messages, and long ones (16 and 17 chunks and more: a
	// block of sixteen, and the next one) with their members repeated.
	ms := flespiMessages(3)
	for _, n := range []int{2, 3, 5} { // (duplicate keys are valid JSON)
		inner := ms[0][1 : len(ms[0])-1]
		long := append([]byte{'{'}, inner...)
		for range n - 1 {
			long = append(append(long, ','), inner...)
		}
		ms = append(ms, append(long, '}'))
	}
	for _, m := range ms {
		for i := range m {
			for j := range len(cs) {
				d := append([]byte(nil), m...)
				d[i] = cs[j]
				check(d)
			}
			if check(m[:i+1]) == fastValid {
				valid++
			}
		}
		if got := check(m); got != fastValid {
			t.Fatalf("compactFlat(%s) = %d, want fastValid", m, got)
		}
	}
	if valid != len(ms) {
		t.Fatalf("%d prefixes of %d messages valid, want %d (the whole messages)", valid, len(ms), len(ms))
	}
}

// BenchmarkCompactFlatPaths: compactFlat on each path this CPU has, on
// varied flespi messages.
func BenchmarkCompactFlatPaths(b *testing.B) {
	ms := flespiMessages(1024)
	names, use := flatPaths()
	for _, name := range names {
		back := use(name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(ms[0])))
			i := 0
			for b.Loop() {
				if compactFlat(ms[i%len(ms)]) != fastValid {
					b.Fatal("not valid")
				}
				i++
			}
		})
		back()
	}
}

// TestFlatRulesAsm: the assembly gives flatRulesGo's state and literal
// starts for random masks and carries. Random masks break rules in every
// chunk, so the comparison covers each rule's term, not just valid input.
func TestFlatRulesAsm(t *testing.T) {
	if !hasBMI1 {
		t.Skip("no BMI1 on this CPU: flatRules is Go here")
	}
	rng := rand.New(rand.NewPCG(8, 9))
	for range 100000 {
		var m [maskGroup]byteMasks
		k := 1 + rng.IntN(maskGroup)
		for j := range k {
			m[j] = byteMasks{quote: rng.Uint64() & rng.Uint64(), colon: rng.Uint64() & rng.Uint64(), comma: rng.Uint64() & rng.Uint64(),
				digit: rng.Uint64(), dot: rng.Uint64() & rng.Uint64(), minus: rng.Uint64() & rng.Uint64() & rng.Uint64(),
				zero: rng.Uint64() & rng.Uint64(), special: rng.Uint64() & rng.Uint64() & rng.Uint64() & rng.Uint64()}
			if rng.IntN(2) == 0 {
				m[j].special = 0
			}
			if rng.IntN(4) == 0 {
				m[j].stop = ^(1<<rng.IntN(64) - 1)
			}
			m[j].quoteParity = prefixXor(m[j].quote)
		}
		bit := func() uint64 { return uint64(rng.IntN(2)) }
		st := flatState{inStr: -bit(), cKey: bit(), cFrac: bit()}
		keep := ^uint64(3)
		if rng.IntN(4) == 0 {
			keep = ^uint64(0)
		}
		ma, sa := m, st
		mg, sg := m, st
		flatRulesBMI(&ma[0], k, &sa, keep)
		flatRulesGo(mg[:k], &sg, keep)
		if sa != sg || ma != mg {
			t.Fatalf("k=%d keep %x masks %x, state %x:\nassembly: state %x, masks %x\n      Go: state %x, masks %x",
				k, keep, m, st, sa, ma, sg, mg)
		}
	}
}
