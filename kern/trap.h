/*
 * trap.h - the trap frame, trap numbers, and the trap entry points.
 *
 * Every trap, fault and interrupt enters the kernel the same way
 * (kern/trapentry.S) and leaves a struct trapframe on the kernel stack:
 *
 *	         +--------------------+
 *	         | ss          (pad)  |  only when the trap came from
 *	         | esp                |  ring 3: the CPU switched stacks
 *	         | eflags             |  \
 *	         | cs          (pad)  |   | pushed by the CPU
 *	         | eip                |  /
 *	         | err                |  the CPU's error code, or 0 pushed
 *	         | trapno             |  by the vector's stub
 *	         | ds, es, fs, gs     |  \ pushed by alltraps
 *	tf ----> | eax ... edi        |  / (pushal)
 *	         +--------------------+
 *
 * and calls trap(tf).  Returning from trap() unwinds the same frame
 * (trapret) and irets.  The monitor of later labs saves a guest's state
 * in this same layout.
 */
#ifndef KERN_TRAP_H
#define KERN_TRAP_H

#include "kern/abi.h"

/* Exceptions (Intel SDM vol. 3, table 6-1). */
#define T_DIVIDE	0	/* divide error */
#define T_DEBUG		1	/* debug */
#define T_NMI		2	/* non-maskable interrupt */
#define T_BRKPT		3	/* breakpoint (int3) */
#define T_OFLOW		4	/* overflow (into) */
#define T_BOUND		5	/* bound range exceeded */
#define T_ILLOP		6	/* invalid opcode */
#define T_DEVICE	7	/* device (x87) not available */
#define T_DBLFLT	8	/* double fault */
#define T_COPROC	9	/* coprocessor segment overrun (old CPUs) */
#define T_TSS		10	/* invalid TSS */
#define T_SEGNP		11	/* segment not present */
#define T_STACK		12	/* stack fault */
#define T_GPFLT		13	/* general protection */
#define T_PGFLT		14	/* page fault */
#define T_FPERR		16	/* x87 floating-point error */
#define T_ALIGN		17	/* alignment check */
#define T_MCHK		18	/* machine check */
#define T_SIMDERR	19	/* SIMD floating-point error */
#define NEXCEPTIONS	32	/* vectors reserved for exceptions */

/* Hardware interrupts: the 8259s deliver IRQ n at vector IRQ_OFFSET + n. */
#define IRQ_OFFSET	32
#define NIRQS		16
#define IRQ_TIMER	0
#define IRQ_CASCADE	2	/* the slave 8259 */
#define IRQ_SPURIOUS	7	/* where the master reports a vanished IRQ */

/* Vectors with an entry stub: exceptions, IRQs, and T_SYSCALL last. */
#define NTRAPVEC	(T_SYSCALL + 1)

#ifndef ASSEMBLER
#include "kern/types.h"

/* The general registers, in the order pushal stores them. */
struct pushregs {
	uint32_t edi;
	uint32_t esi;
	uint32_t ebp;
	uint32_t oesp;		/* esp before pushal: useless */
	uint32_t ebx;
	uint32_t edx;
	uint32_t ecx;
	uint32_t eax;
};

struct trapframe {
	struct pushregs regs;
	uint16_t gs, pad0;
	uint16_t fs, pad1;
	uint16_t es, pad2;
	uint16_t ds, pad3;
	uint32_t trapno;
	uint32_t err;
	/* From here, what the CPU pushes. */
	uint32_t eip;
	uint16_t cs, pad4;
	uint32_t eflags;
	/* Only when the trap crossed from ring 3 to ring 0. */
	uint32_t esp;
	uint16_t ss, pad5;
} __attribute__((packed));

/* The entry stubs of kern/trapentry.S, indexed by vector. */
extern uint32_t trap_vectors[NTRAPVEC];

/**
 * @brief Lab 3's trap bring-up: fill the IDT with the stubs of
 * kern/trapentry.S and load it.
 */
void trap_init(void);

/**
 * @brief Where every trap lands (called by alltraps).  A trap from ring 3
 * is handled on behalf of curenv, which then runs again or another
 * environment does; a trap from the kernel returns to it.
 */
void trap(struct trapframe *tf);

/*
 * The handlers trap dispatch chooses from (kern/trap.c).  A handler for a
 * trap from ring 3 returns if the environment goes on, and does not
 * return if it ended or lost the CPU.
 */
/** @brief Page fault: report CR2 (@p cr2) and the error code; end or resume. */
void page_fault_handler(struct trapframe *tf, uint32_t cr2);
/** @brief int3: ring 3 goes on after a message; the kernel panics. */
void breakpoint_handler(struct trapframe *tf);
/** @brief Any other exception: ends the program (or panics the kernel). */
void fault_handler(struct trapframe *tf);
/** @brief IRQ 0: count the tick, acknowledge it, maybe preempt ring 3. */
void timer_interrupt(struct trapframe *tf);
/** @brief Any other IRQ: ignore spurious ones, report and ack the rest. */
void irq_handler(struct trapframe *tf);

/** @brief A name for trap number @p trapno ("page fault", "IRQ 0", ...). */
const char *trap_name(int trapno);

/** @brief Print every field of @p tf, one per line. */
void print_trapframe(const struct trapframe *tf);

/**
 * @brief Resume the state in @p tf (iret through trapret): how the kernel
 * enters or re-enters user mode.
 */
void trapframe_pop(const struct trapframe *tf) __attribute__((noreturn));

/*
 * Catching a fault the kernel causes on purpose (the self-checks of
 * kern/trapcheck.c): set trap_catch.resume to an address and raise the
 * trap; the trap handler then records what it saw here, clears resume,
 * and continues at that address instead of panicking.
 */
struct trap_catch {
	uint32_t resume;	/* where to continue; 0: not armed */
	uint32_t trapno, err, eip, cr2;
	uint32_t count;		/* traps caught so far */
};
extern volatile struct trap_catch trap_catch;

/* The number of timer interrupts so far (kern/pit.c). */
extern volatile uint32_t ticks;
#endif

#endif
