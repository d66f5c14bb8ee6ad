/*
 * spinlock.c - mutual exclusion with interrupts off.
 *
 * pushcli/popcli nest interrupt disabling and remember whether interrupts
 * were on before the first one.  popcli checks with pushfl that they are
 * still off, and mycpu() (which reads the LAPIC ID) runs on every pushcli:
 * both are what make an xv6-style kernel instructive to virtualize, so
 * they stay as they are.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/spinlock.h"
#include "kernel/defs.h"

void
initlock(struct spinlock *lk, const char *name)
{
	lk->name = name;
	lk->locked = 0;
	lk->cpu = 0;
}

void
acquire(struct spinlock *lk)
{
	pushcli();
	if (holding(lk))
		panic(lk->name);	/* acquire of a lock we hold */
	while (xchg(&lk->locked, 1) != 0)
		;
	/* Nothing the critical section does may move above the xchg. */
	__sync_synchronize();
	lk->cpu = mycpu();
	getcallerpcs(&lk, lk->pcs);
}

void
release(struct spinlock *lk)
{
	if (!holding(lk))
		panic("release of a lock not held");
	lk->pcs[0] = 0;
	lk->cpu = 0;
	__sync_synchronize();
	asm volatile("movl $0, %0" : "+m"(lk->locked));
	popcli();
}

/* Walk the saved-%ebp chain to record who called us. */
void
getcallerpcs(void *v, uint pcs[])
{
	uint *ebp = (uint *)v - 2;
	int i;

	for (i = 0; i < 10; i++) {
		if (ebp == 0 || ebp < (uint *)KERNBASE || ebp == (uint *)0xffffffff)
			break;
		pcs[i] = ebp[1];
		ebp = (uint *)ebp[0];
	}
	for (; i < 10; i++)
		pcs[i] = 0;
}

int
holding(struct spinlock *lk)
{
	int r;

	pushcli();
	r = lk->locked && lk->cpu == mycpu();
	popcli();
	return r;
}

void
pushcli(void)
{
	uint eflags = readeflags();

	cli();
	if (mycpu()->ncli == 0)
		mycpu()->intena = eflags & FL_IF;
	mycpu()->ncli += 1;
}

void
popcli(void)
{
	if (readeflags() & FL_IF)
		panic("popcli: interrupts are on");
	if (--mycpu()->ncli < 0)
		panic("popcli: unbalanced");
	if (mycpu()->ncli == 0 && mycpu()->intena)
		sti();
}
