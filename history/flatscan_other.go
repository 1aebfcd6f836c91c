//go:build !amd64

package history

import "unsafe"

// flatMasksFast: without SIMD the masks cost more than compactObject's
// byte-by-byte walk, so compactFlat steps aside.
const flatMasksFast = false

func masks(p *byte, k int, m *[maskGroup]byteMasks) {
	for j := range k {
		chunkMasksGo((*[64]byte)(unsafe.Add(unsafe.Pointer(p), 64*j)), &m[j])
	}
}

func flatWords(m *byteMasks, k int, st *flatState) {
	flatWordsGo(unsafe.Slice(m, k), st)
}
