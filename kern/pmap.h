/*
 * pmap.h - physical pages, page tables and the kernel's address space.
 *
 * Lab 2 in one interface, in layers of one file each:
 *
 *	kern/physmem.c	which physical memory exists and what is in use at
 *			boot (the loader's memory map), and boot_alloc()
 *	kern/page.c	the page allocator: one struct page per physical
 *			page, reference counts, one free list
 *	kern/pgtable.c	two-level page tables: walk, insert, lookup, remove
 *	kern/kvm.c	the kernel's own page directory, built by mem_init()
 *
 * Every page the allocator manages has one kernel virtual address,
 * KERNBASE + pa in the host's direct map (pa2kva()), and every page
 * directory the kernel's C code runs on has the direct map: kern_pgdir,
 * and the user environments' directories, which copy its top.  So any
 * page will do for anything, page tables included.  Guest address spaces
 * have no direct map, but the only monitor code that runs on them is the
 * world switch, which touches nothing but its own pages in the kernel
 * image (vmm/ringcomp/monview.h).  The image's addresses at KERNLINK are
 * the kernel's other virtual addresses; kva2pa() knows both kinds.
 */
#ifndef KERN_PMAP_H
#define KERN_PMAP_H

#include "kern/types.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "kern/assert.h"

/* ------------------------------------------------------------------------
 * Physical memory at boot (kern/physmem.c)
 * ------------------------------------------------------------------------ */

/**
 * @brief Read the loader's memory map and note what boot code already uses
 * (low 1 MB, the kernel image, the Multiboot structures and modules).
 * @return the number of physical page frames the kernel manages: RAM up to
 * the highest usable page, capped at DMAPSIZE (what the direct map holds)
 */
size_t physmem_init(void);

/**
 * @brief Whether page frame @p pa is RAM nothing else is using, so the
 * allocator may hand it out.
 */
bool page_is_usable(physaddr_t pa);

/**
 * @brief Allocate @p n bytes, page aligned, before the page allocator
 * exists; the memory is zeroed, never freed, and reached through the
 * direct map.  Panics if called after page_init() or if no run of RAM
 * after the kernel is big enough.
 */
void *boot_alloc(size_t n);

/* ------------------------------------------------------------------------
 * The page allocator (kern/page.c)
 * ------------------------------------------------------------------------ */

/*
 * One per physical page frame: pages[i] describes the page at i * PGSIZE.
 * A page is either free (on the free list, refs == 0) or allocated; an
 * allocated page is freed when its last reference goes (page_decref).
 */
struct page {
	struct page *next;	/* next on the free list, NULL if allocated */
	uint16_t refs;		/* page-table mappings and other owners */
	bool free;		/* on the free list */
};

extern struct page *pages;	/* the array, indexed by page number */
extern size_t npages;		/* its length */

/* Flags for page_alloc(). */
#define ALLOC_ZERO	0x1	/* fill the page with zeros */

#define PGNUM(pa)	((physaddr_t) (pa) >> PGSHIFT)

/**
 * @brief Set up the struct page of every frame: frames page_is_usable()
 * accepts go on the free list, the others stay allocated for good.
 * The caller has set pages and npages.
 */
void page_init(void);

/**
 * @brief Take the first page off the free list.
 * @param flags ALLOC_ZERO to have the page zeroed, or 0
 * @return the page with refs == 0 (the caller takes the first reference),
 * or NULL if no page is left
 */
struct page *page_alloc(int flags);

/**
 * @brief Put a page back on the free list, first in line.  Panics if the
 * page still has references or is already free.
 */
void page_free(struct page *pp);

/** @brief Drop one reference to @p pp, freeing it when none are left. */
void page_decref(struct page *pp);

/** @brief The number of pages on the free list. */
size_t page_free_count(void);

/**
 * @brief The direct-map address of physical address @p pa, KERNBASE + pa.
 * Panics if pa is beyond the pages the kernel manages, where the direct
 * map ends.  (Defined in kern/kvm.c; host unit tests supply their own.)
 */
void *pa2kva(physaddr_t pa);

/**
 * @brief The physical address behind kernel virtual address @p va in the
 * direct map or the kernel image.  Panics for any other address.
 */
physaddr_t kva2pa(const void *va);

/** @brief The physical address of the page @p pp describes. */
static inline physaddr_t
page2pa(const struct page *pp)
{
	return (physaddr_t) (pp - pages) << PGSHIFT;
}

/** @brief The struct page of the frame holding physical address @p pa. */
static inline struct page *
pa2page(physaddr_t pa)
{
	if (PGNUM(pa) >= npages)
		panic("pa2page: physical address %08x is beyond the %u pages "
		      "the kernel manages", pa, (unsigned) npages);
	return &pages[PGNUM(pa)];
}

/** @brief A kernel virtual address of the page @p pp describes. */
static inline void *
page2kva(const struct page *pp)
{
	return pa2kva(page2pa(pp));
}

/* ------------------------------------------------------------------------
 * Page tables (kern/pgtable.c)
 * ------------------------------------------------------------------------ */

/**
 * @brief Find the page table entry for virtual address @p va.
 *
 * @param create if the page table is missing: allocate it (zeroed) when
 * true, else return NULL
 * @return a pointer to the entry (present or not), or NULL if the page
 * table is missing and could not or should not be created
 */
pte_t *pgdir_walk(pde_t *pgdir, uintptr_t va, bool create);

/**
 * @brief Map the host device page holding physical address @p pa at
 * HOSTDEV in the kernel's page directory (uncached), replacing the one
 * mapped before: the monitor's clock reads the HPET there.
 * @return its kernel address, or NULL if no page table could be made
 */
void *host_device_map(physaddr_t pa);

/**
 * @brief Map page @p pp at @p va with permissions @p perm | PTE_P,
 * replacing (and unmapping) whatever was there.  Mapping the page that is
 * already there just changes the permissions.
 * @return 0, or -E_NO_MEM if no page table could be allocated
 */
int page_insert(pde_t *pgdir, struct page *pp, uintptr_t va, int perm);

/**
 * @brief The page mapped at @p va, or NULL if none.  If @p pte_store is
 * not NULL, also store the address of its page table entry there.
 */
struct page *page_lookup(pde_t *pgdir, uintptr_t va, pte_t **pte_store);

/**
 * @brief Unmap whatever page is at @p va (if any): clear the entry,
 * invalidate the TLB, and drop the mapping's reference to the page.
 */
void page_remove(pde_t *pgdir, uintptr_t va);

/**
 * @brief Map [va, va + size) to [pa, pa + size) with @p perm | PTE_P,
 * page by page, without reference counts: for the mappings the kernel
 * makes once and keeps (the direct map, the kernel image).
 * All three must be page aligned.
 */
void boot_map_region(pde_t *pgdir, uintptr_t va, size_t size, physaddr_t pa,
		     int perm);

/**
 * @brief Forget any TLB entry for @p va made from @p pgdir: needed after
 * changing a present entry.  (Defined in kern/kvm.c.)
 */
void tlb_invalidate(pde_t *pgdir, uintptr_t va);

/* ------------------------------------------------------------------------
 * The kernel's address space (kern/kvm.c)
 * ------------------------------------------------------------------------ */

/* The kernel's page directory: the direct map and the kernel image. */
extern pde_t *kern_pgdir;

/**
 * @brief Lab 2's bring-up: find physical memory, start the page
 * allocator, build kern_pgdir and switch to it from entry_pgdir.
 */
void mem_init(void);

/**
 * @brief Copy the kernel's part of kern_pgdir (UTOP and up) into a new
 * page directory, so it shares the kernel's page tables.
 */
void pgdir_copy_kernel(pde_t *pgdir);

/** @brief Load @p pgdir into CR3. */
void pgdir_load(pde_t *pgdir);

#endif
