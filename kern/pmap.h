/*
 * pmap.h - physical pages, page tables and the kernel's address space.
 *
 * Lab 2 in one interface, in layers of one file each:
 *
 *	kern/physmem.c	which physical memory exists and what is in use at
 *			boot (the loader's memory map), and boot_alloc()
 *	kern/page.c	the page allocator: one struct page per physical
 *			page, reference counts, free lists
 *	kern/pgtable.c	two-level page tables: walk, insert, lookup, remove
 *	kern/kvm.c	the kernel's own page directory, built by mem_init()
 *	kern/window.c	temporary and device mappings in the MONWIN windows
 *
 * A physical address has up to two kernel virtual addresses: KERNBASE + pa
 * in the host's direct map, and MONBASE + pa in the monitor image if pa is
 * below MONPHYS.  pa2kva() returns the monitor one whenever it exists,
 * because it is the one that works in every address space: the monitor of
 * later labs runs on shadow page tables that have no direct map.  For the
 * same reason every page table is allocated below MONPHYS (ALLOC_MON).
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
 * @brief Allocate @p n bytes, page aligned, in the monitor image before the
 * page allocator exists; the memory is zeroed and never freed.  Panics if
 * called after page_init() or if memory below MONPHYS runs out.
 */
void *boot_alloc(size_t n);

/* ------------------------------------------------------------------------
 * The page allocator (kern/page.c)
 * ------------------------------------------------------------------------ */

/*
 * One per physical page frame: pages[i] describes the page at i * PGSIZE.
 * A page is either free (on a free list, refs == 0) or allocated; an
 * allocated page is freed when its last reference goes (page_decref).
 */
struct page {
	struct page *next;	/* next on its free list, NULL if allocated */
	uint16_t refs;		/* page-table mappings and other owners */
	bool free;		/* on a free list */
};

extern struct page *pages;	/* the array, indexed by page number */
extern size_t npages;		/* its length */

/* Flags for page_alloc(). */
#define ALLOC_ZERO	0x1	/* fill the page with zeros */
#define ALLOC_MON	0x2	/* below MONPHYS: mapped in every address space */

#define PGNUM(pa)	((physaddr_t) (pa) >> PGSHIFT)

/**
 * @brief Set up the struct page of every frame: frames page_is_usable()
 * accepts go on the free lists, the others stay allocated for good.
 * The caller has set pages and npages.
 */
void page_init(void);

/**
 * @brief Take one free page off a free list.
 *
 * Pages above MONPHYS are handed out first, so the scarce monitor memory
 * lasts; ALLOC_MON asks for a page below MONPHYS only.
 * @param flags ALLOC_ZERO and/or ALLOC_MON
 * @return the page with refs == 0 (the caller takes the first reference),
 * or NULL if no page is left
 */
struct page *page_alloc(int flags);

/**
 * @brief Put a page back on its free list.  Panics if the page still has
 * references or is already free.
 */
void page_free(struct page *pp);

/** @brief Drop one reference to @p pp, freeing it when none are left. */
void page_decref(struct page *pp);

/**
 * @brief The number of free pages; with ALLOC_MON in @p flags, only those
 * below MONPHYS.
 */
size_t page_free_count(int flags);

/**
 * @brief A kernel virtual address of physical address @p pa: the monitor
 * image alias below MONPHYS, else the direct map.  Panics if pa has
 * neither.  (Defined in kern/kvm.c; host unit tests supply their own.)
 */
void *pa2kva(physaddr_t pa);

/**
 * @brief The physical address behind kernel virtual address @p va in the
 * monitor image or the direct map.  Panics for any other address.
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
 * @param create if the page table is missing: allocate it (zeroed, below
 * MONPHYS) when true, else return NULL
 * @return a pointer to the entry (present or not), or NULL if the page
 * table is missing and could not or should not be created
 */
pte_t *pgdir_walk(pde_t *pgdir, uintptr_t va, bool create);

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
 * page by page, without reference counts: for memory the allocator does
 * not own as pages of its own (the kernel's fixed mappings, MMIO).
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
 * The kernel's address space (kern/kvm.c, kern/window.c)
 * ------------------------------------------------------------------------ */

/* The kernel's page directory: the direct map, the monitor, the windows. */
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

/**
 * @brief Map physical page @p pa at a free kmap slot, in every address
 * space at once.
 * @return the slot's address (plus pa's offset in its page); panics if
 * every slot is taken
 */
void *kmap(physaddr_t pa);

/** @brief Give back the kmap slot holding @p va. */
void kunmap(void *va);

/**
 * @brief Map device registers [pa, pa + size) uncached in the MMIO window,
 * for good.
 * @return the virtual address of pa
 */
void *mmio_map_region(physaddr_t pa, size_t size);

#endif
