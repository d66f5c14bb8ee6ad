/*
 * entrypgdir.c - the page directory the kernel boots on.
 *
 * Three mappings, all made of 4 MB pages so no page table is needed:
 *
 *	[0, 4 MB)			physical [0, 4 MB): keeps the
 *					instructions right after `mov %cr0`
 *					valid until entry.S jumps high
 *	[KERNBASE, KERNBASE + DMAPSIZE)	physical [0, DMAPSIZE): the direct
 *					map, there from the first instruction,
 *					so boot code (the loader's information,
 *					boot_alloc(), the page tables mem_init()
 *					builds) reaches any page the way the
 *					kernel always will
 *	[MONBASE, IMAGELIM)		physical [0, 4 MB): the kernel image,
 *					where it is linked
 *
 * Lab 2 replaces it with the kernel's real page tables, which map the
 * direct map only as far as there is RAM.
 */
#include "kern/types.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"

#define BIGPAGE(pa)	((pa) | PTE_P | PTE_W | PTE_PS)

/* Big pages of the direct map: one, four, sixteen, sixty-four from page i. */
#define DMAP1(i)	[PDX(KERNBASE) + (i)] = BIGPAGE((i) * PTSIZE)
#define DMAP4(i)	DMAP1(i), DMAP1((i) + 1), DMAP1((i) + 2), DMAP1((i) + 3)
#define DMAP16(i)	DMAP4(i), DMAP4((i) + 4), DMAP4((i) + 8), DMAP4((i) + 12)
#define DMAP64(i)	DMAP16(i), DMAP16((i) + 16), DMAP16((i) + 32), \
			DMAP16((i) + 48)

__attribute__((__aligned__(PGSIZE)))
pde_t entry_pgdir[NPDENTRIES] = {
	[0] = BIGPAGE(0),
	DMAP64(0), DMAP64(64), DMAP64(128),
	DMAP16(192), DMAP16(208), DMAP16(224),
	[PDX(MONBASE)] = BIGPAGE(0),
};

_Static_assert(DMAPSIZE == 240 * PTSIZE, "entry_pgdir maps the direct map "
	       "with 240 big pages");
_Static_assert(IMAGELIM == MONBASE + PTSIZE, "entry_pgdir maps the kernel "
	       "image with one big page");
