/*
 * emul_segcheck.c - lar, lsl, verr, verw: what a selector would allow,
 * asked without loading it.
 *
 * Paper sections 2.3 and 3.2: these four read a descriptor's privilege
 * and limit, so on a deprivileged guest run as it is they show the
 * shadow's (DPL 1 where the guest wrote 0, limits truncated below the
 * monitor).  The binary translator hands them here, and the answer comes
 * from the guest's own table.  None of them faults for a selector that
 * is null, past the table's limit or of the wrong kind: ZF says no, and
 * nothing else changes.
 */
#include "vmm/emul_int.h"
#include "vmm/desc.h"
#include "kern/mmu.h"

enum segcheck { CHECK_LAR, CHECK_LSL, CHECK_VERR, CHECK_VERW };

/* The system descriptor types lar (and, but for gates, lsl) accept. */
static bool
system_type_ok(unsigned type, enum segcheck op)
{
	switch (type) {
	case STS_T16A: case STS_LDT: case STS_T16B: case STS_T32A: case STS_T32B:
		return op == CHECK_LAR || op == CHECK_LSL;
	case STS_CG16: case STS_TASK: case STS_CG32:
		return op == CHECK_LAR;
	}
	return false;
}

/* Whether descriptor d passes op's checks for selector sel at the CPL. */
static bool
check_desc(struct emu *e, uint64_t d, uint16_t sel, enum segcheck op)
{
	unsigned type = (d >> DESC_TYPE_SHIFT) & 0xf;
	unsigned dpl = (d >> DESC_DPL_SHIFT) & 3;
	bool code = (d & DESC_S) && (type & STA_X);
	bool conforming = code && (type & STA_C);

	if (!(d & DESC_S) && !system_type_ok(type, op))
		return false;
	if ((op == CHECK_VERR || op == CHECK_VERW) && !(d & DESC_S))
		return false;
	if (op == CHECK_VERR && code && !(type & STA_R))
		return false;
	if (op == CHECK_VERW && (code || !(type & STA_W)))
		return false;
	/* verr skips the privilege check only for conforming code; lar and
	 * lsl do too, verw has no conforming case to skip. */
	return conforming || (dpl >= (unsigned) e->v->cpl && dpl >= (sel & 3u));
}

static int
segcheck(struct emu *e, enum segcheck op)
{
	const struct insn *in = e->in;
	uint32_t sel, la, result = 0;
	uint64_t d;
	bool ok = false;
	int err;

	if (!(e->v->cr0 & CR0_PE) || (e->v->eflags & FL_VM))
		return emu_fault(e, T_ILLOP, false, 0);
	if ((err = emu_rm_read(e, 2, &sel)))
		return err;
	sel &= 0xffff;
	if ((sel & ~3u) != 0 && desc_locate(e->v, sel, &la) == 0) {
		if ((err = emu_read_lin(e, la, &d, 8)))
			return err;
		ok = check_desc(e, d, sel, op);
	}
	e->eflags = (e->eflags & ~FL_ZF) | (ok ? FL_ZF : 0);
	if (!ok || op == CHECK_VERR || op == CHECK_VERW)
		return EMU_DONE;
	result = op == CHECK_LAR ? (uint32_t) (d >> 32) & 0x00f0ff00 : desc_limit(d);
	emu_setreg(e, in->reg, in->opsize, result);
	return EMU_DONE;
}

int
emu_segcheck(struct emu *e)
{
	const struct insn *in = e->in;

	if (in->map == MAP_0F && in->op == 0x02)
		return segcheck(e, CHECK_LAR);
	if (in->map == MAP_0F && in->op == 0x03)
		return segcheck(e, CHECK_LSL);
	return segcheck(e, in->reg == 4 ? CHECK_VERR : CHECK_VERW);
}
