/*
 * emul_mem.c - data moves, exchanges, the stack and near branches.
 *
 * Paper section 2: the monitor must virtualize every resource, memory-
 * mapped devices included, and (section 2.4) the shadow MMU write-
 * protects the guest's page tables.  So an instruction reaches the
 * emulator because one of its memory operands is a device register, a
 * traced page table, or a page the monitor's own range hides, whatever
 * the instruction is: a driver's mov or xchg, a kernel's lock cmpxchg
 * or cmpxchg8b on a page-table entry, a push whose stack is such a page,
 * an indirect call through a table that lives there.  Each is carried
 * out here on the working registers; arithmetic is in emul_arith.c.
 * lock changes nothing: one emulated instruction is atomic to the guest.
 */
#include "vmm/emul_int.h"
#include "kern/mmu.h"

/* Operand size of an opcode whose low bit picks byte or full size. */
static int
wsize(const struct insn *in)
{
	return (in->op & 1) ? in->opsize : 1;
}

/* Read or write size bytes at the memory operand's offset plus delta. */
static int
mem_read(struct emu *e, uint32_t delta, int size, uint32_t *v)
{
	return emu_read(e, e->in->seg, insn_ea(e->in, e->gpr) + delta, size, v);
}

static int
mem_write(struct emu *e, uint32_t delta, int size, uint32_t v)
{
	return emu_write(e, e->in->seg, insn_ea(e->in, e->gpr) + delta, size, v);
}

/* ------------------------------------------------------------------------
 * Exchanges: xchg, xadd, cmpxchg, cmpxchg8b.
 * ------------------------------------------------------------------------ */

/* xchg r/m, reg (86, 87): the register gets the old operand. */
static int
xchg(struct emu *e, int size)
{
	uint32_t v;
	int err;

	if ((err = emu_rm_read(e, size, &v)) ||
	    (err = emu_rm_write(e, size, emu_getreg(e, e->in->reg, size))))
		return err;
	emu_setreg(e, e->in->reg, size, v);
	return EMU_DONE;
}

/* xadd r/m, reg (0f c0, 0f c1): the sum to r/m, its old value to reg. */
static int
xadd(struct emu *e, int size)
{
	uint32_t d, s, sum;
	int err;

	if ((err = emu_rm_read(e, size, &d)))
		return err;
	s = emu_getreg(e, e->in->reg, size);
	sum = alu(ALU_ADD, d, s, size, &e->eflags);
	if (e->in->mem && (err = emu_rm_write(e, size, sum)))
		return err;
	emu_setreg(e, e->in->reg, size, d);	/* then r/m, which may be the same register */
	if (!e->in->mem)
		emu_rm_write(e, size, sum);
	return EMU_DONE;
}

/*
 * cmpxchg r/m, reg (0f b0, 0f b1): flags of cmp acc, r/m; equal, r/m gets
 * reg, else the accumulator gets r/m.  The destination is written either
 * way (with its own value when unequal), as the SDM says the CPU does.
 */
static int
cmpxchg(struct emu *e, int size)
{
	uint32_t d, acc = emu_getreg(e, REG_EAX, size);
	bool eq;
	int err;

	if ((err = emu_rm_read(e, size, &d)))
		return err;
	alu(ALU_CMP, acc, d, size, &e->eflags);
	eq = e->eflags & FL_ZF;
	if ((err = emu_rm_write(e, size, eq ? emu_getreg(e, e->in->reg, size) : d)))
		return err;
	if (!eq)
		emu_setreg(e, REG_EAX, size, d);
	return EMU_DONE;
}

/*
 * Eight bytes at linear la.  A device register is at most 4 bytes wide,
 * so within one page this is two 4-byte accesses; an operand crossing
 * into the next page is one access, so that both pages are checked
 * before either is written.
 */
static int
rw8(struct emu *e, uint32_t la, uint32_t v[2], bool write)
{
	int err;

	if ((la & 0xfff) > 0xff8)
		return write ? emu_write_lin(e, la, v, 8) : emu_read_lin(e, la, v, 8);
	for (int i = 0; i < 2; i++) {
		if ((err = write ? emu_write_lin(e, la + 4 * i, &v[i], 4) :
			   emu_read_lin(e, la + 4 * i, &v[i], 4)))
			return err;
	}
	return 0;
}

/* cmpxchg8b m64 (0f c7 /1): edx:eax against m64; equal, m64 gets ecx:ebx. */
static int
cmpxchg8b(struct emu *e)
{
	uint32_t la, m[2], n[2];
	bool eq;
	int err;

	if ((err = emu_linear(e, e->in->seg, insn_ea(e->in, e->gpr), 8, &la)) ||
	    (err = rw8(e, la, m, false)))
		return err;
	eq = m[0] == e->gpr[REG_EAX] && m[1] == e->gpr[REG_EDX];
	n[0] = eq ? e->gpr[REG_EBX] : m[0];
	n[1] = eq ? e->gpr[REG_ECX] : m[1];
	if ((err = rw8(e, la, n, true)))
		return err;
	e->eflags = (e->eflags & ~FL_ZF) | (eq ? FL_ZF : 0);	/* ZF alone */
	if (!eq) {
		e->gpr[REG_EAX] = m[0];
		e->gpr[REG_EDX] = m[1];
	}
	return EMU_DONE;
}

/* ------------------------------------------------------------------------
 * The stack and near branches.  A 32-bit stack (SS.B set), as every
 * 32-bit kernel has; the operand size picks 2 or 4 bytes per slot.
 * ------------------------------------------------------------------------ */

/* A near branch to target: within CS's limit, else #GP(0) before any change. */
static int
branch(struct emu *e, uint32_t target)
{
	if (e->in->opsize == 2)
		target &= 0xffff;
	if (target > e->v->seg[SEG_CS].limit)
		return emu_gp(e, 0);
	e->eip = target;
	return EMU_DONE;
}

/* call: the return address, then the branch (checked first, as the CPU does). */
static int
call(struct emu *e, uint32_t target)
{
	uint32_t next = e->eip;
	int err;

	if ((err = branch(e, target)))
		return err;
	return emu_push(e, e->in->opsize, next) ?: EMU_DONE;
}

/* ret, ret $n (c3, c2). */
static int
ret(struct emu *e)
{
	uint32_t target;
	int err;

	if ((err = emu_pop(e, e->in->opsize, &target)) || (err = branch(e, target)))
		return err;
	e->gpr[REG_ESP] += e->in->op == 0xc2 ? (uint16_t) e->in->imm : 0;
	return EMU_DONE;
}

/* pusha, popa (60, 61): popa skips the saved ESP. */
static int
pusha_popa(struct emu *e)
{
	int size = e->in->opsize, err, r;
	uint32_t esp = e->gpr[REG_ESP], v;

	for (r = 0; r < 8; r++) {
		if (e->in->op == 0x60) {
			err = emu_push(e, size, r == REG_ESP ? esp : emu_getreg(e, r, size));
		} else if (7 - r == REG_ESP) {
			e->gpr[REG_ESP] += size;
			continue;
		} else {
			if (!(err = emu_pop(e, size, &v)))
				emu_setreg(e, 7 - r, size, v);
		}
		if (err)
			return err;
	}
	return EMU_DONE;
}

/* enter $alloc, $level (c8): a frame, with level - 1 frame pointers copied. */
static int
enter(struct emu *e)
{
	int size = e->in->opsize, level = e->in->imm2 & 31, err;
	uint32_t ebp = e->gpr[REG_EBP], frame, v;

	if ((err = emu_push(e, size, emu_getreg(e, REG_EBP, size))))
		return err;
	frame = e->gpr[REG_ESP];
	for (int i = 1; i < level; i++) {
		ebp -= size;
		if ((err = emu_read(e, SEG_SS, ebp, size, &v)) ||
		    (err = emu_push(e, size, v)))
			return err;
	}
	if (level > 0 && (err = emu_push(e, size, frame)))
		return err;
	emu_setreg(e, REG_EBP, size, frame);
	e->gpr[REG_ESP] -= (uint16_t) e->in->imm;
	return EMU_DONE;
}

/* leave (c9): ESP from EBP, then EBP popped. */
static int
leave(struct emu *e)
{
	uint32_t v;
	int err;

	e->gpr[REG_ESP] = e->gpr[REG_EBP];	/* a working copy: a fault undoes it */
	if ((err = emu_pop(e, e->in->opsize, &v)))
		return err;
	emu_setreg(e, REG_EBP, e->in->opsize, v);
	return EMU_DONE;
}

/*
 * push of a segment register: with a 32-bit operand size, the selector
 * zero-extended.  The SDM allows that or a 16-bit store that leaves the
 * slot's upper half alone; QEMU, the platform's reference, does this.
 */
static int
push_sreg(struct emu *e, int seg)
{
	return emu_push(e, e->in->opsize, e->v->seg[seg].sel) ?: EMU_DONE;
}

/* ff /2../6: call and jmp through r/m, push r/m; inc and dec are arithmetic. */
static int
group5(struct emu *e)
{
	uint32_t v;
	int err;

	switch (e->in->reg) {
	case 2: case 4: case 6:
		if ((err = emu_rm_read(e, e->in->opsize, &v)))
			return err;
		if (e->in->reg == 2)
			return call(e, v);
		if (e->in->reg == 4)
			return branch(e, v);
		return emu_push(e, e->in->opsize, v) ?: EMU_DONE;
	}
	return emu_unhandled(e, "far call or jmp through memory not emulated");
}

/* ------------------------------------------------------------------------
 * Moves and the rest.
 * ------------------------------------------------------------------------ */

/* mov %sreg, r/m (8c): 16 bits to memory; zero-extended into a 32-bit register. */
static int
mov_from_sreg(struct emu *e)
{
	uint32_t sel = e->v->seg[e->in->reg].sel;

	if (e->in->mem)
		return mem_write(e, 0, 2, sel) ?: EMU_DONE;
	emu_setreg(e, e->in->rm, e->in->opsize, sel);
	return EMU_DONE;
}

/* bound reg, m (62): #BR unless lower <= reg <= upper, signed. */
static int
bound(struct emu *e)
{
	int size = e->in->opsize;
	uint32_t lo, hi, r = emu_getreg(e, e->in->reg, size);
	int err;

	if ((err = mem_read(e, 0, size, &lo)) || (err = mem_read(e, size, size, &hi)))
		return err;
	if (size == 2 ? ((int16_t) r < (int16_t) lo || (int16_t) r > (int16_t) hi) :
	    ((int32_t) r < (int32_t) lo || (int32_t) r > (int32_t) hi))
		return emu_fault(e, T_BOUND, false, 0);
	return EMU_DONE;
}

/* arpl r/m16, reg16 (63): raise the RPL of r/m to reg's; ZF says it did. */
static int
arpl(struct emu *e)
{
	uint32_t d, s = emu_getreg(e, e->in->reg, 2);
	int err;

	if ((err = emu_rm_read(e, 2, &d)))
		return err;
	e->eflags &= ~FL_ZF;
	if ((d & 3) >= (s & 3))
		return EMU_DONE;
	e->eflags |= FL_ZF;
	return emu_rm_write(e, 2, (d & ~3u) | (s & 3)) ?: EMU_DONE;
}

static int
onebyte(struct emu *e)
{
	const struct insn *in = e->in;
	int size = wsize(in), err;
	uint32_t v;

	switch (in->op) {
	case 0x06: case 0x0e: case 0x16: case 0x1e:	/* push %es, %cs, %ss, %ds */
		return push_sreg(e, in->op >> 3);
	case 0x50 ... 0x57:
		return emu_push(e, in->opsize, emu_getreg(e, in->op & 7, in->opsize)) ?:
		       EMU_DONE;
	case 0x58 ... 0x5f:				/* pop %esp takes the popped value */
		if ((err = emu_pop(e, in->opsize, &v)))
			return err;
		emu_setreg(e, in->op & 7, in->opsize, v);
		return EMU_DONE;
	case 0x60: case 0x61:
		return pusha_popa(e);
	case 0x62:
		return bound(e);
	case 0x63:
		return arpl(e);
	case 0x68: case 0x6a:
		return emu_push(e, in->opsize, in->imm) ?: EMU_DONE;
	case 0x86: case 0x87:
		return xchg(e, size);
	case 0x88: case 0x89:
		return emu_rm_write(e, size, emu_getreg(e, in->reg, size)) ?: EMU_DONE;
	case 0x8a: case 0x8b:
		if ((err = emu_rm_read(e, size, &v)))
			return err;
		emu_setreg(e, in->reg, size, v);
		return EMU_DONE;
	case 0x8c:
		return mov_from_sreg(e);
	case 0x8d:					/* lea: no memory access */
		emu_setreg(e, in->reg, in->opsize, insn_ea(in, e->gpr));
		return EMU_DONE;
	case 0x8f:
		/* pop r/m: ESP is incremented before the address is computed */
		if ((err = emu_pop(e, in->opsize, &v)))
			return err;
		return emu_rm_write(e, in->opsize, v) ?: EMU_DONE;
	case 0x90:					/* nop, pause */
		return EMU_DONE;
	case 0x91 ... 0x97:				/* xchg %eax, reg */
		v = emu_getreg(e, in->op & 7, in->opsize);
		emu_setreg(e, in->op & 7, in->opsize, emu_getreg(e, REG_EAX, in->opsize));
		emu_setreg(e, REG_EAX, in->opsize, v);
		return EMU_DONE;
	case 0xa0: case 0xa1:				/* mov moffs, %al/%eax */
		if ((err = mem_read(e, 0, size, &v)))
			return err;
		emu_setreg(e, REG_EAX, size, v);
		return EMU_DONE;
	case 0xa2: case 0xa3:
		return mem_write(e, 0, size, emu_getreg(e, REG_EAX, size)) ?: EMU_DONE;
	case 0xb0 ... 0xb7:
		emu_setreg(e, in->op & 7, 1, in->imm);
		return EMU_DONE;
	case 0xb8 ... 0xbf:
		emu_setreg(e, in->op & 7, in->opsize, in->imm);
		return EMU_DONE;
	case 0xc2: case 0xc3:
		return ret(e);
	case 0xc6: case 0xc7:
		return emu_rm_write(e, size, in->imm) ?: EMU_DONE;
	case 0xc8:
		return enter(e);
	case 0xc9:
		return leave(e);
	case 0xd7:					/* xlat: al = seg:[ebx + al] */
		v = e->gpr[REG_EBX] + (e->gpr[REG_EAX] & 0xff);
		if ((err = emu_read(e, in->seg, in->adsize == 2 ? v & 0xffff : v, 1, &v)))
			return err;
		emu_setreg(e, REG_EAX, 1, v);
		return EMU_DONE;
	case 0xe8:
		return call(e, e->eip + in->imm);
	case 0xff:
		return group5(e);
	}
	return emu_unhandled(e, "instruction not emulated");
}

static int
twobyte(struct emu *e)
{
	const struct insn *in = e->in;
	uint32_t v, la;
	int err, from = (in->op & 1) ? 2 : 1;

	switch (in->op) {
	case 0x18 ... 0x1f:				/* prefetch, hint nops: no access */
		return EMU_DONE;
	case 0x40 ... 0x4f:				/* cmovcc: the read happens anyway */
		if (!emu_cpu_has(e, 1, 3, 15))
			return emu_fault(e, T_ILLOP, false, 0);	/* no CMOV */
		if ((err = emu_rm_read(e, in->opsize, &v)))
			return err;
		if (alu_cond(e->eflags, in->op & 0xf))
			emu_setreg(e, in->reg, in->opsize, v);
		return EMU_DONE;
	case 0x90 ... 0x9f:				/* setcc */
		return emu_rm_write(e, 1, alu_cond(e->eflags, in->op & 0xf)) ?: EMU_DONE;
	case 0xa0: case 0xa8:				/* push %fs, %gs */
		return push_sreg(e, in->op == 0xa0 ? SEG_FS : SEG_GS);
	case 0xae:
		if (!in->mem)				/* lfence, mfence, sfence */
			return EMU_DONE;
		if (in->reg != 7)
			return emu_unhandled(e, "x87/SSE state save or load not emulated");
		/* clflush: no cache to flush, but the address must be valid */
		if (!emu_cpu_has(e, 1, 3, 19))
			return emu_fault(e, T_ILLOP, false, 0);	/* no CLFSH */
		return emu_linear(e, in->seg, insn_ea(in, e->gpr), 1, &la) ?: EMU_DONE;
	case 0xb0: case 0xb1:
		return cmpxchg(e, (in->op & 1) ? in->opsize : 1);
	case 0xb6: case 0xb7:				/* movzx */
	case 0xbe: case 0xbf:				/* movsx */
		if ((err = emu_rm_read(e, from, &v)))
			return err;
		if (in->op >= 0xbe)
			v = from == 1 ? (uint32_t) (int8_t) v : (uint32_t) (int16_t) v;
		emu_setreg(e, in->reg, in->opsize, v);
		return EMU_DONE;
	case 0xc0: case 0xc1:
		return xadd(e, (in->op & 1) ? in->opsize : 1);
	case 0xc3:					/* movnti: a plain store here */
		if (!emu_cpu_has(e, 1, 3, 26))
			return emu_fault(e, T_ILLOP, false, 0);	/* no SSE2 */
		return emu_rm_write(e, 4, emu_getreg(e, in->reg, 4)) ?: EMU_DONE;
	case 0xc7:					/* cmpxchg8b: /1 only, memory only */
		if (!emu_cpu_has(e, 1, 3, 8))
			return emu_fault(e, T_ILLOP, false, 0);	/* no CX8 */
		return cmpxchg8b(e);
	}
	return emu_unhandled(e, "instruction not emulated");
}

int
emu_mem_insn(struct emu *e)
{
	return e->in->map == MAP_ONE ? onebyte(e) : twobyte(e);
}
