/*
 * emul_string.c - movs, cmps, stos, lods, scas, ins, outs, with or
 * without rep, repe or repne.
 *
 * Paper section 2: the IDE driver moves sectors with `rep insl`, drivers
 * fill or copy device memory with `rep stos` and `rep movs`, and a kernel
 * clears a page table it is building with `rep stosl` while the shadow
 * still traces it (section 2.4); each must be emulated in full.  A rep
 * instruction is a loop the CPU may interrupt between iterations: a
 * fault in the middle leaves ECX, ESI and EDI describing the iterations
 * done and EIP at the instruction, so we commit the registers after
 * every iteration, as the CPU does.  cmps and scas set the flags of a
 * cmp (source minus destination) and, under repe/repne, end the loop
 * on the first unequal or equal element.  On the other five, f3 is rep;
 * f2, which the SDM does not define there, is taken as rep as well.
 */
#include "vmm/emul_int.h"
#include "kern/mmu.h"

/* Iterations per call: the rest happen when the guest re-executes the insn. */
#define REP_BATCH	65536

/* ESI, EDI, ECX as the address size sees them (16-bit: the low half). */
static uint32_t
areg(struct emu *e, int r)
{
	return e->in->adsize == 2 ? e->gpr[r] & 0xffff : e->gpr[r];
}

static void
areg_add(struct emu *e, int r, int32_t delta)
{
	if (e->in->adsize == 2)
		e->gpr[r] = (e->gpr[r] & ~0xffffu) | ((e->gpr[r] + delta) & 0xffff);
	else
		e->gpr[r] += delta;
}

/* One iteration. */
static int
step(struct emu *e, int size, int32_t delta)
{
	const struct insn *in = e->in;
	uint16_t port = e->gpr[REG_EDX];
	uint32_t v, w;
	int err;

	switch (in->op) {
	case 0xa4: case 0xa5:				/* movs */
		if ((err = emu_read(e, in->seg, areg(e, REG_ESI), size, &v)) ||
		    (err = emu_write(e, SEG_ES, areg(e, REG_EDI), size, v)))
			return err;
		areg_add(e, REG_ESI, delta);
		areg_add(e, REG_EDI, delta);
		return 0;
	case 0xaa: case 0xab:				/* stos */
		if ((err = emu_write(e, SEG_ES, areg(e, REG_EDI), size,
				     emu_getreg(e, REG_EAX, size))))
			return err;
		areg_add(e, REG_EDI, delta);
		return 0;
	case 0xa6: case 0xa7:				/* cmps: seg:[esi] - es:[edi] */
		if ((err = emu_read(e, in->seg, areg(e, REG_ESI), size, &v)) ||
		    (err = emu_read(e, SEG_ES, areg(e, REG_EDI), size, &w)))
			return err;
		alu(ALU_CMP, v, w, size, &e->eflags);
		areg_add(e, REG_ESI, delta);
		areg_add(e, REG_EDI, delta);
		return 0;
	case 0xae: case 0xaf:				/* scas: acc - es:[edi] */
		if ((err = emu_read(e, SEG_ES, areg(e, REG_EDI), size, &w)))
			return err;
		alu(ALU_CMP, emu_getreg(e, REG_EAX, size), w, size, &e->eflags);
		areg_add(e, REG_EDI, delta);
		return 0;
	case 0xac: case 0xad:				/* lods */
		if ((err = emu_read(e, in->seg, areg(e, REG_ESI), size, &v)))
			return err;
		emu_setreg(e, REG_EAX, size, v);
		areg_add(e, REG_ESI, delta);
		return 0;
	case 0x6c: case 0x6d:				/* ins */
		/*
		 * The port is read before the store can fault; a driver's
		 * buffer is ordinary RAM, so a fault here is a guest bug.
		 */
		v = e->ops->in(e->ctx, port, size);
		if ((err = emu_write(e, SEG_ES, areg(e, REG_EDI), size, v)))
			return err;
		areg_add(e, REG_EDI, delta);
		return 0;
	case 0x6e: case 0x6f:				/* outs */
		if ((err = emu_read(e, in->seg, areg(e, REG_ESI), size, &v)))
			return err;
		e->ops->out(e->ctx, port, size, v);
		areg_add(e, REG_ESI, delta);
		return 0;
	}
	return emu_unhandled(e, "string instruction not emulated");
}

/* After an iteration of repe/repne cmps or scas: has ZF ended the loop? */
static bool
rep_ends(struct emu *e)
{
	const struct insn *in = e->in;
	bool zf = e->eflags & FL_ZF;

	if (in->op != 0xa6 && in->op != 0xa7 && in->op != 0xae && in->op != 0xaf)
		return false;
	return (in->prefixes & PFX_REP) ? !zf : zf;
}

int
emu_string(struct emu *e)
{
	const struct insn *in = e->in;
	int size = (in->op & 1) ? in->opsize : 1, err;
	int32_t delta = (e->eflags & FL_DF) ? -size : size;
	bool rep = in->prefixes & (PFX_REP | PFX_REPNE);
	uint32_t next = e->eip;

	if ((in->flags & INSN_IO) &&
	    e->v->cpl > (int) ((e->eflags & FL_IOPL_MASK) >> FL_IOPL_SHIFT))
		return emu_gp(e, 0);	/* no I/O bitmap: CPL > IOPL is refused */
	if (!rep)
		return step(e, size, delta);

	/* Until done, EIP stays on the instruction; commit each iteration. */
	e->eip = e->v->eip;
	for (int n = 0; n < REP_BATCH; n++) {
		if (areg(e, REG_ECX) == 0) {
			e->eip = next;
			return EMU_DONE;
		}
		if ((err = step(e, size, delta)))
			return err;
		areg_add(e, REG_ECX, -1);
		if (rep_ends(e)) {
			e->eip = next;
			return EMU_DONE;
		}
		emu_commit(e);
		if (!(in->flags & INSN_IO) && e->ops->rep_stop &&
		    e->ops->rep_stop(e->ctx))
			break;
	}
	if (areg(e, REG_ECX) == 0)
		e->eip = next;
	return EMU_DONE;
}
