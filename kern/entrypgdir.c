/*
 * entrypgdir.c - the page directory the kernel boots on.
 *
 * Two mappings, both made of 4 MB pages so no page table is needed:
 * virtual [0, 4 MB) to physical [0, 4 MB), which keeps the instructions
 * right after `mov %cr0` valid until entry.S jumps high, and the monitor
 * image [MONBASE, MONBASE + MONPHYS) to physical [0, MONPHYS).  Lab 2
 * replaces it with the kernel's real page tables.
 */
#include "kern/types.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"

#define BIGPAGE(pa)	((pa) | PTE_P | PTE_W | PTE_PS)
#define MONPDE(i)	[PDX(MONBASE) + (i)] = BIGPAGE((i) * PTSIZE)

__attribute__((__aligned__(PGSIZE)))
pde_t entry_pgdir[NPDENTRIES] = {
	[0] = BIGPAGE(0),
	MONPDE(0), MONPDE(1), MONPDE(2), MONPDE(3),
	MONPDE(4), MONPDE(5), MONPDE(6), MONPDE(7),
	MONPDE(8), MONPDE(9), MONPDE(10), MONPDE(11),
};

_Static_assert(MONPHYS == 12 * PTSIZE, "entry_pgdir maps 12 big pages");
