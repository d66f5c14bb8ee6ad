/*
 * emul_arith.c - arithmetic, logic, shifts, multiplication and bit
 * operations on a register or memory operand.
 *
 * Paper section 2: whatever a guest kernel does to a device page or to
 * one of its own page tables that the shadow write-protects (a traced
 * page, section 2.4) traps, and must be carried out here with the
 * effect, flags included, that the CPU would have had.  A driver adds
 * to, masks and tests device registers; a kernel sets and clears bits
 * of its page-table entries with or/and/bts/btr.  The flag rules are in
 * emul_alu.c, which also says what we leave in the flags the SDM leaves
 * undefined.  Every memory operand goes through emu_rm_read/write, so
 * the working copy of the registers is untouched when an access faults.
 */
#include "vmm/emul_int.h"
#include "kern/mmu.h"

/* Operand size of an opcode whose low bit picks byte or full size. */
static int
wsize(const struct insn *in)
{
	return (in->op & 1) ? in->opsize : 1;
}

/* Read the r/m operand, apply f(old), write the result back. */
static int
rmw(struct emu *e, int size, uint32_t (*f)(struct emu *, uint32_t, int), bool write)
{
	uint32_t v;
	int err;

	if ((err = emu_rm_read(e, size, &v)))
		return err;
	v = f(e, v, size);
	if (!write)
		return EMU_DONE;
	return emu_rm_write(e, size, v) ?: EMU_DONE;
}

/*
 * The eight group-1 operations: 00-3d (r/m,reg; reg,r/m; al/eax,imm) and
 * 80-83 (r/m,imm).  cmp writes nothing; the others write back even an
 * unchanged operand, as the CPU's read-modify-write cycle does.
 */
static int
alu_form(struct emu *e, enum alu_op op, int size, int dir)
{
	const struct insn *in = e->in;
	uint32_t a, b, r;
	int err;

	switch (dir) {
	case 0:					/* 00, 01: op %reg, r/m */
		if ((err = emu_rm_read(e, size, &a)))
			return err;
		b = emu_getreg(e, in->reg, size);
		break;
	case 1:					/* 02, 03: op r/m, %reg */
		if ((err = emu_rm_read(e, size, &b)))
			return err;
		a = emu_getreg(e, in->reg, size);
		break;
	case 2:					/* 04, 05: op $imm, %al/%ax/%eax */
		a = emu_getreg(e, REG_EAX, size);
		b = in->imm;
		break;
	default:				/* 80-83: op $imm, r/m */
		if ((err = emu_rm_read(e, size, &a)))
			return err;
		b = in->imm;
		break;
	}
	r = alu(op, a, b, size, &e->eflags);
	if (op == ALU_CMP)
		return EMU_DONE;
	if (dir == 1)
		emu_setreg(e, in->reg, size, r);
	else if (dir == 2)
		emu_setreg(e, REG_EAX, size, r);
	else
		return emu_rm_write(e, size, r) ?: EMU_DONE;
	return EMU_DONE;
}

static uint32_t
f_not(struct emu *e, uint32_t v, int size)
{
	(void) e, (void) size;
	return ~v;			/* no flag changes */
}

static uint32_t
f_neg(struct emu *e, uint32_t v, int size)
{
	return alu_neg(v, size, &e->eflags);
}

static uint32_t
f_inc(struct emu *e, uint32_t v, int size)
{
	return alu_incdec(v, 1, size, &e->eflags);
}

static uint32_t
f_dec(struct emu *e, uint32_t v, int size)
{
	return alu_incdec(v, -1, size, &e->eflags);
}

static uint32_t
f_test_reg(struct emu *e, uint32_t v, int size)
{
	alu(ALU_AND, v, emu_getreg(e, e->in->reg, size), size, &e->eflags);
	return v;
}

static uint32_t
f_test_imm(struct emu *e, uint32_t v, int size)
{
	alu(ALU_AND, v, e->in->imm, size, &e->eflags);
	return v;
}

/* c0/c1 (count imm8), d0/d1 (count 1), d2/d3 (count %cl). */
static uint32_t
f_shift(struct emu *e, uint32_t v, int size)
{
	const struct insn *in = e->in;
	unsigned count = in->op <= 0xc1 ? in->imm : in->op <= 0xd1 ? 1 : e->gpr[REG_ECX];

	return alu_shift(in->reg, v, count & 0xff, size, &e->eflags);
}

/*
 * mul, imul, div, idiv of the accumulator (f6/f7 /4-/7): AX = AL * r/m8,
 * DX:AX = AX * r/m16, EDX:EAX = EAX * r/m32, and the reverse for
 * division, which raises #DE for a zero divisor or a quotient too big.
 */
static int
muldiv(struct emu *e, int size)
{
	bool sgn = e->in->reg & 1;
	unsigned bits = 8 * size;
	uint32_t src, lo, hi, q, r;
	uint64_t p, n;
	int err;

	if ((err = emu_rm_read(e, size, &src)))
		return err;
	lo = emu_getreg(e, REG_EAX, size);
	hi = size == 1 ? (e->gpr[REG_EAX] >> 8) & 0xff : emu_getreg(e, REG_EDX, size);
	if (e->in->reg < 6) {
		p = alu_mul(sgn, lo, src, size, &e->eflags);
		lo = p;
		hi = p >> bits;
	} else {
		n = (uint64_t) hi << bits | lo;
		if (!alu_div(sgn, n, src, size, &q, &r))
			return emu_fault(e, T_DIVIDE, false, 0);
		lo = q;
		hi = r;
	}
	if (size == 1) {
		emu_setreg(e, REG_EAX, 2, (hi & 0xff) << 8 | (lo & 0xff));
	} else {
		emu_setreg(e, REG_EAX, size, lo);
		emu_setreg(e, REG_EDX, size, hi);
	}
	return EMU_DONE;
}

/* imul reg, r/m (0f af) and imul reg, r/m, imm (69, 6b): the low half. */
static int
imul_form(struct emu *e, bool has_imm)
{
	const struct insn *in = e->in;
	uint32_t a, b;
	int err;

	if ((err = emu_rm_read(e, in->opsize, &a)))
		return err;
	b = has_imm ? in->imm : emu_getreg(e, in->reg, in->opsize);
	emu_setreg(e, in->reg, in->opsize, alu_mul(true, a, b, in->opsize, &e->eflags));
	return EMU_DONE;
}

static int
group3(struct emu *e)
{
	int size = wsize(e->in);

	switch (e->in->reg) {
	case 0:
		return rmw(e, size, f_test_imm, false);
	case 2:
		return rmw(e, size, f_not, true);
	case 3:
		return rmw(e, size, f_neg, true);
	default:			/* /1 is refused by the decoder */
		return muldiv(e, size);
	}
}

/* shld, shrd: by imm8 (0f a4, 0f ac) or by %cl (0f a5, 0f ad). */
static int
shd(struct emu *e)
{
	const struct insn *in = e->in;
	unsigned count = (in->op & 1) ? e->gpr[REG_ECX] : in->imm;
	uint32_t v;
	int err;

	if ((err = emu_rm_read(e, in->opsize, &v)))
		return err;
	v = alu_shd(in->op < 0xa8, v, emu_getreg(e, in->reg, in->opsize), count & 0xff,
		    in->opsize, &e->eflags);
	return emu_rm_write(e, in->opsize, v) ?: EMU_DONE;
}

/*
 * bt, bts, btr, btc (what: 0-3).  A register bit offset may reach past
 * the operand: it is signed, and selects an operand-sized unit around
 * the address; an immediate one is taken modulo the operand size.
 */
static int
bittest(struct emu *e, int what, uint32_t bitoff, bool from_reg)
{
	const struct insn *in = e->in;
	int size = in->opsize, bits = 8 * size, err;
	uint32_t off = in->mem ? insn_ea(in, e->gpr) : 0, val, bit;

	if (from_reg && in->mem) {
		int32_t s = size == 2 ? (int16_t) bitoff : (int32_t) bitoff;

		off += (uint32_t) ((s >> (size == 2 ? 4 : 5)) * size);
		if (in->adsize == 2)
			off &= 0xffff;
	}
	bit = bitoff & (bits - 1);
	if (in->mem)
		err = emu_read(e, in->seg, off, size, &val);
	else
		err = emu_rm_read(e, size, &val);
	if (err)
		return err;
	e->eflags = (e->eflags & ~FL_CF) | ((val >> bit) & 1 ? FL_CF : 0);
	switch (what) {
	case 0: return EMU_DONE;
	case 1: val |= 1u << bit; break;
	case 2: val &= ~(1u << bit); break;
	default: val ^= 1u << bit; break;
	}
	if (in->mem)
		return emu_write(e, in->seg, off, size, val) ?: EMU_DONE;
	return emu_rm_write(e, size, val) ?: EMU_DONE;
}

/*
 * bsf, bsr; with f3, tzcnt and lzcnt on a CPU that has them (BMI1's
 * CPUID.7.EBX[3], ABM's CPUID.80000001h.ECX[5]), and bsf and bsr, the
 * prefix ignored, on one that has not: what the guest's CPU would do.
 */
static int
bitscan(struct emu *e)
{
	const struct insn *in = e->in;
	enum scan_op op = in->op == 0xbc ? SCAN_BSF : SCAN_BSR;
	uint32_t src;
	int err, r;

	if ((err = emu_rm_read(e, in->opsize, &src)))
		return err;
	if ((in->prefixes & PFX_REP) &&
	    (op == SCAN_BSF ? emu_cpu_has(e, 7, 1, 3) : emu_cpu_has(e, 0x80000001, 2, 5)))
		op = op == SCAN_BSF ? SCAN_TZCNT : SCAN_LZCNT;
	if ((r = alu_bitscan(op, src, in->opsize, &e->eflags)) >= 0)
		emu_setreg(e, in->reg, in->opsize, r);
	return EMU_DONE;
}

/* popcnt (f3 0f b8): #UD on a CPU without it (CPUID.1.ECX[23]). */
static int
popcnt(struct emu *e)
{
	uint32_t src;
	int err, n = 0;

	if (!emu_cpu_has(e, 1, 2, 23))
		return emu_fault(e, T_ILLOP, false, 0);
	if ((err = emu_rm_read(e, e->in->opsize, &src)))
		return err;
	for (; src; src &= src - 1)
		n++;
	/* ZF says the source was 0; the other five are cleared */
	e->eflags = (e->eflags & ~FL_ARITH) | (n == 0 ? FL_ZF : 0);
	emu_setreg(e, e->in->reg, e->in->opsize, n);
	return EMU_DONE;
}

static int
onebyte(struct emu *e)
{
	const struct insn *in = e->in;
	int size = wsize(in);

	if (in->op < 0x40) {			/* 00-3d: (op & 7) < 6 */
		static const int dir[6] = { 0, 0, 1, 1, 2, 2 };

		return alu_form(e, in->op >> 3, size, dir[in->op & 7]);
	}
	switch (in->op) {
	case 0x40 ... 0x47:			/* inc reg */
	case 0x48 ... 0x4f:			/* dec reg */
		emu_setreg(e, in->op & 7, in->opsize,
			   alu_incdec(emu_getreg(e, in->op & 7, in->opsize),
				      in->op < 0x48 ? 1 : -1, in->opsize, &e->eflags));
		return EMU_DONE;
	case 0x69: case 0x6b:
		return imul_form(e, true);
	case 0x80: case 0x82:
		return alu_form(e, in->reg, 1, 3);
	case 0x81: case 0x83:
		return alu_form(e, in->reg, in->opsize, 3);
	case 0x84: case 0x85:
		return rmw(e, size, f_test_reg, false);
	case 0xa8: case 0xa9:			/* test imm, al/ax/eax */
		alu(ALU_AND, emu_getreg(e, REG_EAX, size), in->imm, size, &e->eflags);
		return EMU_DONE;
	case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		return rmw(e, size, f_shift, true);
	case 0xf6: case 0xf7:
		return group3(e);
	case 0xfe: case 0xff:			/* /0 inc, /1 dec; emul_mem.c the rest */
		return rmw(e, size, in->reg == 0 ? f_inc : f_dec, true);
	}
	return emu_unhandled(e, "instruction not emulated");
}

static int
twobyte(struct emu *e)
{
	const struct insn *in = e->in;

	switch (in->op) {
	case 0xa3: return bittest(e, 0, emu_getreg(e, in->reg, in->opsize), true);
	case 0xab: return bittest(e, 1, emu_getreg(e, in->reg, in->opsize), true);
	case 0xb3: return bittest(e, 2, emu_getreg(e, in->reg, in->opsize), true);
	case 0xbb: return bittest(e, 3, emu_getreg(e, in->reg, in->opsize), true);
	case 0xba: return bittest(e, in->reg - 4, in->imm, false);
	case 0xa4: case 0xa5: case 0xac: case 0xad:
		return shd(e);
	case 0xaf:
		return imul_form(e, false);
	case 0xb8:
		return popcnt(e);
	case 0xbc: case 0xbd:
		return bitscan(e);
	}
	return emu_unhandled(e, "instruction not emulated");
}

int
emu_arith_insn(struct emu *e)
{
	return e->in->map == MAP_ONE ? onebyte(e) : twobyte(e);
}
