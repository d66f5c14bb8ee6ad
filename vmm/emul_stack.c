/*
 * emul_stack.c - push, pop, call and ret on a stack the monitor must
 * carry out.
 *
 * A guest's stack is ordinary memory to the CPU, but not always to the
 * monitor: a kernel may put its stack where te emulates every access
 * (the monitor's own linear range, mapped by the guest to its RAM; the
 * unassigned memory past RAM a fault frame may run into; a device page).
 * The stack forms a compiler emits, and the ones an exception stub uses,
 * are then carried out here: push and pop of a register or an immediate,
 * near call and ret.  Each goes through emu_push()/emu_pop(), so the
 * stack segment's checks and the guest's page tables apply, and a fault
 * leaves the registers as they were.
 */
#include "vmm/emul_int.h"

/* push %reg, with ESP pushing the value it had before the push. */
static int
push_reg(struct emu *e, int r)
{
	return emu_push(e, e->in->opsize, emu_getreg(e, r, e->in->opsize)) ?:
	       EMU_DONE;
}

/* pop %reg: ESP is incremented first, so pop %esp loads the popped word. */
static int
pop_reg(struct emu *e, int r)
{
	uint32_t v;
	int err;

	if ((err = emu_pop(e, e->in->opsize, &v)))
		return err;
	emu_setreg(e, r, e->in->opsize, v);
	return EMU_DONE;
}

/* call rel: push the next instruction's address, then branch. */
static int
call_rel(struct emu *e)
{
	uint32_t target = e->eip + e->in->imm;
	int err;

	if (e->in->opsize != 4)
		return emu_unhandled(e, "16-bit near call not emulated");
	if (target > e->v->seg[SEG_CS].limit)
		return emu_gp(e, 0);
	if ((err = emu_push(e, 4, e->eip)))
		return err;
	e->eip = target;
	return EMU_DONE;
}

/* ret [imm16]: pop the return address, then release imm16 more bytes. */
static int
ret_near(struct emu *e, uint32_t release)
{
	uint32_t target;
	int err;

	if (e->in->opsize != 4)
		return emu_unhandled(e, "16-bit near ret not emulated");
	if ((err = emu_pop(e, 4, &target)))
		return err;
	if (target > e->v->seg[SEG_CS].limit)
		return emu_gp(e, 0);
	e->gpr[REG_ESP] += release;
	e->eip = target;
	return EMU_DONE;
}

int
emu_stack_insn(struct emu *e)
{
	const struct insn *in = e->in;

	switch (in->op) {
	case 0x50 ... 0x57:
		return push_reg(e, in->op - 0x50);
	case 0x58 ... 0x5f:
		return pop_reg(e, in->op - 0x58);
	case 0x68: case 0x6a:			/* the decoder sign-extended imm8 */
		return emu_push(e, in->opsize, in->imm) ?: EMU_DONE;
	case 0xe8:
		return call_rel(e);
	case 0xc2:
		return ret_near(e, in->imm & 0xffff);
	case 0xc3:
		return ret_near(e, 0);
	}
	return emu_unhandled(e, "stack instruction not emulated");
}
