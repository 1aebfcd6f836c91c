//go:build !amd64

package history

import "unsafe"

// flatMasksFast: without SIMD the masks cost more than compactObject's
// byte-by-byte walk, so compactFlat steps aside.
const flatMasksFast = false

func masks(p *byte, k int, m *[maskGroup]byteMasks) {
	for j := range k {
		chunkMasksGo((*[64]byte)(unsafe.Add(unsafe.Pointer(p), stride*j)), &m[j])
	}
}

func flatRules(m *byteMasks, k int, st *flatState, keep uint64) {
	flatRulesGo(unsafe.Slice(m, k), st, keep)
}

// useFlatScan is false: flatScan is amd64 assembly.
const useFlatScan = false

func flatScan(*byte, int) bool { return false } // never called
