/*
 * page.c - the physical page allocator.
 *
 * Every page frame has a struct page in the pages[] array, so a page's
 * number is its index and its physical address is that times PGSIZE.
 * Free pages are linked through their struct page into one of two free
 * lists, split at MONPHYS:
 *
 *	free_list[ZONE_MON]	frames below MONPHYS, which the monitor image
 *				maps in every address space: page tables,
 *				anything the monitor must reach from a guest
 *	free_list[ZONE_HIGH]	every other frame, reached through the host's
 *				direct map only
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

enum { ZONE_MON, ZONE_HIGH, NZONES };

static struct page *free_list[NZONES];
static size_t nfree[NZONES];

/* Which free list the page belongs on. */
static int
page_zone(const struct page *pp)
{
	return page2pa(pp) < MONPHYS ? ZONE_MON : ZONE_HIGH;
}

void
page_init(void)
{
	size_t i;

	free_list[ZONE_MON] = free_list[ZONE_HIGH] = NULL;
	nfree[ZONE_MON] = nfree[ZONE_HIGH] = 0;
	/*
	 * Downwards, so that the lists, being stacks, hand out low
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
	struct page *pp;
	int zone = ZONE_HIGH;

	/* High pages first: monitor memory is the scarcer kind. */
	if ((flags & ALLOC_MON) || free_list[ZONE_HIGH] == NULL)
		zone = ZONE_MON;
	pp = free_list[zone];
	if (pp == NULL)
		return NULL;
	free_list[zone] = pp->next;
	nfree[zone]--;
	pp->next = NULL;
	pp->free = false;
	if (flags & ALLOC_ZERO)
		memset(page2kva(pp), 0, PGSIZE);
	return pp;
#else
	/* LAB 2: your code here.
	 * Take the first page off free_list[ZONE_HIGH], or off
	 * free_list[ZONE_MON] if flags has ALLOC_MON or the high list is
	 * empty; return NULL if the list you need is empty.  Keep nfree[]
	 * right, mark the page not free and unlink it (next = NULL), and
	 * zero it through page2kva() if flags has ALLOC_ZERO.  Do not touch
	 * refs: the caller takes the first reference. */
	(void) flags;
	panic("page_alloc: not implemented (lab 2)");
#endif
}

void
page_free(struct page *pp)
{
#if SOL >= 2
	int zone = page_zone(pp);

	if (pp->refs != 0)
		panic("page_free: page %08x still has %u references",
		      page2pa(pp), pp->refs);
	if (pp->free)
		panic("page_free: page %08x is already free", page2pa(pp));
	pp->next = free_list[zone];
	pp->free = true;
	free_list[zone] = pp;
	nfree[zone]++;
#else
	/* LAB 2: your code here.
	 * Push the page on the free list of its zone (page_zone()) and count
	 * it in nfree[].  Freeing a page that still has references, or one
	 * that is already free, is a bug in the caller: panic and say which
	 * page it was. */
	(void) pp;
	(void) page_zone;
	panic("page_free: not implemented (lab 2)");
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
page_free_count(int flags)
{
	if (flags & ALLOC_MON)
		return nfree[ZONE_MON];
	return nfree[ZONE_MON] + nfree[ZONE_HIGH];
}
