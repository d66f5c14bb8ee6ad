/*
 * emul_mem.c - the data instructions a driver aims at device memory.
 *
 * Paper section 2: the monitor must virtualize every resource, memory-
 * mapped devices included.  A guest access to an emulated MMIO page (the
 * LAPIC, the IOAPIC) faults, and the instruction is carried out here with
 * its memory operand routed through ops->read/write to the device model.
 * Only the forms compilers emit for volatile device accesses are here:
 * mov in all its forms, movzx/movsx, the ALU group, test, inc/dec/not/
 * neg, xchg, bt/bts/btr/btc, push and pop of memory.
 */
#include "vmm/emul_int.h"
#include "kern/mmu.h"

/* Operand size of an opcode whose low bit picks byte or full size. */
static int
wsize(const struct insn *in)
{
	return (in->op & 1) ? in->opsize : 1;
}

/* Group 1 and the 00-3b ALU forms: op r/m,reg / reg,r/m / r/m,imm. */
static int
alu_rm(struct emu *e, enum alu_op op, int size, bool to_reg, bool use_imm)
{
	const struct insn *in = e->in;
	uint32_t a, b, r;
	int err;

	if ((err = emu_rm_read(e, size, to_reg ? &b : &a)))
		return err;
	if (to_reg)
		a = emu_getreg(e, in->reg, size);
	else
		b = use_imm ? in->imm : emu_getreg(e, in->reg, size);
	r = alu(op, a, b, size, &e->eflags);
	if (op == ALU_CMP)
		return EMU_DONE;
	if (to_reg) {
		emu_setreg(e, in->reg, size, r);
		return EMU_DONE;
	}
	return emu_rm_write(e, size, r) ?: EMU_DONE;
}

/* bt, bts, btr, btc (what: 0-3).  A register bit offset may reach past the operand. */
static int
bittest(struct emu *e, int what, uint32_t bitoff, bool from_reg)
{
	const struct insn *in = e->in;
	int size = in->opsize, bits = 8 * size, err;
	uint32_t off = e->in->mem ? insn_ea(in, e->gpr) : 0, val, bit;

	if (from_reg && in->mem) {
		/* the offset is signed and selects an operand-sized unit around ea */
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

static int
onebyte(struct emu *e)
{
	const struct insn *in = e->in;
	int size = wsize(in), err;
	uint32_t v, r;

	if (in->op < 0x40 && (in->op & 7) < 4)
		return alu_rm(e, in->op >> 3, size, in->op & 2, false);
	switch (in->op) {
	case 0x80: case 0x81: case 0x82: case 0x83:
		return alu_rm(e, in->reg, in->op == 0x80 || in->op == 0x82 ? 1 : in->opsize,
			      false, true);
	case 0x84: case 0x85:				/* test */
		if ((err = emu_rm_read(e, size, &v)))
			return err;
		alu(ALU_AND, v, emu_getreg(e, in->reg, size), size, &e->eflags);
		return EMU_DONE;
	case 0x86: case 0x87:				/* xchg */
		if ((err = emu_rm_read(e, size, &v)) ||
		    (err = emu_rm_write(e, size, emu_getreg(e, in->reg, size))))
			return err;
		emu_setreg(e, in->reg, size, v);
		return EMU_DONE;
	case 0x88: case 0x89:
		return emu_rm_write(e, size, emu_getreg(e, in->reg, size)) ?: EMU_DONE;
	case 0x8a: case 0x8b:
		if ((err = emu_rm_read(e, size, &v)))
			return err;
		emu_setreg(e, in->reg, size, v);
		return EMU_DONE;
	case 0xc6: case 0xc7:
		return emu_rm_write(e, size, in->imm) ?: EMU_DONE;
	case 0xa0: case 0xa1:				/* mov moffs, %al/%eax */
		if ((err = emu_read(e, in->seg, insn_ea(in, e->gpr), size, &v)))
			return err;
		emu_setreg(e, REG_EAX, size, v);
		return EMU_DONE;
	case 0xa2: case 0xa3:
		return emu_write(e, in->seg, insn_ea(in, e->gpr), size,
				 emu_getreg(e, REG_EAX, size)) ?: EMU_DONE;
	case 0xf6: case 0xf7:
		if (in->reg == 0 || in->reg == 2 || in->reg == 3) {
			if ((err = emu_rm_read(e, size, &v)))
				return err;
			if (in->reg == 0) {		/* test imm */
				alu(ALU_AND, v, in->imm, size, &e->eflags);
				return EMU_DONE;
			}
			r = in->reg == 2 ? ~v : alu_neg(v, size, &e->eflags);
			return emu_rm_write(e, size, r) ?: EMU_DONE;
		}
		return emu_unhandled(e, "mul/div of emulated memory");
	case 0xfe: case 0xff:
		if (in->reg < 2) {			/* inc, dec */
			if ((err = emu_rm_read(e, size, &v)))
				return err;
			r = alu_incdec(v, in->reg == 0 ? 1 : -1, size, &e->eflags);
			return emu_rm_write(e, size, r) ?: EMU_DONE;
		}
		if (in->op == 0xff && in->reg == 6) {	/* push r/m */
			if ((err = emu_rm_read(e, in->opsize, &v)))
				return err;
			return emu_push(e, in->opsize, v) ?: EMU_DONE;
		}
		return emu_unhandled(e, "indirect branch through emulated memory");
	case 0x8f:
		/* pop r/m: ESP is incremented before the address is computed */
		if ((err = emu_pop(e, in->opsize, &v)))
			return err;
		return emu_rm_write(e, in->opsize, v) ?: EMU_DONE;
	}
	return emu_unhandled(e, "instruction not emulated");
}

static int
twobyte(struct emu *e)
{
	const struct insn *in = e->in;
	uint32_t v;
	int err, from = (in->op & 1) ? 2 : 1;

	switch (in->op) {
	case 0xb6: case 0xb7:				/* movzx */
	case 0xbe: case 0xbf:				/* movsx */
		if ((err = emu_rm_read(e, from, &v)))
			return err;
		if (in->op >= 0xbe)
			v = from == 1 ? (uint32_t) (int8_t) v : (uint32_t) (int16_t) v;
		emu_setreg(e, in->reg, in->opsize, v);
		return EMU_DONE;
	case 0xa3: return bittest(e, 0, emu_getreg(e, in->reg, in->opsize), true);
	case 0xab: return bittest(e, 1, emu_getreg(e, in->reg, in->opsize), true);
	case 0xb3: return bittest(e, 2, emu_getreg(e, in->reg, in->opsize), true);
	case 0xbb: return bittest(e, 3, emu_getreg(e, in->reg, in->opsize), true);
	case 0xba: return bittest(e, in->reg - 4, in->imm, false);
	}
	return emu_unhandled(e, "instruction not emulated");
}

int
emu_mem_insn(struct emu *e)
{
	return e->in->map == MAP_ONE ? onebyte(e) : twobyte(e);
}
