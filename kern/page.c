/*
 * page.c - the physical page allocator.
 *
 * Every page frame has a struct page in the pages[] array, so a page's
 * number is its index and its physical address is that times PGSIZE.
 * Free pages are linked through their struct page into one free list, a
 * stack: page_free() pushes, page_alloc() pops.  One list is enough
 * because every page is as good as any other: each has its address in
 * the direct map (pa2kva()), and the kernel's code always runs on a page
 * directory that has the direct map.
 *
 * A page in use counts its references (mappings in page tables, mostly);
 * page_decref() frees it when the count drops to zero.
 *
 * Nothing here touches the hardware, so the host unit tests
 * (grade/unit/unit_pmap.c) compile this file as it is.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/error.h"
#include "kern/pmap.h"

struct page *pages;
size_t npages;

static struct page *free_list;
static size_t nfree;

void
page_init(void)
{
	size_t i;

	free_list = NULL;
	nfree = 0;
	/*
	 * Downwards, so that the list, being a stack, hands out low
	 * addresses first: easier to follow in a debugger.  A page that is
	 * not free keeps one reference nobody will ever drop.
	 */
	for (i = npages; i-- > 0;) {
		pages[i].next = NULL;
		pages[i].free = false;
		pages[i].refs = 0;
		if (page_is_usable(i * PGSIZE))
			page_free(&pages[i]);
		else
			pages[i].refs = 1;
	}
}

struct page *
page_alloc(int flags)
{
#if SOL >= 2
	struct page *pp = free_list;

	if (pp == NULL)
		return NULL;
	free_list = pp->next;
	nfree--;
	pp->next = NULL;
	pp->free = false;
	if (flags & ALLOC_ZERO)
		memset(page2kva(pp), 0, PGSIZE);
	return pp;
#else
	/* LAB 2: your code here.
	 * Take the first page off free_list; return NULL if the list is
	 * empty.  Keep nfree right, mark the page not free and unlink it
	 * (next = NULL), and zero it through page2kva() if flags has
	 * ALLOC_ZERO.  Do not touch refs: the caller takes the first
	 * reference. */
	(void) flags;
	panic("page_alloc: not implemented (lab 2, exercise 1)");
#endif
}

void
page_free(struct page *pp)
{
#if SOL >= 2
	if (pp->refs != 0)
		panic("page_free: page %08x still has %u references",
		      page2pa(pp), pp->refs);
	if (pp->free)
		panic("page_free: page %08x is already free", page2pa(pp));
	pp->next = free_list;
	pp->free = true;
	free_list = pp;
	nfree++;
#else
	/* LAB 2: your code here.
	 * Push the page on free_list, mark it free and count it in nfree.
	 * Freeing a page that still has references, or one that is already
	 * free, is a bug in the caller: panic and say which page it was. */
	(void) pp;
	panic("page_free: not implemented (lab 2, exercise 1)");
#endif
}

void
page_decref(struct page *pp)
{
	if (pp->refs == 0)
		panic("page_decref: page %08x has no references to drop",
		      page2pa(pp));
	if (--pp->refs == 0)
		page_free(pp);
}

size_t
page_free_count(void)
{
	return nfree;
}
