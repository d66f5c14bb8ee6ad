/*
 * kvm.c - the kernel's address space and the switch to it.
 *
 * entry_pgdir, made of 4 MB pages, got the kernel running at KERNLINK with
 * a direct map of everything the direct map could hold.  mem_init() builds
 * the real thing out of 4 KB pages, with the page allocator and page-table
 * code of this lab:
 *
 *	[KERNBASE, KERNBASE + npages * PGSIZE)	all managed RAM (direct map)
 *	[KERNLINK, end)				the kernel image
 *
 * and nothing else.  The direct map is how the kernel reaches any page
 * (pa2kva()).  The image stays where it is linked, in the top region,
 * because from lab 4 on the world switch (part of the image) must run at
 * the same address in the host's address space and in every guest's, as
 * VMware's monitor does (Adams & Agesen, section 3.2); guests map only
 * those pages of it (vmm/ringcomp/monview.h) and have their segments
 * truncated below MONBASE.
 *
 * Nothing below UTOP is mapped: user address spaces (lab 3) start as a
 * copy of the part above it.  No mapping has PTE_U, so ring 3 can reach
 * none of the kernel; the monitor of lab 4 also needs segment limits,
 * because a guest kernel at ring 1 counts as a supervisor to the MMU.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/pmap.h"

extern char end[];

pde_t *kern_pgdir;

/* The end of the kernel image's mapping: the page holding `end`. */
static uintptr_t
image_end(void)
{
	return ROUNDUP((uintptr_t) end, PGSIZE);
}

void *
pa2kva(physaddr_t pa)
{
	if (PGNUM(pa) < npages)
		return PHYS2DMAP(pa);
	panic("pa2kva: physical address %08x is beyond the %u pages the "
	      "direct map holds", pa, (unsigned) npages);
}

physaddr_t
kva2pa(const void *va)
{
	uintptr_t a = (uintptr_t) va;

	if (a >= KERNBASE && PGNUM(a - KERNBASE) < npages)
		return a - KERNBASE;
	if (a >= KERNLINK && a < image_end())
		return MON2PHYS(a);
	panic("kva2pa: %08x is not in the direct map or the kernel image", a);
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

void *
host_device_map(physaddr_t pa)
{
	pte_t *pte = pgdir_walk(kern_pgdir, HOSTDEV, true);

	if (pte == NULL)
		return NULL;
	/* Device registers: uncached, and never the guest's (no PTE_U). */
	*pte = PTE_ADDR(pa) | PTE_P | PTE_W | PTE_PCD | PTE_PWT;
	tlb_invalidate(kern_pgdir, HOSTDEV);
	return (void *) (HOSTDEV + PGOFF(pa));
}

void
mem_init(void)
{
	struct page *pp;
	size_t dmap, image;

	npages = physmem_init();
	pages = boot_alloc(npages * sizeof(struct page));
	page_init();
	cprintf("page allocator: %u pages free of %u\n",
		(unsigned) page_free_count(), (unsigned) npages);

	/*
	 * entry_pgdir's direct map reaches every page, so the directory and
	 * the page tables built here may be any pages at all.
	 */
	if ((pp = page_alloc(ALLOC_ZERO)) == NULL)
		panic("mem_init: no page for the kernel's page directory");
	pp->refs++;
	kern_pgdir = page2kva(pp);

	/* The host's view of all RAM. */
	dmap = npages * PGSIZE;
	boot_map_region(kern_pgdir, KERNBASE, dmap, 0, PTE_W);
	/* The kernel image, at the addresses it is linked at. */
	image = image_end() - KERNLINK;
	boot_map_region(kern_pgdir, KERNLINK, image, KERNLOAD, PTE_W);

	pgdir_load(kern_pgdir);
	cprintf("kernel page directory at %08x: direct map %u MB at %08x, "
		"kernel image %u KB at %08x\n", kva2pa(kern_pgdir),
		(unsigned) (dmap >> 20), KERNBASE, (unsigned) (image >> 10),
		KERNLINK);
}
