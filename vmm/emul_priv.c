/*
 * emul_priv.c - interrupt flag, I/O, software interrupts, MSRs, cpuid.
 *
 * Paper section 2: a deprivileged guest kernel may not touch the real
 * interrupt flag, ports or MSRs, so these trap and act on the virtual
 * state instead: the virtual IF and IOPL live in v->eflags, ports reach
 * the device models through ops->in/out.  pushf and popf do not trap at
 * ring 1 (they are the x86's sensitive-but-unprivileged culprits); they
 * are here for the engines that do see them (the translator's callouts).
 */
#include "vmm/emul_int.h"
#include "kern/mmu.h"

/* Flags popf may change at all (VM, RF, VIF, VIP are never loaded by it). */
#define FL_POPF	(FL_ARITH | FL_TF | FL_IF | FL_DF | FL_IOPL_MASK | FL_NT | FL_AC | FL_ID)

static int
iopl(struct emu *e)
{
	return (e->eflags & FL_IOPL_MASK) >> FL_IOPL_SHIFT;
}

/* The port I/O forms: e4-e7 with an imm8 port, ec-ef with %dx. */
static int
port_io(struct emu *e)
{
	const struct insn *in = e->in;
	int size = (in->op & 1) ? in->opsize : 1;
	uint16_t port = in->op < 0xe8 ? in->imm : e->gpr[REG_EDX];

#if SOL >= 4
	if (e->v->cpl > iopl(e))
		return emu_gp(e, 0);	/* no I/O bitmap: CPL > IOPL is refused */
	if (in->op & 2)
		e->ops->out(e->ctx, port, size, emu_getreg(e, REG_EAX, size));
	else
		emu_setreg(e, REG_EAX, size, e->ops->in(e->ctx, port, size));
	return EMU_DONE;
#else
	/* LAB 4: your code here.
	 * size and port are decoded for you; bit 1 of the opcode says out
	 * (set) or in.  First the privilege check a CPU with no I/O bitmap
	 * makes (compare CPL with the virtual IOPL: who gets a #GP?), then
	 * the transfer through the engine's ops->in or ops->out, from or
	 * into AL, AX or EAX (emu_getreg and emu_setreg know the sizes). */
	(void) size; (void) port;
	return emu_unhandled(e, "port_io: not implemented (lab 4, exercise 2)");
#endif
}

/**
 * @brief Merge a popped EFLAGS image into the working flags, as popf and
 * iret do: IOPL only at CPL 0, IF only when CPL <= IOPL.
 */
void
emu_load_eflags(struct emu *e, uint32_t val, int size)
{
	uint32_t can = FL_POPF;

	if (e->v->cpl > 0)
		can &= ~FL_IOPL_MASK;
	if (e->v->cpl > iopl(e))
		can &= ~FL_IF;
	if (size == 2)
		can &= 0xffff;
	e->eflags = (e->eflags & ~can) | (val & can) | 0x2;
}

static int
softint(struct emu *e, int vector)
{
	e->ev->fault = (struct emu_fault) { .vector = vector };
	return EMU_SOFTINT;
}

static uint64_t
guest_tsc(struct emu *e)
{
	return (e->ops->rdtsc ? e->ops->rdtsc(e->ctx) : 0) + e->v->tsc_offset;
}

static int
emulate_rdmsr(struct emu *e)
{
	uint64_t val;

	switch (e->gpr[REG_ECX]) {
	case MSR_SYSENTER_CS: val = e->v->sysenter_cs; break;
	case MSR_SYSENTER_ESP: val = e->v->sysenter_esp; break;
	case MSR_SYSENTER_EIP: val = e->v->sysenter_eip; break;
	case MSR_TSC: val = guest_tsc(e); break;
	default:
		if (!e->ops->rdmsr || e->ops->rdmsr(e->ctx, e->gpr[REG_ECX], &val))
			return emu_gp(e, 0);
	}
	e->gpr[REG_EAX] = val;
	e->gpr[REG_EDX] = val >> 32;
	return EMU_DONE;
}

static int
emulate_wrmsr(struct emu *e)
{
	uint64_t val = (uint64_t) e->gpr[REG_EDX] << 32 | e->gpr[REG_EAX];

	switch (e->gpr[REG_ECX]) {
	/* A selector: QEMU's CPU keeps its 16 bits, and reads back those */
	case MSR_SYSENTER_CS: e->v->sysenter_cs = val & 0xffff; break;
	case MSR_SYSENTER_ESP: e->v->sysenter_esp = val; break;
	case MSR_SYSENTER_EIP: e->v->sysenter_eip = val; break;
	case MSR_TSC:
		/* the guest's TSC is the host's plus an offset: move the offset */
		e->v->tsc_offset = val - (e->ops->rdtsc ? e->ops->rdtsc(e->ctx) : 0);
		break;
	default:
		if (!e->ops->wrmsr || e->ops->wrmsr(e->ctx, e->gpr[REG_ECX], val))
			return emu_gp(e, 0);
	}
	return EMU_DONE;
}

int
emu_priv_insn(struct emu *e)
{
	const struct insn *in = e->in;
	uint32_t out[4] = { 0 }, v;
	uint64_t tsc;
	int err;

	if (in->map == MAP_0F) {
		switch (in->op) {
		case 0x08: case 0x09:		/* invd, wbinvd: no cache to manage */
			return EMU_DONE;
		case 0x30:
			return emulate_wrmsr(e);
		case 0x32:
			return emulate_rdmsr(e);
		case 0x31:			/* rdtsc */
			if ((e->v->cr4 & CR4_TSD) && e->v->cpl > 0)
				return emu_gp(e, 0);
			tsc = guest_tsc(e);
			e->gpr[REG_EAX] = tsc;
			e->gpr[REG_EDX] = tsc >> 32;
			return EMU_DONE;
		case 0xa2:			/* cpuid */
			if (e->ops->cpuid)
				e->ops->cpuid(e->ctx, e->gpr[REG_EAX], e->gpr[REG_ECX], out);
			e->gpr[REG_EAX] = out[0];
			e->gpr[REG_EBX] = out[1];
			e->gpr[REG_ECX] = out[2];
			e->gpr[REG_EDX] = out[3];
			return EMU_DONE;
		}
		return emu_unhandled(e, "instruction not emulated");
	}

	switch (in->op) {
#if SOL >= 4
	case 0xfa:				/* cli */
		if (e->v->cpl > iopl(e))
			return emu_gp(e, 0);
		e->eflags &= ~FL_IF;
		return EMU_DONE;
	case 0xfb:				/* sti: one instruction's grace */
		if (e->v->cpl > iopl(e))
			return emu_gp(e, 0);
		if (!(e->eflags & FL_IF))
			e->v->intr_shadow = true;
		e->eflags |= FL_IF;
		return EMU_DONE;
#else
	case 0xfa:				/* cli */
	case 0xfb:				/* sti */
		/* LAB 4: your code here.
		 * Who may change IF (compare CPL with the virtual IOPL, and
		 * see what the CPU raises otherwise)?  Then clear or set the
		 * virtual IF in the working flags, e->eflags.  sti has one
		 * more duty: the CPU takes no interrupt before the instruction
		 * after an sti that turned IF on (vcpu.h: intr_shadow). */
		return emu_unhandled(e, "emu_priv_insn: not implemented (lab 4, exercise 3: cli and sti)");
#endif
	case 0xf4:				/* hlt (CPL checked by emulate) */
		e->v->halted = true;
		return EMU_HALT;
	case 0x9c:				/* pushf: VM and RF read as 0 */
		return emu_push(e, in->opsize, e->eflags & ~(FL_VM | FL_RF)) ?: EMU_DONE;
	case 0x9d:				/* popf */
		if ((err = emu_pop(e, in->opsize, &v)))
			return err;
		emu_load_eflags(e, v, in->opsize);
		return EMU_DONE;
	case 0xcc:
		return softint(e, T_BRKPT);
	case 0xcd:
		return softint(e, in->imm & 0xff);
	case 0xce:				/* into: only on overflow */
		return (e->eflags & FL_OF) ? softint(e, T_OFLOW) : EMU_DONE;
	case 0xf1:				/* int1 */
		return softint(e, T_DEBUG);
	}
	return port_io(e);
}
