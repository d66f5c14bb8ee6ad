/*
 * trap.c - the interrupt descriptor table and what each trap leads to.
 *
 * Every vector's gate is an interrupt gate to its stub in trapentry.S, at
 * ring 0: the CPU clears IF on entry, so the kernel always runs with
 * interrupts off and needs no locks.  Ring 3 may raise only two vectors
 * itself with `int`: the breakpoint (int3) and the system call; for any
 * other `int n` the gate's DPL 0 turns the instruction into a #GP.
 *
 * A trap from ring 3 is handled for curenv: its frame is copied into the
 * env, so the env can be resumed later from there.  A fault that ring 3
 * caused ends the program with a message naming the fault; a fault in the
 * kernel is a kernel bug and panics, unless a self-check is expecting it
 * (trap_catch).
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/mmu.h"
#include "kern/printf.h"
#include "kern/assert.h"
#include "kern/gdt.h"
#include "kern/pic.h"
#include "kern/pit.h"
#include "kern/env.h"
#include "kern/sched.h"
#include "kern/syscall.h"
#include "kern/trap.h"

static struct gatedesc idt[256];
static struct pseudodesc idt_pd = { sizeof(idt) - 1, 0 };

volatile struct trap_catch trap_catch;

/* trapentry.S finds cs at this offset. */
static_assert(offsetof(struct trapframe, cs) == 60);
static_assert(sizeof(struct trapframe) == 76);

static const char *const exception_names[NEXCEPTIONS] = {
	"divide error",
	"debug",
	"non-maskable interrupt",
	"breakpoint",
	"overflow",
	"bound range exceeded",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"(reserved 15)",
	"x87 floating-point error",
	"alignment check",
	"machine check",
	"SIMD floating-point error",
};

const char *
trap_name(int trapno)
{
	static const char *const irq_names[NIRQS] = {
		"IRQ 0 (timer)", "IRQ 1", "IRQ 2", "IRQ 3", "IRQ 4", "IRQ 5",
		"IRQ 6", "IRQ 7", "IRQ 8", "IRQ 9", "IRQ 10", "IRQ 11",
		"IRQ 12", "IRQ 13", "IRQ 14", "IRQ 15",
	};

	if (trapno >= 0 && trapno < NEXCEPTIONS)
		return exception_names[trapno] ? exception_names[trapno] : "(reserved)";
	if (trapno >= IRQ_OFFSET && trapno < IRQ_OFFSET + NIRQS)
		return irq_names[trapno - IRQ_OFFSET];
	if (trapno == T_SYSCALL)
		return "system call";
	return "(unknown trap)";
}

void
trap_init(void)
{
#if SOL >= 3
	int i;

	for (i = 0; i < NTRAPVEC; i++)
		set_gate(&idt[i], STS_IG32, GD_KT, trap_vectors[i],
			 i == T_BRKPT || i == T_SYSCALL ? 3 : 0);
#else
	/* LAB 3: your code here.
	 * For every vector i below NTRAPVEC, point idt[i] at its stub
	 * trap_vectors[i] with set_gate() (kern/mmu.h): an interrupt gate
	 * (why not a trap gate?) into the kernel's code segment.  Which
	 * vectors may ring 3 raise itself with `int`?  Those get DPL 3, the
	 * rest DPL 0. */
	panic("trap_init: not implemented (lab 3, exercise 1)");
#endif
	idt_pd.base = (uintptr_t) idt;
	lidt(&idt_pd);
}

void
print_trapframe(const struct trapframe *tf)
{
	cprintf("trap frame at %p: %s (trap %u)\n", tf, trap_name(tf->trapno),
		tf->trapno);
	cprintf("  edi %08x  esi %08x  ebp %08x  ebx %08x\n", tf->regs.edi,
		tf->regs.esi, tf->regs.ebp, tf->regs.ebx);
	cprintf("  edx %08x  ecx %08x  eax %08x  err %08x\n", tf->regs.edx,
		tf->regs.ecx, tf->regs.eax, tf->err);
	cprintf("  ds %04x  es %04x  fs %04x  gs %04x\n", tf->ds, tf->es,
		tf->fs, tf->gs);
	cprintf("  eip %08x  cs %04x  eflags %08x", tf->eip, tf->cs, tf->eflags);
	if ((tf->cs & 3) != 0)
		cprintf("  esp %08x  ss %04x", tf->esp, tf->ss);
	cprintf("\n");
}

/* "user write, protection": the page-fault error code in words. */
static void
pf_error_words(uint32_t err, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s, %s", err & FEC_U ? "user" : "kernel",
		 err & FEC_I ? "fetch" : err & FEC_WR ? "write" : "read",
		 err & FEC_RSVD ? "reserved bit" :
		 err & FEC_PR ? "protection" : "not present");
}

/*
 * A fault in the kernel: expected by a self-check (resume where it said),
 * or a bug.
 */
static void
kernel_fault(struct trapframe *tf, uint32_t cr2)
{
	char words[48];

	if (trap_catch.resume) {
		trap_catch.trapno = tf->trapno;
		trap_catch.err = tf->err;
		trap_catch.eip = tf->eip;
		trap_catch.cr2 = cr2;
		trap_catch.count++;
		tf->eip = trap_catch.resume;
		tf->eflags &= ~FL_TF;	/* a caught single step ends there */
		trap_catch.resume = 0;
		return;
	}
	print_trapframe(tf);
	if (tf->trapno == T_PGFLT) {
		pf_error_words(tf->err, words, sizeof(words));
		panic("kernel page fault at va %08x (error %x: %s) eip %08x",
		      cr2, tf->err, words, tf->eip);
	}
	panic("unexpected %s (trap %u) in the kernel at eip %08x",
	      trap_name(tf->trapno), tf->trapno, tf->eip);
}

/*
 * A fault in ring 3: hand it to the program's own handler if it set one
 * (kern/abi.h), else end the program.
 */
static void
user_fault(struct trapframe *tf, uint32_t cr2)
{
	char words[48];

	if (curenv->trap_handler && tf->trapno < NEXCEPTIONS) {
		cprintf("[%08x] user trap: %s (trap %u, error %x) at eip %08x: "
			"passed to the program's handler\n", curenv->id,
			trap_name(tf->trapno), tf->trapno, tf->err, tf->eip);
		tf->regs.eax = tf->trapno;
		tf->regs.edx = tf->err;
		tf->regs.ecx = tf->eip;
		tf->regs.ebx = cr2;
		tf->eip = curenv->trap_handler;
		curenv->trap_handler = 0;
		return;
	}
	if (tf->trapno == T_PGFLT) {
		pf_error_words(tf->err, words, sizeof(words));
		cprintf("[%08x] user fault: page fault at va %08x (error %x: %s) "
			"eip %08x\n", curenv->id, cr2, tf->err, words, tf->eip);
	} else {
		cprintf("[%08x] user fault: %s (trap %u, error %x) eip %08x\n",
			curenv->id, trap_name(tf->trapno), tf->trapno, tf->err,
			tf->eip);
	}
	env_destroy(curenv);
}

void
page_fault_handler(struct trapframe *tf, uint32_t cr2)
{
	if ((tf->cs & 3) == 0)
		kernel_fault(tf, cr2);
	else
		user_fault(tf, cr2);
}

void
breakpoint_handler(struct trapframe *tf)
{
	if ((tf->cs & 3) == 0) {
		kernel_fault(tf, 0);
	} else if (curenv->trap_handler) {
		user_fault(tf, 0);
	} else {
		/* int3 is a trap, not a fault: eip is already past it, so
		 * the program just goes on. */
		cprintf("[%08x] breakpoint at eip %08x: continuing\n",
			curenv->id, tf->eip);
	}
}

void
fault_handler(struct trapframe *tf)
{
	if ((tf->cs & 3) == 0)
		kernel_fault(tf, 0);
	else
		user_fault(tf, 0);
}

void
timer_interrupt(struct trapframe *tf)
{
	pit_tick();
	pic_eoi(IRQ_TIMER);
	/* Preemption, if the program has had its time slice. */
	if ((tf->cs & 3) == 3)
		sched_timer_tick();
}

void
irq_handler(struct trapframe *tf)
{
	int irq = tf->trapno - IRQ_OFFSET;

	if ((irq == 7 || irq == 15) && pic_spurious(irq)) {
		/* Nothing is in service: no EOI, except that the master did
		 * deliver the slave's spurious IRQ 15 through IRQ 2. */
		if (irq == 15)
			pic_eoi(IRQ_CASCADE);
		return;
	}
	cprintf("trap: unexpected %s, ignored\n", trap_name(tf->trapno));
	pic_eoi(irq);
}

/* Send the trap where it belongs. */
static void
trap_dispatch(struct trapframe *tf, uint32_t cr2)
{
#if SOL >= 3
	switch (tf->trapno) {
	case T_PGFLT:
		page_fault_handler(tf, cr2);
		return;
	case T_BRKPT:
		breakpoint_handler(tf);
		return;
	case T_SYSCALL:
		tf->regs.eax = syscall(tf->regs.eax, tf->regs.ebx, tf->regs.ecx,
				       tf->regs.edx, tf->regs.esi, tf->regs.edi);
		return;
	case IRQ_OFFSET + IRQ_TIMER:
		timer_interrupt(tf);
		return;
	}
	if (tf->trapno >= IRQ_OFFSET && tf->trapno < IRQ_OFFSET + NIRQS)
		irq_handler(tf);
	else
		fault_handler(tf);
#else
	/* LAB 3: your code here.
	 * Choose by tf->trapno: page faults go to page_fault_handler (with
	 * cr2), breakpoints to breakpoint_handler, the timer's IRQ to
	 * timer_interrupt, other IRQs to irq_handler.  A system call's
	 * number and arguments are in the registers kern/abi.h names; its
	 * result goes back in the frame's eax.  Every other trap is a fault:
	 * fault_handler. */
	panic("trap_dispatch: not implemented (lab 3, exercise 2): %s (trap %u)",
	      trap_name(tf->trapno), tf->trapno);
#endif
}

void
trap(struct trapframe *tf)
{
	/* First, before anything else can fault and change it. */
	uint32_t cr2 = rcr2();

	/* The C code expects the string direction the ABI promises. */
	asm volatile("cld" ::: "cc");
	assert(!(read_eflags() & FL_IF));

	if ((tf->cs & 3) == 3) {
		assert(curenv && curenv->status == ENV_RUNNING);
		/* Keep the state in the env: the stack frame is gone with the
		 * next trap, and the env may be resumed long after. */
		curenv->tf = *tf;
		tf = &curenv->tf;
	}
	trap_dispatch(tf, cr2);
	/* A trap from ring 3 that did not end or switch the env returns to it. */
	if ((tf->cs & 3) == 3)
		env_run(curenv);
}
