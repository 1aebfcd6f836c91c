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

// func masksAVX512(p *byte, k int, m *byteMasks)
// k (> 0) chunks of 64 bytes at p; m points to k byteMasks (80 bytes each; stop is not written).
TEXT ·masksAVX512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ k+8(FP), CX
	MOVQ m+16(FP), DI
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
	VPBROADCASTB AX, Z23     // ' '
	MOVL $0x5c, AX
	VPBROADCASTB AX, Z24     // backslash
	VPCMPEQB X3, X3, X3      // all ones: a carry-less multiply by it is a prefix XOR
loop:
	VMOVDQU8 (SI), Z0
	VPCMPEQB Z16, Z0, K1
	KMOVQ K1, AX
	MOVQ AX, 0(DI)
	VMOVQ AX, X1
	VPCLMULQDQ $0, X3, X1, X1
	VMOVQ X1, 64(DI)
	VPCMPEQB Z17, Z0, K1
	KMOVQ K1, 8(DI)
	VPCMPEQB Z18, Z0, K1
	KMOVQ K1, 16(DI)
	VPCMPEQB Z19, Z0, K1
	KMOVQ K1, 48(DI)
	VPSUBB Z19, Z0, Z2       // byte - '0'
	VPCMPUB $1, Z20, Z2, K1  // < 10, unsigned: a digit
	KMOVQ K1, 24(DI)
	VPCMPEQB Z21, Z0, K1
	KMOVQ K1, 32(DI)
	VPCMPEQB Z22, Z0, K1
	KMOVQ K1, 40(DI)
	VPCMPUB $1, Z23, Z0, K1  // < 0x20, unsigned: a control byte
	VPMOVB2M Z0, K2          // high bit: not ASCII
	KORQ K1, K2, K2
	VPCMPEQB Z24, Z0, K1
	KORQ K1, K2, K2
	KMOVQ K2, 56(DI)
	ADDQ $64, SI
	ADDQ $80, DI
	DECQ CX
	JNZ loop
	VZEROUPPER
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
// k (> 0) chunks of 64 bytes at p; m points to k byteMasks (80 bytes each; stop is not written).
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
	ADDQ $64, SI
	ADDQ $80, DI
	DECQ CX
	JNZ avx2loop
	VZEROUPPER
	RET

// func flatWords(m *byteMasks, k int, st *flatState)
// The rules of compactFlat on k chunks' masks (flatWordsGo in Go, which
// it must match): violations are ORed into st.bad, the carries between
// words kept in st, and each chunk's literal starts written over its
// special mask (after special went into bad), for the caller to check.
// Registers: R8 inside, R9 open, R10 closing/value, R11 colon/num,
// R12 comma/minus, R13 keyOpen/dot, R14 outside/starts, R15 bad,
// DX the end of m, AX BX CX R8 R9 scratch.
TEXT ·flatWords(SB), NOSPLIT, $0-24
	MOVQ m+0(FP), DI
	MOVQ k+8(FP), DX
	MOVQ st+16(FP), SI
	IMULQ $80, DX
	ADDQ DI, DX
	MOVQ 104(SI), R15
words:
	MOVQ 56(DI), AX
	ORQ AX, R15               // bad |= special
	MOVQ 64(DI), R8
	XORQ 0(SI), R8            // inside = quoteParity ^ inStr
	MOVQ R8, AX
	SARQ $63, AX
	MOVQ AX, 0(SI)            // inStr
	MOVQ R8, R14
	NOTQ R14                  // outside
	MOVQ 0(DI), R9
	ANDQ R8, R9               // open
	MOVQ 0(DI), R10
	ANDQ R14, R10             // closing
	MOVQ 8(DI), R11
	ANDQ R14, R11             // colon
	MOVQ 16(DI), R12
	ANDQ R14, R12             // comma
	MOVQ R12, R13
	SHLQ $1, R13
	ORQ 24(SI), R13           // keyOpen = comma<<1 | cComma
	MOVQ R12, AX
	SHRQ $63, AX
	MOVQ AX, 24(SI)           // cComma
	MOVQ R9, AX
	NOTQ AX
	ANDQ R13, AX
	ORQ AX, R15               // bad |= keyOpen &^ open
	MOVQ 80(SI), AX
	BTQ $0, AX                // CF = cKey
	MOVQ R8, BX
	ADCQ R13, BX              // inside + keyOpen + cKey
	SETCS AL
	MOVBQZX AL, AX
	MOVQ AX, 80(SI)           // cKey
	ANDQ R14, BX              // keyClose = sum &^ inside
	MOVQ BX, AX
	SHLQ $1, AX
	ORQ 8(SI), AX
	XORQ R11, AX
	ORQ AX, R15               // bad |= colon ^ (keyClose<<1 | cKeyClose)
	MOVQ BX, AX
	SHRQ $63, AX
	MOVQ AX, 8(SI)            // cKeyClose
	NOTQ BX
	ANDQ BX, R10              // valueClose = closing &^ keyClose
	MOVQ R12, CX
	ORQ 72(DI), CX            // comma | stop
	MOVQ CX, BX
	NOTQ BX                   // ^(comma | stop)
	MOVQ R10, AX
	SHLQ $1, AX
	ORQ 16(SI), AX
	ANDQ BX, AX
	ORQ AX, R15               // bad |= (valueClose<<1 | cValueClose) &^ (comma | stop)
	MOVQ R10, AX
	SHRQ $63, AX
	MOVQ AX, 16(SI)           // cValueClose
	MOVQ R8, R10
	ORQ 0(DI), R10
	ORQ R11, R10
	ORQ CX, R10
	NOTQ R10                  // value = ^(inside | quote | colon | comma | stop)
	MOVQ R10, R8
	SHLQ $1, R8
	ORQ 40(SI), R8            // after = value<<1 | cValue
	MOVQ R10, AX
	SHRQ $63, AX
	MOVQ AX, 40(SI)           // cValue
	MOVQ R11, R14
	SHLQ $1, R14
	ORQ 32(SI), R14
	MOVQ R9, AX
	NOTQ AX
	ANDQ AX, R14              // starts = (colon<<1 | cColon) &^ open
	MOVQ R11, AX
	SHRQ $63, AX
	MOVQ AX, 32(SI)           // cColon
	MOVQ R8, AX
	NOTQ AX
	ANDQ R10, AX
	XORQ R14, AX
	ORQ AX, R15               // bad |= value &^ after ^ starts
	MOVQ R10, AX
	NOTQ AX
	ANDQ R8, AX
	ANDQ BX, AX
	ORQ AX, R15               // bad |= after &^ value &^ (comma | stop)
	MOVQ 24(DI), R9
	ORQ 40(DI), R9
	NOTQ R9
	ANDQ R14, R9              // lit = starts &^ (digit | minus)
	MOVQ R9, 56(DI)
	MOVQ 88(SI), AX
	BTQ $0, AX                // CF = cLit
	MOVQ R10, R11
	ADCQ R9, R11              // value + lit + cLit
	SETCS AL
	MOVBQZX AL, AX
	MOVQ AX, 88(SI)           // cLit
	ANDQ R10, R11             // num = value & sum
	MOVQ 24(DI), AX
	ORQ 32(DI), AX
	ORQ 40(DI), AX
	NOTQ AX
	ANDQ R11, AX
	ORQ AX, R15               // bad |= num &^ (digit | dot | minus)
	MOVQ 40(DI), R12
	ANDQ R11, R12             // minus = minus & num
	MOVQ 32(DI), R13
	ANDQ R11, R13             // dot = dot & num
	MOVQ R14, AX
	NOTQ AX
	ANDQ R12, AX
	ORQ AX, R15               // bad |= minus &^ starts
	MOVQ R12, BX
	SHLQ $1, BX
	ORQ 64(SI), BX            // minus<<1 | cMinus
	MOVQ 24(DI), CX
	NOTQ CX                   // ^digit
	MOVQ BX, AX
	ANDQ CX, AX
	ORQ AX, R15               // bad |= (minus<<1 | cMinus) &^ digit
	MOVQ R12, AX
	SHRQ $63, AX
	MOVQ AX, 64(SI)           // cMinus
	MOVQ R14, AX
	ANDQ 24(DI), AX
	ORQ AX, BX                // first = starts & digit | (minus<<1 | cMinus)
	MOVQ 24(DI), AX
	SHLQ $1, AX
	ORQ 48(SI), AX
	NOTQ AX
	ANDQ R13, AX
	ORQ AX, R15               // bad |= dot &^ (digit<<1 | cDigit)
	MOVQ 24(DI), AX
	SHRQ $63, AX
	MOVQ AX, 48(SI)           // cDigit
	MOVQ R13, R8
	SHLQ $1, R8
	ORQ 56(SI), R8            // frac = dot<<1 | cDot
	MOVQ R13, AX
	SHRQ $63, AX
	MOVQ AX, 56(SI)           // cDot
	MOVQ R8, AX
	ANDQ CX, AX
	ORQ AX, R15               // bad |= frac &^ digit
	MOVQ 96(SI), AX
	BTQ $0, AX                // CF = cFrac
	MOVQ 24(DI), R9
	ADCQ R8, R9               // digit + frac + cFrac
	SETCS AL
	MOVBQZX AL, AX
	MOVQ AX, 96(SI)           // cFrac
	ANDQ CX, R9
	ANDQ R10, R9
	ORQ R9, R15               // bad |= sum &^ digit & value
	ANDQ 48(DI), BX           // zero = first & zero
	MOVQ BX, AX
	SHLQ $1, AX
	ORQ 72(SI), AX
	ANDQ 24(DI), AX
	ORQ AX, R15               // bad |= (zero<<1 | cZero) & digit
	SHRQ $63, BX
	MOVQ BX, 72(SI)           // cZero
	ADDQ $80, DI
	CMPQ DI, DX
	JNE words
	MOVQ R15, 104(SI)
	RET
