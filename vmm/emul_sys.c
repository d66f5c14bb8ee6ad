/*
 * emul_sys.c - descriptor tables and control and debug registers.
 *
 * Paper section 2.3, shadow structures: the guest's GDTR, IDTR, LDTR, TR
 * and CR0-CR4 exist only in the vcpu; the hardware runs on the monitor's
 * shadows.  Loads update the vcpu, then tell the engine (ops->load_dtr,
 * ops->write_cr) so the shadows follow.  Stores (sgdt, sidt, sldt, str,
 * smsw) read the vcpu: when they trap (CR4.UMIP), the guest sees its own
 * values, not the monitor's.
 */
#include "vmm/emul_int.h"
#include "vmm/desc.h"
#include "kern/mmu.h"

int
emu_read_desc(struct emu *e, uint16_t sel, uint64_t *d)
{
	uint32_t la;

	if (desc_locate(e->v, sel, &la) < 0)
		return emu_gp(e, sel & ~3u);
	return emu_read_lin(e, la, d, 8);
}

static int
load_dtr_hook(struct emu *e, enum emu_dtr which)
{
	if (e->ops->load_dtr && e->ops->load_dtr(e->ctx, which, &e->ev->fault))
		return EMU_FAULT;
	return EMU_DONE;
}

/* lldt and ltr: a system descriptor from the GDT, of the right type. */
static int
load_sysreg(struct emu *e, bool tr)
{
	struct vsysreg *r = tr ? &e->v->tr : &e->v->ldtr;
	struct vseg s;
	uint64_t d;
	uint32_t sel, hi;
	int err, want = tr ? STS_T32A : STS_LDT;

	if ((err = emu_rm_read(e, 2, &sel)))
		return err;
	if ((sel & ~3u) == 0 && !tr) {
		*r = (struct vsysreg) { 0 };	/* a null LDT: legal, unusable */
		return load_dtr_hook(e, EMU_LDTR);
	}
	if ((sel & ~3u) == 0 || (sel & SEL_TI))
		return emu_gp(e, sel & ~3u);
	if ((err = emu_read_desc(e, sel, &d)))
		return err;
	vseg_from_desc(&s, sel, d);
	if ((s.attr & 0x1f) != want)
		return emu_gp(e, sel & ~3u);
	if (!(s.attr & ATTR_P))
		return emu_fault(e, T_SEGNP, true, sel & ~3u);
	if (tr) {
		/* ltr marks the TSS busy in the guest's GDT */
		hi = (d >> 32) | 0x200;
		if ((err = emu_write_lin(e, e->v->gdtr.base + (sel & ~7u) + 4, &hi, 4)))
			return err;
	}
	*r = (struct vsysreg) { .sel = sel, .base = s.base, .limit = s.limit, .attr = s.attr };
	return load_dtr_hook(e, tr ? EMU_TR : EMU_LDTR);
}

/* sgdt/sidt and lgdt/lidt: a 16-bit limit, then a base (24 bits under 66). */
static int
dtr(struct emu *e, struct vdtr *t, bool load, enum emu_dtr which)
{
	uint32_t off = insn_ea(e->in, e->gpr), limit, base;
	struct vdtr old = *t;
	int err;

	if (!load)
		return emu_write(e, e->in->seg, off, 2, t->limit) ?:
		       emu_write(e, e->in->seg, off + 2, 4, t->base) ?: EMU_DONE;
	if ((err = emu_read(e, e->in->seg, off, 2, &limit)) ||
	    (err = emu_read(e, e->in->seg, off + 2, 4, &base)))
		return err;
	t->limit = limit;
	t->base = e->in->opsize == 2 ? base & 0xffffff : base;
	/* A table the engine refuses faults the lgdt: the guest keeps the
	 * old one, so that its fault handler is found where it was. */
	if ((err = load_dtr_hook(e, which)) != EMU_DONE)
		*t = old;
	return err;
}

/* A control register write: check it, let the engine see it, store it. */
static int
write_cr(struct emu *e, int cr, uint32_t val)
{
	/* MCE 0x40, PCE 0x100, OSFXSR 0x200, OSXMMEXCPT 0x400 are harmless;
	 * PAE is taken where the guest's CPUID has it; VMXE is refused */
	uint32_t cr4_known = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE |
		CR4_PSE | CR4_PGE | 0x40 | 0x100 | 0x200 | 0x400 |
		(emu_cpu_has(e, 1, 3, 6) ? CR4_PAE : 0);

	if (cr == 0) {
		val |= CR0_ET;		/* hardwired on a 486 and later */
		if ((val & CR0_PG) && !(val & CR0_PE))
			return emu_gp(e, 0);
		if ((val & CR0_NW) && !(val & CR0_CD))
			return emu_gp(e, 0);
	}
	if (cr == 4 && (val & ~cr4_known))
		return emu_gp(e, 0);
	if (cr != 2 && e->ops->write_cr && e->ops->write_cr(e->ctx, cr, val, &e->ev->fault))
		return EMU_FAULT;
	switch (cr) {
	case 0: e->v->cr0 = val; break;
	case 2: e->v->cr2 = val; break;
	case 3: e->v->cr3 = val; break;
	case 4: e->v->cr4 = val; break;
	}
	return EMU_DONE;
}

/* The bits of DR6 and DR7 that are always 1 (Intel SDM vol. 3, 18.2). */
#define DR6_FIXED	0xffff0ff0
#define DR7_FIXED	0x00000400

static int
mov_crdr(struct emu *e)
{
	const struct insn *in = e->in;
	uint32_t *cr[] = { &e->v->cr0, NULL, &e->v->cr2, &e->v->cr3, &e->v->cr4 };
	int n = in->reg;

	if (in->op == 0x21 || in->op == 0x23) {
		/* dr4 and dr5 are dr6 and dr7 unless CR4.DE makes them #UD */
		if (n == 4 || n == 5) {
			if (e->v->cr4 & CR4_DE)
				return emu_fault(e, T_ILLOP, false, 0);
			n += 2;
		}
		if (in->op == 0x21)
			e->gpr[in->rm] = e->v->dr[n];
		else		/* DR6's and DR7's reserved bits read as 1 */
			e->v->dr[n] = e->gpr[in->rm] | (n == 6 ? DR6_FIXED : n == 7 ?
							DR7_FIXED : 0);
		return EMU_DONE;
	}
	if (in->op == 0x20) {
		e->gpr[in->rm] = *cr[n];
		return EMU_DONE;
	}
	return write_cr(e, n, e->gpr[in->rm]);
}

static int
group6(struct emu *e)
{
	int size = e->in->mem ? 2 : e->in->opsize;

	switch (e->in->reg) {
	case 0: case 1:				/* sldt, str */
		if ((e->v->cr4 & CR4_UMIP) && e->v->cpl > 0)
			return emu_gp(e, 0);
		return emu_rm_write(e, size, e->in->reg ? e->v->tr.sel : e->v->ldtr.sel) ?:
		       EMU_DONE;
	case 2: case 3:
		if (e->v->cpl > 0)
			return emu_gp(e, 0);
		return load_sysreg(e, e->in->reg == 3);
	case 4: case 5:				/* verr, verw */
		return emu_segcheck(e);
	}
	return emu_fault(e, T_ILLOP, false, 0);
}

/* Whether the CPU the guest sees has the group-7 register form modrm
 * (CPUID: VMX, MONITOR, XSAVE, RDTSCP). */
static bool
group7_feature(struct emu *e, unsigned modrm)
{
	switch (modrm) {
	case 0xc1: case 0xc2: case 0xc3: case 0xc4:
		return emu_cpu_has(e, 1, 2, 5);
	case 0xc8: case 0xc9:
		return emu_cpu_has(e, 1, 2, 3);
	case 0xd0: case 0xd1:
		return emu_cpu_has(e, 1, 2, 26);
	case 0xf9:
		return emu_cpu_has(e, 0x80000001, 3, 27);
	}
	return false;
}

static int
group7(struct emu *e)
{
	const struct insn *in = e->in;
	uint32_t v;
	int err;

	/* The register forms but smsw's and lmsw's: instructions of CPU
	 * features (vmcall, monitor, mwait, xgetbv, swapgs, rdtscp) the
	 * monitor does not emulate.  A CPU without the feature raises #UD
	 * at any CPL, as QEMU's does for all of them; /5's memory form too. */
	if ((!in->mem && in->reg != 4 && in->reg != 6) || in->reg == 5) {
		if (!in->mem && group7_feature(e, in->modrm))
			return e->v->cpl > 0 ? emu_gp(e, 0) :
			       emu_unhandled(e, "group 7 register form of a CPU feature not emulated");
		return emu_fault(e, T_ILLOP, false, 0);
	}
	if (in->reg == 4 || in->reg < 2) {	/* smsw, sgdt, sidt: UMIP-guarded */
		if ((e->v->cr4 & CR4_UMIP) && e->v->cpl > 0)
			return emu_gp(e, 0);
	} else if (e->v->cpl > 0) {
		return emu_gp(e, 0);
	}
	switch (in->reg) {
	case 0: return dtr(e, &e->v->gdtr, false, EMU_GDTR);
	case 1: return dtr(e, &e->v->idtr, false, EMU_IDTR);
	case 2: return dtr(e, &e->v->gdtr, true, EMU_GDTR);
	case 3: return dtr(e, &e->v->idtr, true, EMU_IDTR);
	case 4:
		return emu_rm_write(e, in->mem ? 2 : in->opsize, e->v->cr0) ?: EMU_DONE;
	case 6:				/* lmsw: PE, MP, EM, TS; PE cannot be cleared */
		if ((err = emu_rm_read(e, 2, &v)))
			return err;
		return write_cr(e, 0, (e->v->cr0 & ~0xeu) | (v & 0xf) | (e->v->cr0 & CR0_PE));
	case 7:				/* invlpg */
		if (e->ops->invlpg)
			e->ops->invlpg(e->ctx, e->v->seg[in->seg].base + insn_ea(in, e->gpr));
		return EMU_DONE;
	}
	return emu_unhandled(e, "instruction not emulated");
}

int
emu_sys_insn(struct emu *e)
{
	switch (e->in->op) {
	case 0x00:
		return group6(e);
	case 0x01:
		return group7(e);
	case 0x06:			/* clts */
		return write_cr(e, 0, e->v->cr0 & ~CR0_TS);
	}
	return mov_crdr(e);
}
