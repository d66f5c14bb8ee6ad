/*
 * simphys.h - a simulated physical memory for kernel code on the host.
 *
 * kern/page.c, kern/pgtable.c, vmm/gmem.c and the shadow MMU (vmm/shadow.c,
 * vmm/shadow_fault.c) touch no hardware: they reach physical memory
 * through pa2kva(), the TLB through tlb_invalidate().
 * simphys.c backs those with SIM_PAGES pages of
 * anonymous memory (untouched pages cost nothing), room for a test
 * guest's 8 MB of RAM and its shadow page tables.  Criterion runs each test
 * in its own process, so a test that calls sim_boot() in its .init
 * starts from a fresh machine.
 *
 * A panic in kernel code aborts the test: a test that expects one sets
 * sim_panic_expected (to keep it quiet) and says `.signal = SIGABRT`.
 * Include the C library's and Criterion's headers first.
 */
#ifndef GRADE_UNIT_SIMPHYS_H
#define GRADE_UNIT_SIMPHYS_H

/* The kernel's headers define these as the C library does, in other words. */
#undef static_assert
#undef MIN
#undef MAX
#include "kern/pmap.h"

#define SIM_PAGES	(64 * 1024 * 1024 / PGSIZE)	/* 64 MB of "RAM" */
#define SIM_HOLE_START	0x000A0000	/* VGA and ROMs: not RAM */
#define SIM_HOLE_END	0x00100000

extern uint8_t *sim_phys;		/* simulated physical memory */
extern bool sim_panic_expected;		/* a test that wants the panic */

/* The last tlb_invalidate() call, and how many there were. */
struct sim_tlb {
	pde_t *pgdir;
	uintptr_t va;
	int count;
};
extern struct sim_tlb sim_tlb;

/* Map the simulated RAM and start the page allocator over it. */
void sim_boot(void);

#endif
