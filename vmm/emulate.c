/*
 * emulate.c - the emulator's entry points and the helpers every
 * instruction uses: registers, segmented memory, the stack, faults.
 *
 * Paper section 2, trap-and-emulate: the engine hands over a trapped
 * instruction, already decoded; we do to the virtual CPU what the real
 * one would have done had the guest been running at ring 0.  The engine's
 * callbacks (struct emu_ops) are the only way out: guest memory, which
 * may be emulated MMIO, ports, and the hooks that keep shadow structures
 * in step.
 */
#include "vmm/emul_int.h"
#include "kern/mmu.h"
#include "vmm/desc.h"

int
emu_fault(struct emu *e, int vec, bool has_err, uint32_t err)
{
	e->ev->fault = (struct emu_fault) { .vector = vec, .has_err = has_err, .err = err };
	return EMU_FAULT;
}

int
emu_gp(struct emu *e, uint32_t err)
{
	return emu_fault(e, T_GPFLT, true, err);
}

int
emu_unhandled(struct emu *e, const char *why)
{
	e->ev->reason = why;
	return EMU_UNHANDLED;
}

/* ------------------------------------------------------------------------
 * Registers.  Byte registers 4-7 are ah, ch, dh, bh: the high bytes.
 * ------------------------------------------------------------------------ */

uint32_t
emu_getreg(struct emu *e, int r, int size)
{
	if (size == 1)
		return r < 4 ? e->gpr[r] & 0xff : (e->gpr[r - 4] >> 8) & 0xff;
	return size == 2 ? e->gpr[r] & 0xffff : e->gpr[r];
}

void
emu_setreg(struct emu *e, int r, int size, uint32_t val)
{
	if (size == 1 && r < 4)
		e->gpr[r] = (e->gpr[r] & ~0xffu) | (val & 0xff);
	else if (size == 1)
		e->gpr[r - 4] = (e->gpr[r - 4] & ~0xff00u) | (val & 0xff) << 8;
	else if (size == 2)
		e->gpr[r] = (e->gpr[r] & ~0xffffu) | (val & 0xffff);
	else
		e->gpr[r] = val;
}

/* ------------------------------------------------------------------------
 * Memory.  The guest's segments matter even in a flat guest: the monitor
 * truncates them below itself, and an access past a limit must #GP (or
 * #SS on the stack), not reach the monitor.
 * ------------------------------------------------------------------------ */

/* Check seg:off..off+size-1 against the segment's limit; the linear address. */
int
emu_linear(struct emu *e, int seg, uint32_t off, int size, uint32_t *la)
{
	const struct vseg *s = &e->v->seg[seg];

	if (vseg_covers(s, off, size)) {
		*la = s->base + off;
		return 0;
	}
	return seg == SEG_SS ? emu_fault(e, T_STACK, true, 0) : emu_gp(e, 0);
}

int
emu_read_lin(struct emu *e, uint32_t la, void *buf, int size)
{
	if (e->ops->read(e->ctx, la, buf, size, &e->ev->fault))
		return EMU_FAULT;
	return 0;
}

int
emu_write_lin(struct emu *e, uint32_t la, const void *buf, int size)
{
	if (e->ops->write(e->ctx, la, buf, size, &e->ev->fault))
		return EMU_FAULT;
	return 0;
}

int
emu_read(struct emu *e, int seg, uint32_t off, int size, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	uint32_t la;
	int r;

	if ((r = emu_linear(e, seg, off, size, &la)) || (r = emu_read_lin(e, la, b, size)))
		return r;
	*val = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t) b[3] << 24;
	return 0;
}

int
emu_write(struct emu *e, int seg, uint32_t off, int size, uint32_t val)
{
	uint8_t b[4] = { val, val >> 8, val >> 16, val >> 24 };
	uint32_t la;
	int r;

	if ((r = emu_linear(e, seg, off, size, &la)))
		return r;
	return emu_write_lin(e, la, b, size);
}

/* The memory operand's offset, with the working registers. */
static uint32_t
ea(struct emu *e)
{
	return insn_ea(e->in, e->gpr);
}

int
emu_rm_read(struct emu *e, int size, uint32_t *val)
{
	if (!e->in->mem) {
		*val = emu_getreg(e, e->in->rm, size);
		return 0;
	}
	return emu_read(e, e->in->seg, ea(e), size, val);
}

int
emu_rm_write(struct emu *e, int size, uint32_t val)
{
	if (!e->in->mem) {
		emu_setreg(e, e->in->rm, size, val);
		return 0;
	}
	return emu_write(e, e->in->seg, ea(e), size, val);
}

/* A 32-bit stack (SS with the B bit) is all a 32-bit guest kernel uses. */
int
emu_push(struct emu *e, int size, uint32_t val)
{
	uint32_t esp = e->gpr[REG_ESP] - size;
	int r;

	if ((r = emu_write(e, SEG_SS, esp, size, val)))
		return r;
	e->gpr[REG_ESP] = esp;
	return 0;
}

int
emu_pop(struct emu *e, int size, uint32_t *val)
{
	int r;

	if ((r = emu_read(e, SEG_SS, e->gpr[REG_ESP], size, val)))
		return r;
	e->gpr[REG_ESP] += size;
	return 0;
}

void
emu_commit(struct emu *e)
{
	for (int i = 0; i < NGPRS; i++)
		e->v->gpr[i] = e->gpr[i];
	e->v->eflags = e->eflags;
	e->v->eip = e->eip;
}

bool
emu_cpu_has(struct emu *e, uint32_t leaf, int reg, int bit)
{
	uint32_t out[4] = { 0 };

	if (!e->ops->cpuid)
		return false;
	/* Past the highest leaf a CPU answers with another leaf's data. */
	e->ops->cpuid(e->ctx, leaf & 0x80000000, 0, out);
	if (out[0] < leaf)
		return false;
	e->ops->cpuid(e->ctx, leaf, 0, out);
	return (out[reg] >> bit) & 1;
}

/* ------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------ */

/* Arithmetic and logic (emul_arith.c), rather than moves (emul_mem.c)? */
static bool
arith(const struct insn *in)
{
	if (in->map == MAP_0F) {
		switch (in->op) {
		case 0xa3: case 0xa4: case 0xa5: case 0xab: case 0xac: case 0xad:
		case 0xaf: case 0xb3: case 0xb8: case 0xba: case 0xbb: case 0xbc:
		case 0xbd:
			return true;
		}
		return false;
	}
	if (in->op < 0x40)
		return (in->op & 7) < 6;	/* not push/pop of a segment, daa.. */
	switch (in->op) {
	case 0x40 ... 0x4f: case 0x69: case 0x6b: case 0x80 ... 0x85:
	case 0xa8: case 0xa9: case 0xc0: case 0xc1: case 0xd0 ... 0xd3:
	case 0xf6: case 0xf7: case 0xfe:
		return true;
	case 0xff:
		return in->reg < 2;		/* inc, dec */
	}
	return false;
}

/* Which file knows the instruction. */
static int
dispatch(struct emu *e)
{
	const struct insn *in = e->in;

	if (in->flags & INSN_STRING)
		return emu_string(e);
	if (in->flags & INSN_SEGLOAD)
		return emu_seg_insn(e);
	if (in->map == MAP_ONE) {
		switch (in->op) {
		case 0xcf:
			return emu_iret(e);
		case 0x9a: case 0xea: case 0xca: case 0xcb:
			return emu_far_insn(e);
		case 0xff:
			if (in->reg == 3 || in->reg == 5)
				return emu_far_insn(e);
			break;
		case 0xfa: case 0xfb: case 0xf4: case 0x9c: case 0x9d:
		case 0xcc: case 0xcd: case 0xce: case 0xf1:
		case 0xe4 ... 0xe7: case 0xec ... 0xef:
			return emu_priv_insn(e);
		}
		return arith(in) ? emu_arith_insn(e) : emu_mem_insn(e);
	}
	switch (in->op) {
	case 0x00: case 0x01: case 0x06: case 0x20 ... 0x23:
		return emu_sys_insn(e);
	case 0x02: case 0x03:
		return emu_segcheck(e);
	case 0x08: case 0x09: case 0x30: case 0x31: case 0x32: case 0xa2:
		return emu_priv_insn(e);
	case 0x34: case 0x35:
		return emu_sysenter(e);
	}
	return arith(in) ? emu_arith_insn(e) : emu_mem_insn(e);
}

int
emulate(struct vcpu *v, const struct insn *in, const struct emu_ops *ops,
	void *ctx, struct emu_event *ev)
{
	struct emu e = { .v = v, .in = in, .ops = ops, .ctx = ctx, .ev = ev,
			 .eflags = v->eflags, .eip = v->eip + in->len };
	int r;

	*ev = (struct emu_event) { 0 };
	for (int i = 0; i < NGPRS; i++)
		e.gpr[i] = v->gpr[i];
	/* A privileged instruction at CPL > 0: #GP(0) before anything else. */
	if ((in->flags & INSN_PRIV) && v->cpl > 0)
		return emu_gp(&e, 0);
	if (in->flags & INSN_UD)
		return emu_fault(&e, T_ILLOP, false, 0);
	r = dispatch(&e);
	if (r == EMU_DONE || r == EMU_HALT || r == EMU_SOFTINT)
		emu_commit(&e);
	return r;
}

int
emu_fetch(struct vcpu *v, struct insn *in, const struct emu_ops *ops,
	  void *ctx, struct emu_event *ev)
{
	uint8_t buf[INSN_MAXLEN];
	uint32_t la = v->seg[SEG_CS].base + v->eip;
	size_t n = MIN((size_t) INSN_MAXLEN, (size_t) (0x1000 - PGOFF(la)));
	int r;

	*ev = (struct emu_event) { 0 };
	/* Fetch only to the end of this 4 KB page first: the next may rightly be unmapped. */
	if (ops->read(ctx, la, buf, n, &ev->fault))
		return EMU_FAULT;
	r = insn_decode(in, buf, n);
	if (r == DECODE_TRUNC && n < INSN_MAXLEN) {
		if (ops->read(ctx, la + n, buf + n, INSN_MAXLEN - n, &ev->fault))
			return EMU_FAULT;
		r = insn_decode(in, buf, INSN_MAXLEN);
	}
	if (r >= 0)
		return EMU_DONE;
	ev->fault = (struct emu_fault) { .vector = r == DECODE_TOOLONG ? T_GPFLT : T_ILLOP,
					 .has_err = r == DECODE_TOOLONG };
	return EMU_FAULT;
}

const char *
emu_result_name(int r)
{
	static const char *const names[] = {
		[EMU_DONE] = "done", [EMU_FAULT] = "fault", [EMU_SOFTINT] = "softint",
		[EMU_HALT] = "halt", [EMU_UNHANDLED] = "unhandled",
	};

	return r >= 0 && r < (int) ARRAY_SIZE(names) ? names[r] : "?";
}
