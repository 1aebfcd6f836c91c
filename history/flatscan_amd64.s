#include "textflag.h"
#include "funcdata.h"

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

// LOW reads the first 32 bytes at SI into the masks: quote R8, colon R9,
// comma R10, dot R11, minus R12, '0' R13, digit DX; special bytes go to Y7.
#define LOW \
	VMOVDQU (SI), Y0; \
	VPCMPEQB Y8, Y0, Y1; VPMOVMSKB Y1, R8; \
	VPCMPEQB Y9, Y0, Y1; VPMOVMSKB Y1, R9; \
	VPCMPEQB Y10, Y0, Y1; VPMOVMSKB Y1, R10; \
	VPCMPEQB Y11, Y0, Y1; VPMOVMSKB Y1, R11; \
	VPCMPEQB Y12, Y0, Y1; VPMOVMSKB Y1, R12; \
	VPCMPEQB Y13, Y0, Y1; VPMOVMSKB Y1, R13; \
	VPSUBB Y13, Y0, Y1; VPMINUB Y14, Y1, Y2; VPCMPEQB Y2, Y1, Y1; VPMOVMSKB Y1, DX; \
	VPCMPGTB Y0, Y15, Y7; \
	VPCMPEQB Y6, Y0, Y1; VPOR Y1, Y7, Y7

// HIGH reads the 32 bytes at 32(SI) and ORs their bits into the upper
// halves of the masks (special bytes into Y7).
#define HIGH \
	VMOVDQU 32(SI), Y0; \
	VPCMPEQB Y8, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $32, AX; ORQ AX, R8; \
	VPCMPEQB Y9, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $32, AX; ORQ AX, R9; \
	VPCMPEQB Y10, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $32, AX; ORQ AX, R10; \
	VPCMPEQB Y11, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $32, AX; ORQ AX, R11; \
	VPCMPEQB Y12, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $32, AX; ORQ AX, R12; \
	VPCMPEQB Y13, Y0, Y1; VPMOVMSKB Y1, AX; SHLQ $32, AX; ORQ AX, R13; \
	VPSUBB Y13, Y0, Y1; VPMINUB Y14, Y1, Y2; VPCMPEQB Y2, Y1, Y1; \
	VPMOVMSKB Y1, AX; SHLQ $32, AX; ORQ AX, DX; \
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
	LOW
	HIGH
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

// PREFIXXOR sets each bit of each quadword of z to the parity of it and
// the bits below it in the quadword (t is scratch).
#define PREFIXXOR(z, t) \
	VPSLLQ $1, z, t; VPXORQ t, z, z; \
	VPSLLQ $2, z, t; VPXORQ t, z, z; \
	VPSLLQ $4, z, t; VPXORQ t, z, z; \
	VPSLLQ $8, z, t; VPXORQ t, z, z; \
	VPSLLQ $16, z, t; VPXORQ t, z, z; \
	VPSLLQ $32, z, t; VPXORQ t, z, z

// LANEPARITY sets e to -1 in each lane where the parity carried in (c, 0
// or 1) and bit 61 of the lanes below (of z, a PREFIXXOR: the parity of
// the bytes of those chunks not shared with the next) is odd, 0 elsewhere,
// and c to the parity before the next half (p, t scratch; Z26 is zero,
// Z28 ones in each lane, K7 the lanes in use).
#define LANEPARITY(z, c, e, p, t) \
	VPSRLQ $61, z, p; VPANDQ Z28, p, p; \
	VPBROADCASTQ c, e; VALIGNQ $7, e, p, e; \
	VALIGNQ $7, Z26, e, t; VPXORQ t, e, e; \
	VALIGNQ $6, Z26, e, t; VPXORQ t, e, e; \
	VALIGNQ $4, Z26, e, t; VPXORQ t, e, e; \
	VPSUBQ e, Z26, e; \
	VPTESTMQ p, p, K7, K1; KMOVQ K1, AX; POPCNTQ AX, AX; ANDQ $1, AX; XORQ AX, c

// CARRY finishes s = a + b in each lane, an addition whose carries run
// from lane to lane: each lane adds the carry into bit 62 of the lane
// below (and that lane's bit 62 of b: bits 62 and 63 are the next lane's
// 0 and 1), c carries in to lane 0 and out of lane 7 (0 or 1). A carry
// that could run through bits 0 to 61 of a lane (a key or number as long
// as a chunk) is not followed: bad. t and u are scratch; K1-K3 and AX too.
#define CARRY(s, a, b, c, t, u) \
	VMOVDQA64 s, t; VPTERNLOGQ $0xbe, b, a, t; \
	VPSRLQ $62, t, t; VPTESTMQ Z28, t, K7, K1; \
	KSHIFTLQ $1, K1, K2; KMOVQ c, K3; KORQ K3, K2, K2; KANDQ K7, K2, K2; \
	KMOVQ K1, AX; SHRQ $7, AX; ANDQ $1, AX; MOVQ AX, c; \
	VPSRLQ $2, Z27, t; VPANDQ t, s, u; VPCMPEQQ t, u, K2, K3; KORTESTQ K3, K3; JNZ bad; \
	VPADDQ Z28, s, K2, s

// ROW writes the mask of the bytes of Z8 equal to those of z into row off
// of the frame, at chunk CX.
#define ROW(z, off) VPCMPEQB z, Z8, K1; KMOVQ K1, off(SP)(CX*8)

// func flatScan(p *byte, n int) bool
// compactFlat in AVX-512 (flatChunk and literalAt in Go, which it must
// match: TestFlatScan). Chunks of 64 bytes, 62 (stride) apart, the last
// loaded over blanks under a byte mask (no read past p+n). A block makes
// the masks of up to sixteen chunks into the frame (row r, chunk l at
// 128*r+8*l; the rows are quote, colon, comma, digit, dot, minus, '0' and
// stop), then runs flatChunk's rules on each half of them, eight chunks at
// once, one in each quadword lane: only the string parity and the carries
// of the key and fraction additions cross from lane to lane. (A half's
// rows are read well after their last store: read at once, a row written
// eight quadwords at a time waits for the stores to reach the cache.)
// Then the words (true, false, null) are checked in place.
//
// Registers: SI the chunk, DI p+n, R11 the half's first chunk, R9 the
// half's rows (0 or 64), R8 1 in the last block, R15 special bytes, R14
// the string parity, R13 the key carry, R12 the fraction carry (each 0 or
// 1, carried to the next half). Z0-Z7 the half's rows; Z8-Z15 scratch;
// Z16-Z25 byte constants, Z26 zero, Z27 all ones, Z28 one in each lane,
// Z29 the bits each lane judges (all but the two it shares with the chunk
// before; all in the very first), Z30 the opening '{' (a ',' in the very
// first lane), Z31 the violations; K7 the lanes in use. Frame: the rows
// (1024 bytes) and the block's chunk count.
TEXT ·flatScan(SB), $1032-17
	NO_LOCAL_POINTERS
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
	VPXORQ Z26, Z26, Z26
	VPTERNLOGQ $0xff, Z27, Z27, Z27
	MOVQ $1, AX
	VPBROADCASTQ AX, Z28
	VMOVQ AX, X30            // lane 0 bit 0: the '{'
	KMOVQ AX, K1
	MOVQ $-4, AX
	VPBROADCASTQ AX, Z29
	VPTERNLOGQ $0xff, Z29, Z29, K1, Z29
	XORQ R15, R15
	XORQ R14, R14
	XORQ R13, R13
	XORQ R12, R12
	XORQ R8, R8

block:
	MOVQ SI, R11
	XORQ CX, CX

fill:
	MOVQ DI, AX
	SUBQ SI, AX              // bytes left: more than 64, or the last chunk
	CMPQ AX, $64
	JLE last
	VMOVDQU8 (SI), Z8
	MOVQ $0, 896(SP)(CX*8)
	JMP masks

last:
	MOVQ $-1, DX
	BZHIQ AX, DX, DX
	KMOVQ DX, K1
	VMOVDQA64 Z23, Z8
	VMOVDQU8 (SI), K1, Z8    // the rest over blanks
	DECQ AX
	MOVQ $-1, DX
	SHLXQ AX, DX, DX         // the final '}' and what follows it
	MOVQ DX, 896(SP)(CX*8)
	MOVQ $1, R8

masks:
	ROW(Z16, 0)              // '"'
	ROW(Z17, 128)            // ':'
	ROW(Z18, 256)            // ','
	VPSUBB Z19, Z8, Z9
	VPCMPUB $1, Z20, Z9, K1  // byte - '0' < 10: a digit
	KMOVQ K1, 384(SP)(CX*8)
	ROW(Z21, 512)            // '.'
	ROW(Z22, 640)            // '-'
	ROW(Z19, 768)            // '0'
	VPSUBB Z23, Z8, Z9
	VPCMPUB $5, Z25, Z9, K1  // control or not ASCII
	VPCMPEQB Z24, Z8, K2
	KORQ K2, K1, K1
	KMOVQ K1, DX
	ORQ DX, R15              // special: bad wherever it is
	INCQ CX
	TESTQ R8, R8
	JNZ filled
	ADDQ $62, SI             // stride
	CMPQ CX, $16
	JLT fill

filled:
	TESTQ R15, R15
	JNZ bad
	MOVQ CX, 1024(SP)        // the block's chunks
	XORQ R9, R9

half:
	MOVQ R9, AX
	SHRQ $3, AX
	MOVQ 1024(SP), CX
	SUBQ AX, CX
	CMPQ CX, $8
	JLE lanes
	MOVQ $8, CX

lanes:
	MOVQ $-1, DX
	BZHIQ CX, DX, DX
	KMOVQ DX, K7
	LEAQ 0(SP)(R9*1), AX
	VMOVDQU64.Z 0(AX), K7, Z0
	VMOVDQU64.Z 128(AX), K7, Z1
	VMOVDQU64.Z 256(AX), K7, Z2
	VMOVDQU64.Z 384(AX), K7, Z3
	VMOVDQU64.Z 512(AX), K7, Z4
	VMOVDQU64.Z 640(AX), K7, Z5
	VMOVDQU64.Z 768(AX), K7, Z6
	VMOVDQU64.Z 896(AX), K7, Z7
	VMOVDQA64 Z0, Z8
	PREFIXXOR(Z8, Z9)
	LANEPARITY(Z8, R14, Z10, Z9, Z11)
	VPXORQ Z10, Z8, Z8       // Z8 inside
	VPORQ Z0, Z8, Z9         // Z9 not outside
	VPANDQ Z8, Z0, Z10       // Z10 open
	VPANDNQ Z0, Z8, Z11      // Z11 closing
	VPANDNQ Z1, Z9, Z1       // Z1 colon
	VPORQ Z30, Z2, Z2
	VPANDNQ Z2, Z9, Z2       // Z2 comma
	VPSLLQ $1, Z2, Z12       // Z12 key opens: after ',' and '{'
	VMOVDQA64 Z8, Z13
	VPADDQ Z12, Z13, Z13     // carries from each key's opening quote to its closing one
	CARRY(Z13, Z8, Z12, R13, Z14, Z15)
	VPANDQ Z7, Z8, Z31       // a string open at the end
	VPANDNQ Z12, Z10, Z14
	VPORQ Z14, Z31, Z31      // a key after ',' and '{'
	VPANDNQ Z13, Z8, Z13     // Z13 key closes
	VPSLLQ $1, Z13, Z12
	VPXORQ Z1, Z12, Z12      // ':' after each key and nowhere else
	VPANDNQ Z11, Z13, Z11
	VPSLLQ $1, Z11, Z11
	VPTERNLOGQ $0x10, Z7, Z2, Z11  // ',' or '}' after a string value
	VPTERNLOGQ $0xfe, Z12, Z11, Z31
	VMOVDQA64 Z1, Z12
	VPTERNLOGQ $0xfe, Z7, Z2, Z12  // Z12 end: ',' ':' or the final '}'
	VPTERNLOGQ $0x03, Z12, Z12, Z9 // Z9 value: ^(not outside | end)
	VPSLLQ $1, Z1, Z1
	VPTERNLOGQ $0x10, Z9, Z10, Z1  // a value after ':'
	VPORQ Z1, Z31, Z31
	VPSLLQ $1, Z9, Z10       // Z10 value<<1
	VMOVDQA64 Z10, Z13
	VPTERNLOGQ $0x10, Z12, Z9, Z13 // runs end before ',' ':' or '}'
	VPORQ Z13, Z31, Z31
	VPANDNQ Z9, Z10, Z12     // Z12 starts
	VPANDQ Z9, Z4, Z4        // Z4 dot
	VPANDQ Z9, Z5, Z5        // Z5 minus
	VMOVDQA64 Z3, Z13
	VPTERNLOGQ $0xfe, Z5, Z4, Z13
	VPANDQ Z9, Z13, Z13      // Z13 num
	VPANDNQ Z9, Z13, Z14     // Z14 word
	VPSLLQ $1, Z13, Z13
	VPANDQ Z14, Z13, Z13     // a run is a number or a word (nothing after a word: below)
	VPORQ Z13, Z31, Z31
	VPSLLQ $1, Z14, Z11
	VPANDNQ Z14, Z11, Z15    // Z15 word starts
	VPANDNQ Z9, Z4, Z11      // Z11 digits
	VPSLLQ $1, Z4, Z13       // Z13 fraction opens
	VMOVDQA64 Z11, Z10
	VPADDQ Z13, Z10, Z10     // carries from each '.' to its number's end
	CARRY(Z10, Z11, Z13, R12, Z1, Z2)
	VPANDQ Z4, Z10, Z10      // once per number
	VPORQ Z10, Z31, Z31
	VPSLLQ $1, Z5, Z11       // Z11 minus<<1
	VPANDNQ Z5, Z12, Z10     // '-' first
	VPANDNQ Z11, Z3, Z13     // then a digit
	VPTERNLOGQ $0xfe, Z13, Z10, Z31
	VPSLLQ $1, Z3, Z10
	VPANDNQ Z4, Z10, Z10     // a digit before '.'
	VPSLLQ $1, Z4, Z13
	VPANDNQ Z13, Z3, Z13     // and after it
	VPTERNLOGQ $0xfe, Z13, Z10, Z31
	VPTERNLOGQ $0xea, Z11, Z3, Z12 // Z12 a number's first digit
	VPANDQ Z6, Z12, Z12
	VPSLLQ $1, Z12, Z12
	VPANDQ Z3, Z12, Z12
	VPORQ Z12, Z31, Z31      // no leading zero
	VPTESTMQ Z29, Z31, K7, K1
	KORTESTQ K1, K1
	JNZ bad
	VPANDQ Z29, Z15, Z15
	VPTESTMQ Z15, Z15, K7, K1
	KMOVQ K1, BX             // the lanes with words
	VPCOMPRESSQ Z15, K1, Z15 // their word starts, in order from lane 0

lane:
	TESTQ BX, BX
	JZ next
	TZCNTQ BX, CX
	BLSRQ BX, BX
	VMOVQ X15, R10           // the lane's word starts
	VALIGNQ $1, Z15, Z15, Z15 // the next lane's to lane 0
	IMULQ $62, CX
	LEAQ (R11)(CX*1), DX     // the lane's first byte

word:
	TESTQ R10, R10
	JZ lane
	TZCNTQ R10, CX
	BLSRQ R10, R10
	ADDQ DX, CX              // the word's first byte
	LEAQ 5(CX), AX
	CMPQ AX, DI
	JHI bad                  // no room for four bytes and the '}'
	CMPL (CX), $0x65757274   // "true"
	JEQ four
	CMPL (CX), $0x6c6c756e   // "null"
	JEQ four
	CMPL (CX), $0x736c6166   // "fals"
	JNE bad
	CMPB 4(CX), $0x65        // 'e' (before the '}', so a byte after it is ours)
	JNE bad
	INCQ CX
	INCQ AX

four:
	CMPQ AX, DI
	JEQ word                 // followed by the final '}'
	CMPB 4(CX), $0x2c        // or by ','
	JNE bad
	JMP word

next:
	VPXORQ Z30, Z30, Z30
	MOVQ $-4, AX             // ^3: the two bytes the chunk before judged
	VPBROADCASTQ AX, Z29
	ADDQ $64, R9             // the second half of the block's rows
	ADDQ $496, R11           // and of its chunks (8 * stride)
	CMPQ R9, $128
	JEQ done
	CMPQ 1024(SP), $8
	JHI half

done:
	TESTQ R8, R8
	JZ block

valid:
	VZEROUPPER
	MOVB $1, ret+16(FP)
	RET

bad:
	VZEROUPPER
	MOVB $0, ret+16(FP)
	RET

// func flatRulesBMI(m *byteMasks, k int, st *flatState, keep uint64)
// flatChunk on k chunks' masks (flatRulesGo, which it must match:
// TestFlatRulesAsm), each chunk's literal starts written over its special
// mask. Registers: DI the masks (80 bytes a chunk: quote 0, colon 8, comma
// 16, digit 24, dot 32, minus 40, '0' 48, special 56, quoteParity 64, stop
// 72), DX their end, R14 inStr, R13 cKey, R12 cFrac, R15 bad (st: 0, 8,
// 16, 24); AX the chunk's violations; BX CX SI R8-R11 scratch. Local: keep
// (^3 after the first chunk).
TEXT ·flatRulesBMI(SB), NOSPLIT, $8-32
	MOVQ m+0(FP), DI
	MOVQ k+8(FP), DX
	IMULQ $80, DX
	ADDQ DI, DX
	MOVQ keep+24(FP), AX
	MOVQ AX, keep-8(SP)
	MOVQ st+16(FP), SI
	MOVQ 0(SI), R14
	MOVQ 8(SI), R13
	MOVQ 16(SI), R12
	MOVQ 24(SI), R15

rule:
	ORQ 56(DI), R15          // special: bad wherever it is
	MOVQ 64(DI), AX
	XORQ R14, AX             // AX inside
	MOVQ 0(DI), R8
	ANDNQ R8, AX, R9         // R9 closing
	MOVQ R8, R10
	ANDQ AX, R10             // R10 open
	ORQ AX, R8               // R8 not outside
	MOVQ AX, R14
	SHLQ $2, R14
	SARQ $63, R14            // inStr from bit 61
	MOVQ 8(DI), CX
	ANDNQ CX, R8, CX         // CX colon
	MOVQ 16(DI), BX
	ANDNQ BX, R8, BX         // BX comma
	LEAQ (BX)(BX*1), R11     // R11 key opens
	MOVQ AX, SI
	BTQ $0, R13
	ADCQ R11, SI             // carries from each key's opening quote to its closing one
	MOVQ SI, R13
	XORQ AX, R13
	XORQ R11, R13
	ORQ R11, R13
	SHRQ $62, R13
	ANDQ $1, R13             // cKey: the carry into bit 62, and the bit added there
	ANDNQ SI, AX, SI         // SI key closes
	ANDQ 72(DI), AX          // a string open at the end
	ANDNQ R11, R10, R11
	ORQ R11, AX              // a key after ',' and '{'
	LEAQ (SI)(SI*1), R11
	XORQ CX, R11
	ORQ R11, AX              // ':' after each key and nowhere else
	ANDNQ R9, SI, R9
	ADDQ R9, R9
	MOVQ BX, R11
	ORQ 72(DI), R11
	ANDNQ R9, R11, R9
	ORQ R9, AX               // ',' or '}' after a string value
	ORQ CX, R11              // R11 end: ',' ':' or the final '}'
	ORQ R11, R8
	NOTQ R8                  // R8 value
	ORQ R8, R10
	LEAQ (CX)(CX*1), R9
	ANDNQ R9, R10, R9
	ORQ R9, AX               // a value after ':'
	LEAQ (R8)(R8*1), R9      // R9 value<<1
	ANDNQ R8, R9, R10        // R10 starts
	ORQ R8, R11
	ANDNQ R9, R11, R9
	ORQ R9, AX               // runs end before ',' ':' or '}'
	MOVQ 32(DI), BX
	ANDQ R8, BX              // BX dot
	ANDNQ R8, BX, R9         // R9 digits
	LEAQ (BX)(BX*1), R11     // R11 fraction opens
	MOVQ R9, SI
	BTQ $0, R12
	ADCQ R11, SI             // carries from each '.' to its number's end
	MOVQ SI, R12
	XORQ R9, R12
	XORQ R11, R12
	ORQ R11, R12
	SHRQ $62, R12
	ANDQ $1, R12             // cFrac
	ANDQ BX, SI
	ORQ SI, AX               // once per number
	MOVQ 40(DI), CX
	ANDQ R8, CX              // CX minus
	MOVQ 24(DI), R9          // R9 digit
	MOVQ R9, SI
	ORQ BX, SI
	ORQ CX, SI
	ANDQ R8, SI              // SI num
	ANDNQ R11, R9, R11
	ORQ R11, AX              // a digit after '.'
	LEAQ (R9)(R9*1), R11
	ANDNQ BX, R11, BX
	ORQ BX, AX               // and before it
	ANDNQ R8, SI, BX         // BX word
	LEAQ (SI)(SI*1), R11
	ANDQ BX, R11
	ORQ R11, AX              // a run is a number or a word (nothing after a word: literalAt)
	LEAQ (BX)(BX*1), R11
	ANDNQ BX, R11, BX        // BX word starts
	ANDNQ CX, R10, R11
	ORQ R11, AX              // '-' first
	LEAQ (CX)(CX*1), R8
	ANDNQ R8, R9, R11
	ORQ R11, AX              // then a digit
	ANDQ R9, R10
	ORQ R8, R10              // R10 a number's first digit
	ANDQ 48(DI), R10
	ADDQ R10, R10
	ANDQ R9, R10
	ORQ R10, AX              // no leading zero
	MOVQ keep-8(SP), R11
	ANDQ R11, AX
	ORQ AX, R15
	ANDQ R11, BX
	MOVQ BX, 56(DI)
	MOVQ $-4, keep-8(SP)     // ^3: the two bytes the chunk before judged
	ADDQ $80, DI
	CMPQ DI, DX
	JNE rule
	MOVQ st+16(FP), SI
	MOVQ R14, 0(SI)
	MOVQ R13, 8(SI)
	MOVQ R12, 16(SI)
	MOVQ R15, 24(SI)
	RET
