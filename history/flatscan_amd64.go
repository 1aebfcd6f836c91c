package history

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// flatMasksFast: the masks are assembly here (AVX-512, AVX2 or SSE2, the
// best the CPU has), fast enough for compactFlat to pay off.
const flatMasksFast = true

// useAVX512: the CPU and OS support AVX-512 F and BW (and BMI1, BMI2 and
// POPCNT), so flatScan (one compare makes a mask of 64 bytes; the rules
// run on eight chunks' masks at once) takes the whole of compactFlat.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT

// useFlatScan: flatScan takes compactFlat (masks in assembly and
// flatChunk's rules in Go, a chunk at a time, are for the other CPUs).
var useFlatScan = useAVX512

// useAVX2: the CPU has AVX2 (and carry-less multiply): two compares per
// mask for 64 bytes.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasPCLMULQDQ

// masks sets m[0:k] to the masks of the k chunks of 64 bytes at p,
// stride bytes apart (flatScan makes its own).
func masks(p *byte, k int, m *[maskGroup]byteMasks) {
	if useAVX2 {
		masksAVX2(p, k, &m[0])
		return
	}
	for j := range k {
		chunkMasksSSE2((*[64]byte)(unsafe.Add(unsafe.Pointer(p), stride*j)), &m[j])
		m[j].quoteParity = prefixXor(m[j].quote)
	}
}

// flatRules is flatRulesGo, in assembly where the CPU has BMI1 (its and-not).
func flatRules(m *byteMasks, k int, st *flatState, keep uint64) {
	if hasBMI1 {
		flatRulesBMI(m, k, st, keep)
		return
	}
	flatRulesGo(unsafe.Slice(m, k), st, keep)
}

var hasBMI1 = cpu.X86.HasBMI1

// flatRulesBMI is flatRulesGo in assembly: the carries stay in registers
// from chunk to chunk.
//
//go:noescape
func flatRulesBMI(m *byteMasks, k int, st *flatState, keep uint64)

//go:noescape
func chunkMasksSSE2(p *[64]byte, m *byteMasks)

//go:noescape
func masksAVX2(p *byte, k int, m *byteMasks)

// flatScan is compactFlat on AVX-512: the masks of up to sixteen chunks
// at a time (the last one loaded over blanks under a byte mask: nothing
// past the end is read), then flatChunk's rules on eight chunks at once,
// one in each quadword of a vector, and literalAt's checks. It reports
// whether data[0:n] (n >= 3, '{' first and '}' last) is valid.
//
//go:noescape
func flatScan(p *byte, n int) bool
