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
 * show there.  A 16-bit gate pushes the same frame in 16-bit words and
 * enters its handler at a 16-bit offset, as the CPU does.
 */
#include "kern/types.h"
#include "kern/printf.h"
#include "kern/assert.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vm.h"
#include "vmm/desc.h"
#include "vmm/linear.h"
#include "vmm/machine.h"
#include "vmm/shadow.h"
#include "vmm/ringcomp/ringcomp.h"

/* The values a delivery pushes, in push order, at most six, each of
 * size bytes: 4 through a 32-bit gate, 2 through a 16-bit one. */
struct frame {
	uint32_t w[6];
	int n;
	int size;
};

/* The 16-bit gates the kernel's header does not name: an 80286's, whose
 * frame has 16-bit words and whose handler offset has 16 bits. */
#define STS_IG16	0x6
#define STS_TG16	0x7

/*
 * A fault the delivery itself raised (a bad gate, a bad stack): the CPU
 * then delivers that one instead, or a double fault (rc_deliver()).  Its
 * error code carries EXT (bit 0) when the event being delivered came
 * from outside the program: an interrupt, or an exception.
 */
struct dfault {
	unsigned vector;
	uint32_t err;
	bool is_pf;		/* a page fault: cr2 holds its address */
	uint32_t cr2;
};

static int
delivery_fault(struct dfault *f, unsigned vector, uint32_t err)
{
	*f = (struct dfault) { .vector = vector, .err = err };
	return 1;
}

/* A push that did not fit, or whose page the guest's tables refuse. */
static int
stack_fault(struct dfault *f, const struct emu_fault *pf, uint32_t ss_err)
{
	if (pf->vector == T_PGFLT) {
		*f = (struct dfault) { .vector = T_PGFLT, .err = pf->err,
				       .is_pf = true, .cr2 = pf->cr2 };
		return 1;
	}
	return delivery_fault(f, T_STACK, ss_err);
}

/*
 * Push fr onto the stack at ss:*esp, as the CPU does: within the stack
 * segment's limit, through the guest's page tables, one word at a time
 * from the highest address down.  So a frame that runs off a mapped page
 * faults with CR2 at the first word that did not fit, and the words
 * pushed before it have landed (what QEMU's CPU leaves a guest to find).
 */
static int
push_frame(struct vm *vm, const struct vseg *ss, uint32_t *esp,
	   const struct frame *fr, uint32_t ss_err, struct dfault *f)
{
	uint32_t top = *esp - fr->size * fr->n, at = *esp;
	uint32_t first = ss->base + top, last = ss->base + *esp - 1;
	struct emu_fault pf = { .vector = T_STACK };
	/* The CPU pushes at the handler's privilege, which is SS's DPL. */
	unsigned access = ATTR_DPL(ss->attr) == 3 ? PTW_USER : 0;
	uint8_t bytes[sizeof(fr->w)];
	int i, k;

	/* Every byte pushed lies below esp, within the stack segment. */
	if (top > *esp - 1 || !vseg_covers(ss, top, *esp - top))
		return stack_fault(f, &pf, ss_err);
	/* The usual frame lies in one page: one translation, one write,
	 * which either lands whole or writes nothing.  Word by word only to
	 * cross a page or to find the word a fault stops at. */
	if (first >> PGSHIFT == last >> PGSHIFT) {
		for (i = 0; i < fr->n; i++)
			for (k = 0; k < fr->size; k++)
				bytes[(fr->n - 1 - i) * fr->size + k] =
					fr->w[i] >> (8 * k);
		if (linear_write(vm, first, bytes, fr->size * fr->n, access,
				 &pf) == 0) {
			*esp = top;
			return 0;
		}
		pf = (struct emu_fault) { .vector = T_STACK };
	}
	/* Pushed first = highest address; little-endian words. */
	for (i = 0; i < fr->n; i++) {
		at -= fr->size;
		if (linear_write(vm, ss->base + at, &fr->w[i], fr->size, access,
				 &pf) != 0)
			return stack_fault(f, &pf, ss_err);
	}
	*esp = top;
	return 0;
}

/* The inner stack a delivery from user mode switches to: the TSS's ring-0
 * SS:ESP, which must be a writable data segment of ring 0. */
static int
inner_stack(struct vm *vm, struct vseg *ss, uint32_t *esp, uint32_t ext,
	    struct dfault *f)
{
	struct vcpu *v = &vm->vcpu;
	uint32_t esp0 = 0, ss0 = 0;
	struct emu_fault pf;
	uint64_t sd;

	if (v->tr.limit < 9 ||
	    linear_read(vm, v->tr.base + 4, &esp0, 4, 0, &pf) != 0 ||
	    linear_read(vm, v->tr.base + 8, &ss0, 2, 0, &pf) != 0)
		return delivery_fault(f, T_TSS, (v->tr.sel & ~3u) | ext);
	if ((ss0 & ~3u) == 0 || (ss0 & 3) != 0 ||
	    linear_read_desc(vm, ss0, &sd) < 0 || !(sd & DESC_S) ||
	    (desc_type(sd) & (STA_X | STA_W)) != STA_W || desc_dpl(sd) != 0)
		return delivery_fault(f, T_TSS, (ss0 & ~3u) | ext);
	if (!(sd & DESC_P))
		return delivery_fault(f, T_STACK, (ss0 & ~3u) | ext);
	vseg_from_desc(ss, ss0, sd);
	*esp = esp0;
	return 0;
}

/* A task gate: the handler is a task of its own (vmm/emul_task.c). */
static int
through_task_gate(struct vm *vm, uint16_t tss, bool has_err, uint32_t err,
		  struct dfault *f)
{
	struct machine m = { .vm = vm, .traced_gfn = NO_GFN };
	struct emu_event ev;

	if (emu_task_gate(&vm->vcpu, &machine_ops, &m, tss, has_err, err,
			  &ev) == EMU_DONE) {
		vm->vcpu.halted = false;
		return 0;
	}
	if (ev.fault.vector == T_PGFLT)
		return stack_fault(f, &ev.fault, 0);
	return delivery_fault(f, ev.fault.vector, ev.fault.err);
}

/*
 * Deliver ev once, as the CPU would: 0 if the guest's handler now runs,
 * 1 with *f holding the fault the delivery raised.
 */
static int
deliver_once(struct vm *vm, const struct vm_event *ev, struct dfault *f)
{
	unsigned vector = ev->vector;
	bool soft = ev->kind == EVENT_SOFTINT;
	bool has_err = ev->kind == EVENT_EXCEPTION && ev->has_err;
	uint32_t err = ev->err, ext = soft ? 0 : 1, idt_err = vector * 8 + 2 + ext;
	struct vcpu *v = &vm->vcpu;
	struct vseg ss = v->seg[SEG_SS];
	struct frame fr = { .n = 0, .size = 4 };
	uint32_t esp = v->gpr[REG_ESP], off, ss_err = ext;
	uint64_t gate, cd;
	struct emu_fault pf;
	unsigned type, dpl;
	uint16_t sel;
	int new_cpl, r;

	/* The gate, from the guest's IDT (a supervisor read, linear). */
	if (vector * 8 + 7 > v->idtr.limit)
		return delivery_fault(f, T_GPFLT, idt_err);
	if (linear_read(vm, v->idtr.base + vector * 8, &gate, 8, 0, &pf) != 0)
		return stack_fault(f, &pf, 0);
	type = (gate >> DESC_TYPE_SHIFT) & 0x1f;
	dpl = desc_dpl(gate);
	if (type != STS_IG32 && type != STS_TG32 && type != STS_IG16 &&
	    type != STS_TG16 && type != STS_TASK)
		return delivery_fault(f, T_GPFLT, idt_err);
	if (type == STS_IG16 || type == STS_TG16)
		fr.size = 2;
	/* int n may use only gates the guest opened to its CPL. */
	if (soft && (int) dpl < v->cpl)
		return delivery_fault(f, T_GPFLT, idt_err);
	if (!(gate & DESC_P))
		return delivery_fault(f, T_SEGNP, idt_err);
	if (type == STS_TASK)
		return through_task_gate(vm, gate_selector(gate), has_err, err, f);
	/* The handler's code segment. */
	sel = gate_selector(gate);
	off = gate_offset(gate) & (fr.size == 2 ? 0xffff : 0xffffffff);
	if ((sel & ~3u) == 0)
		return delivery_fault(f, T_GPFLT, ext);
	if (linear_read_desc(vm, sel, &cd) < 0 || !(cd & DESC_S) ||
	    !(desc_type(cd) & STA_X))
		return delivery_fault(f, T_GPFLT, (sel & ~3u) | ext);
	new_cpl = desc_type(cd) & STA_C ? v->cpl : (int) desc_dpl(cd);
	if (new_cpl > v->cpl)
		return delivery_fault(f, T_GPFLT, (sel & ~3u) | ext);
	if (!(cd & DESC_P))
		return delivery_fault(f, T_SEGNP, (sel & ~3u) | ext);
	if (new_cpl < v->cpl) {
		/* Out of user mode: the inner stack from the guest's TSS. */
		if ((r = inner_stack(vm, &ss, &esp, ext, f)) != 0)
			return r;
		ss_err = (ss.sel & ~3u) | ext;
		fr.w[fr.n++] = v->seg[SEG_SS].sel;
		fr.w[fr.n++] = v->gpr[REG_ESP];
	}
#if SOL >= 4
	/* What the gate pushes (fr.size bytes each), outermost first. */
	fr.w[fr.n++] = v->eflags;
	fr.w[fr.n++] = v->seg[SEG_CS].sel;
	fr.w[fr.n++] = v->eip;
	if (has_err)
		fr.w[fr.n++] = err;
	if ((r = push_frame(vm, &ss, &esp, &fr, ss_err, f)) != 0)
		return r;

	/* Commit: the handler runs with the state the gate gives. */
	vseg_from_desc(&v->seg[SEG_CS], (sel & ~3) | new_cpl, cd);
	v->seg[SEG_SS] = ss;
	v->gpr[REG_ESP] = esp;
	v->eip = off;
	v->cpl = new_cpl;
	v->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
	if (type == STS_IG32 || type == STS_IG16)
		v->eflags &= ~FL_IF;
#else
	/* LAB 4: your code here.
	 * Push what the CPU pushes through a 32-bit gate (fr already holds
	 * SS and ESP if the stack changed): EFLAGS as the guest sees them,
	 * CS as the guest loaded it (which RPL must the guest find there?),
	 * EIP, and the error code if there is one; push_frame() writes them
	 * (and returns nonzero, with *f the fault, if the stack refuses).
	 * Then load the gate's CS:EIP and the new stack into the vcpu, set
	 * its CPL, and clear TF, NT, RF, VM, and IF for an interrupt gate. */
	(void) push_frame; (void) off; (void) esp; (void) has_err; (void) err;
	(void) ss_err;
	panic("deliver_once: not implemented (lab 4, exercise 4)");
#endif
	v->halted = false;
	return 0;
}

/* The SDM's classes for a fault during the delivery of another. */
static bool
contributory(unsigned v)
{
	return v == T_DIVIDE || (v >= T_TSS && v <= T_GPFLT);
}

/* Whether a fault f during the delivery of exception first is a #DF. */
static bool
double_fault(const struct vm_event *first, unsigned f)
{
	if (first->kind != EVENT_EXCEPTION)
		return false;
	if (contributory(first->vector))
		return contributory(f);
	return first->vector == T_PGFLT && (contributory(f) || f == T_PGFLT);
}

int
rc_deliver(struct vm *vm, const struct vm_event *ev)
{
	struct vm_event now = *ev;
	struct dfault f;
	int tries;

	/* Each round delivers the fault the last one raised: one that
	 * cannot deliver even a double fault shuts the CPU down. */
	for (tries = 0; tries < 8; tries++) {
		if (deliver_once(vm, &now, &f) == 0)
			return 0;
		/* int n's gate refused it: the fault is the instruction's,
		 * reported at its EIP, as a fault is (not after it). */
		if (now.kind == EVENT_SOFTINT)
			vm->vcpu.eip -= now.len;
		if (now.kind == EVENT_EXCEPTION && now.vector == T_DBLFLT)
			return vm_kill(vm, "triple fault: vector %u (error %x) "
				       "while delivering a double fault (on a "
				       "real CPU: a shutdown)", f.vector, f.err);
		if (f.is_pf)
			vm->vcpu.cr2 = f.cr2;
		if (double_fault(&now, f.vector))
			now = (struct vm_event) { .kind = EVENT_EXCEPTION,
				.vector = T_DBLFLT, .has_err = true, .err = 0 };
		else
			now = (struct vm_event) { .kind = EVENT_EXCEPTION,
				.vector = f.vector, .has_err = true, .err = f.err };
	}
	return vm_kill(vm, "triple fault: the guest's IDT and stack raise a "
		       "fault at every delivery (on a real CPU: a shutdown)");
}
