/*
 * intr.c - interrupts and exceptions, delivered the guest's way.
 *
 * Adams & Agesen, section 2.3: the guest's IDT is a primary structure
 * the CPU never sees (the CPU has the monitor's IDT, vmm/shadowdt.c).  So
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
#include "vmm/linear.h"
#include "vmm/shadowdesc.h"
#include "vmm/emulate.h"
#include "vmm/te.h"

/* Gate types (system descriptors, S = 0). */
#define GATE_INT32	0xe
#define GATE_TRAP32	0xf

/* The 32-bit values a delivery pushes, in push order, at most six. */
struct frame {
	uint32_t w[6];
	int n;
};

static int
fail(struct vm *vm, unsigned vector, const char *why)
{
	cprintf("te: cannot deliver vector %u to the guest at %08x: %s "
		"(on a real CPU: a triple fault)\n", vector, vm->vcpu.eip, why);
	return -1;
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
intr_deliver(struct vm *vm, unsigned vector, bool has_err, uint32_t err,
	     bool soft)
{
	struct vcpu *v = &vm->vcpu;
	struct vseg ss = v->seg[SEG_SS];
	struct frame fr = { .n = 0 };
	uint32_t esp = v->gpr[REG_ESP], off;
	uint64_t gate, cd, sd;
	struct emu_fault f;
	unsigned type, dpl;
	uint16_t sel;
	int new_cpl;

	if (soft)
		te_stats.inj_soft++;
	else if (vector < 32)
		te_stats.inj_exc++;
	/* The gate, from the guest's IDT (a supervisor read, linear). */
	if (vector * 8 + 7 > v->idtr.limit ||
	    linear_read(vm, v->idtr.base + vector * 8, &gate, 8, 0, &f) != 0) {
		if (soft)
			return intr_deliver(vm, T_GP, true, vector * 8 + 2, false);
		return fail(vm, vector, "beyond the guest's IDT limit");
	}
	type = (gate >> DESC_TYPE_SHIFT) & 0x1f;
	dpl = (gate >> DESC_DPL_SHIFT) & 3;
	if (type != GATE_INT32 && type != GATE_TRAP32)
		return fail(vm, vector, "not a 32-bit interrupt or trap gate "
			    "(task gates are not emulated)");
	/* int n may use only gates the guest opened to its CPL. */
	if (soft && (int) dpl < v->cpl)
		return intr_deliver(vm, T_GP, true, vector * 8 + 2, false);
	if (!(gate & DESC_P)) {
		if (vector == T_NP)
			return fail(vm, vector, "its gate is not present");
		return intr_deliver(vm, T_NP, true, vector * 8 + 2, false);
	}
	sel = (gate >> 16) & 0xffff;
	off = (uint32_t) (gate & 0xffff) | (uint32_t) (gate >> 48) << 16;
	if (te_guest_desc(vm, sel, &cd) < 0 || !(cd & DESC_S) ||
	    !((cd >> DESC_TYPE_SHIFT) & STA_X) || !(cd & DESC_P))
		return fail(vm, vector, "its gate's code segment is unusable");
	new_cpl = (cd >> DESC_TYPE_SHIFT) & STA_C ? v->cpl :
		(int) ((cd >> DESC_DPL_SHIFT) & 3);
	if (new_cpl > v->cpl)
		return fail(vm, vector, "its handler is less privileged");

	if (new_cpl < v->cpl) {
		/* Out of user mode: the inner stack from the guest's TSS. */
		uint32_t ss0 = 0, esp0 = 0;

		if (linear_read(vm, v->tr.base + 4, &esp0, 4, 0, &f) != 0 ||
		    linear_read(vm, v->tr.base + 8, &ss0, 2, 0, &f) != 0 ||
		    te_guest_desc(vm, ss0, &sd) < 0)
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
		return fail(vm, vector, "its stack is not mapped in guest RAM "
			    "(on a real CPU: a fault while delivering)");

	/* Commit: the handler runs with the state the gate gives. */
	vseg_from_desc(&v->seg[SEG_CS], (sel & ~3) | new_cpl, cd);
	v->seg[SEG_SS] = ss;
	v->gpr[REG_ESP] = esp;
	v->eip = off;
	v->cpl = new_cpl;
	v->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
	if (type == GATE_INT32)
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
	panic("intr_deliver: not implemented (lab 4)");
#endif
	v->halted = false;
	return 0;
}
