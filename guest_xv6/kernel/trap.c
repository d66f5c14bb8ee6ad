/*
 * trap.c - the interrupt descriptor table and the C side of every trap:
 * system calls, device interrupts, and faults.
 *
 * Page faults are where lazy sbrk and copy-on-write fork happen (vm.c
 * does the work); any other fault from user mode kills the process and
 * the system carries on.  A fault in kernel code is a bug: panic.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/traps.h"
#include "kernel/spinlock.h"
#include "kernel/defs.h"

#define VECTOR_STUB_SIZE 16	/* see vectors.S */

static struct gatedesc idt[256];
extern char vectors[];
struct spinlock tickslock;
uint ticks;
uint pagefaults;	/* every #PF taken, for pfcount() */

void
tvinit(void)
{
	int i;

	for (i = 0; i < 256; i++)
		setgate(&idt[i], 0, SEG_KCODE << 3,
			(uint)vectors + i * VECTOR_STUB_SIZE, 0);
	/* A trap gate: system calls run with interrupts on. */
	setgate(&idt[T_SYSCALL], 1, SEG_KCODE << 3,
		(uint)vectors + T_SYSCALL * VECTOR_STUB_SIZE, DPL_USER);
	initlock(&tickslock, "time");
}

void
idtinit(void)
{
	lidt(idt, sizeof(idt));
}

static int
from_user(struct trapframe *tf)
{
	return (tf->cs & 3) == DPL_USER;
}

static void
pagefault(struct trapframe *tf)
{
	struct proc *p = myproc();
	uint va = rcr2();

	pagefaults++;
	if (from_user(tf)) {
		if (uvm_fault(p, va, tf->err & PF_W) == 0)
			return;
		cprintf("pid %d %s: page fault at 0x%x (err %d) eip 0x%x: "
			"killed\n", p->pid, p->name, va, tf->err, tf->eip);
		p->killed = 1;
		return;
	}
	/* Kernel code touching user memory: only system calls may, and
	 * they prepare the pages first, so this is a safety net. */
	if (p && va < KERNBASE && uvm_fault(p, va, tf->err & PF_W) == 0)
		return;
	cprintf("kernel page fault at 0x%x (err %d) eip 0x%x\n",
		va, tf->err, tf->eip);
	panic("page fault in kernel");
}

void
trap(struct trapframe *tf)
{
	struct proc *p = myproc();

	if (tf->trapno == T_SYSCALL) {
		if (p->killed)
			exit(-1);
		p->tf = tf;
		syscall();
		if (p->killed)
			exit(-1);
		return;
	}

	switch (tf->trapno) {
	case T_IRQ0 + IRQ_TIMER:
		if (cpuid() == 0) {
			acquire(&tickslock);
			ticks++;
			wakeup(&ticks);
			release(&tickslock);
		}
		lapiceoi();
		break;
	case T_IRQ0 + IRQ_IDE:
		ideintr();
		lapiceoi();
		break;
	case T_IRQ0 + IRQ_KBD:
		kbdintr();
		lapiceoi();
		break;
	case T_IRQ0 + IRQ_COM1:
		uartintr();
		lapiceoi();
		break;
	case T_IRQ0 + 7:
	case T_IRQ0 + IRQ_SPURIOUS:
		/* Spurious: no EOI, nothing to do. */
		break;
	case T_IRQ0 + IRQ_ERROR:
		cprintf("guest_xv6: LAPIC error interrupt\n");
		lapiceoi();
		break;
	case T_PGFLT:
		pagefault(tf);
		break;
	case T_DIVIDE:
		if (from_user(tf) && p->divskip) {
			/* nanobench's divzero: deliver, skip the divide. */
			tf->eip += p->divskip;
			break;
		}
		/* fall through */
	default:
		if (!from_user(tf) || p == 0) {
			cprintf("unexpected trap %d err %d from eip 0x%x "
				"cr2 0x%x\n", tf->trapno, tf->err, tf->eip,
				rcr2());
			panic("trap");
		}
		cprintf("pid %d %s: trap %d err %d eip 0x%x: killed\n",
			p->pid, p->name, tf->trapno, tf->err, tf->eip);
		p->killed = 1;
		break;
	}

	/* A killed process leaves on its way back to user mode. */
	if (p && p->killed && from_user(tf))
		exit(-1);
	if (p && p->state == RUNNING && tf->trapno == T_IRQ0 + IRQ_TIMER)
		yield();
	if (p && p->killed && from_user(tf))
		exit(-1);
}
