/*
 * unit_pmap.c - lab 2's page allocator and page tables, on the host.
 *
 * kern/page.c and kern/pgtable.c touch no hardware: they reach physical
 * memory only through pa2kva() and the TLB only through tlb_invalidate(),
 * which grade/unit/simphys.c backs with a simulated physical memory of
 * SIM_PAGES pages.  Every test starts from a fresh machine (Criterion
 * runs each test in its own process).  A panic in kernel code aborts the
 * test: tests that expect a panic say `.signal = SIGABRT`.
 *
 * The kernel files are compiled separately (grade/Makefrag's
 * UNIT_KERN_SRCS, with -DSOL), so what is tested is the student's code as
 * it is.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "grade/unit/simphys.h"
#include "kern/error.h"

static size_t usable_pages;	/* how many pages page_is_usable accepts */

/* A fresh machine: the allocator initialised over the simulated RAM. */
static void
boot_machine(void)
{
	size_t i;

	sim_boot();
	usable_pages = 0;
	for (i = 0; i < npages; i++)
		usable_pages += page_is_usable(i * PGSIZE);
}

/* ------------------------------------------------------------------------
 * The page allocator
 * ------------------------------------------------------------------------ */

TestSuite(page, .init = boot_machine);

/* Allocate every free page, fill each with @p byte, and free them all. */
static void
dirty_free_pages(uint8_t byte)
{
	struct page *pp, *all = NULL;

	while ((pp = page_alloc(0)) != NULL) {
		memset(page2kva(pp), byte, PGSIZE);
		pp->next = all;
		all = pp;
	}
	while (all != NULL) {
		pp = all;
		all = pp->next;
		pp->next = NULL;
		page_free(pp);
	}
}

Test(page, init_frees_usable_pages_only,
     .description = "page_init: usable pages free, the rest held for good")
{
	size_t i;

	cr_assert_eq(page_free_count(), usable_pages,
		     "%zu pages free after page_init, expected %zu",
		     page_free_count(), usable_pages);
	cr_assert_eq(usable_pages, SIM_PAGES - 1 -
		     (SIM_HOLE_END - SIM_HOLE_START) / PGSIZE);
	for (i = 0; i < npages; i++) {
		if (page_is_usable(i * PGSIZE))
			cr_assert(pages[i].free && pages[i].refs == 0,
				  "usable page %zx not free", i);
		else
			cr_assert(!pages[i].free && pages[i].refs > 0,
				  "reserved page %zx is free", i);
	}
}

Test(page, alloc_takes_one, .description = "page_alloc: one page off the list, not free, unlinked, no references")
{
	size_t all = page_free_count();
	struct page *pp = page_alloc(0);

	cr_assert_not_null(pp);
	cr_assert(pp >= pages && pp < pages + npages,
		  "page_alloc returned a pointer outside pages[]");
	cr_assert(page_is_usable(page2pa(pp)),
		  "page_alloc handed out reserved page %08x", page2pa(pp));
	cr_assert(!pp->free && pp->refs == 0 && pp->next == NULL,
		  "a new page: not free, no references, not linked");
	cr_assert_eq(page_free_count(), all - 1);
}

Test(page, free_is_first_in_line, .description = "the page freed last is the next one page_alloc hands out")
{
	struct page *a = page_alloc(0), *b = page_alloc(0);

	cr_assert(a && b && a != b);
	page_free(a);
	page_free(b);
	cr_assert_eq(page_alloc(0), b, "the free list is a stack: the page "
		     "freed last comes back first");
	cr_assert_eq(page_alloc(0), a);
}

Test(page, alloc_zero, .description = "ALLOC_ZERO zeroes a dirty page")
{
	struct page *pp;
	uint8_t *p;
	size_t i;

	dirty_free_pages(0xa5);
	pp = page_alloc(ALLOC_ZERO);
	cr_assert_not_null(pp);
	p = page2kva(pp);
	for (i = 0; i < PGSIZE; i++)
		cr_assert_eq(p[i], 0, "byte %zu of an ALLOC_ZERO page is %02x", i, p[i]);
}

Test(page, every_page_once, .description = "until exhausted, each free page exactly once")
{
	uint8_t *seen = calloc(npages, 1);
	struct page *pp;
	size_t n = 0;

	while ((pp = page_alloc(0)) != NULL) {
		size_t i = pp - pages;

		cr_assert_lt(i, npages);
		cr_assert(page_is_usable(page2pa(pp)),
			  "page_alloc handed out reserved page %08x", page2pa(pp));
		cr_assert(!seen[i], "page %08x handed out twice", page2pa(pp));
		seen[i] = 1;
		n++;
	}
	cr_assert_eq(n, usable_pages);
	cr_assert_eq(page_free_count(), 0);
	cr_assert_null(page_alloc(0));
	cr_assert_null(page_alloc(ALLOC_ZERO));
}

Test(page, exhausted_then_one_freed, .description = "with every page taken, a freed page is found, and only it")
{
	struct page *pp, *last = NULL;

	while ((pp = page_alloc(0)) != NULL)
		last = pp;
	cr_assert_not_null(last);
	page_free(last);
	cr_assert_eq(page_free_count(), 1);
	cr_assert_eq(page_alloc(ALLOC_ZERO), last);
	cr_assert_null(page_alloc(0));
	cr_assert_eq(page_free_count(), 0);
}

Test(page, free_then_alloc_counts, .description = "page_free puts a page back and counts it")
{
	size_t all = page_free_count();
	struct page *a = page_alloc(0), *b = page_alloc(ALLOC_ZERO);

	cr_assert_eq(page_free_count(), all - 2);
	page_free(a);
	cr_assert(a->free);
	cr_assert_eq(page_free_count(), all - 1);
	page_free(b);
	cr_assert(b->free);
	cr_assert_eq(page_free_count(), all);
}

Test(page, decref_frees_at_zero, .description = "page_decref frees on the last reference only")
{
	struct page *pp = page_alloc(0);
	size_t all = page_free_count();

	pp->refs = 3;
	page_decref(pp);
	page_decref(pp);
	cr_assert(!pp->free && pp->refs == 1);
	cr_assert_eq(page_free_count(), all);
	page_decref(pp);
	cr_assert(pp->free && pp->refs == 0);
	cr_assert_eq(page_free_count(), all + 1);
}

Test(page, double_free_panics, .signal = SIGABRT,
     .description = "freeing a free page is caught")
{
	struct page *pp = page_alloc(0);

	page_free(pp);
	sim_panic_expected = true;
	page_free(pp);
}

Test(page, free_referenced_panics, .signal = SIGABRT,
     .description = "freeing a page that still has references is caught")
{
	struct page *pp = page_alloc(0);

	pp->refs = 1;
	sim_panic_expected = true;
	page_free(pp);
}

/* ------------------------------------------------------------------------
 * Page tables
 * ------------------------------------------------------------------------ */

static pde_t *pgdir;

static void
boot_with_pgdir(void)
{
	struct page *pp;

	boot_machine();
	pp = page_alloc(ALLOC_ZERO);
	pp->refs++;
	pgdir = page2kva(pp);
}

TestSuite(pgtable, .init = boot_with_pgdir);

Test(pgtable, walk_without_create, .description = "pgdir_walk(create=false) makes nothing")
{
	size_t all = page_free_count();

	cr_assert_null(pgdir_walk(pgdir, 0x00801000, false));
	cr_assert_eq(page_free_count(), all);
	cr_assert_eq(pgdir[PDX(0x00801000)], 0);
}

Test(pgtable, walk_creates_table, .description = "pgdir_walk(create=true): a zeroed page with one reference, PTE_P|PTE_W|PTE_U")
{
	uintptr_t va = 0x00801000;
	struct page *pt;
	pte_t *table, *pte;
	size_t all;
	int i;

	dirty_free_pages(0xa5);
	all = page_free_count();
	pte = pgdir_walk(pgdir, va, true);
	cr_assert_not_null(pte);
	cr_assert_eq(page_free_count(), all - 1);
	cr_assert_eq(pgdir[PDX(va)] & 0xFFF, PTE_P | PTE_W | PTE_U,
		     "directory entry flags %03x", pgdir[PDX(va)] & 0xFFF);
	pt = pa2page(PTE_ADDR(pgdir[PDX(va)]));
	cr_assert(!pt->free, "the page table is still on the free list");
	cr_assert_eq(pt->refs, 1);
	table = page2kva(pt);
	cr_assert_eq(pte, &table[PTX(va)]);
	for (i = 0; i < NPTENTRIES; i++)
		cr_assert_eq(table[i], 0, "entry %d of a new page table is %08x", i, table[i]);
	/* The same table for the rest of its 4 MB; no new allocation. */
	cr_assert_eq(pgdir_walk(pgdir, va + PGSIZE, true), pte + 1);
	cr_assert_eq(pgdir_walk(pgdir, ROUNDDOWN(va, PTSIZE), false), table);
	cr_assert_eq(page_free_count(), all - 1);
}

Test(pgtable, walk_out_of_memory, .description = "pgdir_walk returns NULL when no page is left")
{
	while (page_alloc(0) != NULL)
		;
	cr_assert_null(pgdir_walk(pgdir, 0x00801000, true));
	cr_assert_eq(pgdir[PDX(0x00801000)], 0);
}

Test(pgtable, insert_lookup_remove, .description = "page_insert, page_lookup and page_remove agree, with refs")
{
	struct page *pp = page_alloc(0), *got;
	uintptr_t va = 0x00800000;
	pte_t *pte = NULL;

	cr_assert_eq(page_insert(pgdir, pp, va, PTE_W | PTE_U), 0);
	cr_assert_eq(pp->refs, 1);
	got = page_lookup(pgdir, va + 0x10, &pte);
	cr_assert_eq(got, pp);
	cr_assert_eq(pte, pgdir_walk(pgdir, va, false));
	cr_assert_eq(*pte, page2pa(pp) | PTE_W | PTE_U | PTE_P);
	cr_assert_null(page_lookup(pgdir, va + PGSIZE, NULL));

	sim_tlb.count = 0;
	page_remove(pgdir, va);
	cr_assert_eq(*pte, 0);
	cr_assert(pp->free && pp->refs == 0, "the last mapping went: the page is free");
	cr_assert_null(page_lookup(pgdir, va, NULL));
	cr_assert(sim_tlb.count >= 1 && sim_tlb.pgdir == pgdir && sim_tlb.va == va,
		  "page_remove must invalidate the TLB entry of va");
}

Test(pgtable, remove_nothing, .description = "page_remove where nothing is mapped does nothing")
{
	size_t all = page_free_count();

	page_remove(pgdir, 0x00800000);
	page_insert(pgdir, page_alloc(0), 0x00800000, PTE_W);
	page_remove(pgdir, 0x00801000);
	cr_assert_eq(page_free_count(), all - 2);	/* the page and its table */
}

Test(pgtable, reinsert_same_page, .description = "page_insert of the page already there keeps it and changes perm")
{
	struct page *pp = page_alloc(0);
	uintptr_t va = 0x00800000;

	cr_assert_eq(page_insert(pgdir, pp, va, PTE_W), 0);
	cr_assert_eq(page_insert(pgdir, pp, va, PTE_U), 0);
	cr_assert_eq(pp->refs, 1);
	cr_assert(!pp->free, "re-inserting the same page freed it");
	cr_assert_eq(*pgdir_walk(pgdir, va, false), page2pa(pp) | PTE_U | PTE_P);
}

Test(pgtable, insert_replaces, .description = "page_insert over another page unmaps that one")
{
	struct page *a = page_alloc(0), *b = page_alloc(0);
	uintptr_t va = 0x00800000;

	cr_assert_eq(page_insert(pgdir, a, va, PTE_W), 0);
	cr_assert_eq(page_insert(pgdir, a, va + PGSIZE, PTE_W), 0);
	cr_assert_eq(a->refs, 2);
	sim_tlb.count = 0;
	cr_assert_eq(page_insert(pgdir, b, va, PTE_W), 0);
	cr_assert_eq(a->refs, 1);
	cr_assert_eq(b->refs, 1);
	cr_assert_eq(page_lookup(pgdir, va, NULL), b);
	cr_assert_eq(page_lookup(pgdir, va + PGSIZE, NULL), a);
	cr_assert(sim_tlb.count >= 1 && sim_tlb.va == va,
		  "replacing a present mapping must invalidate its TLB entry");
}

Test(pgtable, insert_out_of_memory, .description = "page_insert fails with -E_NO_MEM and leaves refs alone")
{
	struct page *pp = page_alloc(0);

	while (page_alloc(0) != NULL)
		;
	cr_assert_eq(page_insert(pgdir, pp, 0x00800000, PTE_W), -E_NO_MEM);
	cr_assert_eq(pp->refs, 0);
}

Test(pgtable, boot_map_region, .description = "boot_map_region maps a range across page tables, no refs")
{
	uintptr_t va = 0x003FE000;	/* two pages before a 4 MB boundary */
	physaddr_t pa = 0x00200000;
	int i;

	boot_map_region(pgdir, va, 4 * PGSIZE, pa, PTE_W);
	for (i = 0; i < 4; i++) {
		pte_t *pte = pgdir_walk(pgdir, va + i * PGSIZE, false);

		cr_assert_not_null(pte);
		cr_assert_eq(*pte, (pa + i * PGSIZE) | PTE_W | PTE_P);
	}
	cr_assert_eq(pa2page(pa)->refs, 0, "boot_map_region counts no references");
}

/*
 * Random inserts and removes over a few addresses and pages, checked
 * against a model after every step: what is mapped where, and every
 * page's reference count.
 */
Test(pgtable, random_against_model, .description = "1000 random inserts and removes agree with a model")
{
	enum { NVA = 6, NPG = 4, STEPS = 1000 };
	const uintptr_t vas[NVA] = {
		0x00800000, 0x00801000, 0x00BFF000, 0x00C00000, 0x40000000, 0xBFFFE000,
	};
	struct page *pg[NPG];
	int model[NVA];			/* index into pg[], -1: unmapped */
	int step, i, j, k, refs;

	srand(2024);
	for (j = 0; j < NPG; j++) {
		pg[j] = page_alloc(0);
		pg[j]->refs++;		/* ours, so they are never freed */
	}
	for (i = 0; i < NVA; i++)
		model[i] = -1;
	for (step = 0; step < STEPS; step++) {
		i = rand() % NVA;
		if (rand() % 3 == 0) {
			page_remove(pgdir, vas[i]);
			model[i] = -1;
		} else {
			j = rand() % NPG;
			cr_assert_eq(page_insert(pgdir, pg[j], vas[i], PTE_W | PTE_U), 0);
			model[i] = j;
		}
		for (k = 0; k < NVA; k++) {
			struct page *got = page_lookup(pgdir, vas[k], NULL);

			cr_assert_eq(got, model[k] < 0 ? NULL : pg[model[k]],
				     "step %d: the page at %08lx is wrong", step,
				     (unsigned long) vas[k]);
		}
		for (j = 0; j < NPG; j++) {
			for (refs = 1, k = 0; k < NVA; k++)
				refs += model[k] == j;
			cr_assert_eq(pg[j]->refs, refs, "step %d: page %d has "
				     "refs %u, expected %d", step, j, pg[j]->refs, refs);
		}
	}
}
