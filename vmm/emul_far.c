/*
 * emul_far.c - far jumps, calls and returns: to a code segment, through a
 * call gate, to a task.
 *
 * Paper section 2: what traps must be carried out as the CPU would.  Under
 * ring compression a far transfer traps when its target is a descriptor
 * the shadow GDT cannot give the CPU: a call gate (which must not lead
 * anywhere the monitor does not check), a TSS or task gate (emul_task.c),
 * or a return to the guest's user code, whose descriptors the shadow
 * hides.  The checks and the stack switch are the SDM's (vol. 2, JMP,
 * CALL, RET; vol. 3, 5.8).
 */
#include "vmm/emul_int.h"
#include "vmm/desc.h"
#include "kern/mmu.h"


/* The target: sel:off from the instruction or from its memory operand. */
static int
far_target(struct emu *e, uint16_t *sel, uint32_t *off)
{
	const struct insn *in = e->in;
	uint32_t o, s;
	int r;

	if (in->op == 0x9a || in->op == 0xea) {
		*off = in->imm;
		*sel = in->imm2;
		return 0;
	}
	if (!in->mem)
		return emu_fault(e, T_ILLOP, false, 0);
	if ((r = emu_read(e, in->seg, insn_ea(in, e->gpr), in->opsize, &o)) ||
	    (r = emu_read(e, in->seg, insn_ea(in, e->gpr) + in->opsize, 2, &s)))
		return r;
	*off = o;
	*sel = s;
	return 0;
}

/*
 * A code segment the transfer may enter at the current privilege: a
 * conforming one of DPL <= CPL, a nonconforming one of DPL == CPL (and
 * RPL <= CPL).  Its descriptor in *d.
 */
static int
code_segment(struct emu *e, uint16_t sel, uint64_t *d, bool gate)
{
	unsigned cpl = e->v->cpl;
	int r;

	if ((sel & ~3u) == 0)
		return emu_gp(e, 0);
	if ((r = emu_read_desc(e, sel, d)))
		return r;
	if (!(*d & DESC_S) || !(desc_type(*d) & STA_X))
		return emu_gp(e, sel & ~3u);
	if (desc_type(*d) & STA_C ? desc_dpl(*d) > cpl :
	    (gate ? desc_dpl(*d) > cpl : desc_dpl(*d) != cpl || (sel & 3) > cpl))
		return emu_gp(e, sel & ~3u);
	if (!(*d & DESC_P))
		return emu_fault(e, T_SEGNP, true, sel & ~3u);
	return 0;
}

/* Enter sel:off at privilege cpl, d its descriptor. */
static int
enter(struct emu *e, uint16_t sel, uint64_t d, uint32_t off, unsigned cpl)
{
	struct vseg cs;

	vseg_from_desc(&cs, (sel & ~3u) | cpl, d);
	if (off > cs.limit)
		return emu_gp(e, 0);
	e->v->seg[SEG_CS] = cs;
	e->v->cpl = cpl;
	e->eip = off;
	return EMU_DONE;
}

/*
 * A call through a call gate to a more privileged, nonconforming
 * segment: the stack of that ring from the TSS, the caller's SS:ESP and
 * parameters copied onto it, then the return address.
 */
static int
call_inward(struct emu *e, uint64_t gate, uint16_t sel, uint64_t d)
{
	struct vcpu *v = e->v;
	unsigned dpl = desc_dpl(d), n = (gate >> 32) & 0x1f, i;
	uint32_t esp = 0, ss_sel = 0, args[31], old_esp = e->gpr[REG_ESP];
	struct vseg old_ss = v->seg[SEG_SS];
	uint16_t old_cs = v->seg[SEG_CS].sel;
	uint32_t old_eip = e->eip;
	int r;

	if ((r = emu_read_lin(e, v->tr.base + 4 + 8 * dpl, &esp, 4)) ||
	    (r = emu_read_lin(e, v->tr.base + 8 + 8 * dpl, &ss_sel, 2)))
		return r;
	for (i = 0; i < n; i++)
		if ((r = emu_read(e, SEG_SS, old_esp + 4 * i, 4, &args[i])))
			return r;
	/* The new stack: a writable data segment of the target's ring. */
	v->cpl = dpl;
	if ((ss_sel & 3) != dpl) {
		v->cpl = old_cs & 3;
		return emu_fault(e, T_TSS, true, ss_sel & ~3u);
	}
	if ((r = emu_load_seg(e, SEG_SS, ss_sel))) {
		v->cpl = old_cs & 3;
		v->seg[SEG_SS] = old_ss;
		if (e->ev->fault.vector == T_GPFLT)
			e->ev->fault.vector = T_TSS;
		return r;
	}
	e->gpr[REG_ESP] = esp;
	if ((r = emu_push(e, 4, old_ss.sel)) || (r = emu_push(e, 4, old_esp)))
		goto undo;
	for (i = n; i-- > 0;)
		if ((r = emu_push(e, 4, args[i])))
			goto undo;
	if ((r = emu_push(e, 4, old_cs)) || (r = emu_push(e, 4, old_eip)))
		goto undo;
	return enter(e, sel, d, gate_offset(gate), dpl);
undo:
	v->cpl = old_cs & 3;
	v->seg[SEG_SS] = old_ss;
	return r;
}

/* jmp or call through the call gate gate (its selector gsel). */
static int
through_gate(struct emu *e, uint64_t gate, uint16_t gsel, bool call)
{
	unsigned cpl = e->v->cpl;
	uint16_t sel = gate_selector(gate);
	uint64_t d;
	int r;

	if (desc_dpl(gate) < cpl || desc_dpl(gate) < (gsel & 3u))
		return emu_gp(e, gsel & ~3u);
	if (!(gate & DESC_P))
		return emu_fault(e, T_SEGNP, true, gsel & ~3u);
	if ((r = code_segment(e, sel, &d, true)))
		return r;
	if (!call) {
		/* A jump never changes privilege: the target's ring, or CPL. */
		if (!(desc_type(d) & STA_C) && desc_dpl(d) != cpl)
			return emu_gp(e, sel & ~3u);
		return enter(e, sel, d, gate_offset(gate), cpl);
	}
	if (!(desc_type(d) & STA_C) && desc_dpl(d) < cpl)
		return call_inward(e, gate, sel, d);
	if ((r = emu_push(e, 4, e->v->seg[SEG_CS].sel)) ||
	    (r = emu_push(e, 4, e->eip)))
		return r;
	return enter(e, sel, d, gate_offset(gate), cpl);
}

/* ljmp and lcall: a code segment, a call gate, a TSS or a task gate. */
static int
far_jmp_call(struct emu *e, bool call)
{
	unsigned cpl = e->v->cpl;
	uint16_t sel = 0;
	uint32_t off = 0;
	uint64_t d;
	int r;

	if ((r = far_target(e, &sel, &off)))
		return r;
	if ((sel & ~3u) == 0)
		return emu_gp(e, 0);
	if ((r = emu_read_desc(e, sel, &d)))
		return r;
	if (d & DESC_S) {
		if ((r = code_segment(e, sel, &d, false)))
			return r;
		if (call && ((r = emu_push(e, e->in->opsize, e->v->seg[SEG_CS].sel)) ||
			     (r = emu_push(e, e->in->opsize, e->eip))))
			return r;
		return enter(e, sel, d, off, cpl);
	}
	switch (desc_type(d)) {
	case STS_CG32:
		return through_gate(e, d, sel, call);
	case STS_TASK:
		if (desc_dpl(d) < cpl || desc_dpl(d) < (sel & 3u))
			return emu_gp(e, sel & ~3u);
		if (!(d & DESC_P))
			return emu_fault(e, T_SEGNP, true, sel & ~3u);
		return emu_task_switch(e, gate_selector(d), call ? TASK_CALL :
				       TASK_JMP, false, 0);
	case STS_T32A:
		if (desc_dpl(d) < cpl || desc_dpl(d) < (sel & 3u))
			return emu_gp(e, sel & ~3u);
		return emu_task_switch(e, sel, call ? TASK_CALL : TASK_JMP,
				       false, 0);
	}
	return emu_gp(e, sel & ~3u);
}

/* lret, lret $n: to the same ring, or out to an outer one. */
static int
far_ret(struct emu *e)
{
	struct vcpu *v = e->v;
	unsigned cpl = v->cpl, rpl, size = e->in->opsize;
	uint32_t eip, sel, esp, ss, extra = e->in->op == 0xca ? e->in->imm : 0;
	struct vseg cs;
	uint64_t d;
	int r;

	if ((r = emu_read(e, SEG_SS, e->gpr[REG_ESP], size, &eip)) ||
	    (r = emu_read(e, SEG_SS, e->gpr[REG_ESP] + size, 2, &sel)))
		return r;
	rpl = sel & 3;
	if ((sel & ~3u) == 0)
		return emu_gp(e, 0);
	if (rpl < cpl)
		return emu_gp(e, sel & ~3u);
	if ((r = emu_read_desc(e, sel, &d)))
		return r;
	if (!(d & DESC_S) || !(desc_type(d) & STA_X) ||
	    (desc_type(d) & STA_C ? desc_dpl(d) > rpl : desc_dpl(d) != rpl))
		return emu_gp(e, sel & ~3u);
	if (!(d & DESC_P))
		return emu_fault(e, T_SEGNP, true, sel & ~3u);
	vseg_from_desc(&cs, sel, d);
	if (eip > cs.limit)
		return emu_gp(e, 0);
	if (rpl == cpl) {
		e->gpr[REG_ESP] += 2 * size + extra;
		return enter(e, sel, d, eip, cpl);
	}
	/* Outward: the caller's stack follows the return address. */
	esp = e->gpr[REG_ESP] + 2 * size + extra;
	if ((r = emu_read(e, SEG_SS, esp, size, &esp)) ||
	    (r = emu_read(e, SEG_SS, e->gpr[REG_ESP] + 3 * size + extra, 2, &ss)))
		return r;
	v->cpl = rpl;
	if ((r = emu_load_seg(e, SEG_SS, ss))) {
		v->cpl = cpl;
		return r;
	}
	e->gpr[REG_ESP] = esp + extra;
	enter(e, sel, d, eip, rpl);
	emu_null_inner_segments(v, rpl);
	return EMU_DONE;
}

int
emu_far_insn(struct emu *e)
{
	const struct insn *in = e->in;

	if (in->op == 0xca || in->op == 0xcb)
		return far_ret(e);
	return far_jmp_call(e, in->op == 0x9a || (in->op == 0xff && in->reg == 3));
}
