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
	if useAVX512 {
		t.Run("AVX512", func(t *testing.T) { checkCompactFlat(t, 200000) })
	} else {
		t.Log("no AVX-512 here: only the SSE2 path is tested")
	}
	t.Run("SSE2", func(t *testing.T) {
		defer func(v bool) { useAVX512 = v }(useAVX512)
		useAVX512 = false
		checkCompactFlat(t, 200000)
	})
}
