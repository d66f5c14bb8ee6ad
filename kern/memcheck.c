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
	size_t i, nfree = 0;
	physaddr_t pa;

	CHECK(npages <= DMAPSIZE / PGSIZE, "%u pages managed, more than the "
	      "%u the direct map holds", (unsigned) npages,
	      (unsigned) (DMAPSIZE / PGSIZE));
	for (i = 0; i < npages; i++) {
		pa = i * PGSIZE;
		CHECK(pages[i].free == (pages[i].refs == 0),
		      "page %08x: free is %d but refs is %u", pa,
		      pages[i].free, pages[i].refs);
		if (!pages[i].free)
			continue;
		nfree++;
		CHECK(pa >= KERNLOAD, "page %08x in the first megabyte (BIOS, "
		      "VGA, ROMs) is on the free list", pa);
		CHECK(pa >= ROUNDUP(MON2PHYS(end), PGSIZE) ||
		      pa + PGSIZE <= KERNLOAD, "page %08x of the kernel image "
		      "is on the free list", pa);
		CHECK(pa < kva2pa(pages) ||
		      pa >= kva2pa(pages) + npages * sizeof(struct page),
		      "page %08x holds the pages[] array but is on the free list", pa);
	}
	CHECK(nfree == page_free_count(), "counted %u free pages, but "
	      "page_free_count() says %u", (unsigned) nfree,
	      (unsigned) page_free_count());
	cprintf("memmap: %u pages (%u MB) managed, %u free\n",
		(unsigned) npages, (unsigned) (npages >> 8), (unsigned) nfree);
	cprintf("memmap: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=page_alloc: the allocator on its own
 * ------------------------------------------------------------------------ */

/* Give back a list of pages linked through `next`, each holding one
 * reference the test gave it to mark it as taken. */
static void
free_all(struct page *all)
{
	struct page *pp;

	while (all != NULL) {
		pp = all;
		all = pp->next;
		pp->next = NULL;
		pp->refs = 0;
		page_free(pp);
	}
}

int
test_page_alloc(void)
{
	struct page *pp0, *pp1, *pp2, *pp, *all = NULL;
	size_t nfree = page_free_count(), n = 0, i;
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
	CHECK(pp0->next == NULL && pp1->next == NULL,
	      "a page page_alloc returned is still linked (next is not NULL)");
	CHECK(page_free_count() == nfree - 3,
	      "after 3 allocations, %u pages are free instead of %u",
	      (unsigned) page_free_count(), (unsigned) nfree - 3);

	/*
	 * A freed page is first in line, so the next allocation is that
	 * very page, dirty: ALLOC_ZERO must really zero it.
	 */
	memset(page2kva(pp0), 0x97, PGSIZE);
	page_free(pp0);
	CHECK(pp0->free, "page_free did not mark the page free");
	CHECK(page_free_count() == nfree - 2, "page_free did not count the page");
	pp = page_alloc(ALLOC_ZERO);
	CHECK(pp == pp0, "page_alloc right after page_free gave page %08x, "
	      "not the page just freed (%08x): push and pop the free list "
	      "at the same end", pp ? page2pa(pp) : 0, page2pa(pp0));
	for (p = page2kva(pp), i = 0; i < PGSIZE; i++)
		CHECK(p[i] == 0, "page_alloc(ALLOC_ZERO) gave page %08x with "
		      "byte %u = %02x", page2pa(pp), (unsigned) i, p[i]);

	/* Reference counts: the last reference frees the page. */
	pp1->refs = 2;
	page_decref(pp1);
	CHECK(!pp1->free && pp1->refs == 1, "page_decref from 2 references "
	      "left refs %u, free %d", pp1->refs, pp1->free);
	page_decref(pp1);
	CHECK(pp1->free, "page_decref of the last reference did not free the page");
	CHECK(page_free_count() == nfree - 2, "page_decref freed the page, "
	      "but the free count is %u, not %u", (unsigned) page_free_count(),
	      (unsigned) nfree - 2);

	/*
	 * Exhaustion: take every page, linked through their own `next`, and
	 * give each a reference: a page handed out twice, or one that was
	 * never free (reserved pages hold a reference), shows refs != 0.
	 */
	while ((pp = page_alloc(0)) != NULL) {
		CHECK(pp->refs == 0 && pp != pp0 && pp != pp2,
		      "page_alloc handed out page %08x, which is in use (refs %u)",
		      page2pa(pp), pp->refs);
		CHECK(!pp->free, "page_alloc handed out page %08x still marked "
		      "free", page2pa(pp));
		pp->refs = 1;
		pp->next = all;
		all = pp;
		n++;
	}
	CHECK(n == nfree - 2, "page_alloc ran out after %u pages, with %u "
	      "free", (unsigned) n, (unsigned) nfree - 2);
	CHECK(page_free_count() == 0, "page_alloc returned NULL while "
	      "page_free_count says %u pages are free",
	      (unsigned) page_free_count());
	CHECK(page_alloc(ALLOC_ZERO) == NULL,
	      "page_alloc(ALLOC_ZERO) found a page when none was free");
	/* One page free: page_alloc finds it, then nothing. */
	pp = all;
	all = pp->next;
	pp->next = NULL;
	pp->refs = 0;
	page_free(pp);
	CHECK(page_alloc(0) == pp, "page_alloc did not find the one free page");
	CHECK(page_alloc(0) == NULL, "page_alloc found a second page when "
	      "one was free");
	pp->refs = 1;
	pp->next = all;
	all = pp;

	free_all(all);
	page_free(pp0);
	page_free(pp2);
	CHECK(page_free_count() == nfree, "after freeing everything, %u pages "
	      "are free, not %u", (unsigned) page_free_count(), (unsigned) nfree);
	cprintf("page_alloc: took and gave back all %u free pages\n",
		(unsigned) n + 2);
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
	pte_t *pte, *pte2, *table;
	size_t nfree;
	int i;
	const uintptr_t va = 0x00400000 * 3, far = 0x00400000 * 40 + 0x5000;
	volatile uint32_t *up;

	pd = page_alloc(ALLOC_ZERO);
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

	/*
	 * The first mapping allocates a page table.  Dirty the page first in
	 * line, which it will be: pgdir_walk must have the table zeroed.
	 */
	pp = page_alloc(0);
	CHECK(pp != NULL, "page_alloc failed");
	memset(page2kva(pp), 0xA5, PGSIZE);
	page_free(pp);
	nfree = page_free_count();
	CHECK(page_insert(pgdir, pp1, va, PTE_W) == 0,
	      "page_insert into an empty directory failed");
	CHECK(pgdir[PDX(va)] & PTE_P, "page_insert left the directory entry "
	      "not present");
	CHECK((pgdir[PDX(va)] & (PTE_W | PTE_U)) == (PTE_W | PTE_U),
	      "the directory entry has permissions %x; make it PTE_W | PTE_U "
	      "and let the page table entries restrict",
	      pgdir[PDX(va)] & 0xFFF);
	pt = pa2page(PTE_ADDR(pgdir[PDX(va)]));
	CHECK(pt->refs == 1 && !pt->free, "the new page table has refs %u "
	      "and free %d: it needs its one reference", pt->refs, pt->free);
	CHECK(page_free_count() == nfree - 1,
	      "one new page table should cost one page");
	table = page2kva(pt);
	for (i = 0; i < NPTENTRIES; i++)
		CHECK(i == (int) PTX(va) || table[i] == 0, "entry %d of the new "
		      "page table is %08x: allocate it with ALLOC_ZERO", i,
		      table[i]);
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
	CHECK(pt->refs == 1 && page_free_count() == nfree - 1,
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
	CHECK(page_free_count() == nfree - 2,
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

/*
 * Each page table of kern_pgdir is an allocator page holding its one
 * reference; and the allocator lost exactly the directory and those
 * tables, nothing else, at this point of the boot.
 */
static int
check_kern_tables(void)
{
	size_t usable = 0, ntables = 0, i;
	struct page *pt;
	physaddr_t pa;

	for (i = PDX(UTOP); i < NPDENTRIES; i++) {
		if (!(kern_pgdir[i] & PTE_P))
			continue;
		pa = PTE_ADDR(kern_pgdir[i]);
		CHECK(PGNUM(pa) < npages, "the page table for %08x is at %08x, "
		      "beyond the RAM the kernel manages", (unsigned) i << PDXSHIFT,
		      pa);
		pt = pa2page(pa);
		CHECK(!pt->free && pt->refs == 1, "the page table for %08x "
		      "(page %08x) has refs %u and free %d: a page table is a "
		      "page with one reference", (unsigned) i << PDXSHIFT, pa,
		      pt->refs, pt->free);
		ntables++;
	}
	for (i = 0; i < npages; i++)
		usable += page_is_usable(i * PGSIZE);
	CHECK(page_free_count() + 1 + ntables == usable, "%u pages are usable, "
	      "%u free, and kern_pgdir took 1 + %u: %d pages are unaccounted "
	      "for", (unsigned) usable, (unsigned) page_free_count(),
	      (unsigned) ntables,
	      (int) (usable - page_free_count() - 1 - ntables));
	return EXIT_SUCCESS;
}

int
test_kern_pgdir(void)
{
	extern char end[];
	const uintptr_t image_end = ROUNDUP((uintptr_t) end, PGSIZE);
	physaddr_t pa;
	uintptr_t va;
	int perm, i;

	CHECK(rcr3() == kva2pa(kern_pgdir), "CR3 is %08x, not kern_pgdir (%08x)",
	      rcr3(), kva2pa(kern_pgdir));
	for (i = 0; i < (int) PDX(UTOP); i++)
		CHECK(!(kern_pgdir[i] & PTE_P), "kern_pgdir maps user addresses "
		      "(%08x and up)", i << PDXSHIFT);
	if (check_kern_tables() != EXIT_SUCCESS)
		return EXIT_FAILURE;

	/* The direct map: every managed page, and nothing past them. */
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
	CHECK(pa2kva(0x1000) == (void *) (KERNBASE + 0x1000) &&
	      kva2pa((void *) (KERNBASE + 0x1000)) == 0x1000,
	      "pa2kva and kva2pa should go through the direct map");

	/* The top region: the kernel image where it is linked, no more. */
	for (va = MONBASE; va != 0; va += PGSIZE) {
		pa = check_va2pa(kern_pgdir, va, &perm);
		if (va < KERNLINK || va >= image_end) {
			CHECK(pa == ~0u, "%08x is mapped (to %08x), outside the "
			      "kernel image [%08x, %08x)", va, pa, KERNLINK,
			      image_end);
			continue;
		}
		CHECK(pa == MON2PHYS(va), "kernel image: %08x maps to %08x, "
		      "not %08x", va, pa, MON2PHYS(va));
		CHECK(!(perm & PTE_U), "kernel image: %08x is open to ring 3",
		      va);
	}
	CHECK(kva2pa((void *) KERNLINK) == KERNLOAD,
	      "kva2pa of the kernel image should subtract MONBASE");
	cprintf("kern_pgdir: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=page_double_free, test=page_free_busy: page_free refuses its
 * callers' bugs.  Each run must end in page_free's panic, naming the page:
 * a page freed twice sits twice on the free list and is handed out twice,
 * a page freed with references left is reused while still mapped.
 * ------------------------------------------------------------------------ */

int
test_page_double_free(void)
{
	struct page *pp = page_alloc(0);

	CHECK(pp != NULL, "page_alloc failed at the start");
	page_free(pp);
	cprintf("page_double_free: freeing page %08x a second time\n",
		page2pa(pp));
	page_free(pp);
	cprintf("FAIL: page_free let page %08x be freed twice: it is on the "
		"free list twice now, and page_alloc will hand it out twice\n",
		page2pa(pp));
	return EXIT_FAILURE;
}

int
test_page_free_busy(void)
{
	struct page *pp = page_alloc(0);

	CHECK(pp != NULL, "page_alloc failed at the start");
	pp->refs = 1;
	cprintf("page_free_busy: freeing page %08x, which has 1 reference\n",
		page2pa(pp));
	page_free(pp);
	cprintf("FAIL: page_free freed page %08x with a reference left: "
		"whoever holds it will share the page with its next owner\n",
		page2pa(pp));
	return EXIT_FAILURE;
}
