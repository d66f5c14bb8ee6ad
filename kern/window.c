/*
 * window.c - mappings the monitor makes on demand, in [MONWIN, 4 GB).
 *
 * The monitor image maps only physical [0, MONPHYS), and the direct map
 * exists only in the host's own address spaces.  To reach any other
 * physical page from every address space - a guest's page, a host
 * device's registers - the monitor maps it in a window: the window page
 * tables were made by mem_init() and every address space shares them, so
 * one entry written here is visible everywhere at once.
 *
 *	[KMAPBASE, MMIOBASE)	kmap slots, one page each, reused
 *	[MMIOBASE, MMIOLIM)	device registers, mapped for good, uncached
 */
#include "kern/types.h"
#include "kern/pmap.h"

static bool kmap_used[NKMAP];
static uintptr_t mmio_next = MMIOBASE;

/* The window page table entry of va. */
static pte_t *
window_pte(uintptr_t va)
{
	pte_t *pte = pgdir_walk(kern_pgdir, va, false);

	if (pte == NULL)
		panic("window: no page table for %08x: mem_init() makes them", va);
	return pte;
}

void *
kmap(physaddr_t pa)
{
	uintptr_t va;
	int i;

	for (i = 0; i < NKMAP && kmap_used[i]; i++)
		;
	if (i == NKMAP)
		panic("kmap: all %d slots are in use (a missing kunmap?)", NKMAP);
	kmap_used[i] = true;
	va = KMAPBASE + i * PGSIZE;
	*window_pte(va) = PTE_ADDR(pa) | PTE_P | PTE_W;
	/* The slot may hold a stale translation from its last use. */
	tlb_invalidate(kern_pgdir, va);
	return (void *) (va + PGOFF(pa));
}

void
kunmap(void *p)
{
	uintptr_t va = ROUNDDOWN((uintptr_t) p, PGSIZE);
	int i = (va - KMAPBASE) / PGSIZE;

	if (va < KMAPBASE || va >= MMIOBASE || !kmap_used[i])
		panic("kunmap: %08x is not a kmap slot in use", (uintptr_t) p);
	*window_pte(va) = 0;
	tlb_invalidate(kern_pgdir, va);
	kmap_used[i] = false;
}

void *
mmio_map_region(physaddr_t pa, size_t size)
{
	uintptr_t va = mmio_next;
	physaddr_t base = ROUNDDOWN(pa, PGSIZE);
	size_t off;

	size = ROUNDUP(pa + size, PGSIZE) - base;
	if (size > MMIOLIM - mmio_next)
		panic("mmio_map_region: no room for %u more bytes of MMIO",
		      (unsigned) size);
	/* Device registers must not be cached: each access must reach the
	 * device, in order. */
	for (off = 0; off < size; off += PGSIZE)
		*window_pte(va + off) = (base + off) | PTE_P | PTE_W |
					PTE_PCD | PTE_PWT;
	mmio_next += size;
	return (void *) (va + PGOFF(pa));
}
