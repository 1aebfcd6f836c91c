package history

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// flatMasksFast: the masks are assembly here (AVX-512, AVX2 or SSE2, the
// best the CPU has), fast enough for compactFlat to pay off.
const flatMasksFast = true

// useAVX512: the CPU and OS support AVX-512 BW (and carry-less multiply),
// so one compare makes a mask of 64 bytes instead of four.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasPCLMULQDQ

// useAVX2: the CPU has AVX2 (and carry-less multiply): two compares per
// mask for 64 bytes.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasPCLMULQDQ

// masks sets m[0:k] to the masks of the k chunks of 64 bytes at p.
func masks(p *byte, k int, m *[maskGroup]byteMasks) {
	if useAVX512 {
		masksAVX512(p, k, &m[0])
		return
	}
	if useAVX2 {
		masksAVX2(p, k, &m[0])
		return
	}
	for j := range k {
		chunkMasksSSE2((*[64]byte)(unsafe.Add(unsafe.Pointer(p), 64*j)), &m[j])
		m[j].quoteParity = prefixXor(m[j].quote)
	}
}

// flatWords is flatWordsGo in assembly (plain amd64: no spills of the
// carries between words, which the Go version has).
//
//go:noescape
func flatWords(m *byteMasks, k int, st *flatState)

//go:noescape
func chunkMasksSSE2(p *[64]byte, m *byteMasks)

//go:noescape
func masksAVX2(p *byte, k int, m *byteMasks)

//go:noescape
func masksAVX512(p *byte, k int, m *byteMasks)
