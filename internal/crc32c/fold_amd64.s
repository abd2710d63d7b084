//go:build !purego

#include "textflag.h"

// hybrid computes the CRC-32C of whole blocks with two engines at once, since
// on the CPUs we measure neither saturates the core alone: a carry-less
// multiply fold over the first VEC bytes of a block and three CRC32
// instruction streams over the three STREAM-byte thirds of the rest. The
// four states are then joined by moving each past the bytes after it.
//
// Folding: the bytes are a polynomial; a 16-byte lane L·x^64 + H is moved d
// bits forward by L·K1 + H·K2 (K1 = x^(63+d), K2 = x^(d-1) mod P, see
// foldConst) and XORed into the lane found there. Four YMM accumulators take
// 128 bytes per step and are folded into one 16-byte lane at the end of the
// block, which two CRC32 instructions turn into a state.
//
// Joining: a state s is moved n bytes forward by a carry-less multiply with
// x^(8n-33) mod P and one CRC32 instruction over the product (shiftConst).
//
// hybrid takes as many whole blocks as p holds and returns how many bytes
// that was, so a block size that disagrees with the Go side's constants
// (which the multipliers are made for) gives wrong sums in the tests, never a
// read past p. hybridIters in const.go must equal ITERS.
#define ITERS 16
#define VEC (128*ITERS)
#define STREAM (40*ITERS)
#define BLOCK (VEC+3*STREAM)

// FOLD moves each 16-byte lane of acc forward by the multipliers in k and
// XORs it into into. t is scratch.
#define FOLD(k, acc, t, into) \
	VPCLMULQDQ $0x00, k, acc, t \
	VPCLMULQDQ $0x11, k, acc, acc \
	VPXOR      t, acc, acc \
	VPXOR      into, acc, acc

// STREAMS runs 40 bytes of each CRC32 stream.
#define STREAMS \
	CRC32Q (R11), R8 \
	CRC32Q (R12), R9 \
	CRC32Q (R13), R10 \
	CRC32Q 8(R11), R8 \
	CRC32Q 8(R12), R9 \
	CRC32Q 8(R13), R10 \
	CRC32Q 16(R11), R8 \
	CRC32Q 16(R12), R9 \
	CRC32Q 16(R13), R10 \
	CRC32Q 24(R11), R8 \
	CRC32Q 24(R12), R9 \
	CRC32Q 24(R13), R10 \
	CRC32Q 32(R11), R8 \
	CRC32Q 32(R12), R9 \
	CRC32Q 32(R13), R10 \
	ADDQ   $40, R11 \
	ADDQ   $40, R12 \
	ADDQ   $40, R13

// SHIFT moves the state in reg forward by the multiplier at off(DX) and XORs
// the result into AX. It uses X1, BX and DI.
#define SHIFT(reg, off) \
	VMOVD      reg, X1 \
	VPCLMULQDQ $0x00, off(DX), X1, X1 \
	VMOVQ      X1, BX \
	XORL       DI, DI \
	CRC32Q     BX, DI \
	XORL       DI, AX

// func hybrid(crc uint32, p []byte, k *keyTable) (uint32, int)
TEXT ·hybrid(SB), NOSPLIT, $0-56
	MOVL crc+0(FP), AX
	NOTL AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX
	CMPQ CX, $BLOCK
	JB   none
	VBROADCASTI128 (DX), Y5 // 1024 bits, the fold step

block:
	LEAQ VEC(SI), R11
	LEAQ (VEC+STREAM)(SI), R12
	LEAQ (VEC+2*STREAM)(SI), R13
	XORL R8, R8
	XORL R9, R9
	XORL R10, R10

	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVD   AX, X4 // the running state goes into the block's first 4 bytes
	VPXOR   Y4, Y0, Y0
	ADDQ    $128, SI
	STREAMS
	MOVQ    $(ITERS-1), BX

loop:
	FOLD(Y5, Y0, Y6, (SI))
	FOLD(Y5, Y1, Y7, 32(SI))
	FOLD(Y5, Y2, Y8, 64(SI))
	FOLD(Y5, Y3, Y9, 96(SI))
	STREAMS
	ADDQ $128, SI
	DECQ BX
	JNZ  loop

	// The four accumulators into one lane, the lane into a state.
	VBROADCASTI128 16(DX), Y6 // 256 bits
	FOLD(Y6, Y0, Y7, Y1)
	FOLD(Y6, Y0, Y7, Y2)
	FOLD(Y6, Y0, Y7, Y3)
	VEXTRACTI128   $1, Y0, X1
	VMOVDQU        32(DX), X6 // 128 bits
	FOLD(X6, X0, X7, X1)
	VMOVQ          X0, BX
	VPEXTRQ        $1, X0, DI
	MOVQ           R10, AX // the last stream needs no move
	XORL           R10, R10
	CRC32Q         BX, R10
	CRC32Q         DI, R10

	SHIFT(R10, 48) // the fold's state, past 3 streams
	SHIFT(R8, 56)  // the first stream's, past 2
	SHIFT(R9, 64)  // the second's, past 1

	MOVQ R13, SI // the third stream ended where the next block starts
	SUBQ $BLOCK, CX
	CMPQ CX, $BLOCK
	JAE  block
	VZEROUPPER

none:
	NOTL AX
	MOVL AX, sum+40(FP)
	MOVQ p_len+16(FP), BX
	SUBQ CX, BX
	MOVQ BX, n+48(FP)
	RET

// func cpuid(leaf, sub uint32) (a, b, c, d uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, a+8(FP)
	MOVL BX, b+12(FP)
	MOVL CX, c+16(FP)
	MOVL DX, d+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
