/*
 * decode.c - x86 instruction decoding, driven by opcode tables.
 *
 * Paper section 2 (trap-and-emulate needs to know what trapped) and
 * section 3 (the translator must split guest code into instructions
 * exactly).  An instruction is: prefixes, an opcode (one byte, or 0f and
 * a byte), perhaps a ModRM byte, a SIB byte and a displacement, then
 * immediates.  The tables below say, per opcode, which of those follow
 * and what the instruction is; the code only walks the bytes.  Encodings
 * the Intel SDM leaves undefined, and extensions newer than SSE3 (VEX,
 * 0f 38/0f 3a, 3DNow!), are refused rather than guessed at.
 */
#include "vmm/decode.h"
#include "vmm/vcpu.h"

/* Immediate kinds. */
enum {
	I_NONE,
	I_B,		/* 8 bits, zero-extended */
	I_BS,		/* 8 bits, sign-extended (83, 6a, 6b, rel8) */
	I_W,		/* 16 bits (ret iw) */
	I_Z,		/* 16 or 32 bits by operand size */
	I_ENTER,	/* iw, ib */
	I_PTR,		/* far pointer: iz offset, iw selector */
	I_MOFFS,	/* an offset of address size (a0-a3) */
	I_GRP3,		/* f6/f7: an immediate only for test (/0, /1) */
};

/* What else the decoder must check before accepting an encoding. */
enum {
	R_UNDEF,	/* no such instruction */
	R_OK,
	R_MEM,		/* r/m must be memory */
	R_REG,		/* r/m must be a register */
	R_GROUP,	/* the reg field selects; see group() */
	R_X87,		/* see x87_ok() */
	R_SIMD,		/* see simd[] */
};

/* Table-only flags, turned into INSN_MEM_R/W when the r/m is memory. */
#define RMR	0x40000000
#define RMW	0x80000000
#define RMRW	(RMR | RMW)

struct opdesc {
	uint32_t flags;		/* INSN_* and RM* */
	uint8_t imm;		/* I_* */
	uint8_t rule;		/* R_* */
};

#define M	INSN_MODRM
#define OK(fl, im)	{ (fl), (im), R_OK }
#define MEMONLY(fl, im)	{ (fl) | M, (im), R_MEM }
#define GROUP(fl, im)	{ (fl) | M, (im), R_GROUP }
#define ALU(op, w)	[op] = OK(M | (w), I_NONE), [op + 1] = OK(M | (w), I_NONE), \
			[op + 2] = OK(M | RMR, I_NONE), [op + 3] = OK(M | RMR, I_NONE), \
			[op + 4] = OK(0, I_B), [op + 5] = OK(0, I_Z)
#define PUSH	(INSN_STACK | INSN_MEM_W)
#define POP	(INSN_STACK | INSN_MEM_R)
#define STR	INSN_STRING

static const struct opdesc onebyte[256] = {
	ALU(0x00, RMRW), ALU(0x08, RMRW), ALU(0x10, RMRW), ALU(0x18, RMRW),
	ALU(0x20, RMRW), ALU(0x28, RMRW), ALU(0x30, RMRW), ALU(0x38, RMR),	/* cmp reads */
	[0x06] = OK(PUSH, I_NONE), [0x07] = OK(POP | INSN_SEGLOAD, I_NONE),
	[0x0e] = OK(PUSH | INSN_SENSITIVE, I_NONE),	/* push %cs shows the ring */
	[0x16] = OK(PUSH | INSN_SENSITIVE, I_NONE), [0x17] = OK(POP | INSN_SEGLOAD, I_NONE),
	[0x1e] = OK(PUSH, I_NONE), [0x1f] = OK(POP | INSN_SEGLOAD, I_NONE),
	[0x27] = OK(0, I_NONE), [0x2f] = OK(0, I_NONE),	/* daa, das */
	[0x37] = OK(0, I_NONE), [0x3f] = OK(0, I_NONE),	/* aaa, aas */
	[0x40 ... 0x4f] = OK(0, I_NONE),		/* inc, dec */
	[0x50 ... 0x57] = OK(PUSH, I_NONE),
	[0x58 ... 0x5f] = OK(POP, I_NONE),
	[0x60] = OK(PUSH, I_NONE), [0x61] = OK(POP, I_NONE),	/* pusha, popa */
	[0x62] = MEMONLY(RMR, I_NONE),			/* bound */
	[0x63] = OK(M | RMRW | INSN_SENSITIVE, I_NONE),	/* arpl */
	[0x68] = OK(PUSH, I_Z), [0x6a] = OK(PUSH, I_BS),
	[0x69] = OK(M | RMR, I_Z), [0x6b] = OK(M | RMR, I_BS),	/* imul */
	[0x6c ... 0x6d] = OK(STR | INSN_IO | INSN_IOPL | INSN_MEM_W, I_NONE),	/* ins */
	[0x6e ... 0x6f] = OK(STR | INSN_IO | INSN_IOPL | INSN_MEM_R, I_NONE),	/* outs */
	[0x70 ... 0x7f] = OK(INSN_JCC, I_BS),
	[0x80] = OK(M | RMRW, I_B), [0x81] = OK(M | RMRW, I_Z),
	[0x82] = OK(M | RMRW, I_B), [0x83] = OK(M | RMRW, I_BS),
	[0x84 ... 0x85] = OK(M | RMR, I_NONE),		/* test */
	[0x86 ... 0x87] = OK(M | RMRW, I_NONE),		/* xchg */
	[0x88 ... 0x89] = OK(M | RMW, I_NONE),		/* mov r/m, r */
	[0x8a ... 0x8b] = OK(M | RMR, I_NONE),		/* mov r, r/m */
	[0x8c] = GROUP(RMW | INSN_SENSITIVE, I_NONE),	/* mov r/m, sreg */
	[0x8d] = MEMONLY(0, I_NONE),			/* lea */
	[0x8e] = GROUP(RMR | INSN_SEGLOAD, I_NONE),	/* mov sreg, r/m */
	[0x8f] = GROUP(RMW | POP, I_NONE),		/* pop r/m */
	[0x90 ... 0x99] = OK(0, I_NONE),		/* xchg, nop, cwde, cdq */
	[0x9a] = OK(INSN_CALL | INSN_FAR | PUSH, I_PTR),
	[0x9b] = OK(0, I_NONE),				/* wait */
	[0x9c] = OK(PUSH | INSN_SENSITIVE, I_NONE),	/* pushf: shows IF, IOPL */
	[0x9d] = OK(POP | INSN_SENSITIVE, I_NONE),	/* popf: ignores IF, IOPL */
	[0x9e ... 0x9f] = OK(0, I_NONE),		/* sahf, lahf */
	[0xa0 ... 0xa1] = OK(INSN_MEM_R, I_MOFFS),
	[0xa2 ... 0xa3] = OK(INSN_MEM_W, I_MOFFS),
	[0xa4 ... 0xa5] = OK(STR | INSN_MEM_R | INSN_MEM_W, I_NONE),	/* movs */
	[0xa6 ... 0xa7] = OK(STR | INSN_MEM_R, I_NONE),	/* cmps */
	[0xa8] = OK(0, I_B), [0xa9] = OK(0, I_Z),		/* test */
	[0xaa ... 0xab] = OK(STR | INSN_MEM_W, I_NONE),	/* stos */
	[0xac ... 0xaf] = OK(STR | INSN_MEM_R, I_NONE),	/* lods, scas */
	[0xb0 ... 0xb7] = OK(0, I_B), [0xb8 ... 0xbf] = OK(0, I_Z),
	[0xc0 ... 0xc1] = GROUP(RMRW, I_B),		/* shifts */
	[0xc2] = OK(INSN_RET | POP, I_W), [0xc3] = OK(INSN_RET | POP, I_NONE),
	[0xc4 ... 0xc5] = MEMONLY(RMR | INSN_SEGLOAD, I_NONE),	/* les, lds */
	[0xc6] = GROUP(RMW, I_B), [0xc7] = GROUP(RMW, I_Z),	/* mov r/m, imm */
	[0xc8] = OK(PUSH, I_ENTER), [0xc9] = OK(POP, I_NONE),
	[0xca] = OK(INSN_RET | INSN_FAR | POP, I_W),
	[0xcb] = OK(INSN_RET | INSN_FAR | POP, I_NONE),
	[0xcc] = OK(INSN_INT, I_NONE), [0xcd] = OK(INSN_INT, I_B),
	[0xce] = OK(INSN_INT, I_NONE),
	[0xcf] = OK(INSN_IRET | INSN_FAR | POP | INSN_SENSITIVE, I_NONE),
	[0xd0 ... 0xd3] = GROUP(RMRW, I_NONE),		/* shifts */
	[0xd4 ... 0xd5] = OK(0, I_B),			/* aam, aad */
	[0xd6] = OK(0, I_NONE),		/* salc: undocumented, but QEMU runs it */
	[0xd7] = OK(INSN_MEM_R, I_NONE),		/* xlat */
	[0xd8 ... 0xdf] = { M | INSN_X87, I_NONE, R_X87 },
	[0xe0 ... 0xe3] = OK(INSN_JCC, I_BS),		/* loop*, jecxz */
	[0xe4 ... 0xe7] = OK(INSN_IO | INSN_IOPL, I_B),
	[0xe8] = OK(INSN_CALL | PUSH, I_Z), [0xe9] = OK(INSN_JMP, I_Z),
	[0xea] = OK(INSN_JMP | INSN_FAR, I_PTR), [0xeb] = OK(INSN_JMP, I_BS),
	[0xec ... 0xef] = OK(INSN_IO | INSN_IOPL, I_NONE),
	[0xf1] = OK(INSN_INT, I_NONE),			/* int1 (icebp) */
	[0xf4] = OK(INSN_PRIV, I_NONE),			/* hlt */
	[0xf5] = OK(0, I_NONE),				/* cmc */
	[0xf6] = GROUP(0, I_GRP3), [0xf7] = GROUP(0, I_GRP3),
	[0xf8 ... 0xf9] = OK(0, I_NONE), [0xfc ... 0xfd] = OK(0, I_NONE),
	[0xfa ... 0xfb] = OK(INSN_IOPL, I_NONE),	/* cli, sti */
	[0xfe] = GROUP(RMRW, I_NONE), [0xff] = GROUP(0, I_NONE),
};

/* 0f 10-17, 28-2f, 50-7f, c2-c6, d0-ff: MMX, SSE, SSE2, SSE3. */
#define PNP	0x01		/* valid with no mandatory prefix */
#define P66	0x02
#define PF3	0x04
#define PF2	0x08
#define PALL	(PNP | P66 | PF3 | PF2)
#define PMMX	(PNP | P66)	/* MMX, and the SSE2 form with 66 */
#define S_MEM	0x10		/* only a memory r/m */
#define S_REG	0x20		/* only a register r/m */
#define S_IB	0x40		/* an imm8 follows */
#define S_GRP	0x80		/* 0f 71-73: the reg field selects */

static const uint8_t simd[256] = {
	[0x10 ... 0x11] = PALL, [0x12] = PALL, [0x13] = PMMX | S_MEM,
	[0x14 ... 0x15] = PMMX, [0x16] = PNP | P66 | PF3, [0x17] = PMMX | S_MEM,
	[0x28 ... 0x29] = PMMX, [0x2a] = PALL, [0x2b] = PMMX | S_MEM,
	[0x2c ... 0x2d] = PALL, [0x2e ... 0x2f] = PMMX,
	[0x50] = PMMX | S_REG, [0x51] = PALL, [0x52 ... 0x53] = PNP | PF3,
	[0x54 ... 0x57] = PMMX, [0x58 ... 0x5a] = PALL, [0x5b] = PNP | P66 | PF3,
	[0x5c ... 0x5f] = PALL,
	[0x60 ... 0x6b] = PMMX, [0x6c ... 0x6d] = P66, [0x6e] = PMMX,
	[0x6f] = PNP | P66 | PF3, [0x70] = PALL | S_IB,
	[0x71 ... 0x73] = PMMX | S_REG | S_IB | S_GRP,
	[0x74 ... 0x76] = PMMX, [0x77] = PNP,		/* 77 is emms: no ModRM */
	[0x7c ... 0x7d] = P66 | PF2, [0x7e ... 0x7f] = PNP | P66 | PF3,
	[0xc2] = PALL | S_IB, [0xc3] = PNP | S_MEM, [0xc4] = PMMX | S_IB,
	[0xc5] = PMMX | S_REG | S_IB, [0xc6] = PMMX | S_IB,
	[0xd0] = P66 | PF2, [0xd1 ... 0xd5] = PMMX, [0xd6] = P66 | PF3 | PF2,
	[0xd7] = PMMX | S_REG, [0xd8 ... 0xe5] = PMMX, [0xe6] = P66 | PF3 | PF2,
	[0xe7] = PMMX | S_MEM, [0xe8 ... 0xef] = PMMX, [0xf0] = PF2 | S_MEM,
	[0xf1 ... 0xf6] = PMMX, [0xf7] = PMMX | S_REG, [0xf8 ... 0xfe] = PMMX,
};

#define SIMD_ENTRY	{ M | INSN_SIMD, I_NONE, R_SIMD }

static const struct opdesc twobyte[256] = {
	[0x00] = GROUP(0, I_NONE), [0x01] = GROUP(0, I_NONE),	/* groups 6, 7 */
	[0x02 ... 0x03] = OK(M | RMR | INSN_SENSITIVE, I_NONE),	/* lar, lsl */
	[0x06] = OK(INSN_PRIV, I_NONE),				/* clts */
	[0x08 ... 0x09] = OK(INSN_PRIV, I_NONE),		/* invd, wbinvd */
	[0x0b] = OK(INSN_UD, I_NONE),				/* ud2 */
	[0x10 ... 0x17] = SIMD_ENTRY,
	[0x18] = MEMONLY(0, I_NONE),				/* prefetch */
	[0x19 ... 0x1f] = OK(M, I_NONE),	/* hint nops: registers too (nopl %eax) */
	[0x20 ... 0x23] = OK(M | INSN_PRIV, I_NONE),		/* mov cr, dr */
	[0x28 ... 0x2f] = SIMD_ENTRY,
	[0x30] = OK(INSN_PRIV, I_NONE), [0x32] = OK(INSN_PRIV, I_NONE),	/* wrmsr, rdmsr */
	[0x31] = OK(INSN_SENSITIVE, I_NONE),			/* rdtsc (CR4.TSD) */
	[0x33] = OK(INSN_SENSITIVE, I_NONE),			/* rdpmc */
	[0x34] = OK(INSN_JMP | INSN_FAR, I_NONE),		/* sysenter */
	[0x35] = OK(INSN_JMP | INSN_FAR | INSN_PRIV, I_NONE),	/* sysexit */
	[0x40 ... 0x4f] = OK(M | RMR, I_NONE),			/* cmovcc */
	[0x50 ... 0x76] = SIMD_ENTRY,
	[0x77] = OK(0, I_NONE),					/* emms */
	[0x7c ... 0x7f] = SIMD_ENTRY,
	[0x80 ... 0x8f] = OK(INSN_JCC, I_Z),
	[0x90 ... 0x9f] = OK(M | RMW, I_NONE),			/* setcc */
	[0xa0] = OK(PUSH, I_NONE), [0xa1] = OK(POP | INSN_SEGLOAD, I_NONE),
	[0xa2] = OK(0, I_NONE),					/* cpuid */
	[0xa3] = OK(M | RMR, I_NONE),				/* bt */
	[0xa4] = OK(M | RMRW, I_B), [0xa5] = OK(M | RMRW, I_NONE),	/* shld */
	[0xa8] = OK(PUSH, I_NONE), [0xa9] = OK(POP | INSN_SEGLOAD, I_NONE),
	[0xab] = OK(M | RMRW, I_NONE),				/* bts */
	[0xac] = OK(M | RMRW, I_B), [0xad] = OK(M | RMRW, I_NONE),	/* shrd */
	[0xae] = GROUP(0, I_NONE),				/* group 15 */
	[0xaf] = OK(M | RMR, I_NONE),				/* imul */
	[0xb0 ... 0xb1] = OK(M | RMRW, I_NONE),			/* cmpxchg */
	[0xb2] = MEMONLY(RMR | INSN_SEGLOAD, I_NONE),		/* lss */
	[0xb3] = OK(M | RMRW, I_NONE),				/* btr */
	[0xb4 ... 0xb5] = MEMONLY(RMR | INSN_SEGLOAD, I_NONE),	/* lfs, lgs */
	[0xb6 ... 0xb7] = OK(M | RMR, I_NONE),			/* movzx */
	[0xb8] = OK(M | RMR, I_NONE),				/* popcnt (f3 only) */
	[0xba] = GROUP(0, I_B),					/* group 8 */
	[0xbb] = OK(M | RMRW, I_NONE),				/* btc */
	[0xbc ... 0xbd] = OK(M | RMR, I_NONE),			/* bsf, bsr */
	[0xbe ... 0xbf] = OK(M | RMR, I_NONE),			/* movsx */
	[0xc0 ... 0xc1] = OK(M | RMRW, I_NONE),			/* xadd */
	[0xc2 ... 0xc6] = SIMD_ENTRY,
	[0xc7] = GROUP(0, I_NONE),				/* group 9 */
	[0xc8 ... 0xcf] = OK(0, I_NONE),			/* bswap */
	[0xd0 ... 0xfe] = SIMD_ENTRY,
};

/*
 * x87 escapes with a register operand (mod 3): one bit per ModRM byte
 * c0-ff, per escape d8-df.  Holes are the SDM's reserved encodings and
 * the undocumented aliases (fstp1, fxch4, ffreep, ...), which a kernel
 * has no business using.
 */
static const uint64_t x87_reg_ok[8] = {
	0xffffffffffffffffULL,	/* d8: all */
	0xffff7f330001ffffULL,	/* d9: fld, fxch, fnop, fchs.., constants, f2xm1.. */
	0x00000200ffffffffULL,	/* da: fcmov, fucompp */
	0x00ffff0cffffffffULL,	/* db: fcmov, fclex, finit, fucomi, fcomi */
	0xffffffff0000ffffULL,	/* dc: all but the d0-df aliases */
	0x0000ffffffff00ffULL,	/* dd: ffree, fst, fstp, fucom, fucomp */
	0xffffffff0200ffffULL,	/* de: all but d0-df, except fcompp */
	0x00ffff0100000000ULL,	/* df: fnstsw %ax, fucomip, fcomip */
};

static bool
x87_ok(uint8_t op, uint8_t modrm)
{
	uint8_t reg = (modrm >> 3) & 7;

	if (modrm < 0xc0) {
		/* Reserved memory forms: d9 /1, db /4, db /6, dd /5. */
		return !((op == 0xd9 && reg == 1) || (op == 0xdb && (reg == 4 || reg == 6)) ||
			 (op == 0xdd && reg == 5));
	}
	return (x87_reg_ok[op - 0xd8] >> (modrm - 0xc0)) & 1;
}

/*
 * SSE opcodes take 66, f2 or f3 as part of the opcode (a "mandatory
 * prefix").  We read it only from the last prefix byte, where assemblers
 * put it; a 66 further out is taken as no prefix (MMX), and an f2/f3
 * further out, or two of them, is refused rather than resolved by the
 * CPU's precedence rules, which no compiler relies on.
 */
static bool
decode_simd(struct insn *in, uint8_t last, uint8_t *imm)
{
	uint8_t e = simd[in->op], p;
	uint8_t rep = in->prefixes & (PFX_REP | PFX_REPNE);

	if (rep && ((in->prefixes & PFX_OPSIZE) || (last != 0xf2 && last != 0xf3)))
		return false;
	p = last == 0xf3 ? PF3 : last == 0xf2 ? PF2 : last == 0x66 ? P66 : PNP;
	if (!(e & p))
		return false;
	if ((e & S_MEM) && !in->mem)
		return false;
	if ((e & S_REG) && in->mem)
		return false;
	if (e & S_GRP) {
		/* psrl/psra/psll w d q: /2 /4 /6; 73 adds psrldq /3, pslldq /7 with 66 */
		bool ok = in->reg == 2 || in->reg == 6 || (in->reg == 4 && in->op != 0x73) ||
			  ((in->reg == 3 || in->reg == 7) && in->op == 0x73 && p == P66);
		if (!ok)
			return false;
	}
	if (in->op == 0x12 || in->op == 0x16) {
		/* movlpd/movhpd (66) take memory only */
		if (p == P66 && !in->mem)
			return false;
	}
	if (in->op == 0xd6 && p != P66 && in->mem)
		return false;	/* movq2dq, movdq2q: registers only */
	*imm = (e & S_IB) ? I_B : I_NONE;
	in->flags |= in->mem ? (INSN_MEM_R | INSN_MEM_W) : 0;
	return true;
}

/*
 * The groups: opcodes whose ModRM reg field picks the instruction.
 * Returns false for the undefined members; adds each member's flags.
 */
static bool
decode_group(struct insn *in, uint8_t *imm)
{
	uint8_t r = in->reg;

	if (in->map == MAP_ONE) {
		switch (in->op) {
		case 0x8c:	/* mov from sreg: es, cs, ss, ds, fs, gs */
			return r < 6;
		case 0x8e:	/* cs cannot be loaded with mov */
			return r < 6 && r != SEG_CS;
		case 0x8f:
		case 0xc6:
		case 0xc7:
			return r == 0;
		case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
			/* /6 is the undocumented alias of shl (SH_SAL), which
			 * QEMU's CPU and Intel's run as shl. */
			return true;
		case 0xf6:
		case 0xf7:
			if (r == 1)
				return false;	/* undocumented test alias */
			if (r == 0) {
				*imm = in->op == 0xf6 ? I_B : I_Z;
				in->flags |= RMR;
			} else if (r == 2 || r == 3) {
				in->flags |= RMRW;	/* not, neg */
			} else {
				in->flags |= RMR;	/* mul, imul, div, idiv */
			}
			return true;
		case 0xfe:
			return r < 2;
		case 0xff:
			switch (r) {
			case 0: case 1: in->flags |= RMRW; return true;
			case 2: in->flags |= RMR | INSN_CALL | INSN_INDIRECT | PUSH; return true;
			case 3: in->flags |= RMR | INSN_CALL | INSN_INDIRECT | INSN_FAR | PUSH;
				return in->mem;
			case 4: in->flags |= RMR | INSN_JMP | INSN_INDIRECT; return true;
			case 5: in->flags |= RMR | INSN_JMP | INSN_INDIRECT | INSN_FAR;
				return in->mem;
			case 6: in->flags |= RMR | PUSH; return true;
			}
			return false;
		}
		return false;
	}

	switch (in->op) {
	case 0x00:	/* sldt, str, lldt, ltr, verr, verw */
		if (r >= 6)
			return false;
		in->flags |= r < 2 ? (RMW | INSN_SENSITIVE) :
			     r < 4 ? (RMR | INSN_PRIV) : (INSN_SENSITIVE);
		return true;
	case 0x01:
		if (in->mem) {
			static const uint32_t g7[8] = {
				RMW | INSN_SENSITIVE, RMW | INSN_SENSITIVE,	/* sgdt, sidt */
				RMR | INSN_PRIV, RMR | INSN_PRIV,		/* lgdt, lidt */
				RMW | INSN_SENSITIVE, 0,			/* smsw */
				RMR | INSN_PRIV, INSN_PRIV,			/* lmsw, invlpg */
			};
			in->flags |= g7[r];
			return r != 5;
		}
		if (r == 4) {			/* smsw r */
			in->flags |= INSN_SENSITIVE;
			return true;
		}
		if (r == 6) {			/* lmsw r */
			in->flags |= INSN_PRIV;
			return true;
		}
		/* vmcall..vmxoff, monitor, mwait, xgetbv, xsetbv, rdtscp:
		 * privileged or not, but only on a CPU that has them, which
		 * is the emulator's to ask (group7() in emul_sys.c) - a CPU
		 * without raises #UD at any CPL, before any privilege check */
		switch (in->modrm) {
		case 0xc1: case 0xc2: case 0xc3: case 0xc4:
		case 0xc8: case 0xc9: case 0xd1:
		case 0xd0: case 0xf9:
			in->flags |= INSN_SENSITIVE;
			return true;
		}
		return false;
	case 0xae:	/* group 15 */
		if (in->mem) {
			static const uint32_t g15[8] = {
				RMW, RMR, RMR, RMW,	/* fxsave, fxrstor, ldmxcsr, stmxcsr */
				0, 0, 0, RMR,		/* xsave..(refused), clflush */
			};
			in->flags |= g15[r] | INSN_SIMD;
			return r < 4 || r == 7;
		}
		return r >= 5 && in->modrm >= 0xe8 && (in->modrm & 7) == 0;	/* l/m/sfence */
	case 0xba:	/* bt, bts, btr, btc imm8 */
		if (r < 4)
			return false;
		in->flags |= r == 4 ? RMR : RMRW;
		return true;
	case 0xc7:	/* cmpxchg8b m64 */
		in->flags |= RMRW;
		return r == 1 && in->mem;
	}
	return false;
}

/*
 * lock is allowed only on the read-modify-write instructions the SDM
 * lists, with a memory destination; anything else raises #UD.
 */
static bool
lock_ok(const struct insn *in)
{
	uint8_t op = in->op;

	if (!in->mem)
		return false;
	if (in->map == MAP_ONE) {
		if (op < 0x38 && (op & 7) < 2)
			return true;			/* add, or, adc, sbb, and, sub, xor */
		if (op >= 0x80 && op <= 0x83)
			return in->reg != 7;		/* not cmp */
		if (op == 0x86 || op == 0x87)
			return true;			/* xchg */
		if (op == 0xf6 || op == 0xf7)
			return in->reg == 2 || in->reg == 3;	/* not, neg */
		if (op == 0xfe || op == 0xff)
			return in->reg < 2;		/* inc, dec */
		return false;
	}
	switch (op) {
	case 0xab: case 0xb3: case 0xbb:		/* bts, btr, btc */
	case 0xb0: case 0xb1: case 0xc0: case 0xc1:	/* cmpxchg, xadd */
		return true;
	case 0xba:
		return in->reg >= 5;
	case 0xc7:
		return in->reg == 1;			/* cmpxchg8b */
	}
	return false;
}

/* Decode ModRM, SIB and displacement: 32-bit address forms. */
static int
modrm32(struct insn *in, const uint8_t *p, int pos, size_t avail)
{
	if (in->rm == 4) {
		if ((size_t) pos >= avail)
			return DECODE_TRUNC;
		in->has_sib = true;
		in->sib = p[pos++];
		in->scale = 1 << (in->sib >> 6);
		in->index = ((in->sib >> 3) & 7) == 4 ? INSN_NOREG : (in->sib >> 3) & 7;
		in->base = in->sib & 7;
		if (in->base == REG_EBP && in->mod == 0) {
			in->base = INSN_NOREG;
			in->disp_size = 4;
		}
	} else if (in->rm == 5 && in->mod == 0) {
		in->base = INSN_NOREG;
		in->disp_size = 4;
	} else {
		in->base = in->rm;
	}
	if (in->mod == 1)
		in->disp_size = 1;
	else if (in->mod == 2)
		in->disp_size = 4;
	if (in->base == REG_ESP || in->base == REG_EBP)
		in->seg = SEG_SS;
	return pos;
}

/* 16-bit address forms (after 67): [bx+si], [bx+di], [bp+si], ... */
static int
modrm16(struct insn *in, int pos)
{
	static const int8_t base16[8] = {
		REG_EBX, REG_EBX, REG_EBP, REG_EBP, REG_ESI, REG_EDI, REG_EBP, REG_EBX
	};
	static const int8_t index16[8] = {
		REG_ESI, REG_EDI, REG_ESI, REG_EDI, INSN_NOREG, INSN_NOREG,
		INSN_NOREG, INSN_NOREG
	};

	in->base = base16[in->rm];
	in->index = index16[in->rm];
	if (in->mod == 0 && in->rm == 6) {
		in->base = INSN_NOREG;
		in->disp_size = 2;
	} else if (in->mod == 1) {
		in->disp_size = 1;
	} else if (in->mod == 2) {
		in->disp_size = 2;
	}
	if (in->base == REG_EBP)
		in->seg = SEG_SS;
	return pos;
}

/* Little-endian value of n bytes at p, sign-extended if sx. */
static uint32_t
fetch(const uint8_t *p, int n, bool sx)
{
	uint32_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	if (sx && n == 1)
		v = (uint32_t) (int32_t) (int8_t) v;
	else if (sx && n == 2)
		v = (uint32_t) (int32_t) (int16_t) v;
	return v;
}

/* Room for n more bytes at pos? */
static int
need(int pos, int n, size_t avail)
{
	if (pos + n > INSN_MAXLEN)
		return DECODE_TOOLONG;
	if ((size_t) (pos + n) > avail)
		return DECODE_TRUNC;
	return 0;
}

static int
decode_prefixes(struct insn *in, const uint8_t *p, size_t avail)
{
	int pos = 0, err;

	for (;;) {
		if ((err = need(pos, 1, avail)) < 0)
			return err;
		switch (p[pos]) {
		case 0xf0: in->prefixes |= PFX_LOCK; break;
		case 0xf2: in->prefixes = (in->prefixes & ~PFX_REP) | PFX_REPNE; break;
		case 0xf3: in->prefixes = (in->prefixes & ~PFX_REPNE) | PFX_REP; break;
		case 0x66: in->prefixes |= PFX_OPSIZE; break;
		case 0x67: in->prefixes |= PFX_ADSIZE; break;
		case 0x26: in->seg = SEG_ES; in->prefixes |= PFX_SEG; break;
		case 0x2e: in->seg = SEG_CS; in->prefixes |= PFX_SEG; break;
		case 0x36: in->seg = SEG_SS; in->prefixes |= PFX_SEG; break;
		case 0x3e: in->seg = SEG_DS; in->prefixes |= PFX_SEG; break;
		case 0x64: in->seg = SEG_FS; in->prefixes |= PFX_SEG; break;
		case 0x65: in->seg = SEG_GS; in->prefixes |= PFX_SEG; break;
		default:
			return pos;
		}
		pos++;
	}
}

int
insn_decode(struct insn *in, const uint8_t *p, size_t avail)
{
	const struct opdesc *d;
	int pos, err, n;
	uint8_t imm, seg_override;

	*in = (struct insn) { .seg = SEG_DS, .base = INSN_NOREG, .index = INSN_NOREG,
			      .scale = 1 };
	if ((pos = decode_prefixes(in, p, avail)) < 0)
		return pos;
	in->npfx = pos;
	seg_override = in->seg;
	in->opsize = (in->prefixes & PFX_OPSIZE) ? 2 : 4;
	in->adsize = (in->prefixes & PFX_ADSIZE) ? 2 : 4;

	in->op = p[pos++];
	d = &onebyte[in->op];
	if (in->op == 0x0f) {
		if ((err = need(pos, 1, avail)) < 0)
			return err;
		in->map = MAP_0F;
		in->op = p[pos++];
		d = &twobyte[in->op];
	}
	if (d->rule == R_UNDEF)
		return DECODE_UNDEF;
	in->flags = d->flags;
	imm = d->imm;

	if (in->flags & INSN_MODRM) {
		if ((err = need(pos, 1, avail)) < 0)
			return err;
		in->modrm = p[pos++];
		in->mod = in->modrm >> 6;
		in->reg = (in->modrm >> 3) & 7;
		in->rm = in->modrm & 7;
		/* mov cr/dr ignore mod: the operand is always a register */
		in->mem = in->mod != 3 && !(in->map == MAP_0F && in->op >= 0x20 && in->op <= 0x23);
		if (in->mem) {
			if (in->adsize == 4) {
				if (in->rm == 4 && (err = need(pos, 1, avail)) < 0)
					return err;
				pos = modrm32(in, p, pos, avail);
			} else {
				pos = modrm16(in, pos);
			}
			if ((err = need(pos, in->disp_size, avail)) < 0)
				return err;
			in->disp = fetch(p + pos, in->disp_size, true);
			pos += in->disp_size;
		}
	}

	switch (d->rule) {
	case R_MEM:
		/* f3 0f 1e fb is endbr32 (CET), a register-form hint nop */
		if (!in->mem && !(in->map == MAP_0F && in->op == 0x1e && in->modrm == 0xfb &&
				  (in->prefixes & PFX_REP)))
			return DECODE_UNDEF;
		break;
	case R_GROUP:
		if (!decode_group(in, &imm))
			return DECODE_UNDEF;
		break;
	case R_X87:
		if (!x87_ok(in->op, in->modrm))
			return DECODE_UNDEF;
		break;
	case R_SIMD:
		if (!decode_simd(in, in->npfx ? p[in->npfx - 1] : 0, &imm))
			return DECODE_UNDEF;
		break;
	}
	/* 0f b8 is popcnt with f3; without, the Itanium's jmpe: #UD here */
	if (in->map == MAP_0F && in->op == 0xb8 && !(in->prefixes & PFX_REP))
		return DECODE_UNDEF;
	/* mov to/from cr1, cr5-7, dr with no such register: #UD */
	if (in->map == MAP_0F && (in->op == 0x20 || in->op == 0x22) &&
	    (in->reg == 1 || in->reg > 4))
		return DECODE_UNDEF;
	if ((in->prefixes & PFX_LOCK) && !lock_ok(in))
		return DECODE_UNDEF;

	if (in->mem)
		in->flags |= ((in->flags & RMR) ? INSN_MEM_R : 0) |
			     ((in->flags & RMW) ? INSN_MEM_W : 0);
	in->flags &= ~(RMR | RMW);
	if (in->prefixes & PFX_SEG)
		in->seg = seg_override;

	/* Immediates. */
	switch (imm) {
	case I_B: case I_BS: n = 1; break;
	case I_W: n = 2; break;
	case I_Z: case I_PTR: n = in->opsize; break;
	case I_ENTER: n = 2; break;
	case I_MOFFS: n = in->adsize; break;
	default: n = 0;
	}
	if ((err = need(pos, n, avail)) < 0)
		return err;
	if (imm == I_MOFFS) {
		in->disp = fetch(p + pos, n, false);
		in->disp_size = n;
	} else {
		/* rel16/rel32 branches want sign extension; iz does not care at 32 */
		bool sx = imm == I_BS || (imm == I_Z && (in->flags & (INSN_JMP | INSN_JCC | INSN_CALL)));
		in->imm = fetch(p + pos, n, sx);
		in->imm_size = n;
	}
	pos += n;
	if (imm == I_ENTER || imm == I_PTR) {
		n = imm == I_ENTER ? 1 : 2;
		if ((err = need(pos, n, avail)) < 0)
			return err;
		in->imm2 = fetch(p + pos, n, false);
		in->imm2_size = n;
		pos += n;
	}

	in->len = pos;
	for (int i = 0; i < pos; i++)
		in->bytes[i] = p[i];
	return pos;
}

const char *
insn_strerror(int err)
{
	switch (err) {
	case DECODE_TRUNC: return "instruction truncated";
	case DECODE_UNDEF: return "undefined or unsupported opcode";
	case DECODE_TOOLONG: return "instruction longer than 15 bytes";
	}
	return err >= 0 ? "ok" : "unknown decode error";
}

uint32_t
insn_ea(const struct insn *in, const uint32_t *gpr)
{
	uint32_t ea = (uint32_t) in->disp;

	if (in->base != INSN_NOREG)
		ea += gpr[in->base];
	if (in->index != INSN_NOREG)
		ea += gpr[in->index] * in->scale;
	return in->adsize == 2 ? ea & 0xffff : ea;
}

uint32_t
insn_branch_target(const struct insn *in, uint32_t eip)
{
	uint32_t t = eip + in->len + in->imm;

	return in->opsize == 2 ? t & 0xffff : t;
}
