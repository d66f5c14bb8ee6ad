/*
 * emul_iret.c - iret, to the same ring or out to user mode.
 *
 * Paper section 2: iret is where a deprivileged kernel goes wrong on the
 * x86, since at ring 1 it cannot restore the interrupt flag.  The monitor
 * makes the guest's iret trap (docs/design.md section 5) and finishes it here,
 * on the guest-visible state: the selectors, CPL and EFLAGS the guest
 * believes in.  How those map onto real rings is the engine's business.
 * A return from a nested task (NT) is a task switch (emul_task.c); returns
 * to virtual-8086 mode are not emulated.
 */
#include "vmm/emul_int.h"
#include "vmm/desc.h"
#include "kern/mmu.h"

#define ATTR_CONFORM	STA_C

/* Check and load the CS of a return to ring rpl. */
static int
return_cs(struct emu *e, uint32_t sel, struct vseg *cs)
{
	uint64_t d;
	int err, dpl;

	if ((sel & ~3u) == 0)
		return emu_gp(e, 0);
	if ((err = emu_read_desc(e, sel, &d)))
		return err;
	vseg_from_desc(cs, sel, d);
	dpl = ATTR_DPL(cs->attr);
	if ((cs->attr & ATTR_CODE) != ATTR_CODE ||
	    ((cs->attr & ATTR_CONFORM) ? dpl > (int) (sel & 3) : dpl != (int) (sel & 3)))
		return emu_gp(e, sel & ~3u);
	if (!(cs->attr & ATTR_P))
		return emu_fault(e, T_SEGNP, true, sel & ~3u);
	return 0;
}

/* Check and load the SS of a return to an outer ring. */
static int
return_ss(struct emu *e, uint32_t sel, int rpl, struct vseg *ss)
{
	uint64_t d;
	int err;

	if ((sel & ~3u) == 0 || (int) (sel & 3) != rpl)
		return emu_gp(e, sel & ~3u);
	if ((err = emu_read_desc(e, sel, &d)))
		return err;
	vseg_from_desc(ss, sel, d);
	/* a writable data segment of the new ring */
	if ((ss->attr & 0x1a) != 0x12 || ATTR_DPL(ss->attr) != rpl)
		return emu_gp(e, sel & ~3u);
	if (!(ss->attr & ATTR_P))
		return emu_fault(e, T_STACK, true, sel & ~3u);
	return 0;
}

/* The end of a return to outer ring rpl: its stack and its CPL. */
static void
to_outer_ring(struct emu *e, unsigned rpl, const struct vseg *ss, uint32_t esp)
{
	e->v->seg[SEG_SS] = *ss;
	e->gpr[REG_ESP] = esp;
	e->v->cpl = rpl;
	emu_null_inner_segments(e->v, rpl);
}

int
emu_iret(struct emu *e)
{
	struct vcpu *v = e->v;
	struct vseg cs, ss;
	uint32_t eip, sel, fl, esp, sssel;
	int err, rpl;

	if (e->in->opsize != 4)
		return emu_unhandled(e, "16-bit iret not emulated");
	/* A nested task returns to the task of its TSS's back link. */
	if (e->eflags & FL_NT) {
		uint16_t link;

		if ((err = emu_read_lin(e, v->tr.base, &link, 2)))
			return err;
		return emu_task_switch(e, link, TASK_IRET, false, 0);
	}
	if ((err = emu_pop(e, 4, &eip)) || (err = emu_pop(e, 4, &sel)) ||
	    (err = emu_pop(e, 4, &fl)))
		return err;
	sel &= 0xffff;
	if ((fl & FL_VM) && v->cpl == 0)
		return emu_unhandled(e, "iret to virtual-8086 mode not emulated");
	rpl = sel & 3;
	if (rpl < v->cpl)
		return emu_gp(e, sel & ~3u);
	if ((err = return_cs(e, sel, &cs)))
		return err;
	if (rpl > v->cpl) {
		if ((err = emu_pop(e, 4, &esp)) || (err = emu_pop(e, 4, &sssel)))
			return err;
		if ((err = return_ss(e, sssel & 0xffff, rpl, &ss)))
			return err;
	}
	if (eip > cs.limit)
		return emu_gp(e, 0);

	/* Every check passed: now change the vcpu. */
	emu_load_eflags(e, fl, 4);	/* by the old CPL's rules */
	e->eip = eip;
	v->seg[SEG_CS] = cs;
	if (rpl > v->cpl)
		to_outer_ring(e, rpl, &ss, esp);
	return EMU_DONE;
}
