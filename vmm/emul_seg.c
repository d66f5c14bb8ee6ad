/*
 * emul_seg.c - loading a data or stack segment register: mov, pop, lds,
 * les, lss, lfs, lgs.
 *
 * Paper section 2: a deprivileged guest kernel's segment loads may trap
 * where its own CPU's would not (under ring compression, a `mov` to %ss
 * of a selector with RPL 0 at ring 1), and the monitor must then do what
 * a ring-0 CPU does: the checks of the SDM (vol. 2, MOV and POP, vol. 3,
 * 5.10), with their faults and error codes, the descriptor's accessed bit,
 * and the one-instruction interrupt shadow after a load of %ss.
 */
#include "vmm/emul_int.h"
#include "vmm/desc.h"
#include "kern/mmu.h"

/* Set the accessed bit of the descriptor at sel, as the CPU does on a load. */
static int
set_accessed(struct emu *e, uint16_t sel, uint64_t d)
{
	uint32_t la;
	uint8_t type = (d >> DESC_TYPE_SHIFT) | STA_A;

	if (d & (1ull << DESC_TYPE_SHIFT))
		return 0;
	if (desc_locate(e->v, sel, &la) < 0)
		return emu_gp(e, sel & ~3u);
	return emu_write_lin(e, la + 5, &type, 1);
}

int
emu_load_seg(struct emu *e, int seg, uint16_t sel)
{
	struct vseg *s = &e->v->seg[seg];
	unsigned cpl = e->v->cpl, rpl = sel & 3, type, dpl;
	uint32_t err = sel & ~3u;
	uint64_t d;
	int r;

	if (seg == SEG_CS)
		return emu_fault(e, T_ILLOP, false, 0);
	if ((sel & ~3u) == 0) {
		/* A null selector: fine for a data segment, which faults on
		 * use; never for the stack. */
		if (seg == SEG_SS)
			return emu_gp(e, 0);
		*s = (struct vseg) { .sel = sel };
		return EMU_DONE;
	}
	if ((r = emu_read_desc(e, sel, &d)))
		return r;
	type = desc_type(d);
	dpl = desc_dpl(d);
	if (!(d & DESC_S))
		return emu_gp(e, err);
	if (seg == SEG_SS) {
		/* A writable data segment of exactly the current ring. */
		if (rpl != cpl || (type & STA_X) || !(type & STA_W) || dpl != cpl)
			return emu_gp(e, err);
		if (!(d & DESC_P))
			return emu_fault(e, T_STACK, true, err);
	} else {
		/* Data, or readable code; unless conforming code, no more
		 * privileged than both CPL and RPL. */
		if ((type & STA_X) && !(type & STA_R))
			return emu_gp(e, err);
		if (!((type & STA_X) && (type & STA_C)) &&
		    (rpl > dpl || cpl > dpl))
			return emu_gp(e, err);
		if (!(d & DESC_P))
			return emu_fault(e, T_SEGNP, true, err);
	}
	if ((r = set_accessed(e, sel, d)))
		return r;
	vseg_from_desc(s, sel, d | (1ull << DESC_TYPE_SHIFT));
	if (seg == SEG_SS)
		e->v->intr_shadow = true;	/* none before the esp load that follows */
	return EMU_DONE;
}

void
emu_null_inner_segments(struct vcpu *v, unsigned rpl)
{
	for (int s = 0; s < NSREGS; s++) {
		uint16_t a = v->seg[s].attr;

		if (s == SEG_CS || s == SEG_SS ||
		    (ATTR_TYPE(a) & (STA_X | STA_C)) == (STA_X | STA_C))
			continue;
		if (ATTR_DPL(a) < rpl)
			v->seg[s] = (struct vseg) { 0 };
	}
}

/* lds, les, lss, lfs, lgs: offset then selector from memory. */
static int
load_far_pointer(struct emu *e, int seg)
{
	const struct insn *in = e->in;
	uint32_t off = insn_ea(in, e->gpr), ptr, sel;
	int r;

	if ((r = emu_read(e, in->seg, off, in->opsize, &ptr)) ||
	    (r = emu_read(e, in->seg, off + in->opsize, 2, &sel)) ||
	    (r = emu_load_seg(e, seg, sel)))
		return r;
	emu_setreg(e, in->reg, in->opsize, ptr);
	return EMU_DONE;
}

int
emu_seg_insn(struct emu *e)
{
	const struct insn *in = e->in;
	uint32_t sel;
	int r, seg;

	if (in->map == MAP_0F) {
		switch (in->op) {
		case 0xa1: case 0xa9:		/* pop %fs, pop %gs */
			seg = in->op == 0xa1 ? SEG_FS : SEG_GS;
			break;
		case 0xb2:
			return load_far_pointer(e, SEG_SS);
		case 0xb4: case 0xb5:
			return load_far_pointer(e, in->op == 0xb4 ? SEG_FS : SEG_GS);
		default:
			return emu_unhandled(e, "instruction not emulated");
		}
	} else if (in->op == 0x8e) {		/* mov %sreg, r/m16 */
		if (in->reg >= NSREGS)
			return emu_fault(e, T_ILLOP, false, 0);
		if ((r = emu_rm_read(e, 2, &sel)))
			return r;
		return emu_load_seg(e, in->reg, sel);
	} else if (in->op == 0xc4 || in->op == 0xc5) {
		return load_far_pointer(e, in->op == 0xc4 ? SEG_ES : SEG_DS);
	} else {				/* pop %es, %ss, %ds */
		seg = in->op >> 3;
	}
	/* pop: the selector is read, the load checked, and only then does
	 * ESP move, so a fault leaves the stack as it was. */
	if ((r = emu_read(e, SEG_SS, e->gpr[REG_ESP], in->opsize, &sel)) ||
	    (r = emu_load_seg(e, seg, sel)))
		return r;
	e->gpr[REG_ESP] += in->opsize;
	return EMU_DONE;
}
