/*
 * emul_alu.c - integer arithmetic and the six status flags.
 *
 * Paper section 2: an emulated instruction must leave the guest exactly
 * the state the CPU would have, flags included (a driver's
 * `lock incl (%eax)` on an MMIO page is followed by a `jz`).  The rules
 * are the SDM's: CF is the carry (or borrow) out of the top bit, OF a
 * signed overflow, AF the carry out of bit 3, PF the even parity of the
 * low byte, ZF and SF from the truncated result.  Logical operations
 * clear CF and OF; AF is undefined for them and we clear it, as current
 * CPUs do.
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
	if (r == 0)
		fl |= FL_ZF;
	if (r & sign)
		fl |= FL_SF;
	return fl;
}

static uint32_t
mask(int size)
{
	return size == 4 ? 0xffffffff : (1u << (8 * size)) - 1;
}

uint32_t
alu(enum alu_op op, uint32_t a, uint32_t b, int size, uint32_t *flags)
{
	uint32_t m = mask(size), sign = 1u << (8 * size - 1);
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
