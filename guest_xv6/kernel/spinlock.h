/*
 * spinlock.h - a lock held with interrupts off, for short critical sections.
 */
#ifndef GX_SPINLOCK_H
#define GX_SPINLOCK_H

struct spinlock {
	volatile uint locked;
	const char *name;
	struct cpu *cpu;	/* holder, for the "already held" checks */
	uint pcs[10];		/* where it was taken, for panics */
};

#endif
