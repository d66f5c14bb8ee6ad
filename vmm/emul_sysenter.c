/*
 * emul_sysenter.c - sysenter and sysexit, the fast system call pair.
 *
 * Under ring compression both reach the monitor: sysexit is privileged
 * (the guest kernel runs at ring 1), and sysenter meets the host's own
 * SYSENTER_CS, which the host leaves 0, so the CPU raises #GP(0) before
 * it can go anywhere.  The guest's three SYSENTER MSRs are virtual
 * (vcpu.h), and these do with them what the CPU does (Intel SDM vol. 2,
 * SYSENTER and SYSEXIT): flat segments whose selectors follow
 * SYSENTER_CS, whatever the GDT holds there.
 */
#include "kern/types.h"
#include "kern/mmu.h"
#include "vmm/vcpu.h"
#include "vmm/desc.h"
#include "vmm/emulate.h"
#include "vmm/emul_int.h"

/* The flat 4 GB segment the CPU loads: code (execute/read) or data
 * (read/write), accessed, 32-bit, at privilege dpl. */
static void
flat(struct vseg *s, uint16_t sel, bool code, unsigned dpl)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->attr = 0xc000 | ATTR_P | ATTR_S | dpl << 5 | (code ? 0xb : 0x3);
}

int
emu_sysenter(struct emu *e)
{
	struct vcpu *v = e->v;
	uint16_t cs = v->sysenter_cs & 0xfffc;

	/* sysexit's CPL check came first (INSN_PRIV, emulate()). */
	if (!(v->cr0 & CR0_PE) || cs == 0)
		return emu_gp(e, 0);
	if (e->in->op == 0x35) {		/* sysexit: to ring 3 */
		flat(&v->seg[SEG_CS], (cs + 16) | 3, true, 3);
		flat(&v->seg[SEG_SS], (cs + 24) | 3, false, 3);
		v->cpl = 3;
		e->eip = e->gpr[REG_EDX];
		e->gpr[REG_ESP] = e->gpr[REG_ECX];
		return EMU_DONE;
	}
	flat(&v->seg[SEG_CS], cs, true, 0);	/* sysenter: to ring 0 */
	flat(&v->seg[SEG_SS], cs + 8, false, 0);
	v->cpl = 0;
	e->eflags &= ~(FL_VM | FL_IF | FL_RF);
	e->eip = v->sysenter_eip;
	e->gpr[REG_ESP] = v->sysenter_esp;
	return EMU_DONE;
}
