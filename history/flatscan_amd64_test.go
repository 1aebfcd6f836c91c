package history

import (
	"math/rand/v2"
	"testing"
)

// TestChunkMasksAsm: both assembly versions give chunkMasksGo's masks.
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
		if useAVX512 {
			var avx [maskGroup]byteMasks
			masksAVX512(&p[0], 1, &avx[0])
			if !same(avx[0]) {
				t.Fatalf("masksAVX512(%q):\n got %x\nwant %x", p, avx[0], want)
			}
		}
	}
}

// TestCompactFlatPaths runs the random documents through each mask path
// this CPU has.
func TestCompactFlatPaths(t *testing.T) {
	defer func(a, b bool) { useAVX512, useAVX2 = a, b }(useAVX512, useAVX2)
	has512, has2 := useAVX512, useAVX2
	for _, p := range []struct {
		name         string
		avx512, avx2 bool
	}{{"AVX512", true, false}, {"AVX2", false, true}, {"SSE2", false, false}} {
		if p.avx512 && !has512 || p.avx2 && !has2 {
			t.Logf("no %s on this CPU: that path is not tested here", p.name)
			continue
		}
		useAVX512, useAVX2 = p.avx512, p.avx2
		t.Run(p.name, func(t *testing.T) { checkCompactFlat(t, 150000) })
	}
}

// TestFlatWordsAsm: the assembly gives flatWordsGo's state and literal
// starts for random masks and carries. Random masks break rules in every
// word, so the comparison covers each rule's term, not just valid input.
func TestFlatWordsAsm(t *testing.T) {
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
		st := flatState{inStr: -bit(), cKeyClose: bit(), cValueClose: bit(), cComma: bit(), cColon: bit(), cValue: bit(),
			cDigit: bit(), cDot: bit(), cMinus: bit(), cZero: bit(), cKey: bit(), cLit: bit(), cFrac: bit()}
		ma, sa := m, st
		mg, sg := m, st
		flatWords(&ma[0], k, &sa)
		flatWordsGo(mg[:k], &sg)
		if sa != sg || ma != mg {
			t.Fatalf("k=%d masks %x, state %x:\nassembly: state %x, literal starts %x\n      Go: state %x, literal starts %x",
				k, m, st, sa, ma, sg, mg)
		}
	}
}
