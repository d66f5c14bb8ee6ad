/*
 * fuzzgen.c - random guest-kernel code: the fuzz guest's generator.
 *
 * A case is a short run of instructions, written as bytes at FZ_CODE and
 * ended by a jump to fz_done (fuzzrun.S).  Its seed decides everything:
 * the state it starts from (registers, flags, CR0/CR3/CR4, the fuzz page
 * tables, the segment registers) and each instruction, drawn from the
 * weighted table at the end of this file.  Most of the weight is on what
 * a monitor must get right and an ordinary program never does: the
 * privileged and sensitive instructions, segment loads, descriptor-table
 * and control-register loads, gates, iret frames, page-table writes; the
 * rest is ordinary arithmetic and memory traffic between them, its
 * operands in FZ_SCRATCH (or the fuzz pages), so that what a privileged
 * instruction does to the flags or the registers shows in the hash.
 *
 * What is kept out, and why (each of these either cannot end normally on
 * a real CPU or shows deprivileging by design, docs/design.md section 5):
 *
 *   - results of sgdt, sidt, sldt, str and smsw go to FZ_SINK, which is
 *     not hashed, and those of lar, lsl, verr, verw are overwritten (the
 *     flags too): they show the monitor's tables and ring compression;
 *     mov from CS or SS and push CS/SS are never emitted (their RPL);
 *   - no selector with RPL 1, and no far jump or iret into DPL 1 code:
 *     under ring compression the guest's ring 0 is the CPU's ring 1, so
 *     the CPU takes what a ring 0 refuses (an iret "out" to ring 1, SS
 *     with RPL 1, DPL 0 data with RPL 1) without a trap the monitor could
 *     see; the same leak as CS's and SS's RPL.  A gate into DPL 1 code
 *     stays: the monitor delivers gates itself;
 *   - popf never changes IF or IOPL (at ring 1 it silently cannot); an
 *     iret frame back to ring 0 carries IOPL 0 for the same reason;
 *   - mov to CR0 always keeps PE (real mode would run this 32-bit code
 *     as 16-bit), CR3 only ever names PD_A or PD_B, and PAE is set only
 *     with paging off and paging is then left off (the tables are not
 *     PAE tables): anything else takes the code away from under the CPU;
 *   - hlt only as cli, PIT one-shot armed, IRQ 0 unmasked, sti; hlt
 *     (hlt with interrupts off never ends, natively either);
 *   - DR7.GD is never set (the guest's own clean-up reads the debug
 *     registers), nor the undefined R/W and LEN encodings;
 *   - a page-table write is always followed by the invalidation the SDM
 *     asks for (an invlpg, or fz_flush): without it a real TLB may or may
 *     not use the old entry, and so may QEMU's;
 *   - no 67 prefix on memory operands (16-bit addressing would reach
 *     memory below 64 KB, which the firmware owns), no 16-bit iret or
 *     16-bit stack (the same), SS only ever flat.
 */
#include "grade/guests/fuzz.h"

/* Byte registers: al cl dl bl ah ch dh bh.  Full ones: eax ... edi. */
#define EAX 0
#define ECX 1
#define EDX 2
#define EBX 3
#define ESP 4
#define EBP 5
#define ESI 6
#define EDI 7

/* Flags, control-register bits. */
#define FL_CF	0x00000001
#define FL_TF	0x00000100
#define FL_IF	0x00000200
#define FL_DF	0x00000400
#define FL_NT	0x00004000
#define FL_RF	0x00010000
#define FL_AC	0x00040000
#define FL_ID	0x00200000
#define FL_ARITH 0x000008d5
#define CR0_PE	0x00000001
#define CR0_MP	0x00000002
#define CR0_EM	0x00000004
#define CR0_TS	0x00000008
#define CR0_ET	0x00000010
#define CR0_NE	0x00000020
#define CR0_WP	0x00010000
#define CR0_AM	0x00040000
#define CR0_NW	0x20000000
#define CR0_CD	0x40000000
#define CR0_PG	0x80000000
#define CR4_VME	0x0001
#define CR4_PVI	0x0002
#define CR4_TSD	0x0004
#define CR4_DE	0x0008
#define CR4_PSE	0x0010
#define CR4_PAE	0x0020
#define CR4_MCE	0x0040
#define CR4_PGE	0x0080
#define CR4_PCE	0x0100
#define CR4_OSFXSR 0x0200
#define CR4_OSXMM 0x0400

#define MAX_INSNS	20
#define MAX_DEPTH	512	/* bytes a case may push or pop, net */

/*
 * And one the reference itself gets wrong: QEMU 7.2's TCG, given a mov to
 * CR4 that sets a bit from 11 up its CPU model lacks (UMIP, or a reserved
 * one), executes it again forever instead of raising #GP, and it accepts
 * PCIDE (bit 17) without PCID.  So CR4 writes stay within bits 0-10.
 */

/* ------------------------------------------------------------------------
 * The PRNG: xorshift32, its seed mixed first so that neighbouring seeds
 * (case i is seed S + i) give unrelated cases.
 * ------------------------------------------------------------------------ */

void
fzr_seed(struct fzrand *r, uint32_t seed)
{
	uint32_t z = seed * 0x9e3779b9u + 0x7f4a7c15u;

	z = (z ^ (z >> 16)) * 0x85ebca6bu;
	z = (z ^ (z >> 13)) * 0xc2b2ae35u;
	z ^= z >> 16;
	r->s = z ? z : 0x6d2b79f5u;
}

uint32_t
fzr_next(struct fzrand *r)
{
	uint32_t x = r->s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return r->s = x;
}

uint32_t
fzr_below(struct fzrand *r, uint32_t n)
{
	return n ? fzr_next(r) % n : 0;
}

/* ------------------------------------------------------------------------
 * Emitting
 * ------------------------------------------------------------------------ */

struct gen {
	uint8_t *p;		/* the next byte, which is also its address */
	struct fzrand r;
	struct fzcase *c;
	int depth;		/* net bytes pushed, by our count */
	int pse, pae, pg;	/* CR4.PSE, CR4.PAE, CR0.PG as the case left them */
	int ps_used;		/* a 4 MB page may be in a fuzz directory slot */
	int maybe_null;		/* bit n: segment register n may hold a null selector */
	int tasked;		/* a task switch was emitted */
	int in_jcc;		/* emitting the instruction a jcc may skip */
};

static uint32_t
rnd(struct gen *g, uint32_t n)
{
	return fzr_below(&g->r, n);
}

static int
chance(struct gen *g, int percent)
{
	return (int) rnd(g, 100) < percent;
}

static void
b(struct gen *g, uint32_t x)
{
	*g->p++ = x;
}

static void
w16(struct gen *g, uint32_t x)
{
	b(g, x);
	b(g, x >> 8);
}

static void
d32(struct gen *g, uint32_t x)
{
	w16(g, x);
	w16(g, x >> 16);
}

static void
modrm(struct gen *g, int mod, int reg, int rm)
{
	b(g, mod << 6 | (reg & 7) << 3 | (rm & 7));
}

/* A register a case may overwrite: never ESP or EBP (EBP holds the
 * scratch page's middle for [ebp+disp] operands). */
static int
safe_reg(struct gen *g)
{
	static const uint8_t regs[] = { EAX, ECX, EDX, EBX, ESI, EDI };

	return regs[rnd(g, sizeof(regs))];
}

static uint32_t
pick(struct gen *g, const uint32_t *v, uint32_t n)
{
	return v[rnd(g, n)];
}
#define PICK(g, arr) pick((g), (arr), sizeof(arr) / sizeof((arr)[0]))

/* 1, 2 or 4 bytes; the 66 prefix for 2. */
static int
opsize(struct gen *g)
{
	static const uint32_t sizes[] = { 1, 2, 4, 4, 4 };

	return PICK(g, sizes);
}

static void
size_prefix(struct gen *g, int size)
{
	if (size == 2)
		b(g, 0x66);
}

/* Segment register numbers, as modrm and the sreg instructions have them. */
#define S_ES 0
#define S_CS 1
#define S_SS 2
#define S_DS 3
#define S_FS 4
#define S_GS 5

/*
 * Now and then a segment override on a memory operand, never naming a
 * register that may hold a null selector: the reference, QEMU's TCG,
 * does not check segments on access (a null one, a limit, writability),
 * where the CPU and the monitor's emulator do, so such an access has no
 * reference to compare with.  DS and ES, used without a prefix, are
 * never loaded with a null selector for the same reason.
 */
static void
seg_prefix(struct gen *g)
{
	static const uint8_t prefixes[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	int s;

	if (!chance(g, 10))
		return;
	s = rnd(g, 6);
	if (!(g->maybe_null & 1 << s))
		b(g, prefixes[s]);
}

/* A mov $imm32 into a full register. */
static void
mov_imm(struct gen *g, int reg, uint32_t v)
{
	b(g, 0xb8 + reg);
	d32(g, v);
}

/* Another value, sometimes small, sometimes a pointer into the scratch page. */
static uint32_t
value(struct gen *g)
{
	switch (rnd(g, 6)) {
	case 0: return rnd(g, 16);
	case 1: return FZ_SCRATCH + rnd(g, 0x1000);
	case 2: return 0xffffffffu - rnd(g, 16);
	case 3: return 1u << rnd(g, 32);
	}
	return fzr_next(&g->r);
}

/*
 * The modrm (and displacement) of a memory operand in the scratch page,
 * for an access of size bytes, reg in modrm's reg field.  [ebp+disp]
 * reaches FZ_SCRATCH + 0x800 +- 2 KB; a segment base of 0x1000 (SEL_DATAB)
 * moves any of them into FZ_STACK, which is hashed as well.
 */
static void
mem_scratch(struct gen *g, int reg, int size)
{
	uint32_t off = rnd(g, 0x1000 - 8);

	if (chance(g, 80))
		off &= ~(uint32_t) (size - 1);
	switch (rnd(g, 3)) {
	case 0:
		modrm(g, 0, reg, 5);
		d32(g, FZ_SCRATCH + off);
		break;
	case 1:
		modrm(g, 1, reg, EBP);
		b(g, rnd(g, 256));
		break;
	default:
		modrm(g, 2, reg, EBP);
		d32(g, off - 0x800);
	}
}

/* A memory operand in one of the fuzz pages (the page tables decide
 * what it reaches, if anything). */
static void
mem_fz(struct gen *g, int reg, int size)
{
	uint32_t off = rnd(g, 0x1000 - 8);

	if (chance(g, 80))
		off &= ~(uint32_t) (size - 1);
	modrm(g, 0, reg, 5);
	d32(g, FZ_VA + rnd(g, FZ_NPTE - 1) * 0x1000 + off);
}

/* Memory, mostly scratch. */
static void
mem(struct gen *g, int reg, int size)
{
	if (chance(g, 15))
		mem_fz(g, reg, size);
	else
		mem_scratch(g, reg, size);
}

/* An r/m operand that is written: a safe register or memory.  The prefix
 * must already be out, so memory forms choose their override first. */
static void
rm_dest(struct gen *g, int reg, int size, int is_mem)
{
	if (is_mem)
		mem(g, reg, size);
	else
		modrm(g, 3, reg, size == 1 ? rnd(g, 8) : safe_reg(g));
}

/* ------------------------------------------------------------------------
 * Ordinary instructions
 * ------------------------------------------------------------------------ */

/* add/or/adc/sbb/and/sub/xor/cmp, register or memory, either direction. */
static void
g_alu(struct gen *g)
{
	int size = opsize(g), dir = rnd(g, 2), is_mem = chance(g, 50);
	int dst = size == 1 ? (int) rnd(g, 8) : safe_reg(g);

	if (is_mem)
		seg_prefix(g);
	size_prefix(g, size);
	b(g, rnd(g, 8) << 3 | dir << 1 | (size != 1));
	if (dir)	/* reg is the destination */
		is_mem ? mem(g, dst, size) : modrm(g, 3, dst, rnd(g, 8));
	else
		rm_dest(g, rnd(g, 8), size, is_mem);
}

/* The same with an immediate: 80, 81, 83. */
static void
g_alu_imm(struct gen *g)
{
	int size = opsize(g), is_mem = chance(g, 50), sx = size != 1 && chance(g, 40);

	if (is_mem)
		seg_prefix(g);
	size_prefix(g, size);
	b(g, size == 1 ? 0x80 : sx ? 0x83 : 0x81);
	rm_dest(g, rnd(g, 8), size, is_mem);
	if (size == 1 || sx)
		b(g, value(g));
	else if (size == 2)
		w16(g, value(g));
	else
		d32(g, value(g));
}

static void
g_mov(struct gen *g)
{
	int size = opsize(g), is_mem = chance(g, 60);

	switch (rnd(g, 4)) {
	case 0:		/* 88/89: r/m <- reg */
		if (is_mem)
			seg_prefix(g);
		size_prefix(g, size);
		b(g, 0x88 | (size != 1));
		rm_dest(g, rnd(g, 8), size, is_mem);
		break;
	case 1:		/* 8a/8b: reg <- r/m */
		if (is_mem)
			seg_prefix(g);
		size_prefix(g, size);
		b(g, 0x8a | (size != 1));
		if (is_mem)
			mem(g, size == 1 ? rnd(g, 8) : safe_reg(g), size);
		else
			modrm(g, 3, size == 1 ? rnd(g, 8) : safe_reg(g), rnd(g, 8));
		break;
	case 2:		/* c6/c7 /0: r/m <- imm */
		if (is_mem)
			seg_prefix(g);
		size_prefix(g, size);
		b(g, 0xc6 | (size != 1));
		rm_dest(g, 0, size, is_mem);
		if (size == 1)
			b(g, value(g));
		else if (size == 2)
			w16(g, value(g));
		else
			d32(g, value(g));
		break;
	default:	/* b0+r, b8+r */
		if (size == 1) {
			b(g, 0xb0 + rnd(g, 8));
			b(g, value(g));
		} else {
			mov_imm(g, safe_reg(g), value(g));
		}
	}
}

/* f6/f7: test, not, neg, mul, imul, div, idiv (a divide may raise #DE). */
static void
g_unary(struct gen *g)
{
	int size = opsize(g), op = rnd(g, 8), is_mem = chance(g, 40);

	if (op == 1)
		op = 0;
	if (is_mem)
		seg_prefix(g);
	size_prefix(g, size);
	b(g, 0xf6 | (size != 1));
	rm_dest(g, op, size, is_mem);
	if (op == 0) {
		if (size == 1)
			b(g, value(g));
		else if (size == 2)
			w16(g, value(g));
		else
			d32(g, value(g));
	}
}

static void
g_incdec(struct gen *g)
{
	int size = opsize(g), is_mem = chance(g, 50);

	if (size == 4 && !is_mem && chance(g, 50)) {
		b(g, (chance(g, 50) ? 0x40 : 0x48) + safe_reg(g));
		return;
	}
	if (is_mem)
		seg_prefix(g);
	size_prefix(g, size);
	b(g, 0xfe | (size != 1));
	rm_dest(g, rnd(g, 2), size, is_mem);
}

/* Shifts and rotates by 1, by CL, by an immediate (/6 is SAL's alias). */
static void
g_shift(struct gen *g)
{
	int size = opsize(g), form = rnd(g, 3), is_mem = chance(g, 30);

	if (is_mem)
		seg_prefix(g);
	size_prefix(g, size);
	b(g, (form == 0 ? 0xc0 : form == 1 ? 0xd0 : 0xd2) | (size != 1));
	rm_dest(g, rnd(g, 8), size, is_mem);
	if (form == 0)
		b(g, rnd(g, 40));
}

/* Two-byte ordinary instructions: movzx/movsx, bswap, setcc, cmovcc,
 * bt* with an immediate, xadd, cmpxchg, shld/shrd, imul, bsf/bsr. */
static void
g_twobyte(struct gen *g)
{
	int is_mem = chance(g, 40), r = safe_reg(g), size = chance(g, 30) ? 2 : 4;

	if (is_mem)
		seg_prefix(g);
	switch (rnd(g, 10)) {
	case 0:
		size_prefix(g, size);
		b(g, 0x0f);
		b(g, 0xb6 | rnd(g, 2) | rnd(g, 2) << 3);
		is_mem ? mem(g, r, 2) : modrm(g, 3, r, rnd(g, 8));
		break;
	case 1:
		b(g, 0x0f);
		b(g, 0xc8 + safe_reg(g));
		break;
	case 2:
		b(g, 0x0f);
		b(g, 0x90 + rnd(g, 16));
		rm_dest(g, 0, 1, is_mem);
		break;
	case 3:
		size_prefix(g, size);
		b(g, 0x0f);
		b(g, 0x40 + rnd(g, 16));
		is_mem ? mem(g, r, size) : modrm(g, 3, r, rnd(g, 8));
		break;
	case 4:		/* bt/bts/btr/btc $imm, r/m: stays inside the operand */
		size_prefix(g, size);
		b(g, 0x0f);
		b(g, 0xba);
		rm_dest(g, 4 + rnd(g, 4), size, is_mem);
		b(g, rnd(g, 256));
		break;
	case 5:		/* xadd, cmpxchg: the reg operand is written too */
		size = opsize(g);
		size_prefix(g, size);
		b(g, 0x0f);
		b(g, (chance(g, 50) ? 0xc0 : 0xb0) | (size != 1));
		rm_dest(g, size == 1 ? rnd(g, 8) : safe_reg(g), size, is_mem);
		break;
	case 6: {	/* shld/shrd: a4/ac take an imm8 count, a5/ad use CL */
		int by_cl = rnd(g, 2);

		size_prefix(g, size);
		b(g, 0x0f);
		b(g, 0xa4 | by_cl | rnd(g, 2) << 3);
		rm_dest(g, rnd(g, 8), size, is_mem);
		if (!by_cl)
			b(g, rnd(g, 40));
		break;
	}
	case 7:
		size_prefix(g, size);
		b(g, 0x0f);
		b(g, 0xaf);
		is_mem ? mem(g, r, size) : modrm(g, 3, r, rnd(g, 8));
		break;
	case 8:
		size_prefix(g, size);
		b(g, 0x0f);
		b(g, 0xbc | rnd(g, 2));
		is_mem ? mem(g, r, size) : modrm(g, 3, r, rnd(g, 8));
		break;
	default:	/* bt* with a register bit offset: register forms only,
			 * since with memory the offset reaches anywhere */
		size_prefix(g, size);
		b(g, 0x0f);
		b(g, 0xa3 | rnd(g, 4) << 3);
		modrm(g, 3, rnd(g, 8), safe_reg(g));
	}
}

/* One-byte flag and conversion instructions, and the BCD adjustments
 * (aam 0 raises #DE). */
static void
g_misc(struct gen *g)
{
	static const uint32_t ops[] = {
		0xf5, 0xf8, 0xf9, 0xfc, 0xfd, 0x9e, 0x9f, 0x98, 0x99, 0x90,
		0x27, 0x2f, 0x37, 0x3f,
	};

	switch (rnd(g, 5)) {
	case 0:
		b(g, 0xd4 | rnd(g, 2));		/* aam, aad */
		b(g, chance(g, 20) ? 0 : rnd(g, 256));
		break;
	case 1:
		b(g, 0x66);
		b(g, 0x98 | rnd(g, 2));		/* cbw, cwd */
		break;
	default:
		b(g, PICK(g, ops));
	}
}

/* The net push depth the generator allows itself either way. */
static int
can_push(struct gen *g, int n)
{
	return g->depth + n <= MAX_DEPTH;
}

static int
can_pop(struct gen *g, int n)
{
	return g->depth - n >= -MAX_DEPTH;
}

static void
g_pushpop(struct gen *g)
{
	int push = can_push(g, 4) && (!can_pop(g, 4) || chance(g, 55));

	if (push) {
		g->depth += 4;
		switch (rnd(g, 4)) {
		case 0:
			b(g, 0x50 + rnd(g, 8));
			break;
		case 1:
			b(g, 0x68);
			d32(g, value(g));
			break;
		case 2:
			b(g, 0x6a);
			b(g, value(g));
			break;
		default:
			seg_prefix(g);
			b(g, 0xff);
			mem(g, 6, 4);
		}
		return;
	}
	g->depth -= 4;
	if (chance(g, 70)) {
		b(g, 0x58 + safe_reg(g));
	} else {
		seg_prefix(g);
		b(g, 0x8f);
		mem(g, 0, 4);
	}
}

/* pusha then popa at once: popa reloads EBP, which must stay ours. */
static void
g_pusha(struct gen *g)
{
	b(g, 0x60);
	b(g, 0x61);
}

/* A string instruction over at most 64 elements, inside the scratch
 * page whichever way DF points. */
static void
g_string(struct gen *g)
{
	static const uint32_t ops[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
	int size = opsize(g);

	mov_imm(g, ESI, FZ_SCRATCH + 0x200 + rnd(g, 0xc00));
	mov_imm(g, EDI, FZ_SCRATCH + 0x200 + rnd(g, 0xc00));
	mov_imm(g, ECX, rnd(g, 65));
	if (chance(g, 70))
		b(g, chance(g, 80) ? 0xf3 : 0xf2);
	if (chance(g, 20))
		seg_prefix(g);
	size_prefix(g, size);
	b(g, PICK(g, ops) | (size != 1));
}

static void
g_lea(struct gen *g)
{
	b(g, 0x8d);
	mem(g, safe_reg(g), 4);
}

static void
g_xchg(struct gen *g)
{
	int size = opsize(g), is_mem = chance(g, 50);

	if (size == 4 && !is_mem && chance(g, 30)) {
		b(g, 0x90 + safe_reg(g));
		return;
	}
	if (is_mem)
		seg_prefix(g);
	size_prefix(g, size);
	b(g, 0x86 | (size != 1));
	rm_dest(g, size == 1 ? rnd(g, 8) : safe_reg(g), size, is_mem);
}

static void gen_one(struct gen *g);

/* A jcc over the next instruction: its bytes run or not by the flags. */
static void
g_jcc(struct gen *g)
{
	uint8_t *at;

	if (g->in_jcc)
		return;
	b(g, 0x70 + rnd(g, 16));
	at = g->p;
	b(g, 0);
	g->in_jcc = 1;
	gen_one(g);
	g->in_jcc = 0;
	*at = g->p - (at + 1);
}

/* A near call to a ret: the pushed EIP and its pop. */
static void
g_call(struct gen *g)
{
	b(g, 0xe8);
	d32(g, (uint32_t) fz_ret_stub - ((uint32_t) g->p + 4));
}

/* x87 instructions: #NM under CR0.EM or TS; fnstsw shows the status. */
static void
g_fpu(struct gen *g)
{
	static const uint16_t ops[] = {
		0xe8d9, 0xeed9, 0xc1de, 0xd8dd, 0xd0d9, 0xe0df, 0xe3db, 0xe1d9,
	};

	if (chance(g, 15)) {
		b(g, 0x9b);			/* fwait */
		return;
	}
	if (chance(g, 10)) {
		b(g, 0x0f);			/* emms */
		b(g, 0x77);
		return;
	}
	w16(g, ops[rnd(g, sizeof(ops) / sizeof(ops[0]))]);
}

/* ------------------------------------------------------------------------
 * Interrupt flag, I/O, control and debug registers
 * ------------------------------------------------------------------------ */

static void
g_clisti(struct gen *g)
{
	b(g, chance(g, 50) ? 0xfa : 0xfb);
}

static void
g_pushf(struct gen *g)
{
	if (!can_push(g, 4))
		return;
	if (chance(g, 15)) {
		b(g, 0x66);
		g->depth += 2;
	} else {
		g->depth += 4;
	}
	b(g, 0x9c);
}

/*
 * popf of the flags as they are with some bits flipped: the arithmetic
 * flags, DF, AC, ID, now and then TF (a #DB after the next instruction)
 * or NT (which makes the next iret a task return).  Never IF or IOPL:
 * popf at ring 1 silently keeps both, a leak pgdetect already shows.
 */
static void
g_popf(struct gen *g)
{
	uint32_t mask = fzr_next(&g->r) & (FL_ARITH | FL_DF | FL_AC | FL_ID);
	int word = chance(g, 15);

	if (chance(g, 6))
		mask |= FL_TF;
	if (chance(g, 4))
		mask |= FL_NT;
	if (word)
		b(g, 0x66);
	b(g, 0x9c);
	if (word)
		b(g, 0x66);
	b(g, 0x81);
	b(g, 0x34);			/* xor $imm, (%esp) */
	b(g, 0x24);
	if (word)
		w16(g, mask);
	else
		d32(g, mask);
	if (word)
		b(g, 0x66);
	b(g, 0x9d);
}

/*
 * Harmless ports: the POST port 0x80, the UART's scratch register 0x3ff,
 * and 0xed, which nothing on the board claims.  By imm8 or DX, every
 * width, and the string forms over a few bytes of scratch.
 */
static void
g_io(struct gen *g)
{
	static const uint32_t ports[] = { 0x80, 0x80, 0x3ff, 0x3ff, 0xed };
	uint32_t port = PICK(g, ports);
	int size = port == 0x3ff ? 1 : opsize(g), out = rnd(g, 2);

	g->c->touched |= TOUCH_PORTS;
	if (chance(g, 15)) {
		mov_imm(g, EDX, port);
		mov_imm(g, ECX, rnd(g, 9));
		mov_imm(g, out ? ESI : EDI, FZ_SCRATCH + 0x100 + rnd(g, 0xe00));
		if (chance(g, 80))
			b(g, 0xf3);
		size_prefix(g, size);
		b(g, (out ? 0x6e : 0x6c) | (size != 1));
		return;
	}
	if (out && chance(g, 50))
		mov_imm(g, EAX, value(g));
	if (port < 0x100 && chance(g, 50)) {
		size_prefix(g, size);
		b(g, (out ? 0xe6 : 0xe4) | (size != 1));
		b(g, port);
		return;
	}
	mov_imm(g, EDX, port);
	size_prefix(g, size);
	b(g, (out ? 0xee : 0xec) | (size != 1));
}

/* mov to or from CRn or DRn: the CPU ignores modrm's mod bits, so now
 * and then they are not 11. */
static void
mov_crdr(struct gen *g, int op, int n, int reg)
{
	b(g, 0x0f);
	b(g, op);
	modrm(g, chance(g, 10) ? rnd(g, 3) : 3, n, reg);
}

/* A control register the i386 does not have: mov to or from it is #UD. */
static int
bad_cr(struct gen *g)
{
	static const uint32_t crs[] = { 1, 5, 6, 7 };

	return PICK(g, crs);
}

static void
g_cr_read(struct gen *g)
{
	static const uint32_t crs[] = { 0, 0, 2, 3, 3, 4, 4 };

	mov_crdr(g, 0x20, chance(g, 5) ? bad_cr(g) : (int) PICK(g, crs), safe_reg(g));
}

/* Bits of one mask, each with probability percent. */
static uint32_t
some_bits(struct gen *g, const uint32_t *bits, int n, int percent)
{
	uint32_t m = 0;
	int i;

	for (i = 0; i < n; i++)
		if (chance(g, percent))
			m |= bits[i];
	return m;
}

/* CR0 = (CR0 & ~clear) | set, read first with mov from CR0. */
static void
cr0_write(struct gen *g)
{
	static const uint32_t bits[] = {
		CR0_MP, CR0_EM, CR0_TS, CR0_NE, CR0_WP, CR0_AM, CR0_ET,
		CR0_CD, CR0_NW, CR0_PG,
	};
	uint32_t set = some_bits(g, bits, 10, 12), clear = some_bits(g, bits, 10, 12);
	int r = safe_reg(g);

	/* NW only with CD: QEMU takes NW alone, which the CPU refuses. */
	if (set & CR0_NW)
		set |= CR0_CD;
	if (clear & CR0_CD)
		clear |= CR0_NW;
	if (g->pae)
		set &= ~CR0_PG;
	set &= ~clear;
	if (set & CR0_PG)
		g->pg = 1;
	if (clear & CR0_PG)
		g->pg = 0;
	mov_crdr(g, 0x20, 0, r);
	b(g, 0x81);
	modrm(g, 3, 4, r);
	d32(g, ~clear);
	b(g, 0x81);
	modrm(g, 3, 1, r);
	d32(g, set);
	mov_crdr(g, 0x22, 0, r);
}

static void
cr4_write(struct gen *g)
{
	static const uint32_t bits[] = {
		CR4_VME, CR4_PVI, CR4_TSD, CR4_DE, CR4_PSE, CR4_PAE, CR4_MCE,
		CR4_PGE, CR4_PCE, CR4_OSFXSR, CR4_OSXMM,
	};
	uint32_t set = some_bits(g, bits, 11, 10), clear = some_bits(g, bits, 11, 10);
	int r = safe_reg(g);

	if (g->pg)
		set &= ~CR4_PAE;
	if (g->ps_used)
		clear &= ~CR4_PSE;
	set &= ~clear;
	if (set & CR4_PAE)
		g->pae = 1;
	if (clear & CR4_PAE)
		g->pae = 0;
	if (set & CR4_PSE)
		g->pse = 1;
	if (clear & CR4_PSE)
		g->pse = 0;
	mov_crdr(g, 0x20, 4, r);
	b(g, 0x81);
	modrm(g, 3, 4, r);
	d32(g, ~clear);
	b(g, 0x81);
	modrm(g, 3, 1, r);
	d32(g, set);
	mov_crdr(g, 0x22, 4, r);
}

/* Invalidate the fuzz pages: after a directory write or a CR3 load. */
static void
call_flush(struct gen *g)
{
	b(g, 0xe8);
	d32(g, (uint32_t) fz_flush - ((uint32_t) g->p + 4));
}

static void
g_cr_write(struct gen *g)
{
	int r = safe_reg(g);

	switch (rnd(g, 8)) {
	case 0: case 1: case 2:
		cr0_write(g);
		break;
	case 3: case 4:
		cr4_write(g);
		break;
	case 5: case 6:
		mov_imm(g, r, (chance(g, 50) ? FZ_PD_A : FZ_PD_B) |
			(chance(g, 20) ? PTE_PWT | PTE_PCD : 0));
		mov_crdr(g, 0x22, 3, r);
		call_flush(g);
		break;
	default:
		mov_imm(g, r, value(g));
		/* CR2, or now and then one that does not exist: #UD */
		mov_crdr(g, 0x22, chance(g, 85) ? 2 : bad_cr(g), r);
	}
}

/* DR7: enables, and per breakpoint R/W and LEN from the defined ones
 * (no I/O breakpoints, no 8-byte length, never GD). */
static uint32_t
dr7_value(struct gen *g)
{
	static const uint32_t rwlen[] = { 0, 1, 3 };
	uint32_t v = 0x400 | (fzr_next(&g->r) & 0x3ff);
	int i;

	for (i = 0; i < 4; i++)
		v |= (PICK(g, rwlen) | PICK(g, rwlen) << 2) << (16 + 4 * i);
	return v;
}

static void
g_dr(struct gen *g)
{
	int n = rnd(g, 8), r = safe_reg(g);

	if (chance(g, 40)) {
		mov_crdr(g, 0x21, n, r);
		return;
	}
	if (n == 7 || n == 5)
		mov_imm(g, r, dr7_value(g));
	else if (n < 4 && chance(g, 60))
		mov_imm(g, r, (chance(g, 50) ? FZ_SCRATCH : FZ_CODE) + rnd(g, 0x400));
	else
		mov_imm(g, r, value(g));
	mov_crdr(g, 0x23, n, r);
}

/* ------------------------------------------------------------------------
 * Descriptor tables, system registers, segments
 * ------------------------------------------------------------------------ */

/* An absolute memory operand. */
static void
mem_abs(struct gen *g, int reg, uint32_t addr)
{
	modrm(g, 0, reg, 5);
	d32(g, addr);
}

/*
 * %ss: for an operand naming one of the guest's fixed structures (a
 * pseudo-descriptor, the sink, the page-table window): SS is always flat,
 * DS may have a base (SEL_DATAB), which would move the access onto the
 * next structure along.
 */
static void
flat(struct gen *g)
{
	b(g, 0x36);
}

/* lgdt and lidt from a prepared pseudo-descriptor; sgdt and sidt into
 * the sink (they show the monitor's tables). */
static void
g_dtr(struct gen *g)
{
	static const uint32_t gdts[] = { FZ_PD_GDT, FZ_PD_GDT, FZ_PD_GDT_SHORT, FZ_PD_GDT_COPY };
	static const uint32_t idts[] = { FZ_PD_IDT, FZ_PD_IDT, FZ_PD_IDT_ALT };
	int op = rnd(g, 4);

	flat(g);
	if (chance(g, 10))
		b(g, 0x66);
	b(g, 0x0f);
	b(g, 0x01);
	if (op == 2)
		mem_abs(g, 2, PICK(g, gdts));
	else if (op == 3)
		mem_abs(g, 3, PICK(g, idts));
	else
		mem_abs(g, op, FZ_SINK + rnd(g, 0x100));
}

/* A 16-bit selector into a register. */
static void
mov_sel(struct gen *g, int reg, uint32_t sel)
{
	b(g, 0x66);
	b(g, 0xb8 + reg);
	w16(g, sel);
}

/* lldt and ltr, from a register or memory; sldt and str into the sink. */
static void
g_sysreg(struct gen *g)
{
	static const uint32_t ldts[] = { SEL_KLDT, SEL_KLDT, 0, SEL_KDATA, SEL_KTSS2, 0xf8,
					 SEL_LDATA };
	static const uint32_t trs[] = { SEL_KTSS, SEL_KTSS2, SEL_KTSS2, SEL_TSSNP, SEL_KLDT,
					0, SEL_KTSS | 3, SEL_DATANP };
	int tr = rnd(g, 2), r = safe_reg(g);
	uint32_t sel = tr ? PICK(g, trs) : PICK(g, ldts), at = FZ_SCRATCH + rnd(g, 0xff8);

	if (chance(g, 25)) {
		flat(g);
		b(g, 0x0f);
		b(g, 0x00);
		mem_abs(g, tr, FZ_SINK + rnd(g, 0x100));
		return;
	}
	if (chance(g, 30)) {
		b(g, 0x66);		/* movw $sel, at */
		b(g, 0xc7);
		mem_abs(g, 0, at);
		w16(g, sel);
		b(g, 0x0f);
		b(g, 0x00);
		mem_abs(g, 2 + tr, at);
		return;
	}
	mov_sel(g, r, sel);
	b(g, 0x0f);
	b(g, 0x00);
	modrm(g, 3, 2 + tr, r);
}

/* smsw into the sink (it is not privileged, so it shows the real CR0 under
 * a monitor); lmsw of CR0 as mov from CR0 reads it; clts. */
static void
g_msw(struct gen *g)
{
	int r = safe_reg(g);

	switch (rnd(g, 3)) {
	case 0:
		flat(g);
		b(g, 0x0f);
		b(g, 0x01);
		mem_abs(g, 4, FZ_SINK + rnd(g, 0x100));
		break;
	case 1:
		mov_crdr(g, 0x20, 0, r);
		b(g, 0x81);
		modrm(g, 3, 6, r);		/* xor $bits, r */
		d32(g, rnd(g, 16));
		b(g, 0x0f);
		b(g, 0x01);
		modrm(g, 3, 6, r);
		break;
	default:
		b(g, 0x0f);
		b(g, 0x06);
	}
}

/* Selectors for DS, ES, FS, GS: loadable ones and every way of not being. */
static uint32_t
data_sel(struct gen *g)
{
	static const uint32_t sels[] = {
		SEL_KDATA, SEL_KDATA, SEL_KDATA, SEL_UDATA, SEL_DATA1, SEL_DATA2,
		SEL_DATAB, SEL_DATARO, SEL_DATANP, SEL_KCODE, SEL_CODEXO,
		SEL_KCONF, SEL_UCODE, SEL_DATAED, SEL_DATA16, SEL_KTSS, SEL_KLDT,
		0, 0xf8, SEL_LDATA, SEL_LUDATA, SEL_CALLG,
	};
	static const uint32_t rpls[] = { 0, 0, 0, 0, 0, 0, 3, 3, 2 };
	uint32_t sel = PICK(g, sels);

	return sel == 0 ? rnd(g, 4) : sel | PICK(g, rpls);
}

/* Selectors for SS: only flat ones load (see the top of the file). */
static uint32_t
stack_sel(struct gen *g)
{
	static const uint32_t sels[] = {
		SEL_KDATA, SEL_KDATA, SEL_KDATA, SEL_KDATA, SEL_DATA2 | 2,
		SEL_UDATA | 3, SEL_DATARO, SEL_DATANP, SEL_KCODE, 0, SEL_LDATA,
		SEL_DATAED, SEL_KTSS, 0xf8, SEL_KDATA | 3, SEL_DATA1,
	};

	return PICK(g, sels);
}

static void
g_segload(struct gen *g)
{
	static const uint32_t dsregs[] = { S_ES, S_DS, S_DS, S_FS, S_GS };
	static const uint8_t pops[] = { 0x07, 0, 0x17, 0x1f, 0xa1, 0xa9 };
	static const uint8_t lxs[] = { 0xc4, 0, 0xb2, 0xc5, 0xb4, 0xb5 };
	int ss = chance(g, 20), sreg = ss ? S_SS : (int) PICK(g, dsregs), r = safe_reg(g);
	uint32_t sel = ss ? stack_sel(g) : data_sel(g);
	uint32_t at = FZ_SCRATCH + (rnd(g, 0xff0) & ~3u);

	/* A load that works leaves the register null or not; one that
	 * faults ends the case.  (seg_prefix says why DS and ES never.) */
	if ((sel & ~3u) == 0 && (sreg == S_DS || sreg == S_ES))
		sel = SEL_KDATA;
	if ((sel & ~3u) == 0)
		g->maybe_null |= 1 << sreg;
	else
		g->maybe_null &= ~(1 << sreg);

	switch (rnd(g, ss ? 4 : 6)) {
	case 0:
		mov_sel(g, r, sel);
		b(g, 0x8e);
		modrm(g, 3, sreg, r);
		break;
	case 1:
		b(g, 0x66);
		b(g, 0xc7);
		mem_abs(g, 0, at);
		w16(g, sel);
		seg_prefix(g);
		b(g, 0x8e);
		mem_abs(g, sreg, at);
		break;
	case 2:		/* push $sel; pop %sreg */
		b(g, 0x6a);
		b(g, sel);
		if (sel > 0x7f) {
			g->p -= 2;
			b(g, 0x68);
			d32(g, sel);
		}
		if (sreg >= 4)
			b(g, 0x0f);
		b(g, pops[sreg]);
		break;
	case 3: {	/* lds/les/lfs/lgs/lss from a far pointer in scratch */
		uint32_t off = ss ? FZ_ESP0 - 0x100 : value(g);

		b(g, 0xc7);
		mem_abs(g, 0, at);
		d32(g, off);
		b(g, 0x66);
		b(g, 0xc7);
		mem_abs(g, 0, at + 4);
		w16(g, sel);
		if (sreg == 2 || sreg >= 4)
			b(g, 0x0f);
		b(g, lxs[sreg]);
		mem_abs(g, ss ? ESP : r, at);
		if (ss)
			g->depth = 0x100;
		break;
	}
	case 4:		/* mov %sreg, r/m: the data segments only */
		b(g, 0x8c);
		if (chance(g, 50))
			modrm(g, 3, sreg, r);
		else
			mem_scratch(g, sreg, 2);
		break;
	default:	/* push %sreg */
		if (!can_push(g, 4))
			return;
		g->depth += 4;
		if (sreg >= 4) {
			b(g, 0x0f);
			b(g, sreg == 4 ? 0xa0 : 0xa8);
		} else {
			b(g, sreg == 0 ? 0x06 : 0x1e);
		}
	}
}

/* lar, lsl, verr, verw: their answers show the shadow GDT, so the register
 * and the flags are overwritten after (mov $0; cmp), leaving what the
 * instruction may raise - a fault on its memory operand - to compare. */
static void
g_lar(struct gen *g)
{
	int op = rnd(g, 4), r = safe_reg(g);

	mov_sel(g, ECX, data_sel(g));
	b(g, 0x0f);
	if (op < 2) {
		b(g, 0x02 + op);
		modrm(g, 3, r, ECX);
		mov_imm(g, r, 0);
	} else {
		b(g, 0x00);
		if (chance(g, 30))
			mem_scratch(g, op + 2, 2);
		else
			modrm(g, 3, op + 2, ECX);
	}
	b(g, 0x39);
	modrm(g, 3, r, r);
}

/* ------------------------------------------------------------------------
 * Interrupts, iret, hlt, far transfers, tasks
 * ------------------------------------------------------------------------ */

/* int n through every kind of gate fuzz.c puts in the IDT, past its
 * limit, to the exception vectors; int3, into, int1. */
static void
g_intn(struct gen *g)
{
	static const uint32_t vecs[] = {
		V_RET0, V_RET0 + 1, V_RET0 + 2, V_RET0 + 3, V_RETTRAP, V_RETUSER,
		V_NOTPRESENT, V_TOUSER, V_TASK, V_GATE16, V_NULLSEL, V_CODENP,
		V_DATASEL, V_TOCODE1, V_USERDONE, V_TIMER,
	};
	static const uint32_t one_byte[] = { 0xcc, 0xce, 0xf1 };	/* int3, into, int1 */
	uint32_t v;

	switch (rnd(g, 8)) {
	case 0:
		b(g, PICK(g, one_byte));
		return;
	case 1:
		v = rnd(g, 0x30);		/* exceptions, IRQ vectors */
		break;
	case 2:
		v = FZ_IDT_ALT_VECS + rnd(g, 256 - FZ_IDT_ALT_VECS);
		break;
	default:
		v = PICK(g, vecs);
	}
	b(g, 0xcd);
	b(g, v);
}

/* An EFLAGS image for an iret: any arithmetic flags, IF either way, now
 * and then TF, NT, RF, AC, ID; IOPL as given; never VM. */
static uint32_t
iret_flags(struct gen *g, int iopl)
{
	uint32_t f = 0x2 | (fzr_next(&g->r) & (FL_ARITH | FL_DF | FL_IF | FL_AC | FL_ID));

	if (chance(g, 5))
		f |= FL_TF;
	if (chance(g, 3))
		f |= FL_NT;
	if (chance(g, 5))
		f |= FL_RF;
	if (!chance(g, 80))
		f &= ~FL_DF;
	return f | iopl << 12;
}

static void
push_imm(struct gen *g, uint32_t v)
{
	b(g, 0x68);
	d32(g, v);
}

/* An iret frame for the same ring, or for a selector that refuses it:
 * pushed, then iret to the next instruction. */
static void
g_iret(struct gen *g)
{
	static const uint32_t sels[] = {
		SEL_KCODE, SEL_KCODE, SEL_KCODE, SEL_KCODE, SEL_KCODE2, SEL_KCONF,
		SEL_KDATA, 0, SEL_CODENP, SEL_KCODE | 3, SEL_UCODE, SEL_CODEXO,
	};

	push_imm(g, iret_flags(g, 0));
	push_imm(g, PICK(g, sels));
	push_imm(g, (uint32_t) g->p + 6);
	b(g, 0xcf);
}

/* An iret out to ring 3, which goes on with the rest of the case there:
 * its own stack, any IOPL. */
static void
g_iret_user(struct gen *g)
{
	static const uint32_t sss[] = { SEL_UDATA | 3, SEL_UDATA | 3, SEL_UDATA | 3,
					SEL_LUDATA | 3, SEL_KDATA | 3 };
	static const uint32_t css[] = { SEL_UCODE | 3, SEL_UCODE | 3, SEL_UCODE | 3,
					SEL_UCODE | 3, SEL_KCONF | 3 };

	push_imm(g, PICK(g, sss));
	push_imm(g, FZ_ESP3);
	push_imm(g, iret_flags(g, rnd(g, 4)));
	push_imm(g, PICK(g, css));
	push_imm(g, (uint32_t) g->p + 6);
	b(g, 0xcf);
	g->depth = 0;
	/* The CPU nulls every data segment register the new ring may not use. */
	g->maybe_null |= 1 << S_DS | 1 << S_ES | 1 << S_FS | 1 << S_GS;
}

static void
outb_imm(struct gen *g, uint32_t port, uint32_t v)
{
	b(g, 0xb0);		/* mov $v, %al */
	b(g, v);
	b(g, 0xe6);		/* out %al, $port */
	b(g, port);
}

/* hlt, woken: the PIT's channel 0 one-shot (mode 0) armed, IRQ 0
 * unmasked, then sti; hlt.  The handler masks IRQ 0 again. */
static void
g_hlt(struct gen *g)
{
	uint32_t count = 50 + rnd(g, 500);

	g->c->touched |= TOUCH_PIC;
	b(g, 0xfa);
	outb_imm(g, 0x43, 0x30);
	outb_imm(g, 0x40, count & 0xff);
	outb_imm(g, 0x40, count >> 8);
	outb_imm(g, 0x21, 0xfe);
	b(g, 0xfb);
	b(g, 0xf4);
}

/* A far jmp or call to our own segments, to ones it may not use, through
 * the call gate; the call's target is an lret. */
static void
g_far(struct gen *g)
{
	static const uint32_t sels[] = {
		SEL_KCODE, SEL_KCODE, SEL_KCODE2, SEL_KCONF, SEL_KCODE | 3,
		SEL_UCODE, SEL_CODENP, SEL_KDATA, 0, SEL_KTSS, SEL_TSSNP,
		SEL_CODEXO, SEL_KCONF | 3,
	};
	uint32_t sel = PICK(g, sels);

	if (chance(g, 50)) {
		b(g, 0xea);
		d32(g, (uint32_t) g->p + 6);
		w16(g, sel);
		return;
	}
	if (chance(g, 20))
		sel = SEL_CALLG;
	b(g, 0x9a);
	d32(g, (uint32_t) fz_lret_stub);
	w16(g, sel);
}

/* A task switch to SEL_KTSS2, by jmp or by call (which nests: NT and a
 * back link, so a later iret returns here).  KTSS2 goes on after it. */
static void
g_task(struct gen *g)
{
	if (g->tasked)
		return;
	g->tasked = 1;
	b(g, chance(g, 50) ? 0xea : 0x9a);
	d32(g, 0);
	w16(g, SEL_KTSS2);
	g->c->task_eip = (uint32_t) g->p;
	g->depth = 0;		/* KTSS2's ESP is FZ_ESP0 */
}

/* ------------------------------------------------------------------------
 * Paging
 * ------------------------------------------------------------------------ */

static void
g_invlpg(struct gen *g)
{
	seg_prefix(g);
	b(g, 0x0f);
	b(g, 0x01);
	if (chance(g, 80))
		mem_fz(g, 7, 1);
	else
		mem_scratch(g, 7, 1);
}

/* A fuzz page-table entry: one of the frames, any rights. */
static uint32_t
pte_value(struct gen *g)
{
	static const uint32_t bits[] = { PTE_W, PTE_U, PTE_A, PTE_D, PTE_PWT, PTE_PCD, PTE_G };
	uint32_t v = FZ_FRAMES + rnd(g, FZ_NFRAMES) * 0x1000;

	if (chance(g, 85))
		v |= PTE_P;
	return v | some_bits(g, bits, 7, 40);
}

/* A fuzz directory entry: a table (ours or the other), none, or with
 * CR4.PSE a 4 MB page over the frames. */
static uint32_t
pde_value(struct gen *g)
{
	static const uint32_t bits[] = { PTE_W, PTE_U, PTE_A, PTE_PWT, PTE_PCD };
	uint32_t v;

	if (chance(g, 8))
		return 0;
	if (g->pse && chance(g, 25)) {
		g->ps_used = 1;
		return FZ_FRAMES | PTE_PS | PTE_P | some_bits(g, bits, 5, 60) |
		       (chance(g, 30) ? PTE_D : 0) | (chance(g, 20) ? PTE_G : 0);
	}
	v = chance(g, 60) ? FZ_PT_A : FZ_PT_B;
	return v | (chance(g, 92) ? PTE_P : 0) | some_bits(g, bits, 5, 70);
}

/*
 * Write a fuzz page-table or directory entry through the window: a mov,
 * an and/or/xor, a bit operation, an xchg, a cmpxchg, a byte store, or
 * just a read (which shows the A and D bits the walks set); then the
 * invalidation the write needs.
 */
static void
g_ptwrite(struct gen *g)
{
	static const uint32_t flagbits[] = { 0, 1, 2, 3, 4, 5, 6, 8 };
	int dir = chance(g, 25), k = dir ? FZ_PDX : (int) rnd(g, FZ_NPTE);
	int table = dir ? rnd(g, 2) : 2 + rnd(g, 2), r = safe_reg(g);
	uint32_t at = FZ_WIN + table * 0x1000 + k * 4;
	uint32_t v = dir ? pde_value(g) : pte_value(g);
	uint32_t flags = dir ? 0x1f | PTE_A : 0x17f;
	int form = rnd(g, 8);

	if (form == 5) {	/* cmpxchg: its registers first */
		mov_imm(g, EAX, dir ? g->c->pde[table] : g->c->pte[table - 2][k]);
		mov_imm(g, r == EAX ? ECX : r, v);
		if (chance(g, 50))
			b(g, 0xf0);
	} else if (form == 4) {
		mov_imm(g, r, v);
	}
	flat(g);
	switch (form) {
	case 0: case 1:
		b(g, 0xc7);
		mem_abs(g, 0, at);
		d32(g, v);
		break;
	case 2: {
		static const uint32_t ops[] = { 1, 4, 6 };	/* or, and, xor */
		int op = PICK(g, ops);
		uint32_t m = fzr_next(&g->r) & flags;

		if (!dir && op == 6)
			m |= rnd(g, FZ_NFRAMES) << 12;
		if (dir && op == 6 && chance(g, 30))
			m |= 0x1000;		/* PT_A <-> PT_B */
		b(g, 0x81);
		mem_abs(g, op, at);
		d32(g, op == 4 ? ~m : m);
		break;
	}
	case 3:
		b(g, 0x0f);
		b(g, 0xba);
		mem_abs(g, 5 + rnd(g, 3), at);
		b(g, PICK(g, flagbits) & (dir ? 0x7f : 0xff));
		break;
	case 4:
		b(g, 0x87);
		mem_abs(g, r, at);
		break;
	case 5:
		b(g, 0x0f);
		b(g, 0xb1);
		mem_abs(g, r == EAX ? ECX : r, at);
		break;
	case 6:
		b(g, 0xc6);
		mem_abs(g, 0, at + (chance(g, 70) ? 0 : 1));
		b(g, v);
		break;
	default:
		b(g, 0x8b);
		mem_abs(g, r, at);
		return;
	}
	if (dir) {
		call_flush(g);
	} else {
		flat(g);
		b(g, 0x0f);
		b(g, 0x01);
		mem_abs(g, 7, FZ_VA + k * 0x1000);
	}
}

/* Loads and stores in the fuzz pages: #PF, or the frame they map. */
static void
g_fzmem(struct gen *g)
{
	int size = opsize(g), r = size == 1 ? (int) rnd(g, 8) : safe_reg(g);

	size_prefix(g, size);
	switch (rnd(g, 3)) {
	case 0:
		b(g, 0x8a | (size != 1));
		break;
	case 1:
		b(g, 0x88 | (size != 1));
		break;
	default:
		b(g, (rnd(g, 8) << 3) | (size != 1));
	}
	mem_fz(g, r, size);
}

/* ------------------------------------------------------------------------
 * Time, MSRs, cpuid, undefined encodings
 * ------------------------------------------------------------------------ */

/* rdtsc: its value differs between any two runs, so it is overwritten. */
static void
g_rdtsc(struct gen *g)
{
	b(g, 0x0f);
	b(g, 0x31);
	mov_imm(g, EAX, 0);
	mov_imm(g, EDX, 0);
}

/* A PAT value: each of its eight entries a memory type that exists. */
static uint32_t
pat_half(struct gen *g)
{
	static const uint32_t types[] = { 0, 1, 4, 5, 6, 7 };
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v |= PICK(g, types) << (8 * i);
	return v;
}

/*
 * rdmsr and wrmsr of the MSRs this CPU model has by its CPUID (TSC, the
 * APIC base, SYSENTER, PAT, and those every family 6 CPU has).  Not of
 * others: QEMU's TCG answers an MSR it does not know with 0 and ignores
 * a write to it, where a CPU raises #GP, and answers some its CPUID does
 * not announce (EFER, the MTRRs, MCG_CAP), so there is no reference.
 */
static void
g_msr(struct gen *g)
{
	static const uint32_t rd[] = {
		0x10, 0x1b, 0x174, 0x175, 0x176, 0x277, 0x1a0, 0x8b, 0x17,
	};
	static const uint32_t wr[] = { 0x174, 0x175, 0x176, 0x277, 0x8b };
	uint32_t msr, i;

	g->c->touched |= TOUCH_MSR;
	if (chance(g, 50)) {
		msr = PICK(g, rd);
		mov_imm(g, ECX, msr);
		b(g, 0x0f);
		b(g, 0x32);
		if (msr == 0x10) {
			mov_imm(g, EAX, 0);
			mov_imm(g, EDX, 0);
		}
		return;
	}
	msr = PICK(g, wr);
	for (i = 0; i < FZ_NMSRS; i++)
		if (fz_msrs[i] == msr)
			g->c->msr_written |= 1u << i;
	mov_imm(g, ECX, msr);
	if (msr == 0x277) {
		mov_imm(g, EAX, pat_half(g));
		mov_imm(g, EDX, pat_half(g));
	} else {
		mov_imm(g, EAX, value(g));
		mov_imm(g, EDX, msr == 0x8b || chance(g, 70) ? 0 : value(g));
	}
	b(g, 0x0f);
	b(g, 0x30);
}

static void
g_cpuid(struct gen *g)
{
	static const uint32_t leaves[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 0xa, 0xb, 0xd, 0x40000000, 0x80000000,
		0x80000001, 0x80000002, 0x80000004, 0x80000008, 0x8000000a,
	};

	mov_imm(g, EAX, chance(g, 90) ? PICK(g, leaves) : fzr_next(&g->r));
	mov_imm(g, ECX, rnd(g, 3));
	b(g, 0x0f);
	b(g, 0xa2);
}

/* Encodings the CPU has no instruction for, or one it lacks (#UD), and a
 * few it runs although few programs use them. */
static void
g_undef(struct gen *g)
{
	static const uint8_t enc[][5] = {
		{ 2, 0x0f, 0x0b }, { 3, 0x0f, 0xb9, 0xc0 }, { 2, 0x0f, 0xff },
		{ 2, 0x0f, 0x04 }, { 2, 0x0f, 0x0a }, { 2, 0x0f, 0x0c },
		{ 2, 0x0f, 0x0e }, { 3, 0x0f, 0x24, 0xc0 }, { 3, 0x0f, 0x26, 0xc0 },
		{ 2, 0x0f, 0x36 }, { 3, 0x0f, 0xa6, 0xc0 }, { 3, 0x0f, 0xa7, 0xc0 },
		{ 3, 0x0f, 0x00, 0xf0 }, { 3, 0x0f, 0x00, 0xf8 }, { 2, 0x8e, 0xc8 },
		{ 2, 0x8c, 0xf0 }, { 2, 0xc4, 0xc0 }, { 2, 0xc5, 0xc0 },
		{ 3, 0x0f, 0xc7, 0xc8 }, { 2, 0xf0, 0x90 }, { 3, 0xf0, 0x01, 0xc0 },
		{ 2, 0xfe, 0xd0 }, { 2, 0xff, 0xf8 }, { 2, 0x0f, 0x05 },
		{ 2, 0x0f, 0x07 }, { 2, 0x0f, 0xaa }, { 3, 0x0f, 0x01, 0xc8 },
		{ 3, 0x0f, 0x01, 0xc9 }, { 3, 0x0f, 0x01, 0xf9 }, { 3, 0x0f, 0x01, 0xd0 },
		{ 3, 0x0f, 0x01, 0xf8 }, { 2, 0x0f, 0x37 }, { 1, 0xd6 },
		{ 2, 0x62, 0xc0 }, { 3, 0x0f, 0x1f, 0xc0 }, { 3, 0x0f, 0xae, 0xf8 },
		{ 3, 0x0f, 0xae, 0xe8 }, { 3, 0x0f, 0x01, 0xd1 }, { 3, 0x0f, 0x78, 0xc0 },
		{ 3, 0x0f, 0x01, 0xc1 }, { 4, 0xf3, 0x0f, 0xb8, 0xc0 },
		{ 4, 0xf3, 0x0f, 0xbc, 0xc0 }, { 2, 0x0f, 0x34 }, { 2, 0x0f, 0x35 },
		{ 3, 0x0f, 0x01, 0xe8 }, { 2, 0x0f, 0x08 }, { 2, 0x0f, 0x09 },
		{ 3, 0x0f, 0x00, 0xe0 }, { 3, 0x0f, 0xc7, 0xf0 }, { 2, 0x63, 0xc1 },
	};
	const uint8_t *e = enc[rnd(g, sizeof(enc) / sizeof(enc[0]))];
	int i;

	for (i = 1; i <= e[0]; i++)
		b(g, e[i]);
}

/* ------------------------------------------------------------------------
 * The mix
 * ------------------------------------------------------------------------ */

static const struct {
	uint8_t weight;
	void (*emit)(struct gen *);
} mix[] = {
	/* ordinary instructions: 38 */
	{ 6, g_alu }, { 4, g_alu_imm }, { 5, g_mov }, { 2, g_unary },
	{ 2, g_incdec }, { 2, g_shift }, { 3, g_twobyte }, { 2, g_misc },
	{ 3, g_pushpop }, { 1, g_pusha }, { 2, g_string }, { 1, g_lea },
	{ 1, g_xchg }, { 2, g_jcc }, { 1, g_call }, { 1, g_fpu },
	/* privileged and sensitive ones, segments, paging: 90 */
	{ 4, g_clisti }, { 2, g_pushf }, { 3, g_popf }, { 5, g_io },
	{ 3, g_cr_read }, { 6, g_cr_write }, { 3, g_dr }, { 4, g_dtr },
	{ 3, g_sysreg }, { 3, g_msw }, { 8, g_segload }, { 5, g_intn },
	{ 4, g_iret }, { 2, g_iret_user }, { 2, g_hlt }, { 2, g_invlpg },
	{ 1, g_rdtsc }, { 3, g_msr }, { 2, g_cpuid }, { 4, g_far },
	{ 4, g_undef }, { 6, g_ptwrite }, { 4, g_fzmem }, { 2, g_lar },
	{ 1, g_task },
};

static void
gen_one(struct gen *g)
{
	uint32_t total = 0, i, pick;

	for (i = 0; i < sizeof(mix) / sizeof(mix[0]); i++)
		total += mix[i].weight;
	pick = rnd(g, total);
	for (i = 0; pick >= mix[i].weight; i++)
		pick -= mix[i].weight;
	mix[i].emit(g);
}

/* ------------------------------------------------------------------------
 * The state a case starts from
 * ------------------------------------------------------------------------ */

static void
start_state(struct gen *g, struct fzcase *c)
{
	static const uint32_t cr0bits[] = { CR0_WP, CR0_NE, CR0_MP, CR0_AM, CR0_TS, CR0_EM };
	static const uint32_t cr0odds[] = { 50, 50, 20, 30, 4, 4 };
	static const uint32_t cr4bits[] = { CR4_PSE, CR4_PGE, CR4_DE, CR4_TSD, CR4_PCE,
					    CR4_OSFXSR, CR4_MCE, CR4_VME, CR4_PVI };
	static const uint32_t cr4odds[] = { 40, 30, 10, 10, 10, 10, 10, 10, 10 };
	static const uint32_t dsels[] = {
		SEL_KDATA, SEL_UDATA, SEL_DATA1, SEL_DATA2, SEL_DATAB, SEL_DATARO,
		SEL_KCODE, SEL_DATA16,
	};
	int i, t;

	c->cr0 = CR0_PE | CR0_ET;
	for (i = 0; i < 6; i++)
		if (chance(g, cr0odds[i]))
			c->cr0 |= cr0bits[i];
	c->cr4 = 0;
	for (i = 0; i < 9; i++)
		if (chance(g, cr4odds[i]))
			c->cr4 |= cr4bits[i];
	g->pse = !!(c->cr4 & CR4_PSE);
	if (chance(g, 75)) {
		c->cr0 |= CR0_PG;
		g->pg = 1;
	}
	c->cr3 = (chance(g, 70) ? FZ_PD_A : FZ_PD_B) | (chance(g, 10) ? PTE_PWT : 0);

	/* The fuzz tables: mostly each directory on its own table, pages
	 * mapping frames, with every kind of entry now and then. */
	for (t = 0; t < 2; t++) {
		for (i = 0; i < FZ_NPTE; i++)
			c->pte[t][i] = chance(g, 70) ?
				(FZ_FRAMES + ((i + t * 3) % FZ_NFRAMES) * 0x1000) |
				PTE_P | PTE_W | PTE_U : pte_value(g);
		c->pde[t] = chance(g, 75) ? (t ? FZ_PT_B : FZ_PT_A) | PTE_P | PTE_W | PTE_U :
			    pde_value(g);
	}

	for (i = 0; i < 8; i++)
		c->gpr[i] = value(g);
	c->gpr[ESP] = FZ_ESP0;
	c->gpr[EBP] = FZ_SCRATCH + 0x800;
	c->eflags = 0x2 | (fzr_next(&g->r) & (FL_ARITH | FL_AC | FL_ID));
	if (chance(g, 10))
		c->eflags |= FL_DF;
	if (chance(g, 20))
		c->eflags |= FL_IF;
	c->ds = chance(g, 85) ? SEL_KDATA : PICK(g, dsels);
	c->es = chance(g, 85) ? SEL_KDATA : PICK(g, dsels);
	c->fs = chance(g, 70) ? SEL_KDATA : chance(g, 30) ? 0 : PICK(g, dsels);
	c->gs = chance(g, 70) ? SEL_KDATA : chance(g, 30) ? 0 : PICK(g, dsels);
	g->maybe_null = (c->fs == 0) << S_FS | (c->gs == 0) << S_GS;
	c->fill = fzr_next(&g->r);
}

void
fz_generate(uint32_t seed, struct fzcase *c)
{
	struct gen g = { .p = (uint8_t *) FZ_CODE, .c = c };
	int i, n;

	fzr_seed(&g.r, seed);
	*c = (struct fzcase) { .seed = seed };
	start_state(&g, c);
	n = 1 + rnd(&g, MAX_INSNS);
	for (i = 0; i < n; i++)
		gen_one(&g);
	/* jmp fz_done */
	b(&g, 0xe9);
	d32(&g, (uint32_t) fz_done - ((uint32_t) g.p + 4));
	c->len = g.p - (uint8_t *) FZ_CODE;
}
