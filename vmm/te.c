/*
 * te.c - the trap-and-emulate engine: run the guest, catch its traps.
 *
 * Adams & Agesen, section 2.  The guest's kernel runs directly on the
 * CPU, but at ring 1, so each privileged instruction it executes traps to
 * the monitor; the monitor carries the instruction out on the virtual CPU
 * (struct vcpu) with the one emulator (vmm/emulate.h) and lets the guest
 * go on.  The loop here is the whole engine:
 *
 *	vcpu -> world_frame -> world_switch() -> the guest runs -> a trap
 *	     -> world_frame -> vcpu -> devices advance -> dispatch the trap
 *	     -> idle if halted -> deliver a due interrupt -> round again
 *
 * The vcpu holds what the guest believes; world_frame what the CPU must
 * have.  They differ in exactly the ways deprivileging forces: CS and SS
 * carry RPL 1 where the guest thinks 0, and the real EFLAGS have IOPL 0
 * (so that in/out/cli/sti trap) but IF equal to the virtual IF
 * (docs/design.md section 5: guests read IF with pushfl, which does not trap).
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/x86.h"
#include "kern/mmu.h"
#include "kern/gdt.h"
#include "kern/pit.h"
#include "kern/pmap.h"
#include "kern/console.h"
#include "kern/bootinfo.h"
#include "kern/multiboot.h"
#include "vmm/gmem.h"
#include "vmm/linear.h"
#include "vmm/shadow.h"
#include "vmm/shadowdesc.h"
#include "vmm/emulate.h"
#include "vmm/dev/platform.h"
#include "vmm/te.h"

/* In a page of its own, the only monitor page a guest's tables map
 * writable (vmm/monview.h): every trap out of the guest rewrites it. */
struct trapframe world_frame
	__attribute__((section(".monframe"), aligned(PGSIZE)));

static const char *const sreg_names[NSREGS] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* ------------------------------------------------------------------------
 * Time: the devices run on virtual nanoseconds, taken from the TSC (under
 * QEMU -icount it counts instructions, so runs repeat exactly).
 * ------------------------------------------------------------------------ */

static void
tsc_calibrate(void)
{
	uint32_t t;
	uint64_t t0;

	/* Two ticks of the host's 8253, with host interrupts on. */
	sti();
	t = ticks;
	while (ticks == t)
		asm volatile("hlt");
	t0 = rdtsc();
	t = ticks;
	while (ticks - t < 2)
		asm volatile("hlt");
	te_stats.tsc_per_ms = (rdtsc() - t0) * TIMER_HZ / 2000;
	cli();
	if (te_stats.tsc_per_ms == 0)
		te_stats.tsc_per_ms = 1;
}

static uint64_t
now_ns(void)
{
	return (rdtsc() - te_stats.tsc_start) * 1000000 / te_stats.tsc_per_ms;
}

/* ------------------------------------------------------------------------
 * The guest's descriptors, as it wrote them.
 * ------------------------------------------------------------------------ */

int
te_guest_desc(struct vm *vm, uint16_t sel, uint64_t *d)
{
	struct vdtr *g = &vm->vcpu.gdtr;
	uint32_t off = sel & ~7u;

	/* The slots a loader's flat segments occupy until the first lgdt. */
	if (sel >> 3 == SDT_BOOT_CS >> 3 || sel >> 3 == SDT_BOOT_DS >> 3) {
		struct segdesc sd = sel >> 3 == SDT_BOOT_CS >> 3 ?
			SEG(STA_X | STA_R | STA_A, 0, 0xffffffff, 0) :
			SEG(STA_W | STA_A, 0, 0xffffffff, 0);
		memcpy(d, &sd, sizeof(*d));
		return 0;
	}
	struct emu_fault f;

	if ((sel & 4) || off + 7 > g->limit || off >= SDT_GUEST_MAX * 8u)
		return -1;
	/* The GDT's base is linear; the CPU reads it as a supervisor. */
	return linear_read(vm, g->base + off, d, sizeof(*d), 0, &f) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Between the vcpu and the real CPU.
 * ------------------------------------------------------------------------ */

/* The ring the CPU really runs the guest's CPL at: ring compression. */
static int
real_ring(const struct vcpu *v)
{
	return v->cpl == 0 ? 1 : v->cpl;
}

/*
 * The vcpu as world_frame.  Returns -1 if some selector could not be
 * loaded by the world switch (it would fault at ring 0, in the monitor).
 */
static int
vcpu_to_frame(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	struct trapframe *f = &world_frame;
	int ring = real_ring(v), s;

	f->regs.eax = v->gpr[REG_EAX];
	f->regs.ecx = v->gpr[REG_ECX];
	f->regs.edx = v->gpr[REG_EDX];
	f->regs.ebx = v->gpr[REG_EBX];
	f->regs.ebp = v->gpr[REG_EBP];
	f->regs.esi = v->gpr[REG_ESI];
	f->regs.edi = v->gpr[REG_EDI];
	f->esp = v->gpr[REG_ESP];
	f->eip = v->eip;
	/* A selector's RPL must match the ring for CS and SS; the data
	 * segments keep what the guest loaded, as the CPU would. */
	f->cs = (v->seg[SEG_CS].sel & ~3) | ring;
	f->ss = (v->seg[SEG_SS].sel & ~3) | ring;
	f->ds = v->seg[SEG_DS].sel;
	f->es = v->seg[SEG_ES].sel;
	f->fs = v->seg[SEG_FS].sel;
	f->gs = v->seg[SEG_GS].sel;
	/* Real IOPL 0, whatever the guest's: then every cli, sti, in and out
	 * traps.  Real IF = virtual IF.  No task nesting, no v8086. */
	f->eflags = (v->eflags & ~(FL_IOPL_MASK | FL_NT | FL_VM | FL_RF)) | 0x2;

	/*
	 * Ring-3 code is hidden in the shadow GDT, so that the guest
	 * kernel's iret to user mode traps (#NP) and we finish it with the
	 * virtual IF.  This iret of ours is the real return to user mode:
	 * show it the one user code segment it needs.
	 */
	sdt_show_user_cs(vm, ring == 3 ? f->cs : 0);
	for (s = 0; s < NSREGS; s++) {
		uint16_t sel = s == SEG_CS ? f->cs : s == SEG_SS ? f->ss :
			v->seg[s].sel;
		if (!sdt_selector_ok(sel, s)) {
			cprintf("te: the guest's %%%s = %04x names no usable "
				"shadow descriptor\n", sreg_names[s], sel);
			return -1;
		}
	}
	return 0;
}

/* A selector the guest may have loaded behind our back: refresh the cache. */
static void
refresh_seg(struct vm *vm, int s, uint16_t sel)
{
	struct vcpu *v = &vm->vcpu;
	uint64_t d;

	if (sel == v->seg[s].sel)
		return;
	if ((sel & ~3) == 0 || te_guest_desc(vm, sel, &d) < 0)
		d = 0;
	vseg_from_desc(&v->seg[s], sel, d);
}

/* world_frame, as the guest must believe it, into the vcpu. */
static void
frame_to_vcpu(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	struct trapframe *f = &world_frame;
	int ring = f->cs & 3;

	v->gpr[REG_EAX] = f->regs.eax;
	v->gpr[REG_ECX] = f->regs.ecx;
	v->gpr[REG_EDX] = f->regs.edx;
	v->gpr[REG_EBX] = f->regs.ebx;
	v->gpr[REG_EBP] = f->regs.ebp;
	v->gpr[REG_ESI] = f->regs.esi;
	v->gpr[REG_EDI] = f->regs.edi;
	v->gpr[REG_ESP] = f->esp;
	v->eip = f->eip;
	v->cpl = ring == 1 ? 0 : ring;
	/* Ring 1 is the guest's ring 0: hide the compression. */
	refresh_seg(vm, SEG_CS, ring == 1 ? f->cs & ~3 : f->cs);
	refresh_seg(vm, SEG_SS, ring == 1 ? f->ss & ~3 : f->ss);
	refresh_seg(vm, SEG_DS, f->ds);
	refresh_seg(vm, SEG_ES, f->es);
	refresh_seg(vm, SEG_FS, f->fs);
	refresh_seg(vm, SEG_GS, f->gs);
	/* The arithmetic flags, TF, AC... are the guest's own; IF and IOPL
	 * are virtual (and IF cannot have changed: popf at ring 1 keeps it). */
	v->eflags = (f->eflags & ~(FL_IF | FL_IOPL_MASK)) |
		    (v->eflags & (FL_IF | FL_IOPL_MASK));
}

/* ------------------------------------------------------------------------
 * Dispatch.
 * ------------------------------------------------------------------------ */

/*
 * mov to %ss from the guest kernel.  The CPU demands RPL = CPL for SS, and
 * the guest, believing itself at ring 0, loads a selector with RPL 0 at
 * real ring 1: a #GP that exists only because of ring compression, so
 * the engine, not the emulator, finishes it.  Returns true if it did.
 */
static bool
mov_to_ss(struct vm *vm, const struct insn *in)
{
	struct vcpu *v = &vm->vcpu;
	struct emu_fault f;
	uint16_t sel;
	uint64_t d;
	unsigned type;

	if (in->map != MAP_ONE || in->op != 0x8e || in->reg != SEG_SS ||
	    v->cpl != 0)
		return false;
	if (!in->mem)
		sel = v->gpr[in->rm];
	else if (te_ops.read(vm, v->seg[in->seg].base + insn_ea(in, v->gpr), &sel,
			 2, &f) != 0)
		return false;
	/* A present, writable, ring-0 data segment, or whatever the CPU
	 * would raise is the emulator's to raise. */
	if ((sel & 3) != 0 || te_guest_desc(vm, sel, &d) < 0)
		return false;
	type = (d >> DESC_TYPE_SHIFT) & 0x1f;
	if ((type & 0x1a) != 0x12 || ((d >> DESC_DPL_SHIFT) & 3) != 0 ||
	    !(d & DESC_P))
		return false;
	vseg_from_desc(&v->seg[SEG_SS], sel, d);
	v->eip += in->len;
	/* Like the CPU: no interrupt before the esp load that follows. */
	v->intr_shadow = true;
	return true;
}

/* Fetch, decode and emulate the instruction at the guest's EIP. */
static int
emulate_insn(struct vm *vm, struct insn *in, struct emu_event *ev)
{
	struct vcpu *v = &vm->vcpu;
	int r;

	memset(ev, 0, sizeof(*ev));
	memset(in, 0, sizeof(*in));
	r = emu_fetch(v, in, &te_ops, vm, ev);
	if (r == EMU_DONE) {
		te_stats.emulated[in->map * 256 + in->op]++;
		if (mov_to_ss(vm, in))
			return EMU_DONE;
		r = emulate(v, in, &te_ops, vm, ev);
	}
	return r;
}

/* Act on what emulate() did: carry on, or raise what the CPU would have. */
static int
finish_emulation(struct vm *vm, int r, const struct insn *in,
		 const struct emu_event *ev)
{
	struct vcpu *v = &vm->vcpu;
	unsigned i;

#if SOL >= 4
	switch (r) {
	case EMU_DONE:
		return 0;
	case EMU_HALT:
		te_stats.halts++;
		return 0;
	case EMU_FAULT:
		/* What the instruction would have raised on a real ring 0:
		 * the guest's problem, through its own IDT. */
		if (ev->fault.vector == T_PF)
			v->cr2 = ev->fault.cr2;
		return intr_deliver(vm, ev->fault.vector, ev->fault.has_err,
				    ev->fault.err, false);
	case EMU_SOFTINT:
		return intr_deliver(vm, ev->fault.vector, false, 0, true);
	}
#else
	/* LAB 4: your code here.
	 * r says what emulate() did (vmm/emulate.h): carry on after EMU_DONE
	 * and EMU_HALT (count the hlt in te_stats); deliver EMU_FAULT's
	 * exception and EMU_SOFTINT's vector through the guest's IDT with
	 * intr_deliver() (which of them checks the gate's DPL?  where does a
	 * page fault's address go first?).  Anything else falls through. */
#endif
	cprintf("te: cannot emulate the instruction at %04x:%08x (", v->seg[SEG_CS].sel,
		v->eip);
	for (i = 0; r == EMU_UNHANDLED && i < in->len; i++)
		cprintf("%s%02x", i ? " " : "", in->bytes[i]);
	cprintf("): %s\n", r == EMU_UNHANDLED && ev->reason ? ev->reason :
		emu_result_name(r));
	return -1;
}

/* The instruction that trapped, emulated. */
static int
emulate_trapped(struct vm *vm)
{
	struct emu_event ev;
	struct insn in;

	return finish_emulation(vm, emulate_insn(vm, &in, &ev), &in, &ev);
}

/*
 * A write to a traced guest page table, emulated so the shadow can follow
 * it.  Any instruction may write any page, and a frame that was a page
 * table once may be a kernel stack now: if the emulator does not know
 * the instruction, stop shadowing the frame and let the guest retry it
 * directly.
 */
static int
traced_write(struct vm *vm, uint32_t gfn)
{
	struct emu_event ev;
	struct insn in;
	int r;

	te_tracing_gfn = gfn;
	r = emulate_insn(vm, &in, &ev);
	te_tracing_gfn = NO_GFN;
	if (r == EMU_UNHANDLED && shadow_unshadow(vm, gfn))
		return 0;
	return finish_emulation(vm, r, &in, &ev);
}

/* A host device interrupted the guest: the host's handler takes it. */
static void
host_irq(int vector)
{
	struct trapframe tf;

	memset(&tf, 0, sizeof(tf));
	tf.trapno = vector;
	tf.cs = GD_KT;
	if (vector == IRQ_OFFSET + IRQ_TIMER)
		timer_interrupt(&tf);
	else
		irq_handler(&tf);
}

/* Whether the CPU pushes an error code for exception vector v. */
static bool
has_error_code(unsigned v)
{
	return v == T_DBLFLT || (v >= T_TSS && v <= T_PGFLT) || v == T_ALIGN;
}

/*
 * A page fault with guest paging on: the shadow MMU decides whether the
 * guest's own tables raised it (true: the guest's to handle) or only the
 * shadow did (hidden: fixed, or emulated when the access must not run
 * directly).
 */
static int
page_fault(struct vm *vm, uint32_t la)
{
	struct vcpu *v = &vm->vcpu;
	struct sh_fault sf;

	if (shadow_fault(vm, la, world_frame.err, &sf) < 0) {
		cprintf("te: page fault at %08x with guest CR3 %08x: %s\n",
			la, v->cr3, sf.why);
		return -1;
	}
	switch (sf.class) {
	case SH_TRUE:
		v->cr2 = la;
		return intr_deliver(vm, T_PF, true, sf.err, false);
	case SH_FILL:
	case SH_DIRTY:
		return 0;
	case SH_TRACE:
		return traced_write(vm, sf.walk.gpa >> PGSHIFT);
	default:
		return emulate_trapped(vm);
	}
}

/* One trap, dispatched.  Returns -1 if the run cannot go on. */
static int
dispatch(struct vm *vm, uint32_t fault_la)
{
	struct trapframe *f = &world_frame;
	unsigned vec = f->trapno;

	if (vec >= IRQ_OFFSET && vec < IRQ_OFFSET + NIRQS) {
		host_irq(vec);
		return 0;
	}
	if (vec == T_PGFLT && (vm->vcpu.cr0 & CR0_PG))
		return page_fault(vm, fault_la);
	switch (vec) {
	case T_GPFLT:	/* privileged instruction, I/O, int n, a segment limit */
	case T_SEGNP:	/* a descriptor the shadow GDT hides */
	case T_PGFLT:	/* paging off: an address beyond guest RAM */
	case T_ILLOP:	/* an instruction the guest's CPU has and ours lacks */
		return emulate_trapped(vm);
	}
	/* Anything else (divide error, int3 via #GP aside, ...) is the guest's own. */
	if (vec < NEXCEPTIONS)
		return intr_deliver(vm, vec, has_error_code(vec), f->err, false);
	cprintf("te: unexpected trap %u from the guest\n", vec);
	return -1;
}

/* The guest executed hlt: sleep the host until a virtual interrupt is due. */
static int
idle(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;

	if (!(v->eflags & FL_IF)) {
		cprintf("te: the guest halted with interrupts off at %08x\n", v->eip);
		return -1;
	}
	while (vplat_pending_interrupt(&te_plat) < 0) {
		te_stats.idle_waits++;
		/* sti; hlt: the host's next interrupt (its timer at worst)
		 * wakes us, and its handler runs here, in the host's world. */
		asm volatile("sti; hlt; cli");
		te_poll_host_input();
		vplat_advance(&te_plat, now_ns());
	}
	return 0;
}

/* A device interrupt is due and the guest can take it: deliver it. */
static int
deliver_pending(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	int vec;

	if (!(v->eflags & FL_IF) || v->intr_shadow ||
	    vplat_pending_interrupt(&te_plat) < 0)
		return 0;
	if ((vec = vplat_ack_interrupt(&te_plat)) < 0)
		return 0;
	te_stats.inj_irq++;
	return intr_deliver(vm, vec, false, 0, false);
}

static void
console_out(void *arg, uint8_t c)
{
	(void) arg;
	if (c != '\r')
		cons_putc(c);
}

/* vbios_setup's writer: guest RAM, a page at a time (vmm/gmem.c). */
static int
bios_write(void *ctx, uint32_t gpa, const void *buf, uint32_t len)
{
	return gmem_write(ctx, gpa, buf, len);
}

/*
 * A disk for the guest: the kernel's second Multiboot module (QEMU:
 * -initrd "GUEST args,DISK") becomes the primary slave, where xv6-style
 * kernels look for their file system.  The module stays where the boot
 * loader put it (kern/physmem.c reserves it) and the IDE model reaches it
 * through the host's direct map: device models run in the trap path, on
 * the host's page directory, never on the guest's.
 */
static void
attach_disk(struct vplat_disk *d)
{
	const struct multiboot_info *mbi = bootinfo();
	const struct multiboot_module *mod;
	uint32_t bytes;

	if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count < 2)
		return;
	mod = boot_phys(mbi->mods_addr);
	if (mod == NULL || mod[1].mod_end < mod[1].mod_start ||
	    mod[1].mod_end > npages * PGSIZE)
		return;
	/* Whole sectors only: a tail shorter than 512 bytes is not readable. */
	bytes = (mod[1].mod_end - mod[1].mod_start) & ~511u;
	if (bytes == 0) {
		cprintf("te: the disk module is smaller than a sector: no disk\n");
		return;
	}
	d->data = (uint8_t *) (KERNBASE + mod[1].mod_start);
	d->bytes = bytes;
	d->readonly = false;
	cprintf("te: disk of %u sectors as the primary slave\n", bytes / 512);
}

/*
 * The LAPIC's registers, mirrored in a page the shadow maps read-only
 * wherever the guest maps the LAPIC: an xv6-style kernel reads the LAPIC
 * ID on every lock acquire, and each read would otherwise be an exit
 * (docs/design.md section 5; the idea of VT-x's virtual-APIC page).  Writes
 * still fault and reach the device model; the page is rewritten before
 * the guest runs again whenever the model says a register changed, and
 * the timer's current count on every entry while the timer runs.  A read
 * through the mirror is as fresh as the last exit: the one place it
 * differs from the device, visible only to a guest that polls the count
 * without ever trapping.
 */
static uint8_t *lapic_mirror;
static uint32_t lapic_mirror_gen;

static void
refresh_lapic_mirror(struct vm *vm)
{
	const struct vlapic *l = vplat_lapic(&te_plat);

	if (lapic_mirror == NULL)
		return;
	if (l->generation != lapic_mirror_gen) {
		vlapic_fill_page(l, lapic_mirror);
		lapic_mirror_gen = l->generation;
		vm->sh.st.lapic_refreshes++;
	} else if (l->timer_running) {
		/* A guest timing a delay reads the current count: give it
		 * the count as of this entry, not of the last write. */
		vlapic_refresh_count(l, lapic_mirror);
	}
}

/* Everything a run needs before the guest's first instruction. */
static int
te_setup(struct vm *vm)
{
	struct vplat_config cfg;
	struct page *pp;

	memset(&te_stats, 0, sizeof(te_stats));
	tsc_calibrate();
	memset(&cfg, 0, sizeof(cfg));
	cfg.ram_bytes = vm->ram;
	cfg.console_out = console_out;
	attach_disk(&cfg.disk[1]);
	if (vplat_init(&te_plat, &cfg) < 0) {
		cprintf("te: the virtual platform refused its configuration\n");
		return -1;
	}
	/* No BIOS ran: leave what it would have, the MP tables among it. */
	if (vbios_setup(&(struct vbios_writer) { bios_write, vm }, vm->ram) < 0) {
		cprintf("te: no room in guest memory for the BIOS area\n");
		return -1;
	}
	if (shadow_init(vm) < 0)
		return -1;
	if ((pp = page_alloc(ALLOC_ZERO)) != NULL) {
		pp->refs++;
		lapic_mirror = page2kva(pp);
		lapic_mirror_gen = vplat_lapic(&te_plat)->generation - 1;
		shadow_set_mirror(vm, VLAPIC_BASE, page2pa(pp));
	}
	sdt_init((uint32_t) (&world_frame + 1));
	te_stop_reason = NULL;
	te_stats.valid = true;
	return 0;
}

/* What a run leaves behind: its counters, and no pages. */
static void
te_teardown(struct vm *vm)
{
	te_stats.tsc_end = rdtsc();
	te_stats.mmu = vm->sh.st;
	shadow_fini(vm);
	if (lapic_mirror != NULL) {
		page_decref(pa2page(kva2pa(lapic_mirror)));
		lapic_mirror = NULL;
	}
}

/* The loop of the file's opening comment.  Returns the guest's exit
 * status, or -1 when the run stopped otherwise (the reason printed). */
static int
te_loop(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	uint32_t status, fault_la;
	int r;

	for (;;) {
		if (vcpu_to_frame(vm) < 0)
			break;
		refresh_lapic_mirror(vm);
		if (world_switch(shadow_cr3(vm)) < 0) {
			cprintf("te: trap %u in the monitor's world switch at %08x\n",
				world_fault_trapno, world_fault_eip);
			break;
		}
		/* Before anything else can fault and overwrite it. */
		fault_la = rcr2();
		te_stats.exits++;
		if (world_frame.trapno < MIDT_NVEC)
			te_stats.by_vector[world_frame.trapno]++;
		frame_to_vcpu(vm);
		/* One guest instruction has run since the last entry: an sti
		 * shadow is over (an approximation: see vcpu.h). */
		v->intr_shadow = false;
		vplat_advance(&te_plat, now_ns());
		r = dispatch(vm, fault_la);
		if (vplat_exit_requested(&te_plat, &status))
			return (int) status;
		if (r < 0)
			break;
		if (te_stop_reason) {
			cprintf("te: %s\n", te_stop_reason);
			break;
		}
		if (v->halted && idle(vm) < 0)
			break;
		if (deliver_pending(vm) < 0)
			break;
	}
	cprintf("te: guest stopped at %04x:%08x\n", v->seg[SEG_CS].sel, v->eip);
	return -1;
}

int
te_run(struct vm *vm)
{
	int status;

	if (te_setup(vm) < 0)
		return -1;
	te_stats.tsc_start = rdtsc();
	cprintf("te: running %s at ring 1\n", vm->image);
	status = te_loop(vm);
	te_teardown(vm);
	return status;
}
