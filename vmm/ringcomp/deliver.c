/*
 * deliver.c - interrupts and exceptions, delivered the guest's way.
 *
 * Adams & Agesen, section 2.3: the guest's IDT is a primary structure
 * the CPU never sees (the CPU has the monitor's IDT, vmm/ringcomp/shadowdt.c).  So
 * when the guest is owed an interrupt - a device line, an exception its
 * own instruction raised, an `int n` - the monitor does what the CPU
 * would have done with the guest's IDT: read the gate, push the frame,
 * jump to the handler, on the guest-visible state.
 *
 * The frame must be exactly the one a ring-0 CPU pushes.  In particular
 * the CS it holds is the guest's selector with RPL 0 when the guest
 * kernel was interrupted: a guest's trap handler decides "kernel or user"
 * from those two bits (docs/design.md section 5), so ring compression must not
 * show there.
 */
#include "kern/types.h"
#include "kern/printf.h"
#include "kern/assert.h"
#include "kern/mmu.h"
#include "vmm/vm.h"
#include "vmm/desc.h"
#include "vmm/linear.h"
#include "vmm/ringcomp/ringcomp.h"

/* The 32-bit values a delivery pushes, in push order, at most six. */
struct frame {
	uint32_t w[6];
	int n;
};

static int
fail(struct vm *vm, unsigned vector, const char *why)
{
	return vm_kill(vm, "cannot deliver vector %u to the guest: %s (on a "
		       "real CPU: a triple fault)", vector, why);
}

/* A fault raised while delivering: the CPU's #GP, #NP with an error code. */
static int
deliver_fault(struct vm *vm, unsigned vector, uint32_t err)
{
	struct vm_event ev = {
		.kind = EVENT_EXCEPTION, .vector = vector, .has_err = true,
		.err = err,
	};

	return rc_deliver(vm, &ev);
}

/* Push fr onto the stack at ss:*esp, as the CPU does: through the
 * guest's page tables. */
static int
push_frame(struct vm *vm, const struct vseg *ss, uint32_t *esp,
	   const struct frame *fr)
{
	uint32_t top = *esp - 4 * fr->n;
	uint32_t words[6];
	struct emu_fault f;
	int i;

	/* Pushed first = highest address. */
	for (i = 0; i < fr->n; i++)
		words[fr->n - 1 - i] = fr->w[i];
	/* The CPU pushes at the handler's privilege, which is SS's DPL. */
	if (linear_write(vm, ss->base + top, words, 4 * fr->n,
			 ((ss->attr >> 5) & 3) == 3 ? PTW_USER : 0, &f) != 0)
		return -1;
	*esp = top;
	return 0;
}

int
rc_deliver(struct vm *vm, const struct vm_event *ev)
{
	unsigned vector = ev->vector;
	bool soft = ev->kind == EVENT_SOFTINT;
	bool has_err = ev->kind == EVENT_EXCEPTION && ev->has_err;
	uint32_t err = ev->err;
	struct vcpu *v = &vm->vcpu;
	struct vseg ss = v->seg[SEG_SS];
	struct frame fr = { .n = 0 };
	uint32_t esp = v->gpr[REG_ESP], off;
	uint64_t gate, cd, sd;
	struct emu_fault f;
	unsigned type, dpl;
	uint16_t sel;
	int new_cpl;

	/* The gate, from the guest's IDT (a supervisor read, linear). */
	if (vector * 8 + 7 > v->idtr.limit ||
	    linear_read(vm, v->idtr.base + vector * 8, &gate, 8, 0, &f) != 0) {
		if (soft)
			return deliver_fault(vm, T_GPFLT, vector * 8 + 2);
		return fail(vm, vector, "beyond the guest's IDT limit");
	}
	type = (gate >> DESC_TYPE_SHIFT) & 0x1f;
	dpl = desc_dpl(gate);
	if (type != STS_IG32 && type != STS_TG32)
		return fail(vm, vector, "not a 32-bit interrupt or trap gate "
			    "(task gates are not emulated)");
	/* int n may use only gates the guest opened to its CPL. */
	if (soft && (int) dpl < v->cpl)
		return deliver_fault(vm, T_GPFLT, vector * 8 + 2);
	if (!(gate & DESC_P)) {
		if (vector == T_SEGNP)
			return fail(vm, vector, "its gate is not present");
		return deliver_fault(vm, T_SEGNP, vector * 8 + 2);
	}
	sel = gate_selector(gate);
	off = gate_offset(gate);
	if ((sel & ~3u) == 0 || linear_read_desc(vm, sel, &cd) < 0 ||
	    !(cd & DESC_S) || !(desc_type(cd) & STA_X) || !(cd & DESC_P))
		return fail(vm, vector, "its gate's code segment is unusable");
	new_cpl = desc_type(cd) & STA_C ? v->cpl : (int) desc_dpl(cd);
	if (new_cpl > v->cpl)
		return fail(vm, vector, "its handler is less privileged");

	if (new_cpl < v->cpl) {
		/* Out of user mode: the inner stack from the guest's TSS. */
		uint32_t ss0 = 0, esp0 = 0;

		if (linear_read(vm, v->tr.base + 4, &esp0, 4, 0, &f) != 0 ||
		    linear_read(vm, v->tr.base + 8, &ss0, 2, 0, &f) != 0 ||
		    linear_read_desc(vm, ss0, &sd) < 0)
			return fail(vm, vector, "no usable ring-0 stack in the guest's TSS");
		fr.w[fr.n++] = v->seg[SEG_SS].sel;
		fr.w[fr.n++] = v->gpr[REG_ESP];
		vseg_from_desc(&ss, ss0, sd);
		esp = esp0;
	}
#if SOL >= 4
	/* What a 32-bit gate pushes, outermost first. */
	fr.w[fr.n++] = v->eflags;
	fr.w[fr.n++] = v->seg[SEG_CS].sel;
	fr.w[fr.n++] = v->eip;
	if (has_err)
		fr.w[fr.n++] = err;
	if (push_frame(vm, &ss, &esp, &fr) < 0)
		return fail(vm, vector, "its stack is not mapped "
			    "(on a real CPU: a fault while delivering)");

	/* Commit: the handler runs with the state the gate gives. */
	vseg_from_desc(&v->seg[SEG_CS], (sel & ~3) | new_cpl, cd);
	v->seg[SEG_SS] = ss;
	v->gpr[REG_ESP] = esp;
	v->eip = off;
	v->cpl = new_cpl;
	v->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
	if (type == STS_IG32)
		v->eflags &= ~FL_IF;
#else
	/* LAB 4: your code here.
	 * Push what the CPU pushes through a 32-bit gate (fr already holds
	 * SS and ESP if the stack changed): EFLAGS as the guest sees them,
	 * CS as the guest loaded it (which RPL must the guest find there?),
	 * EIP, and the error code if there is one; push_frame() writes them.
	 * Then load the gate's CS:EIP and the new stack into the vcpu, set
	 * its CPL, and clear TF, NT, RF, VM, and IF for an interrupt gate. */
	(void) push_frame; (void) off; (void) esp; (void) has_err; (void) err;
	panic("rc_deliver: not implemented (lab 4, exercise 4)");
#endif
	v->halted = false;
	return 0;
}
