/*
 * pgtable.c - the i386 two-level page tables.
 *
 * A virtual address splits into a page directory index, a page table
 * index and an offset:
 *
 *	 31        22 21        12 11          0
 *	+------------+------------+-------------+
 *	|    PDX     |    PTX     |   offset    |
 *	+------------+------------+-------------+
 *
 * CR3 holds the physical address of the page directory; its entry PDX
 * holds the physical address of a page table; that table's entry PTX holds
 * the physical address of the page.  The software here does that walk
 * itself, to build and change mappings; it reaches each table through
 * pa2kva(), since tables are named by physical addresses.
 *
 * Like page.c this file touches no hardware except through
 * tlb_invalidate(), so the host unit tests compile it as it is.
 */
#include "kern/types.h"
#include "kern/error.h"
#include "kern/pmap.h"

pte_t *
pgdir_walk(pde_t *pgdir, uintptr_t va, bool create)
{
#if SOL >= 2
	pde_t *pde = &pgdir[PDX(va)];
	struct page *pp;
	pte_t *pt;

	if (!(*pde & PTE_P)) {
		if (!create || (pp = page_alloc(ALLOC_ZERO)) == NULL)
			return NULL;
		pp->refs++;
		/*
		 * The directory entry allows everything; the page table
		 * entries say what each page allows.  The CPU combines the
		 * two, so the stricter of them wins.
		 */
		*pde = page2pa(pp) | PTE_P | PTE_W | PTE_U;
	}
	if (*pde & PTE_PS)
		panic("pgdir_walk: va %08x lies in a 4 MB page, which has no "
		      "page table", (uint32_t) va);
	pt = pa2kva(PTE_ADDR(*pde));
	return &pt[PTX(va)];
#else
	/* LAB 2: your code here.
	 * Find the page directory entry of va.  If it is not present,
	 * return NULL unless create is true; then allocate the page table
	 * with page_alloc(ALLOC_ZERO), so that every entry starts not
	 * present (NULL if that fails), take a reference to it, and point
	 * the entry at it with PTE_P, PTE_W and PTE_U: the page table
	 * entries will restrict each page.  Return the address of va's
	 * entry in the page table, which you reach with pa2kva(). */
	(void) pgdir; (void) va; (void) create;
	panic("pgdir_walk: not implemented (lab 2, exercise 2)");
#endif
}

int
page_insert(pde_t *pgdir, struct page *pp, uintptr_t va, int perm)
{
#if SOL >= 2
	pte_t *pte = pgdir_walk(pgdir, va, true);

	if (pte == NULL)
		return -E_NO_MEM;
	/*
	 * Count the new reference before removing the old mapping: if pp is
	 * already mapped here, page_remove() must not free it.
	 */
	pp->refs++;
	if (*pte & PTE_P)
		page_remove(pgdir, va);
	*pte = page2pa(pp) | perm | PTE_P;
	return 0;
#else
	/* LAB 2: your code here.
	 * Walk to va's entry, creating the page table if needed
	 * (-E_NO_MEM if that fails).  Take a reference to pp, unmap what is
	 * at va with page_remove() if anything is, and write the entry.
	 * Think of the case where pp is the page already mapped at va: in
	 * which order must the reference be taken and the old page removed? */
	(void) pgdir; (void) pp; (void) va; (void) perm;
	panic("page_insert: not implemented (lab 2, exercise 3)");
#endif
}

struct page *
page_lookup(pde_t *pgdir, uintptr_t va, pte_t **pte_store)
{
#if SOL >= 2
	pte_t *pte = pgdir_walk(pgdir, va, false);

	if (pte == NULL || !(*pte & PTE_P))
		return NULL;
	if (pte_store)
		*pte_store = pte;
	return pa2page(PTE_ADDR(*pte));
#else
	/* LAB 2: your code here.
	 * Walk to va's entry without creating anything; if there is a
	 * present entry, store its address in *pte_store (when pte_store is
	 * not NULL) and return its page (pa2page()); else return NULL. */
	(void) pgdir; (void) va; (void) pte_store;
	panic("page_lookup: not implemented (lab 2, exercise 3)");
#endif
}

void
page_remove(pde_t *pgdir, uintptr_t va)
{
#if SOL >= 2
	pte_t *pte;
	struct page *pp = page_lookup(pgdir, va, &pte);

	if (pp == NULL)
		return;
	/* The TLB may still hold the old entry: the page must not be reused
	 * until it is gone from there too. */
	*pte = 0;
	tlb_invalidate(pgdir, va);
	page_decref(pp);
#else
	/* LAB 2: your code here.
	 * Look the page up; if there is one, clear its entry, invalidate
	 * the TLB entry for va, and drop the mapping's reference.  Why must
	 * the reference go last? */
	(void) pgdir; (void) va;
	panic("page_remove: not implemented (lab 2, exercise 3)");
#endif
}

void
boot_map_region(pde_t *pgdir, uintptr_t va, size_t size, physaddr_t pa,
		int perm)
{
	size_t off;
	pte_t *pte;

	assert(va % PGSIZE == 0 && pa % PGSIZE == 0 && size % PGSIZE == 0);
	for (off = 0; off < size; off += PGSIZE) {
		pte = pgdir_walk(pgdir, va + off, true);
		if (pte == NULL)
			panic("boot_map_region: out of memory for page tables "
			      "at va %08x", (uint32_t) (va + off));
		*pte = (pa + off) | perm | PTE_P;
	}
}
