/*
 * ringcomp.c - into a deprivileged guest and back: the vcpu as the CPU
 * must have it, the CPU's trap as the guest must believe it.
 *
 * Adams & Agesen, sections 2.1-2.3.  The vcpu holds what the guest
 * believes; world_frame what the CPU must have.  They differ in exactly
 * the ways deprivileging forces:
 *
 *   - CS and SS carry RPL 1 where the guest believes 0 (the shadow GDT
 *     makes every DPL 0 descriptor DPL 1, vmm/ringcomp/shadowdesc.c);
 *   - the real EFLAGS have IOPL 0, so that cli, sti, in and out trap, but
 *     IF equal to the virtual IF: xv6-style guests read IF with pushfl,
 *     which does not trap (docs/design.md section 5);
 *   - the guest's ring-3 code descriptors are hidden in the shadow GDT,
 *     so that the guest kernel's iret to user mode traps (an iret at
 *     ring 1 cannot set IF), and the world switch itself enters ring 3
 *     on the one descriptor shown for it.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/x86.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "kern/trap.h"
#include "vmm/vm.h"
#include "vmm/desc.h"
#include "vmm/linear.h"
#include "vmm/shadow.h"
#include "vmm/ringcomp/ringcomp.h"
#include "vmm/ringcomp/monview.h"
#include "vmm/ringcomp/world.h"

/* In a page of its own, the only monitor page a guest's tables map
 * writable (vmm/ringcomp/monview.h): every trap out of the guest
 * rewrites it. */
struct trapframe world_frame
	__attribute__((section(".monframe"), aligned(PGSIZE)));

static const char *const sreg_names[NSREGS] = { "es", "cs", "ss", "ds", "fs", "gs" };

int
rc_setup(struct vm *vm)
{
	pde_t monview = monview_pde();

	if (monview == 0)
		return vm_kill(vm, "no host page left for the monitor's page "
			       "table in guest address spaces");
	/* The world switch runs on the guest's directory: with guest
	 * paging off on the physical-mode one, else on every shadow root. */
	vm->physmap[PDX(MONBASE)] = monview;
	shadow_reserve(vm, PDX(MONBASE), monview);
	memset(&vm->rc, 0, sizeof(vm->rc));
	sdt_init((uint32_t) (&world_frame + 1));
	sdt_shadow_gdt(vm);
	return 0;
}

int
rc_load_dtr(struct vm *vm, enum emu_dtr which, struct emu_fault *f)
{
	/* The IDTR, LDTR and TR stay virtual: deliver.c reads the guest's
	 * IDT and TSS when it delivers.  Only the GDT has a shadow. */
	(void) f;
	if (which == EMU_GDTR)
		sdt_shadow_gdt(vm);
	return 0;
}

void
rc_watched_write(struct vm *vm, uint32_t gpa, unsigned len)
{
	sdt_gdt_wrote(vm, gpa, len);
}

void
rc_unwatch(struct vm *vm, uint32_t gfn)
{
	sdt_gdt_unwatch(vm, gfn);
}

/* The ring the CPU really runs the guest's CPL at: ring compression. */
static int
real_ring(const struct vcpu *v)
{
	return v->cpl == 0 ? 1 : v->cpl;
}

/*
 * Whether the world switch may give segment register s the guest's own
 * selector: the shadow slot it names holds the descriptor the register
 * does.  Not for an LDT selector (the LDT has no shadow), nor once the
 * guest has rewritten or unmapped the descriptor since it loaded the
 * register: the CPU keeps a register's descriptor until the next load,
 * whatever the table says by then.
 */
static bool
slot_holds(const struct vm *vm, int s)
{
	const struct vseg *g = &vm->vcpu.seg[s];
	unsigned i = g->sel >> 3;
	struct vseg t;

	if ((g->sel & ~3) == 0)
		return s != SEG_CS && s != SEG_SS;
	if ((g->sel & SEL_TI) || i >= SDT_GUEST_MAX || !sdt_selector_ok(g->sel, s))
		return false;
	vseg_from_desc(&t, g->sel, vm->rc.guest_gdt[i]);
	return t.base == g->base && t.limit == g->limit &&
	       ((t.attr ^ g->attr) & ~STA_A) == 0;
}

/* Whether the choice w still holds for the vcpu (this is on every entry). */
static bool
choice_holds(const struct vm *vm, const struct world_choice *w)
{
	const struct vcpu *v = &vm->vcpu;
	int s;

	if (w->generation != vm->rc.sdt_generation ||
	    w->shown_user_cs != vm->rc.shown_user_cs)
		return false;
	for (s = 0; s < NSREGS; s++)
		if (w->guest_sel[s] != v->seg[s].sel)
			return false;
	if (!w->cached)
		return true;
	for (s = 0; s < NSREGS; s++)
		if (w->seg[s].base != v->seg[s].base ||
		    w->seg[s].limit != v->seg[s].limit ||
		    w->seg[s].attr != v->seg[s].attr)
			return false;
	return true;
}

/*
 * The selectors the world switch loads, at ring 0, for a guest at real
 * ring `ring`: the guest's own where slot_holds(), with CS and SS at the
 * ring; else SDT_CACHED's slot for the register, holding the register's
 * own descriptor.  The guest then runs on the segment it loaded, as on
 * the CPU, but a guest that reads that selector back at ring 1 (mov
 * %ds, push %ds) sees the monitor's: a segment the shadow cannot
 * reverse, which trap-and-emulate cannot hide (`te: ... entries on a
 * segment the GDT no longer holds` counts them).  A selector the shadow
 * cannot back even so (a segment in the monitor's range) stops the
 * guest here, not in the world switch.
 */
static struct world_choice *
world_selectors(struct vm *vm, int ring)
{
	struct ringcomp *rc = &vm->rc;
	struct world_choice *w = &rc->world[ring == 3];
	struct vcpu *v = &vm->vcpu;
	uint16_t *sel = w->sel;
	int s;

	if (choice_holds(vm, w))
		return w;
	/* The SDT_CACHED slots are one set for both rings: a choice for the
	 * other ring that used them holds no longer once these are filled. */
	if (rc->world[ring != 3].cached)
		rc->world[ring != 3].generation = rc->sdt_generation - 1;
	w->cached = false;
	for (s = 0; s < NSREGS; s++) {
		sel[s] = v->seg[s].sel;
		if (!slot_holds(vm, s)) {
			sdt_set_cached(s, &v->seg[s]);
			sel[s] = (SDT_CACHED + s) << 3 | (sel[s] & 3);
			w->cached = true;
		}
		if (s == SEG_CS || s == SEG_SS)
			sel[s] = (sel[s] & ~3) | ring;
		if (!sdt_selector_ok(sel[s], s)) {
			w->generation = rc->sdt_generation - 1;
			vm_kill(vm, "the guest's %%%s = %04x names a segment in "
				"the monitor's range, which the CPU cannot be "
				"given", sreg_names[s], v->seg[s].sel);
			return NULL;
		}
	}
	memcpy(w->seg, v->seg, sizeof(w->seg));
	for (s = 0; s < NSREGS; s++)
		w->guest_sel[s] = v->seg[s].sel;
	w->generation = rc->sdt_generation;
	w->shown_user_cs = rc->shown_user_cs;
	return w;
}

/* The vcpu as world_frame.  -1 (after vm_kill) if some selector could
 * not be loaded by the world switch. */
static int
vcpu_to_frame(struct vm *vm, const struct rc_code *code)
{
	struct vcpu *v = &vm->vcpu;
	struct trapframe *f = &world_frame;
	int ring = real_ring(v);
	struct world_choice *w;

	f->regs.eax = v->gpr[REG_EAX];
	f->regs.ecx = v->gpr[REG_ECX];
	f->regs.edx = v->gpr[REG_EDX];
	f->regs.ebx = v->gpr[REG_EBX];
	f->regs.ebp = v->gpr[REG_EBP];
	f->regs.esi = v->gpr[REG_ESI];
	f->regs.edi = v->gpr[REG_EDI];
	f->esp = v->gpr[REG_ESP];
	f->eip = v->eip;
	/* This iret of ours is the real return to user mode: show it the
	 * one user code segment it needs. */
	sdt_show_user_cs(vm, ring == 3 ? v->seg[SEG_CS].sel : 0);
	if ((w = world_selectors(vm, ring)) == NULL)
		return -1;
	f->cs = w->sel[SEG_CS];
	if (code) {
		f->cs = code->sel;
		f->eip = code->eip;
	}
	f->ss = w->sel[SEG_SS];
	f->ds = w->sel[SEG_DS];
	f->es = w->sel[SEG_ES];
	f->fs = w->sel[SEG_FS];
	f->gs = code && code->gs ? code->gs : w->sel[SEG_GS];
	vm->rc.cached_entries += w->cached;
	vm->rc.entered = w - vm->rc.world;
	/* Real IOPL 0, whatever the guest's: then every cli, sti, in and out
	 * traps.  Real IF = virtual IF.  NT is the guest's own, so that its
	 * pushfl and popfl see and set it as on the CPU: an iret with NT set
	 * then faults #TS on the monitor's TSS, whose back link is null, and
	 * is emulated as the task return it is.  No v8086. */
	f->eflags = (v->eflags & ~(FL_IOPL_MASK | FL_VM | FL_RF)) | 0x2;
	return 0;
}

/*
 * A selector the guest loaded behind our back: refresh the register's
 * cache.  One of SDT_CACHED's (a pop of what the guest pushed) brings
 * the descriptor it stood for, and the guest's selector with it.
 */
static void
refresh_seg(struct vm *vm, int s, uint16_t sel)
{
	unsigned i = sel >> 3;
	uint64_t d;

	if (!(sel & SEL_TI) && i >= SDT_CACHED && i < SDT_CACHED + NSREGS) {
		vm->vcpu.seg[s] = vm->rc.world[vm->rc.entered].seg[i - SDT_CACHED];
		return;
	}
	if ((sel & ~3) == 0 || linear_read_desc(vm, sel, &d) < 0)
		d = 0;
	vseg_from_desc(&vm->vcpu.seg[s], sel, d);
}

/* world_frame, as the guest must believe it, into the vcpu. */
static void
frame_to_vcpu(struct vm *vm, const struct rc_code *code)
{
	struct vcpu *v = &vm->vcpu;
	struct trapframe *f = &world_frame;
	int ring = f->cs & 3, s;
	const uint16_t *given = vm->rc.world[vm->rc.entered].sel;
	uint16_t raw[NSREGS] = {
		[SEG_CS] = f->cs, [SEG_SS] = f->ss, [SEG_DS] = f->ds,
		[SEG_ES] = f->es, [SEG_FS] = f->fs, [SEG_GS] = f->gs,
	};
	uint16_t sel[NSREGS];

	v->gpr[REG_EAX] = f->regs.eax;
	v->gpr[REG_ECX] = f->regs.ecx;
	v->gpr[REG_EDX] = f->regs.edx;
	v->gpr[REG_EBX] = f->regs.ebx;
	v->gpr[REG_EBP] = f->regs.ebp;
	v->gpr[REG_ESI] = f->regs.esi;
	v->gpr[REG_EDI] = f->regs.edi;
	v->gpr[REG_ESP] = f->esp;
	v->eip = f->eip;
	/* Trapped in the monitor's code: CS is still the guest's, and the
	 * EIP is the guest instruction's that code stands for. */
	if (code && f->cs == code->sel) {
		raw[SEG_CS] = given[SEG_CS];
		if (code->gs)
			raw[SEG_GS] = given[SEG_GS];
		v->eip = code->guest_eip(vm, f->eip, f->trapno);
	}
	v->cpl = ring == 1 ? 0 : ring;
	/* Ring 1 is the guest's ring 0: hide the compression. */
	sel[SEG_CS] = ring == 1 ? f->cs & ~3 : f->cs;
	sel[SEG_SS] = ring == 1 ? f->ss & ~3 : f->ss;
	sel[SEG_DS] = f->ds;
	sel[SEG_ES] = f->es;
	sel[SEG_FS] = f->fs;
	sel[SEG_GS] = f->gs;
	/* A register that holds what the world switch gave it holds the
	 * descriptor the vcpu has; any other the guest loaded itself. */
	for (s = 0; s < NSREGS; s++)
		if (raw[s] != given[s])
			refresh_seg(vm, s, sel[s]);
	/* The arithmetic flags, TF, AC... are the guest's own; IF and IOPL
	 * are virtual (and IF cannot have changed: popf at ring 1 keeps it). */
	v->eflags = (f->eflags & ~(FL_IF | FL_IOPL_MASK)) |
		    (v->eflags & (FL_IF | FL_IOPL_MASK));
}

/* Whether the CPU pushes an error code for exception vector v. */
static bool
has_error_code(unsigned v)
{
	return v == T_DBLFLT || (v >= T_TSS && v <= T_PGFLT) || v == T_ALIGN;
}

/*
 * The FPU bits of CR0 the guest runs under: its own MP, EM and TS, so
 * that its x87 instructions raise #NM where it asked for that (the CPU
 * checks them at any ring, without a trap the monitor could add); the
 * host's, which never uses the FPU, come back at the exit.
 */
#define CR0_FPU	(CR0_MP | CR0_EM | CR0_TS)

static uint32_t
set_cr0_fpu(uint32_t bits)
{
	uint32_t cr0 = rcr0();

	if ((cr0 & CR0_FPU) != bits)
		lcr0((cr0 & ~CR0_FPU) | bits);
	return cr0 & CR0_FPU;
}

/*
 * A #DB the guest's own instruction raised (a single step: its debug
 * registers are virtual, so the CPU has no breakpoint of its) says why
 * in the real DR6; the guest reads the virtual one.  The CPU only ever
 * sets DR6's status bits, so they are added to the guest's, and the real
 * one is cleared for the next.
 */
#define DR6_STATUS	0xe00f		/* B0-B3, BD, BS, BT */

static void
debug_status(struct vm *vm)
{
	uint32_t dr6;

	asm volatile("movl %%dr6, %0" : "=r" (dr6));
	vm->vcpu.dr[6] |= dr6 & DR6_STATUS;
	dr6 = 0xffff0ff0;
	asm volatile("movl %0, %%dr6" : : "r" (dr6));
}

/*
 * An sti (or mov %ss) shadow covers the instruction at intr_shadow_eip,
 * and is over once that instruction has run: the guest trapped anywhere
 * else.  A trap at it is that instruction itself (then emulated, and
 * vm_emulate() ends the shadow), or a host interrupt that came before it
 * ran: the shadow holds, or an interrupt pending at `sti; hlt` would come
 * between the two, and the guest would halt with nothing left to wake
 * it.  Once only for a host interrupt, though: after `sti; jmp .` the
 * EIP is the same whether the jmp ran or not.  But for a hlt, which
 * always traps at ring 1, so that the EIP still at it means it has not
 * run: a host that has fallen behind delivers its timer ticks back to
 * back, and the second must not open `sti; hlt` either.
 */
static bool
at_hlt(struct vm *vm)
{
	const struct vcpu *v = &vm->vcpu;
	struct emu_fault f;
	uint8_t op;

	return linear_read(vm, v->seg[SEG_CS].base + v->eip, &op, 1,
			   v->cpl == 3 ? PTW_USER : 0, &f) == 0 && op == 0xf4;
}

static void
end_intr_shadow(struct vm *vm, unsigned trapno)
{
	struct vcpu *v = &vm->vcpu;
	bool host_irq = trapno >= IRQ_OFFSET && trapno < IRQ_OFFSET + NIRQS;

	if (!v->intr_shadow)
		return;
	if (v->eip != v->intr_shadow_eip)
		v->intr_shadow = false;
	else if (!host_irq)
		return;			/* the instruction itself trapped */
	else if (v->intr_shadow_held && !at_hlt(vm))
		v->intr_shadow = false;
	else
		v->intr_shadow_held = true;
}

int
rc_enter(struct vm *vm, struct vm_exit *exit, const struct rc_code *code)
{
	struct trapframe *f = &world_frame;
	uint32_t host_fpu;
	int r;

	sdt_follow_gdt(vm);
	if (vcpu_to_frame(vm, code) < 0)
		return -1;
	host_fpu = set_cr0_fpu(vm->vcpu.cr0 & CR0_FPU);
	r = world_switch(shadow_cr3(vm));
	set_cr0_fpu(host_fpu);
	if (r < 0)
		return vm_kill(vm, "trap %u in the monitor's world switch at %08x",
			       world_fault_trapno, world_fault_eip);
	/* Before anything else can fault and overwrite it. */
	exit->la = rcr2();
	exit->vector = f->trapno;
	exit->has_err = f->trapno < NEXCEPTIONS && has_error_code(f->trapno);
	exit->err = f->err;
	if (f->trapno < MIDT_NVEC)
		vm->rc.by_vector[f->trapno]++;
	if (f->trapno == T_DEBUG)
		debug_status(vm);
	frame_to_vcpu(vm, code);
	end_intr_shadow(vm, f->trapno);
	return 0;
}

enum vm_exit_reason
rc_trap_reason(struct vm *vm, const struct vm_exit *x)
{
	unsigned vec = x->vector;

	if (vec >= IRQ_OFFSET && vec < IRQ_OFFSET + NIRQS)
		return EXIT_HOST_IRQ;
	if (vec == T_PGFLT && ((vm->vcpu.cr0 & CR0_PG) ||
			       shadow_watched(vm, x->la >> PGSHIFT)))
		return EXIT_PAGE_FAULT;
	switch (vec) {
	case T_GPFLT:
	case T_STACK:
	case T_SEGNP:
	case T_PGFLT:
	case T_ILLOP:
	case T_TSS:
		return EXIT_EMULATE;
	}
	return EXIT_EXCEPTION;
}

void
rc_print_stats(const struct vm *vm, const char *name)
{
	const char *sep = " ";
	unsigned i;

	cprintf("%s: exits by cause:", name);
	for (i = 0; i < MIDT_NVEC; i++) {
		if (vm->rc.by_vector[i]) {
			/* The last vector is the binary translator's exits. */
			cprintf("%s%s %llu", sep, i == MIDT_NVEC - 1 ?
				"translated-code exit" : trap_name(i),
				(unsigned long long) vm->rc.by_vector[i]);
			sep = ", ";
		}
	}
	cprintf("\n");
	if (vm->rc.cached_entries)
		cprintf("%s: %llu entries on a segment the GDT no longer holds "
			"(the selector read back is the monitor's)\n", name,
			(unsigned long long) vm->rc.cached_entries);
}
