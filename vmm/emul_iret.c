/*
 * emul_iret.c - iret and lret, to the same ring or out to user mode.
 *
 * Paper section 2: iret is where a deprivileged kernel goes wrong on the
 * x86, since at ring 1 it cannot restore the interrupt flag.  The monitor
 * makes the guest's iret trap (docs/design.md section 5) and finishes it here,
 * on the guest-visible state: the selectors, CPL and EFLAGS the guest
 * believes in.  How those map onto real rings is the engine's business.
 * Task returns (NT) and returns to virtual-8086 mode are not emulated.
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

/*
 * The end of a return to outer ring rpl: its stack, its CPL, and data
 * segments the new ring may not use nulled.
 */
static void
to_outer_ring(struct emu *e, int rpl, const struct vseg *ss, uint32_t esp)
{
	struct vcpu *v = e->v;

	v->seg[SEG_SS] = *ss;
	e->gpr[REG_ESP] = esp;
	v->cpl = rpl;
	for (int s = 0; s < NSREGS; s++) {
		uint16_t a = v->seg[s].attr;
		bool conforming_code = (a & (ATTR_CODE | ATTR_CONFORM)) ==
				       (ATTR_CODE | ATTR_CONFORM);

		if (s == SEG_CS || s == SEG_SS || conforming_code)
			continue;
		if (ATTR_DPL(a) < rpl)
			v->seg[s] = (struct vseg) { 0 };
	}
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
	if (e->eflags & FL_NT)
		return emu_unhandled(e, "iret with NT (task return) not emulated");
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

/*
 * lret and lret $n.  At ring 1 a guest kernel's far return to its own
 * code traps (a CS of RPL 0 is a return inward), as does one out to a
 * user code segment the shadow GDT hides; either is finished here with
 * the SDM's checks.  $n bytes of parameters are released from the stack
 * returned from and, going outward, from the one returned to.
 */
int
emu_lret(struct emu *e)
{
	struct vcpu *v = e->v;
	uint16_t n = e->in->op == 0xca ? e->in->imm : 0;
	uint32_t eip, sel, esp, sssel;
	struct vseg cs, ss;
	int err, rpl;

	if (e->in->opsize != 4)
		return emu_unhandled(e, "16-bit lret not emulated");
	if ((err = emu_pop(e, 4, &eip)) || (err = emu_pop(e, 4, &sel)))
		return err;
	sel &= 0xffff;
	rpl = sel & 3;
	if (rpl < v->cpl)
		return emu_gp(e, sel & ~3u);
	if ((err = return_cs(e, sel, &cs)))
		return err;
	e->gpr[REG_ESP] += n;
	if (rpl > v->cpl) {
		if ((err = emu_pop(e, 4, &esp)) || (err = emu_pop(e, 4, &sssel)))
			return err;
		if ((err = return_ss(e, sssel & 0xffff, rpl, &ss)))
			return err;
	}
	if (eip > cs.limit)
		return emu_gp(e, 0);
	e->eip = eip;
	v->seg[SEG_CS] = cs;
	if (rpl > v->cpl)
		to_outer_ring(e, rpl, &ss, esp + n);
	return EMU_DONE;
}
