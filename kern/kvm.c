/*
 * kvm.c - the kernel's address space and the switch to it.
 *
 * entry_pgdir, made of 4 MB pages, got the kernel running at MONBASE.
 * mem_init() builds the real thing out of 4 KB pages, with the page
 * allocator and page-table code of this lab:
 *
 *	[KERNBASE, KERNBASE + npages * PGSIZE)	all managed RAM (direct map)
 *	[MONBASE, MONWIN)			physical [0, MONPHYS)
 *	[MONWIN, 4 GB)				page tables only: the windows
 *
 * Nothing below UTOP is mapped: user address spaces (lab 3) start as a
 * copy of the part above it.  No mapping has PTE_U, so ring 3 can reach
 * none of the kernel; the monitor of lab 4 will also need segment limits,
 * because a guest kernel at ring 1 counts as a supervisor to the MMU.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/pmap.h"

pde_t *kern_pgdir;

void *
pa2kva(physaddr_t pa)
{
	if (pa < MONPHYS)
		return PHYS2MON(pa);
	if (pa < DMAPSIZE)
		return (void *) (KERNBASE + pa);
	panic("pa2kva: physical address %08x has no kernel virtual address", pa);
}

physaddr_t
kva2pa(const void *va)
{
	uintptr_t a = (uintptr_t) va;

	if (a >= MONBASE && a < MONBASE + MONPHYS)
		return a - MONBASE;
	if (a >= KERNBASE && a < MONBASE)
		return a - KERNBASE;
	panic("kva2pa: %08x is not in the monitor image or the direct map", a);
}

void
tlb_invalidate(pde_t *pgdir, uintptr_t va)
{
	/*
	 * The TLB holds translations of the loaded page directory only,
	 * except that above UTOP every directory shares kern_pgdir's page
	 * tables: a change there is a change in all of them.
	 */
	if (va >= UTOP || rcr3() == kva2pa(pgdir))
		invlpg((void *) va);
}

void
pgdir_load(pde_t *pgdir)
{
	lcr3(kva2pa(pgdir));
}

void
pgdir_copy_kernel(pde_t *pgdir)
{
	memcpy(&pgdir[PDX(UTOP)], &kern_pgdir[PDX(UTOP)],
	       (NPDENTRIES - PDX(UTOP)) * sizeof(pde_t));
}

void
mem_init(void)
{
	struct page *pp;
	size_t dmap;
	uintptr_t va;

	npages = physmem_init();
	pages = boot_alloc(npages * sizeof(struct page));
	page_init();
	cprintf("page allocator: %u pages free (%u below MONPHYS) of %u\n",
		(unsigned) page_free_count(0),
		(unsigned) page_free_count(ALLOC_MON), (unsigned) npages);

	if ((pp = page_alloc(ALLOC_ZERO | ALLOC_MON)) == NULL)
		panic("mem_init: no page for the kernel's page directory");
	pp->refs++;
	kern_pgdir = page2kva(pp);

	/* The host's view of all RAM. */
	dmap = npages * PGSIZE;
	boot_map_region(kern_pgdir, KERNBASE, dmap, 0, PTE_W);
	/* The monitor image, exactly as entry_pgdir had it. */
	boot_map_region(kern_pgdir, MONBASE, MONPHYS, 0, PTE_W);
	/*
	 * The windows start empty, but their page tables exist now: an
	 * address space copies kern_pgdir's entries once, so a table made
	 * later would be missing from the copies.
	 */
	for (va = MONWIN; va != 0; va += PTSIZE)
		if (pgdir_walk(kern_pgdir, va, true) == NULL)
			panic("mem_init: no page for a window page table");

	pgdir_load(kern_pgdir);
	cprintf("kernel page directory at %08x: direct map %u MB at %08x, "
		"monitor %u MB at %08x\n", kva2pa(kern_pgdir),
		(unsigned) (dmap >> 20), KERNBASE, MONPHYS >> 20, MONBASE);
}
