#include "textflag.h"

// BLOCK reads the 16 bytes at off(SI) and ORs their bits, shifted left by
// sh, into the masks: quote R8, colon R9, comma R10, dot R11, minus R12,
// '0' R13, digit DX. Special bytes (signed < 0x20, so control bytes and
// non-ASCII, and backslashes) accumulate in X13.
#define BLOCK(off, sh) \
	MOVOU off(SI), X0; \
	MOVO X0, X1; PCMPEQB X8, X1; PMOVMSKB X1, AX; SHLQ $sh, AX; ORQ AX, R8; \
	MOVO X0, X2; PCMPEQB X9, X2; PMOVMSKB X2, BX; SHLQ $sh, BX; ORQ BX, R9; \
	MOVO X0, X3; PCMPEQB X10, X3; PMOVMSKB X3, CX; SHLQ $sh, CX; ORQ CX, R10; \
	MOVO X0, X1; PCMPEQB X14, X1; PMOVMSKB X1, AX; SHLQ $sh, AX; ORQ AX, R11; \
	MOVO X0, X2; PCMPEQB X5, X2; PMOVMSKB X2, BX; SHLQ $sh, BX; ORQ BX, R12; \
	MOVO X0, X3; PCMPEQB X6, X3; PMOVMSKB X3, CX; SHLQ $sh, CX; ORQ CX, R13; \
	MOVO X0, X1; PCMPGTB X7, X1; MOVO X9, X2; PCMPGTB X0, X2; PAND X2, X1; \
	PMOVMSKB X1, AX; SHLQ $sh, AX; ORQ AX, DX; \
	MOVO X12, X4; PCMPGTB X0, X4; POR X4, X13; \
	PCMPEQB X11, X0; POR X0, X13

#define SPLAT(c, x) MOVQ $c, AX; MOVQ AX, x; PUNPCKLQDQ x, x

// func chunkMasksSSE2(p *[64]byte, m *byteMasks)
TEXT ·chunkMasksSSE2(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ m+8(FP), DI
	SPLAT(0x2222222222222222, X8)  // '"'
	SPLAT(0x3a3a3a3a3a3a3a3a, X9)  // ':', and the bound above '9'
	SPLAT(0x2c2c2c2c2c2c2c2c, X10) // ','
	SPLAT(0x5c5c5c5c5c5c5c5c, X11) // '\\'
	SPLAT(0x2020202020202020, X12) // ' ', the bound above control bytes
	SPLAT(0x2e2e2e2e2e2e2e2e, X14) // '.'
	SPLAT(0x2d2d2d2d2d2d2d2d, X5)  // '-'
	SPLAT(0x3030303030303030, X6)  // '0'
	SPLAT(0x2f2f2f2f2f2f2f2f, X7)  // '/', the bound below '0'
	PXOR X13, X13
	XORQ R8, R8
	XORQ R9, R9
	XORQ R10, R10
	XORQ R11, R11
	XORQ R12, R12
	XORQ R13, R13
	XORQ DX, DX
	BLOCK(0, 0)
	BLOCK(16, 16)
	BLOCK(32, 32)
	BLOCK(48, 48)
	MOVQ R8, 0(DI)
	MOVQ R9, 8(DI)
	MOVQ R10, 16(DI)
	MOVQ DX, 24(DI)
	MOVQ R11, 32(DI)
	MOVQ R12, 40(DI)
	MOVQ R13, 48(DI)
	PMOVMSKB X13, AX
	MOVQ AX, 56(DI)
	RET

// HALF reads 32 bytes at off(SI) and ORs their bits, shifted left by sh,
// into the masks: quote R8, colon R9, comma R10, dot R11, minus R12, '0'
// R13, digit DX; special bytes accumulate in Y7.
#define HALF(off, sh) \
	VMOVDQU off(SI), Y0; \
	VPCMPEQB Y8, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $sh, AX; ORQ AX, R8; \
	VPCMPEQB Y9, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $sh, AX; ORQ AX, R9; \
	VPCMPEQB Y10, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $sh, AX; ORQ AX, R10; \
	VPCMPEQB Y11, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $sh, AX; ORQ AX, R11; \
	VPCMPEQB Y12, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $sh, AX; ORQ AX, R12; \
	VPCMPEQB Y13, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $sh, AX; ORQ AX, R13; \
	VPSUBB Y13, Y0, Y1; VPMINUB Y14, Y1, Y2; VPCMPEQB Y2, Y1, Y1; \
	VPMOVMSKB Y1, AX; SHLQ $sh, AX; ORQ AX, DX; \
	VPCMPGTB Y0, Y15, Y1; VPOR Y1, Y7, Y7; \
	VPCMPEQB Y6, Y0, Y1; VPOR Y1, Y7, Y7

#define VSPLAT(c, x, y) MOVL $c, AX; VMOVD AX, x; VPBROADCASTB x, y

// func masksAVX2(p *byte, k int, m *byteMasks)
// k (> 0) chunks of 64 bytes at p, 62 (stride) apart; m points to k byteMasks (80 bytes each; stop is not written).
TEXT ·masksAVX2(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ k+8(FP), CX
	MOVQ m+16(FP), DI
	VSPLAT(0x22, X8, Y8)   // '"'
	VSPLAT(0x3a, X9, Y9)   // ':'
	VSPLAT(0x2c, X10, Y10) // ','
	VSPLAT(0x2e, X11, Y11) // '.'
	VSPLAT(0x2d, X12, Y12) // '-'
	VSPLAT(0x30, X13, Y13) // '0'
	VSPLAT(9, X14, Y14)    // byte - '0' <= 9: a digit
	VSPLAT(0x20, X15, Y15) // signed < ' ': a control byte or not ASCII
	VSPLAT(0x5c, X6, Y6)   // backslash
	VPCMPEQB X3, X3, X3    // all ones: a carry-less multiply by it is a prefix XOR
avx2loop:
	VPXOR Y7, Y7, Y7
	XORQ R8, R8
	XORQ R9, R9
	XORQ R10, R10
	XORQ R11, R11
	XORQ R12, R12
	XORQ R13, R13
	XORQ DX, DX
	HALF(0, 0)
	HALF(32, 32)
	MOVQ R8, 0(DI)
	MOVQ R9, 8(DI)
	MOVQ R10, 16(DI)
	MOVQ DX, 24(DI)
	MOVQ R11, 32(DI)
	MOVQ R12, 40(DI)
	MOVQ R13, 48(DI)
	VPMOVMSKB Y7, AX
	MOVQ AX, 56(DI)
	VMOVQ R8, X1
	VPCLMULQDQ $0, X3, X1, X1
	VMOVQ X1, 64(DI)
	ADDQ $62, SI // stride
	ADDQ $80, DI
	DECQ CX
	JNZ avx2loop
	VZEROUPPER
	RET

// func flatScan(p *byte, n int) bool
// compactFlat in one pass (flatChunk and literalAt in Go, which it must
// match: TestFlatScan). Chunks of 64 bytes, 62 (stride) apart, the last
// loaded over blanks under a byte mask (no read past p+n). Registers: SI
// the chunk, DI p+n, R15 bad, R14 inStr, R13 key, R12 the fraction
// carry (0 or -1); AX the chunk's violations, BX CX DX R8-R11 scratch; K1-K7
// the chunk's masks. Locals: keep (^ignore), lead (the '{' as a ','),
// stop.
TEXT ·flatScan(SB), NOSPLIT, $24-17
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), DI
	ADDQ SI, DI
	MOVL $0x22, AX
	VPBROADCASTB AX, Z16     // '"'
	MOVL $0x3a, AX
	VPBROADCASTB AX, Z17     // ':'
	MOVL $0x2c, AX
	VPBROADCASTB AX, Z18     // ','
	MOVL $0x30, AX
	VPBROADCASTB AX, Z19     // '0'
	MOVL $10, AX
	VPBROADCASTB AX, Z20
	MOVL $0x2e, AX
	VPBROADCASTB AX, Z21     // '.'
	MOVL $0x2d, AX
	VPBROADCASTB AX, Z22     // '-'
	MOVL $0x20, AX
	VPBROADCASTB AX, Z23     // ' ': blanks, and the bound below printable bytes
	MOVL $0x5c, AX
	VPBROADCASTB AX, Z24     // backslash
	MOVL $0x60, AX
	VPBROADCASTB AX, Z25     // byte - ' ' >= 0x60, unsigned: control or not ASCII
	VPCMPEQB X3, X3, X3      // all ones: a carry-less multiply by it is a prefix XOR
	XORQ R15, R15
	XORQ R14, R14
	XORQ R13, R13
	XORQ R12, R12
	MOVQ $-1, keep-8(SP)
	MOVQ $1, lead-16(SP)
	MOVQ $0, stop-24(SP)

chunk:
	MOVQ DI, AX
	SUBQ SI, AX              // bytes left: more than 64, or the last chunk
	CMPQ AX, $64
	JLE last
	VMOVDQU8 (SI), Z0
	JMP scan

last:
	MOVQ $-1, DX
	BZHIQ AX, DX, DX
	KMOVQ DX, K1
	VMOVDQA64 Z23, Z0
	VMOVDQU8 (SI), K1, Z0    // the rest over blanks
	DECQ AX
	MOVQ $-1, DX
	SHLXQ AX, DX, DX         // the final '}' and what follows it
	MOVQ DX, stop-24(SP)

scan:
	VPCMPEQB Z17, Z0, K2     // ':'
	VPCMPEQB Z18, Z0, K3     // ','
	VPSUBB Z19, Z0, Z2
	VPCMPUB $1, Z20, Z2, K4  // byte - '0' < 10: a digit
	VPCMPEQB Z21, Z0, K5     // '.'
	VPCMPEQB Z22, Z0, K6     // '-'
	VPCMPEQB Z19, Z0, K7     // '0'
	VPSUBB Z23, Z0, Z2
	VPCMPUB $5, Z25, Z2, K1  // control or not ASCII
	VPCMPEQB Z24, Z0, K0
	KORQ K0, K1, K1
	KMOVQ K1, DX
	ORQ DX, R15              // special: bad wherever it is
	VPCMPEQB Z16, Z0, K1     // '"'
	KMOVQ K1, R8             // R8 quote
	VMOVQ R8, X1
	VPCLMULQDQ $0, X3, X1, X1
	VMOVQ X1, AX
	XORQ R14, AX             // AX inside
	ANDNQ R8, AX, R9         // R9 closing
	MOVQ R8, R10
	ANDQ AX, R10             // R10 open
	ORQ AX, R8               // R8 not outside
	MOVQ AX, R14
	SHLQ $2, R14
	SARQ $63, R14            // inStr from bit 61
	KMOVQ K2, CX
	ANDNQ CX, R8, CX         // CX colon
	KMOVQ K3, DX
	ORQ lead-16(SP), DX
	ANDNQ DX, R8, DX         // DX comma
	MOVQ CX, R11
	BTQ $61, R13             // the chunk before: between a ',' and its ':' up to here
	SBBQ DX, R11             // R11 key: colon - comma
	MOVQ R11, R13
	ORQ R11, AX
	ANDQ stop-24(SP), AX     // a string open or a key without value at the end
	MOVQ CX, BX
	ORQ DX, BX
	ORQ stop-24(SP), BX      // BX end: ',' ':' or the final '}'
	ADDQ R9, R9
	ANDNQ R9, BX, R9
	ORQ R9, AX               // end after a string
	LEAQ (R11)(R11*1), R9
	ANDNQ R9, R11, R9
	XORQ CX, R9
	ORQ R9, AX               // ':' where a key ends
	ORQ BX, R8
	NOTQ R8                  // R8 value
	LEAQ (DX)(DX*1), DX
	ANDNQ DX, R10, DX
	ORQ DX, AX               // a key after ',' and '{'
	ORQ R8, R10
	LEAQ (CX)(CX*1), R11     // R11 colon<<1
	ANDNQ R11, R10, DX
	ORQ DX, AX               // a value after ':'
	LEAQ (R8)(R8*1), R9      // R9 value<<1
	ANDNQ R8, R9, R10        // R10 starts
	ORQ R8, BX
	ANDNQ R9, BX, DX
	ORQ DX, AX               // runs end before ',' ':' or '}'
	KMOVQ K5, BX
	ANDQ R8, BX              // BX dot
	ANDNQ R8, BX, R9
	LEAQ (BX)(BX*1), DX      // DX dot<<1
	BTQ $0, R12
	ADCQ DX, R9
	SBBQ R12, R12
	ANDQ BX, R9
	ORQ R9, AX               // one '.' per number
	KMOVQ K6, CX
	ANDQ R8, CX              // CX minus
	KMOVQ K4, R9             // R9 digit
	MOVQ R9, R11
	ORQ BX, R11
	ORQ CX, R11
	ANDQ R8, R11             // R11 num
	ANDNQ DX, R9, DX
	ORQ DX, AX               // a digit after '.'
	LEAQ (R9)(R9*1), DX
	ANDNQ BX, DX, BX
	ORQ BX, AX               // and before it
	ANDNQ R8, R11, BX        // BX word
	LEAQ (R11)(R11*1), DX
	ANDQ BX, DX
	ORQ DX, AX               // a run is a number or a word (nothing after a word: below)
	LEAQ (BX)(BX*1), DX
	ANDNQ BX, DX, BX         // BX word starts
	ANDNQ CX, R10, DX
	ORQ DX, AX               // '-' first
	LEAQ (CX)(CX*1), R8
	ANDNQ R8, R9, DX
	ORQ DX, AX               // then a digit
	ANDQ R9, R10
	ORQ R8, R10              // R10 a number's first digit
	KMOVQ K7, DX
	ANDQ DX, R10
	ADDQ R10, R10
	ANDQ R9, R10
	ORQ R10, AX              // no leading zero
	ANDQ keep-8(SP), AX
	ORQ AX, R15
	JNZ bad
	ANDQ keep-8(SP), BX

word:
	TESTQ BX, BX
	JZ next
	TZCNTQ BX, CX
	BLSRQ BX, BX
	ADDQ SI, CX              // the word's first byte
	LEAQ 5(CX), R8
	CMPQ R8, DI
	JHI bad                  // no room for four bytes and the '}'
	MOVL (CX), DX
	CMPL DX, $0x65757274     // "true"
	JEQ four
	CMPL DX, $0x6c6c756e     // "null"
	JEQ four
	CMPL DX, $0x736c6166     // "fals"
	JNE bad
	INCQ CX
	INCQ R8
	CMPQ R8, DI
	JHI bad
	CMPB 3(CX), $0x65        // 'e'
	JNE bad

four:
	CMPQ R8, DI
	JEQ word                 // followed by the final '}'
	CMPB 4(CX), $0x2c        // or by ','
	JNE bad
	JMP word

next:
	CMPQ stop-24(SP), $0
	JNE valid
	MOVQ $0, lead-16(SP)
	MOVQ $-4, keep-8(SP)     // ^3: the two bytes the chunk before judged
	ADDQ $62, SI             // stride
	JMP chunk

valid:
	VZEROUPPER
	MOVB $1, ret+16(FP)
	RET

bad:
	VZEROUPPER
	MOVB $0, ret+16(FP)
	RET
