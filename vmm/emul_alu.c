/*
 * emul_alu.c - integer arithmetic and the six status flags.
 *
 * Paper section 2: an emulated instruction must leave the guest exactly
 * the state the CPU would have, flags included (a driver's
 * `lock incl (%eax)` on an MMIO page is followed by a `jz`).  The rules
 * are the SDM's: CF is the carry (or borrow) out of the top bit, OF a
 * signed overflow, AF the carry out of bit 3, PF the even parity of the
 * low byte, ZF and SF from the truncated result.  Logical operations
 * clear CF and OF.
 *
 * Where the SDM leaves a flag undefined, no guest can rely on it, but
 * the emulator must still leave something there.  Our choice: AF after
 * and/or/xor/test is cleared (as current CPUs do); every other undefined
 * flag keeps the value it had before the instruction.  That covers AF after a shift or shld/shrd, OF after a
 * shift, rotate, shld or shrd by more than one, SF/ZF/AF/PF after
 * mul/imul, all six after div/idiv, CF/OF/SF/AF/PF after bsf/bsr and
 * OF/SF/AF/PF after tzcnt/lzcnt and bt/bts/btr/btc.  One exception:
 * CF after shl or shr by the operand's size or more is what the SDM's
 * own loop leaves, the last bit shifted out (0 past the size).
 * Undefined results are chosen as plainly: bsf/bsr of zero leave the
 * destination as it was (as AMD documents and Intel CPUs do), and a
 * 16-bit shld/shrd by more than 16 leaves the destination and the flags
 * unchanged.
 */
#include "vmm/emul_int.h"
#include "kern/mmu.h"

/* PF, ZF and SF of a result of `size` bytes. */
static uint32_t
szp(uint32_t r, int size)
{
	uint32_t fl = 0;
	uint32_t sign = 1u << (8 * size - 1);
	uint8_t low = r;

	low ^= low >> 4;
	low ^= low >> 2;
	low ^= low >> 1;
	if (!(low & 1))
		fl |= FL_PF;
	if ((r & alu_mask(size)) == 0)
		fl |= FL_ZF;
	if (r & sign)
		fl |= FL_SF;
	return fl;
}

uint32_t
alu_mask(int size)
{
	return size == 4 ? 0xffffffff : (1u << (8 * size)) - 1;
}

/* Replace the flags in `which` by those in `fl`. */
static void
set_flags(uint32_t *flags, uint32_t which, uint32_t fl)
{
	*flags = (*flags & ~which) | (fl & which);
}

uint32_t
alu(enum alu_op op, uint32_t a, uint32_t b, int size, uint32_t *flags)
{
	uint32_t m = alu_mask(size), sign = 1u << (8 * size - 1);
	uint32_t c = *flags & FL_CF ? 1 : 0, r, fl = 0;
	uint64_t wide;

	a &= m;
	b &= m;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		if (op == ALU_ADD)
			c = 0;
		wide = (uint64_t) a + b + c;
		r = wide & m;
		if (wide > m)
			fl |= FL_CF;
		if ((a ^ r) & (b ^ r) & sign)
			fl |= FL_OF;		/* both operands' sign differs from the result's */
		fl |= (a ^ b ^ r) & FL_AF;
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		if (op != ALU_SBB)
			c = 0;
		r = (a - b - c) & m;
		if ((uint64_t) a < (uint64_t) b + c)
			fl |= FL_CF;
		if ((a ^ b) & (a ^ r) & sign)
			fl |= FL_OF;		/* operands of unlike sign, result unlike a */
		fl |= (a ^ b ^ r) & FL_AF;
		break;
	case ALU_OR:
		r = a | b;
		break;
	case ALU_AND:
		r = a & b;
		break;
	default:
		r = a ^ b;
		break;
	}
	*flags = (*flags & ~FL_ARITH) | fl | szp(r, size);
	return op == ALU_CMP ? a : r;
}

uint32_t
alu_incdec(uint32_t a, int delta, int size, uint32_t *flags)
{
	uint32_t cf = *flags & FL_CF;
	uint32_t r = alu(delta > 0 ? ALU_ADD : ALU_SUB, a, 1, size, flags);

	*flags = (*flags & ~FL_CF) | cf;
	return r;
}

uint32_t
alu_neg(uint32_t a, int size, uint32_t *flags)
{
	return alu(ALU_SUB, 0, a, size, flags);
}

/* ------------------------------------------------------------------------
 * Shifts and rotates (c0, c1, d0-d3).  The count is masked to 5 bits
 * for every operand size; a masked count of 0 changes nothing, flags
 * included.  The CPU defines OF only for a count of 1.
 * ------------------------------------------------------------------------ */

static uint32_t
rotate(enum shift_op op, uint32_t a, unsigned count, int size, uint32_t *flags)
{
	unsigned bits = 8 * size, n;
	uint32_t m = alu_mask(size), msb = 1u << (bits - 1), r = a, cf, fl = 0;

	switch (op) {
	case SH_ROL:
		n = count % bits;
		r = n ? ((a << n) | (a >> (bits - n))) & m : a;
		cf = r & 1;
		fl = cf ? FL_CF : 0;
		if (count == 1 && (!!(r & msb) ^ cf))
			fl |= FL_OF;
		break;
	case SH_ROR:
		n = count % bits;
		r = n ? ((a >> n) | (a << (bits - n))) & m : a;
		fl = (r & msb) ? FL_CF : 0;
		if (count == 1 && (!!(r & msb) ^ !!(r & (msb >> 1))))
			fl |= FL_OF;
		break;
	case SH_RCL:
	case SH_RCR:
		/* Through CF: a rotation of bits + 1 bits. */
		cf = *flags & FL_CF ? 1 : 0;
		if (count == 1 && op == SH_RCR && (!!(a & msb) ^ cf))
			fl |= FL_OF;	/* RCR's OF comes from the operand before */
		for (n = count % (bits + 1); n > 0; n--) {
			uint32_t out = op == SH_RCL ? !!(r & msb) : r & 1;

			r = op == SH_RCL ? ((r << 1) | cf) & m : (r >> 1) | (cf ? msb : 0);
			cf = out;
		}
		fl |= cf ? FL_CF : 0;
		if (count == 1 && op == SH_RCL && (!!(r & msb) ^ cf))
			fl |= FL_OF;
		break;
	default:
		break;
	}
	/* Rotates touch only CF and OF; OF is undefined past a count of 1. */
	set_flags(flags, count == 1 ? FL_CF | FL_OF : FL_CF, fl);
	return r;
}

uint32_t
alu_shift(enum shift_op op, uint32_t a, unsigned count, int size, uint32_t *flags)
{
	unsigned bits = 8 * size;
	uint32_t m = alu_mask(size), msb = 1u << (bits - 1), r, fl = 0;
	int32_t sa;

	a &= m;
	count &= 0x1f;
	if (count == 0)
		return a;
	if (op <= SH_RCR)
		return rotate(op, a, count, size, flags);
	switch (op) {
	case SH_SHL:
	case SH_SAL:
		r = count < bits ? (a << count) & m : 0;
		if (count <= bits && ((a >> (bits - count)) & 1))
			fl |= FL_CF;
		if (!!(r & msb) ^ !!(fl & FL_CF))
			fl |= FL_OF;
		break;
	case SH_SHR:
		r = count < bits ? a >> count : 0;
		if (count <= bits && ((a >> (count - 1)) & 1))
			fl |= FL_CF;
		if (a & msb)
			fl |= FL_OF;
		break;
	default:				/* SH_SAR */
		sa = (int32_t) (a << (32 - bits)) >> (32 - bits);	/* sign-extended */
		r = (uint32_t) (sa >> (count < bits ? count : bits - 1)) & m;
		if ((sa >> (count <= bits ? count - 1 : bits - 1)) & 1)
			fl |= FL_CF;
		break;				/* OF: 0 for a count of 1 */
	}
	fl |= szp(r, size);
	set_flags(flags, FL_CF | FL_PF | FL_ZF | FL_SF | (count == 1 ? FL_OF : 0), fl);
	return r;
}

uint32_t
alu_shd(bool left, uint32_t dst, uint32_t src, unsigned count, int size,
	uint32_t *flags)
{
	unsigned bits = 8 * size;
	uint32_t m = alu_mask(size), msb = 1u << (bits - 1), r, fl = 0;
	uint64_t v;

	dst &= m;
	src &= m;
	count &= 0x1f;
	if (count == 0 || count > bits)
		return dst;		/* nothing, or undefined: unchanged */
	if (left) {
		/* dst:src shifted left; the result is the top half */
		v = ((uint64_t) dst << bits | src) << count;
		r = (v >> bits) & m;
		if ((dst >> (bits - count)) & 1)
			fl |= FL_CF;		/* the last bit out of dst */
	} else {
		/* src:dst shifted right; the result is the bottom half */
		v = (uint64_t) src << bits | dst;
		r = (v >> count) & m;
		if ((v >> (count - 1)) & 1)
			fl |= FL_CF;
	}
	if (!!(r & msb) ^ !!(dst & msb))
		fl |= FL_OF;			/* the sign changed */
	fl |= szp(r, size);
	set_flags(flags, FL_CF | FL_PF | FL_ZF | FL_SF | (count == 1 ? FL_OF : 0), fl);
	return r;
}

/* ------------------------------------------------------------------------
 * Multiplication and division.  CF and OF say whether the product needs
 * its upper half; SF, ZF, AF and PF are undefined (kept).
 * ------------------------------------------------------------------------ */

static int64_t
sext(uint32_t v, int size)
{
	return size == 1 ? (int8_t) v : size == 2 ? (int16_t) v : (int32_t) v;
}

uint64_t
alu_mul(bool is_signed, uint32_t a, uint32_t b, int size, uint32_t *flags)
{
	uint32_t m = alu_mask(size);
	uint64_t p;
	bool wide;

	if (is_signed) {
		int64_t sp = sext(a, size) * sext(b, size);

		p = (uint64_t) sp;
		wide = sp != sext((uint32_t) sp & m, size);
	} else {
		p = (uint64_t) (a & m) * (b & m);
		wide = (p >> (8 * size)) != 0;
	}
	set_flags(flags, FL_CF | FL_OF, wide ? FL_CF | FL_OF : 0);
	return p;
}

bool
alu_div(bool is_signed, uint64_t n, uint32_t d, int size, uint32_t *q, uint32_t *r)
{
	unsigned bits = 8 * size;
	uint64_t nm = bits == 32 ? n : n & ((1ull << (2 * bits)) - 1);
	uint64_t un, ud, uq;
	bool nneg, dneg;

	d &= alu_mask(size);
	if (d == 0)
		return false;
	if (!is_signed) {
		uq = nm / d;
		if (uq >> bits)
			return false;		/* the quotient does not fit */
		*q = uq;
		*r = nm % d;
		return true;
	}
	/* Signed, on magnitudes: no C overflow, truncation toward zero. */
	nneg = (nm >> (2 * bits - 1)) & 1;
	dneg = (d >> (bits - 1)) & 1;
	un = nneg ? (bits == 32 ? -nm : ((1ull << (2 * bits)) - nm)) : nm;
	ud = dneg ? ((1ull << bits) - d) : d;
	uq = un / ud;
	if (nneg != dneg ? uq > (1ull << (bits - 1)) : uq >= (1ull << (bits - 1)))
		return false;
	*q = (uint32_t) (nneg != dneg ? -uq : uq) & alu_mask(size);
	*r = (uint32_t) (nneg ? -(un % ud) : un % ud) & alu_mask(size);
	return true;
}

/* ------------------------------------------------------------------------
 * Bit scans and conditions.
 * ------------------------------------------------------------------------ */

int
alu_bitscan(enum scan_op op, uint32_t src, int size, uint32_t *flags)
{
	int bits = 8 * size, i;

	src &= alu_mask(size);
	if (op == SCAN_TZCNT || op == SCAN_LZCNT) {
		for (i = 0; i < bits; i++)
			if ((src >> (op == SCAN_TZCNT ? i : bits - 1 - i)) & 1)
				break;
		set_flags(flags, FL_CF | FL_ZF, (src == 0 ? FL_CF : 0) | (i == 0 ? FL_ZF : 0));
		return i;
	}
	set_flags(flags, FL_ZF, src == 0 ? FL_ZF : 0);
	if (src == 0)
		return -1;
	for (i = 0; i < bits; i++)
		if ((src >> (op == SCAN_BSF ? i : bits - 1 - i)) & 1)
			break;
	return op == SCAN_BSF ? i : bits - 1 - i;
}

bool
alu_cond(uint32_t fl, int cc)
{
	bool cf = fl & FL_CF, zf = fl & FL_ZF, sf = fl & FL_SF, of = fl & FL_OF;
	bool r;

	switch (cc >> 1) {
	case 0: r = of; break;			/* o */
	case 1: r = cf; break;			/* b */
	case 2: r = zf; break;			/* e */
	case 3: r = cf || zf; break;		/* be */
	case 4: r = sf; break;			/* s */
	case 5: r = fl & FL_PF; break;		/* p */
	case 6: r = sf != of; break;		/* l */
	default: r = zf || sf != of; break;	/* le */
	}
	return (cc & 1) ? !r : r;
}
