/*
 * memcheck.c - lab 2's self-checks, run as ktests of stage 2.
 *
 * Each check exercises one layer of kern/pmap.h the way the rest of the
 * kernel will, and on the first thing that is wrong prints a line
 * starting "FAIL:" that says what was expected, then returns
 * EXIT_FAILURE.  The grader (grade/lab2.c) boots `test=NAME` for each and
 * wants "NAME: ok" and exit status 0.
 *
 * The checks read kern_pgdir with a walker of their own (check_va2pa),
 * so a broken pgdir_walk cannot vouch for itself.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/power.h"
#include "kern/error.h"
#include "kern/pmap.h"
#include "kern/ktest.h"

static void
check_failed(int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	cprintf("FAIL: ");
	va_start(ap, fmt);
	vcprintf(fmt, ap);
	va_end(ap);
	cprintf("\n      (the check `%s` at kern/memcheck.c:%d)\n", cond, line);
}

/* Fail the test, saying why, unless cond holds. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			check_failed(__LINE__, #cond, __VA_ARGS__);	\
			return EXIT_FAILURE;				\
		}							\
	} while (0)

/* The physical address va maps to in pgdir, or ~0 if none. */
static physaddr_t
check_va2pa(pde_t *pgdir, uintptr_t va, int *perm)
{
	pde_t pde = pgdir[PDX(va)];
	pte_t *pt;

	if (!(pde & PTE_P))
		return ~0u;
	pt = pa2kva(PTE_ADDR(pde));
	if (!(pt[PTX(va)] & PTE_P))
		return ~0u;
	if (perm)
		*perm = pde & pt[PTX(va)] & (PTE_W | PTE_U);
	return PTE_ADDR(pt[PTX(va)]) | PGOFF(va);
}

/* ------------------------------------------------------------------------
 * test=memmap: what physmem_init and page_init made of the loader's map
 * ------------------------------------------------------------------------ */

int
test_memmap(void)
{
	extern char end[];
	size_t i, nfree = 0, nmon = 0;
	physaddr_t pa;

	CHECK(npages > MONPHYS / PGSIZE,
	      "only %u pages of RAM: run QEMU with more memory (-m 512)",
	      (unsigned) npages);
	for (i = 0; i < npages; i++) {
		pa = i * PGSIZE;
		CHECK(pages[i].free == (pages[i].refs == 0),
		      "page %08x: free is %d but refs is %u", pa,
		      pages[i].free, pages[i].refs);
		if (!pages[i].free)
			continue;
		nfree++;
		nmon += pa < MONPHYS;
		CHECK(pa >= KERNLOAD, "page %08x in the first megabyte (BIOS, "
		      "VGA, ROMs) is on a free list", pa);
		CHECK(pa >= ROUNDUP(MON2PHYS(end), PGSIZE) ||
		      pa + PGSIZE <= KERNLOAD, "page %08x of the kernel image "
		      "is on a free list", pa);
		CHECK(pa < kva2pa(pages) ||
		      pa >= kva2pa(pages) + npages * sizeof(struct page),
		      "page %08x holds the pages[] array but is on a free list", pa);
	}
	CHECK(nfree == page_free_count(0), "counted %u free pages, but "
	      "page_free_count(0) says %u", (unsigned) nfree,
	      (unsigned) page_free_count(0));
	CHECK(nmon == page_free_count(ALLOC_MON), "counted %u free pages "
	      "below MONPHYS, but page_free_count(ALLOC_MON) says %u",
	      (unsigned) nmon, (unsigned) page_free_count(ALLOC_MON));
	cprintf("memmap: %u pages (%u MB) managed, %u free, %u free below MONPHYS\n",
		(unsigned) npages, (unsigned) (npages >> 8), (unsigned) nfree,
		(unsigned) nmon);
	cprintf("memmap: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=page_alloc: the allocator on its own
 * ------------------------------------------------------------------------ */

int
test_page_alloc(void)
{
	struct page *pp0, *pp1, *pp2, *pp, *all = NULL;
	size_t nfree = page_free_count(0), nmon = page_free_count(ALLOC_MON);
	size_t n = 0, i;
	uint8_t *p;

	pp0 = page_alloc(0);
	pp1 = page_alloc(0);
	pp2 = page_alloc(0);
	CHECK(pp0 && pp1 && pp2, "page_alloc(0) returned NULL with %u pages free",
	      (unsigned) nfree);
	CHECK(pp0 != pp1 && pp1 != pp2 && pp0 != pp2,
	      "three page_alloc(0) calls gave the same page twice");
	CHECK(pp0 >= pages && pp0 < pages + npages,
	      "page_alloc returned a pointer outside pages[]");
	CHECK(pp0->refs == 0 && pp1->refs == 0,
	      "a new page has refs %u: the caller takes the first reference",
	      pp0->refs);
	CHECK(!pp0->free && !pp1->free && !pp2->free,
	      "a page page_alloc returned is still marked free");
	CHECK(page_free_count(0) == nfree - 3,
	      "after 3 allocations, %u pages are free instead of %u",
	      (unsigned) page_free_count(0), (unsigned) nfree - 3);
	CHECK(page2pa(pp0) >= MONPHYS || nfree == nmon,
	      "page_alloc(0) gave %08x, below MONPHYS, while high pages are free: "
	      "keep monitor memory for ALLOC_MON", page2pa(pp0));

	/* Freed pages come back, and ALLOC_ZERO really zeroes. */
	memset(page2kva(pp0), 0x97, PGSIZE);
	page_free(pp0);
	CHECK(pp0->free, "page_free did not mark the page free");
	CHECK(page_free_count(0) == nfree - 2, "page_free did not count the page");
	pp = page_alloc(ALLOC_ZERO);
	CHECK(pp != NULL, "page_alloc(ALLOC_ZERO) returned NULL");
	for (p = page2kva(pp), i = 0; i < PGSIZE; i++)
		CHECK(p[i] == 0, "page_alloc(ALLOC_ZERO) gave page %08x with "
		      "byte %u = %02x", page2pa(pp), (unsigned) i, p[i]);
	pp0 = pp;

	/* Monitor pages. */
	pp = page_alloc(ALLOC_MON);
	CHECK(pp != NULL && page2pa(pp) < MONPHYS,
	      "page_alloc(ALLOC_MON) gave %08x, not a page below MONPHYS (%08x)",
	      pp ? page2pa(pp) : 0, MONPHYS);
	CHECK(page_free_count(ALLOC_MON) == nmon - 1 - (page2pa(pp0) < MONPHYS) -
	      (page2pa(pp1) < MONPHYS) - (page2pa(pp2) < MONPHYS),
	      "page_free_count(ALLOC_MON) went wrong after an ALLOC_MON allocation");
	page_free(pp);

	/* Reference counts: the last reference frees the page. */
	pp1->refs = 2;
	page_decref(pp1);
	CHECK(!pp1->free && pp1->refs == 1, "page_decref from 2 references "
	      "left refs %u, free %d", pp1->refs, pp1->free);
	page_decref(pp1);
	CHECK(pp1->free, "page_decref of the last reference did not free the page");

	/* Exhaustion: take every page, linked through their own `next`. */
	while ((pp = page_alloc(0)) != NULL) {
		CHECK(!pp->free && pp != pp0 && pp != pp2,
		      "page_alloc handed out page %08x, which is in use",
		      page2pa(pp));
		pp->next = all;
		all = pp;
		n++;
	}
	CHECK(page_free_count(0) == 0, "page_alloc returned NULL while "
	      "page_free_count says %u pages are free",
	      (unsigned) page_free_count(0));
	CHECK(page_alloc(ALLOC_MON) == NULL,
	      "page_alloc(ALLOC_MON) found a page when none was free");
	/* One high page free: not good enough for ALLOC_MON. */
	for (pp = all; pp && page2pa(pp) < MONPHYS; pp = pp->next)
		;
	if (pp != NULL) {
		struct page **link;

		for (link = &all; *link != pp; link = &(*link)->next)
			;
		*link = pp->next;
		pp->next = NULL;
		page_free(pp);
		CHECK(page_alloc(ALLOC_MON) == NULL, "page_alloc(ALLOC_MON) "
		      "returned page %08x, above MONPHYS", page2pa(pp));
		CHECK(page_alloc(0) == pp, "page_alloc(0) did not find the "
		      "one free page");
		pp->next = all;
		all = pp;
	}
	while (all != NULL) {
		pp = all;
		all = pp->next;
		pp->next = NULL;
		page_free(pp);
	}
	page_free(pp0);
	page_free(pp2);
	CHECK(page_free_count(0) == nfree && page_free_count(ALLOC_MON) == nmon,
	      "after freeing everything, %u pages (%u below MONPHYS) are free, "
	      "not %u (%u)", (unsigned) page_free_count(0),
	      (unsigned) page_free_count(ALLOC_MON), (unsigned) nfree,
	      (unsigned) nmon);
	cprintf("page_alloc: took and gave back all %u free pages\n",
		(unsigned) n + 3);
	cprintf("page_alloc: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=page_table: walk, insert, lookup, remove on a scratch directory,
 * then the same directory loaded into CR3 to see what the MMU makes of it
 * ------------------------------------------------------------------------ */

int
test_page_table(void)
{
	struct page *pd, *pp1, *pp2, *pt, *pp, *all = NULL;
	pde_t *pgdir;
	pte_t *pte, *pte2;
	size_t nmon;
	const uintptr_t va = 0x00400000 * 3, far = 0x00400000 * 40 + 0x5000;
	volatile uint32_t *up;

	pd = page_alloc(ALLOC_ZERO | ALLOC_MON);
	pp1 = page_alloc(0);
	pp2 = page_alloc(0);
	CHECK(pd && pp1 && pp2, "page_alloc failed at the start");
	pd->refs++;
	pgdir = page2kva(pd);

	/* An empty directory. */
	CHECK(pgdir_walk(pgdir, va, false) == NULL,
	      "pgdir_walk(create=false) found an entry in an empty directory");
	CHECK(page_lookup(pgdir, va, NULL) == NULL,
	      "page_lookup found a page in an empty directory");
	page_remove(pgdir, va);		/* nothing there: no harm done */

	/* The first mapping allocates a page table below MONPHYS. */
	nmon = page_free_count(ALLOC_MON);
	CHECK(page_insert(pgdir, pp1, va, PTE_W) == 0,
	      "page_insert into an empty directory failed");
	CHECK(pgdir[PDX(va)] & PTE_P, "page_insert left the directory entry "
	      "not present");
	CHECK((pgdir[PDX(va)] & (PTE_W | PTE_U)) == (PTE_W | PTE_U),
	      "the directory entry has permissions %x; make it PTE_W | PTE_U "
	      "and let the page table entries restrict",
	      pgdir[PDX(va)] & 0xFFF);
	CHECK(PTE_ADDR(pgdir[PDX(va)]) < MONPHYS, "the page table is at %08x: "
	      "page tables must come from ALLOC_MON", PTE_ADDR(pgdir[PDX(va)]));
	pt = pa2page(PTE_ADDR(pgdir[PDX(va)]));
	CHECK(pt->refs == 1, "the new page table has refs %u, not 1", pt->refs);
	CHECK(page_free_count(ALLOC_MON) == nmon - 1,
	      "one new page table should cost one ALLOC_MON page");
	CHECK(pp1->refs == 1, "a page mapped once has refs %u", pp1->refs);
	CHECK(check_va2pa(pgdir, va, NULL) == page2pa(pp1),
	      "va %08x maps to %08x instead of page %08x", va,
	      check_va2pa(pgdir, va, NULL), page2pa(pp1));

	/* Walk and lookup agree with the table. */
	pte = pgdir_walk(pgdir, va, false);
	CHECK(pte == (pte_t *) pa2kva(PTE_ADDR(pgdir[PDX(va)])) + PTX(va),
	      "pgdir_walk returned %p, not the entry's address in the page table",
	      pte);
	CHECK(*pte == (page2pa(pp1) | PTE_W | PTE_P),
	      "the entry is %08x, expected %08x", *pte,
	      page2pa(pp1) | PTE_W | PTE_P);
	CHECK(pgdir_walk(pgdir, va + PGSIZE, false) == pte + 1,
	      "the next page's entry is not the next entry of the same table");
	CHECK(page_lookup(pgdir, va, &pte2) == pp1 && pte2 == pte,
	      "page_lookup did not find page %08x and its entry", page2pa(pp1));
	CHECK(page_lookup(pgdir, va + 0x123, NULL) == pp1,
	      "page_lookup of an address inside the page failed");

	/* A second page in the same table. */
	CHECK(page_insert(pgdir, pp2, va + PGSIZE, PTE_W) == 0,
	      "page_insert of a second page failed");
	CHECK(pt->refs == 1 && page_free_count(ALLOC_MON) == nmon - 1,
	      "a second page in the same 4 MB made a new page table");
	/* The same page again, new permissions: no change in refs. */
	CHECK(page_insert(pgdir, pp2, va + PGSIZE, PTE_U) == 0,
	      "page_insert of the page already there failed");
	CHECK(pp2->refs == 1, "re-inserting the same page at the same address "
	      "left refs %u, not 1", pp2->refs);
	CHECK(!pp2->free, "re-inserting the same page at the same address "
	      "freed it: take the new reference before removing the old one");
	CHECK(*pgdir_walk(pgdir, va + PGSIZE, false) == (page2pa(pp2) | PTE_U | PTE_P),
	      "re-inserting with PTE_U did not change the entry's permissions");
	/* Another page over it: the old one loses its only reference. */
	CHECK(page_insert(pgdir, pp1, va + PGSIZE, PTE_W) == 0,
	      "page_insert over another page failed");
	CHECK(pp2->refs == 0 && pp2->free, "the page replaced by page_insert "
	      "has refs %u and free %d; it should be freed", pp2->refs,
	      pp2->free);
	CHECK(pp1->refs == 2, "a page mapped at two addresses has refs %u",
	      pp1->refs);
	pp2 = page_alloc(0);
	CHECK(pp2 != NULL, "page_alloc failed");

	/* Removing. */
	page_remove(pgdir, va);
	CHECK(page_lookup(pgdir, va, NULL) == NULL, "page_remove left the page mapped");
	CHECK(*pgdir_walk(pgdir, va, false) == 0, "page_remove left the entry %08x",
	      *pgdir_walk(pgdir, va, false));
	CHECK(pp1->refs == 1, "after one of two mappings went, refs is %u",
	      pp1->refs);
	page_remove(pgdir, va + PGSIZE);
	CHECK(pp1->refs == 0 && pp1->free, "removing the last mapping did not "
	      "free the page");
	CHECK(pt->refs == 1, "page_remove should leave page tables alone");
	pp1 = page_alloc(0);
	CHECK(pp1 != NULL, "page_alloc failed");

	/* A far address needs a second page table. */
	CHECK(page_insert(pgdir, pp1, far, PTE_W | PTE_U) == 0,
	      "page_insert at %08x failed", far);
	CHECK(page_free_count(ALLOC_MON) == nmon - 2,
	      "a mapping in a new 4 MB region should make one new page table");
	CHECK(check_va2pa(pgdir, far, NULL) == page2pa(pp1),
	      "va %08x maps to %08x instead of %08x", far,
	      check_va2pa(pgdir, far, NULL), page2pa(pp1));
	page_remove(pgdir, far);
	CHECK(pp1->free, "removing the only mapping did not free the page");
	pp1 = page_alloc(0);
	CHECK(pp1 != NULL, "page_alloc failed");

	/* Out of memory: page_insert fails cleanly. */
	while ((pp = page_alloc(0)) != NULL) {
		pp->next = all;
		all = pp;
	}
	CHECK(page_insert(pgdir, pp1, 0x00400000 * 77, PTE_W) == -E_NO_MEM,
	      "page_insert with no page left for a page table did not return "
	      "-E_NO_MEM");
	CHECK(pp1->refs == 0, "a failed page_insert changed refs to %u",
	      pp1->refs);
	while (all != NULL) {
		pp = all;
		all = pp->next;
		pp->next = NULL;
		page_free(pp);
	}

	/*
	 * Now through the MMU: load this directory (with the kernel's part,
	 * so the kernel keeps running) and use the mapping.  Replacing the
	 * page must be visible at once, which takes a TLB invalidation.
	 */
	pgdir_copy_kernel(pgdir);
	*(uint32_t *) page2kva(pp1) = 0x11111111;
	*(uint32_t *) page2kva(pp2) = 0x22222222;
	CHECK(page_insert(pgdir, pp1, va, PTE_W) == 0, "page_insert failed");
	pgdir_load(pgdir);
	up = (volatile uint32_t *) va;
	CHECK(*up == 0x11111111, "reading va %08x through the MMU gave %08x, "
	      "not the page's contents", va, *up);
	*up = 0x33333333;
	CHECK(*(uint32_t *) page2kva(pp1) == 0x33333333,
	      "a write through va %08x did not reach the page", va);
	CHECK(page_insert(pgdir, pp2, va, PTE_W) == 0, "page_insert failed");
	if (*up != 0x22222222) {
		pgdir_load(kern_pgdir);
		CHECK(false, "after page_insert replaced the page at %08x, the "
		      "MMU still used the old one: page_remove must call "
		      "tlb_invalidate", va);
	}
	page_remove(pgdir, va);
	pgdir_load(kern_pgdir);

	/* Both pages lost their last mapping, so both are free again. */
	CHECK(pp1->free && pp2->free, "pages left allocated after their "
	      "last mapping went");
	/* Clean up: page tables, then the directory. */
	page_decref(pa2page(PTE_ADDR(pgdir[PDX(va)])));
	page_decref(pa2page(PTE_ADDR(pgdir[PDX(far)])));
	page_decref(pd);
	cprintf("page_table: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=kern_pgdir: the kernel's address space as mem_init built it
 * ------------------------------------------------------------------------ */

int
test_kern_pgdir(void)
{
	physaddr_t pa;
	uintptr_t va;
	int perm, i;

	CHECK(rcr3() == kva2pa(kern_pgdir), "CR3 is %08x, not kern_pgdir (%08x)",
	      rcr3(), kva2pa(kern_pgdir));
	for (i = 0; i < (int) PDX(UTOP); i++)
		CHECK(!(kern_pgdir[i] & PTE_P), "kern_pgdir maps user addresses "
		      "(%08x and up)", i << PDXSHIFT);
	for (i = PDX(UTOP); i < NPDENTRIES; i++)
		CHECK(!(kern_pgdir[i] & PTE_P) || PTE_ADDR(kern_pgdir[i]) < MONPHYS,
		      "the page table for %08x is at %08x, above MONPHYS",
		      i << PDXSHIFT, PTE_ADDR(kern_pgdir[i]));
	for (pa = 0; pa < npages * PGSIZE; pa += PGSIZE) {
		va = KERNBASE + pa;
		CHECK(check_va2pa(kern_pgdir, va, &perm) == pa,
		      "direct map: %08x maps to %08x, not %08x", va,
		      check_va2pa(kern_pgdir, va, NULL), pa);
		CHECK(perm == PTE_W, "direct map: %08x has permissions %x, "
		      "expected PTE_W only", va, perm);
	}
	for (va = KERNBASE + npages * PGSIZE; va < MONBASE; va += PGSIZE)
		CHECK(check_va2pa(kern_pgdir, va, NULL) == ~0u,
		      "direct map: %08x is mapped, beyond the RAM there is", va);
	for (pa = 0; pa < MONPHYS; pa += PGSIZE) {
		va = MONBASE + pa;
		CHECK(check_va2pa(kern_pgdir, va, &perm) == pa,
		      "monitor image: %08x maps to %08x, not %08x", va,
		      check_va2pa(kern_pgdir, va, NULL), pa);
		CHECK(perm == PTE_W, "monitor image: %08x has permissions %x, "
		      "expected PTE_W only", va, perm);
	}
	for (va = MONWIN; va != 0; va += PTSIZE)
		CHECK(kern_pgdir[PDX(va)] & PTE_P, "no page table for the window "
		      "at %08x", va);
	CHECK(pa2kva(0x1000) == (void *) (MONBASE + 0x1000) &&
	      pa2kva(MONPHYS) == (void *) (KERNBASE + MONPHYS),
	      "pa2kva should prefer the monitor alias below MONPHYS");
	cprintf("kern_pgdir: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=windows: kmap and mmio_map_region
 * ------------------------------------------------------------------------ */

int
test_windows(void)
{
	struct page *pp = page_alloc(0);
	volatile uint32_t *direct, *win, *win2;
	volatile uint16_t *cga;
	int perm;

	CHECK(pp != NULL, "page_alloc failed");
	direct = page2kva(pp);
	*direct = 0xcafe0001;
	win = kmap(page2pa(pp) + 8);
	CHECK((uintptr_t) win >= KMAPBASE && (uintptr_t) win < MMIOBASE,
	      "kmap returned %p, outside [KMAPBASE, MMIOBASE)", win);
	CHECK(PGOFF(win) == 8, "kmap lost the offset in the page");
	win -= 2;
	CHECK(*win == 0xcafe0001, "reading through kmap gave %08x", *win);
	*win = 0xcafe0002;
	CHECK(*direct == 0xcafe0002, "a write through kmap did not reach the page");
	win2 = kmap(page2pa(pp));
	CHECK(win2 != win, "two kmaps share a slot");
	kunmap((void *) win);
	kunmap((void *) win2);
	CHECK(check_va2pa(kern_pgdir, (uintptr_t) win, NULL) == ~0u,
	      "kunmap left the slot mapped");
	page_free(pp);

	cga = mmio_map_region(0xB8000, 2 * PGSIZE);
	CHECK((uintptr_t) cga >= MMIOBASE && (uintptr_t) cga < MMIOLIM,
	      "mmio_map_region returned %p", cga);
	CHECK(check_va2pa(kern_pgdir, (uintptr_t) cga, &perm) == 0xB8000 &&
	      perm == PTE_W, "the MMIO window does not map the device");
	CHECK(*cga == *(volatile uint16_t *) PHYS2MON(0xB8000),
	      "the MMIO window shows other bytes than the monitor image");
	cprintf("windows: ok\n");
	return EXIT_SUCCESS;
}
