/*
 * bench.c - the kernel side of nanobench: run one operation n times in
 * kernel mode and count the cycles.  These are the operations a monitor
 * handles very differently from native hardware (port I/O, the LAPIC TPR,
 * calls in translated code, page-table writes); user/nanobench.c subtracts
 * the empty loop and takes medians.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/bench.h"
#include "kernel/defs.h"

#define LAPIC_TPR	(0x0080 / 4)	/* see lapic.c */

/* Not inlined: the call and the return are what is measured. */
__attribute__((noinline)) static void
empty_function(void)
{
	asm volatile("");
}

/*
 * ptemod writes a PTE of a page the process owns, storing back the value
 * it holds, so the mapping never changes and no TLB flush is needed; a
 * shadow-paging monitor must still trace the write.
 */
static volatile pte_t *
bench_pte(void)
{
	struct proc *p = myproc();
	pte_t *pte;

	if (p->sz == 0 || uvm_prepare(p, 0, 1, 0) < 0)
		return 0;
	pte = walkpgdir(p->pgdir, 0, 0);
	if (!pte || !(*pte & PTE_P))
		return 0;
	return pte;
}

int
bench_run(int op, int n, uint64 *cycles)
{
	volatile pte_t *pte = 0;
	uint64 t0, t1;
	pte_t v;
	int i;

	if (n <= 0 || op < 0 || op >= BENCH_NOPS)
		return -1;
	if (op == BENCH_PTEMOD && (pte = bench_pte()) == 0)
		return -1;
	t0 = rdtsc();
	switch (op) {
	case BENCH_EMPTY:
		for (i = 0; i < n; i++)
			asm volatile("");
		break;
	case BENCH_IN:
		for (i = 0; i < n; i++)
			(void)inb(0x80);
		break;
	case BENCH_CR8WR:
		/* Inline, like a mov to CR8: no call in the loop. */
		for (i = 0; i < n; i++)
			lapic[LAPIC_TPR] = 0;
		break;
	case BENCH_CALLRET:
		for (i = 0; i < n; i++)
			empty_function();
		break;
	case BENCH_PTEMOD:
		v = *pte;
		for (i = 0; i < n; i++)
			*pte = v;
		break;
	}
	t1 = rdtsc();
	*cycles = t1 - t0;
	return 0;
}
