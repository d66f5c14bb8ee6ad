/*
 * emul_task.c - the hardware task switch: jmp or call to a TSS or a task
 * gate, iret with NT set, an interrupt or exception through a task gate.
 *
 * Paper section 2: the monitor must do to the virtual CPU what the real
 * one does, and the i386's task switch is a single instruction's worth of
 * work on the guest's own tables: the outgoing task's registers saved in
 * its TSS, the TSS descriptors' busy bits, the back link and NT of a
 * nested task, then the incoming task's registers, CR3, LDT and segments
 * (SDM vol. 3, 7.3).  Under ring compression every such switch traps: the
 * shadow GDT holds no system descriptors and the monitor's IDT no task
 * gates.  Faults found once the new task's state is loaded are raised in
 * the new task, as the CPU raises them.
 */
#include "vmm/emul_int.h"
#include "vmm/desc.h"
#include "kern/mmu.h"

/* The 32-bit TSS, as far as a task switch reads and writes it. */
#define TSS_LINK	0
#define TSS_CR3		28
#define TSS_EIP		32	/* then EFLAGS, the eight GPRs, six selectors */
#define TSS_LDT		96
#define TSS_MIN_LIMIT	0x67	/* a 32-bit TSS is at least 104 bytes */
#define TSS_BUSY	0x2	/* in the descriptor's type: 9 available, B busy */

/* What emu_task_switch() saves and loads, in the TSS's order from EIP. */
struct task_state {
	uint32_t eip, eflags;
	uint32_t gpr[NGPRS];
	uint32_t sel[NSREGS];	/* ES, CS, SS, DS, FS, GS, 32 bits apart */
};

/* The TSS selected by sel: a present, big enough, 32-bit TSS in the GDT. */
static int
new_tss(struct emu *e, uint16_t sel, bool want_busy, struct vseg *tss,
	uint64_t *d)
{
	unsigned type;
	int r;

	if ((sel & SEL_TI) || (sel & ~3u) == 0)
		return want_busy ? emu_fault(e, T_TSS, true, sel & ~3u) :
			emu_gp(e, sel & ~3u);
	if ((r = emu_read_desc(e, sel, d)))
		return r;
	type = desc_type(*d);
	if ((*d & DESC_S) || (type & ~TSS_BUSY) != STS_T32A ||
	    !!(type & TSS_BUSY) != want_busy)
		return want_busy ? emu_fault(e, T_TSS, true, sel & ~3u) :
			emu_gp(e, sel & ~3u);
	if (!(*d & DESC_P))
		return emu_fault(e, T_SEGNP, true, sel & ~3u);
	vseg_from_desc(tss, sel, *d);
	if (tss->limit < TSS_MIN_LIMIT)
		return emu_fault(e, T_TSS, true, sel & ~3u);
	return 0;
}

/* Set or clear the busy bit of the TSS descriptor of sel, in the GDT. */
static int
set_busy(struct emu *e, uint16_t sel, bool busy)
{
	uint32_t la = e->v->gdtr.base + (sel & ~7u) + 5;
	uint8_t access;
	int r;

	if ((r = emu_read_lin(e, la, &access, 1)))
		return r;
	access = busy ? access | TSS_BUSY : access & ~TSS_BUSY;
	return emu_write_lin(e, la, &access, 1);
}

/* The outgoing task's registers into its own TSS. */
static int
save_task(struct emu *e, uint32_t eflags)
{
	struct task_state t;
	int s;

	t.eip = e->eip;
	t.eflags = eflags;
	for (s = 0; s < NGPRS; s++)
		t.gpr[s] = e->gpr[s];
	for (s = 0; s < NSREGS; s++)
		t.sel[s] = e->v->seg[s].sel;
	return emu_write_lin(e, e->v->tr.base + TSS_EIP, &t, sizeof(t));
}

/* CS of the new task: a present code segment for ring RPL. */
static int
load_task_cs(struct emu *e, uint16_t sel)
{
	unsigned rpl = sel & 3;
	uint64_t d;
	int r;

	if ((sel & ~3u) == 0)
		return emu_fault(e, T_TSS, true, 0);
	if ((r = emu_read_desc(e, sel, &d)))
		return emu_fault(e, T_TSS, true, sel & ~3u);
	if (!(d & DESC_S) || !(desc_type(d) & STA_X) ||
	    ((desc_type(d) & STA_C) ? desc_dpl(d) > rpl : desc_dpl(d) != rpl))
		return emu_fault(e, T_TSS, true, sel & ~3u);
	if (!(d & DESC_P))
		return emu_fault(e, T_SEGNP, true, sel & ~3u);
	vseg_from_desc(&e->v->seg[SEG_CS], sel, d);
	return 0;
}

/* The LDT of the new task: null, or an LDT descriptor in the GDT. */
static int
load_task_ldt(struct emu *e, uint16_t sel)
{
	struct vsysreg *l = &e->v->ldtr;
	struct vseg s;
	uint64_t d;

	if ((sel & ~3u) == 0) {
		*l = (struct vsysreg) { 0 };
		return 0;
	}
	if ((sel & SEL_TI) || emu_read_desc(e, sel, &d) != 0 ||
	    (d & DESC_S) || desc_type(d) != STS_LDT)
		return emu_fault(e, T_TSS, true, sel & ~3u);
	if (!(d & DESC_P))
		return emu_fault(e, T_TSS, true, sel & ~3u);
	vseg_from_desc(&s, sel, d);
	*l = (struct vsysreg) { .sel = sel, .base = s.base, .limit = s.limit,
				.attr = s.attr };
	return 0;
}

/* The new task's state, from its TSS; faults from here on are its own. */
static int
load_task(struct emu *e, const struct vseg *tss, uint16_t sel, uint64_t d)
{
	struct vcpu *v = e->v;
	struct task_state t;
	uint32_t cr3, ldt;
	int r, s;

	if ((r = emu_read_lin(e, tss->base + TSS_CR3, &cr3, 4)) ||
	    (r = emu_read_lin(e, tss->base + TSS_EIP, &t, sizeof(t))) ||
	    (r = emu_read_lin(e, tss->base + TSS_LDT, &ldt, 4)))
		return r;
	v->tr = (struct vsysreg) { .sel = sel, .base = tss->base,
				   .limit = tss->limit,
				   .attr = (d >> 40) & 0xf0ff };
	v->tr.attr |= TSS_BUSY;
	if (e->ops->load_dtr)
		e->ops->load_dtr(e->ctx, EMU_TR, &e->ev->fault);
	v->cr0 |= CR0_TS;
	if ((v->cr0 & CR0_PG) && e->ops->write_cr &&
	    e->ops->write_cr(e->ctx, 3, cr3, &e->ev->fault))
		return EMU_FAULT;
	v->cr3 = cr3;
	/* The registers first: a fault below is raised in the new task. */
	for (s = 0; s < NGPRS; s++)
		e->gpr[s] = t.gpr[s];
	e->eflags = t.eflags | 0x2;
	e->eip = t.eip;
	v->cpl = t.sel[SEG_CS] & 3;
	emu_commit(e);
	if ((r = load_task_ldt(e, ldt & 0xffff)))
		return r;
	if (e->ops->load_dtr)
		e->ops->load_dtr(e->ctx, EMU_LDTR, &e->ev->fault);
	if ((r = load_task_cs(e, t.sel[SEG_CS] & 0xffff)))
		return r;
	for (s = 0; s < NSREGS; s++) {
		if (s == SEG_CS)
			continue;
		if ((r = emu_load_seg(e, s, t.sel[s] & 0xffff)) == EMU_FAULT &&
		    e->ev->fault.vector == T_GPFLT)
			e->ev->fault.vector = T_TSS;	/* the TSS named it */
		if (r)
			return r;
	}
	v->intr_shadow = false;
	return 0;
}

int
emu_task_switch(struct emu *e, uint16_t sel, enum emu_task_reason why,
		bool has_err, uint32_t err)
{
	struct vcpu *v = e->v;
	struct vseg tss = { 0 };
	uint64_t d = 0;
	uint32_t eflags = e->eflags;
	uint16_t link = v->tr.sel;
	int r;

	if ((r = new_tss(e, sel, why == TASK_IRET, &tss, &d)))
		return r;
	if (v->tr.limit < TSS_MIN_LIMIT)
		return emu_fault(e, T_TSS, true, v->tr.sel & ~3u);
	/* A task returned from is no longer nested. */
	if (why == TASK_IRET)
		eflags &= ~FL_NT;
	if ((r = save_task(e, eflags)))
		return r;
	if ((why == TASK_JMP || why == TASK_IRET) && (r = set_busy(e, link, false)))
		return r;
	if (why != TASK_IRET && (r = set_busy(e, sel, true)))
		return r;
	if (why == TASK_CALL || why == TASK_INT) {
		if ((r = emu_write_lin(e, tss.base + TSS_LINK, &link, 2)))
			return r;
	}
	if ((r = load_task(e, &tss, sel, d)))
		return r;
	if (why == TASK_CALL || why == TASK_INT)
		e->eflags |= FL_NT;
	/* An exception's error code goes on the new task's stack. */
	if (has_err && (r = emu_push(e, 4, err)))
		return r;
	return EMU_DONE;
}

int
emu_task_gate(struct vcpu *v, const struct emu_ops *ops, void *ctx,
	      uint16_t sel, bool has_err, uint32_t err, struct emu_event *ev)
{
	static const struct insn none;
	struct emu e = { .v = v, .in = &none, .ops = ops, .ctx = ctx, .ev = ev,
			 .eflags = v->eflags, .eip = v->eip };
	int r, i;

	*ev = (struct emu_event) { 0 };
	for (i = 0; i < NGPRS; i++)
		e.gpr[i] = v->gpr[i];
	r = emu_task_switch(&e, sel, TASK_INT, has_err, err);
	if (r == EMU_DONE)
		emu_commit(&e);
	return r;
}
