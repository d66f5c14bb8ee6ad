/*
 * gmem.c - guest-physical memory: host pages behind a page directory.
 *
 * The guest believes it owns RAM from physical 0 (docs/design.md section 4).
 * The monitor gives it ordinary host pages, wherever the allocator finds
 * them, and records the choice in the physical-mode page directory: with
 * guest paging off (lab 4) the guest runs on that directory as it is, so
 * guest-linear = guest-physical, and with guest paging on (lab 5) the
 * shadow MMU reads it as the gpa -> hpa map.  One structure, two uses,
 * and no second copy of 65536 entries to keep in step.
 *
 * Pages are PTE_U: with paging off every guest access is allowed, at any
 * ring.  The directory holds the guest's RAM and nothing of the monitor;
 * an engine that runs the guest on it adds what it needs there (ring
 * compression: the world switch's page table, vmm/ringcomp/monview.h).
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/error.h"
#include "kern/pmap.h"
#include "vmm/gmem.h"

int
gmem_alloc(struct vm *vm, uint32_t ram)
{
	struct page *pp;
	uint32_t gpa;

	/*
	 * The guest's pages plus about one page table per 4 MB; asking the
	 * allocator first makes "not enough memory" one message, not a
	 * half-built guest.
	 */
	if (page_free_count() < ram / PGSIZE + ram / PTSIZE + 16) {
		cprintf("vmm: guest memory of %u MB needs %u free host pages, "
			"the host has %u: lower guestmem= on the kernel command "
			"line or give QEMU more memory (make ... MEM=1024)\n",
			ram >> 20, ram / PGSIZE, (unsigned) page_free_count());
		return -E_NO_MEM;
	}
	if ((pp = page_alloc(ALLOC_ZERO)) == NULL) {
		cprintf("vmm: no page left for the guest's page directory\n");
		return -E_NO_MEM;
	}
	pp->refs++;
	vm->physmap = page2kva(pp);
	vm->ram = ram;

	for (gpa = 0; gpa < ram; gpa += PGSIZE) {
		if ((pp = page_alloc(ALLOC_ZERO)) == NULL ||
		    page_insert(vm->physmap, pp, gpa, PTE_W | PTE_U) < 0) {
			if (pp)
				page_free(pp);
			cprintf("vmm: out of host memory at guest-physical %08x\n",
				gpa);
			gmem_free(vm);
			return -E_NO_MEM;
		}
	}
	return 0;
}

void
gmem_free(struct vm *vm)
{
	uint32_t pdx, ptx;
	pte_t *pt;

	if (vm->physmap == NULL)
		return;
	for (pdx = 0; pdx < PDX(MONBASE); pdx++) {
		if (!(vm->physmap[pdx] & PTE_P))
			continue;
		pt = pa2kva(PTE_ADDR(vm->physmap[pdx]));
		for (ptx = 0; ptx < NPTENTRIES; ptx++)
			if (pt[ptx] & PTE_P)
				page_remove(vm->physmap,
					    (uintptr_t) PGADDR(pdx, ptx, 0));
		page_decref(pa2page(PTE_ADDR(vm->physmap[pdx])));
		vm->physmap[pdx] = 0;
	}
	page_decref(pa2page(kva2pa(vm->physmap)));
	vm->physmap = NULL;
	vm->ram = 0;
}

/* The physical-mode directory's entry for guest RAM page gpa, or NULL. */
static pte_t *
physmap_pte(const struct vm *vm, uint32_t gpa)
{
	pde_t pde;

	if (gpa >= vm->ram)
		return NULL;
	pde = vm->physmap[PDX(gpa)];
	if (!(pde & PTE_P))
		return NULL;
	return &((pte_t *) pa2kva(PTE_ADDR(pde)))[PTX(gpa)];
}

void
gmem_set_writable(struct vm *vm, uint32_t gpa, bool writable)
{
	pte_t *pte = physmap_pte(vm, gpa);

	if (pte == NULL || !(*pte & PTE_P))
		return;
	if (writable)
		*pte |= PTE_W;
	else
		*pte &= ~PTE_W;
}

physaddr_t
gmem_hpa(const struct vm *vm, uint32_t gpa)
{
	pte_t *pte = physmap_pte(vm, gpa);

	if (pte == NULL || !(*pte & PTE_P))
		return (physaddr_t) -1;
	return PTE_ADDR(*pte) | PGOFF(gpa);
}

void *
gmem_page(const struct vm *vm, uint32_t gpa)
{
	physaddr_t hpa = gmem_hpa(vm, ROUNDDOWN(gpa, PGSIZE));

	return hpa == (physaddr_t) -1 ? NULL : pa2kva(hpa);
}

/*
 * Copy between buf and guest memory a page at a time.  Guest pages are
 * allocator pages, and every allocator page has a kernel address
 * (pa2kva): the trap path runs on the host's page directory, where the
 * direct map reaches them with no mapping to make per access.
 */
static int
gmem_copy(const struct vm *vm, uint32_t gpa, void *buf, size_t len,
	  bool to_guest)
{
	uint8_t *b = buf, *p;
	size_t n;

	if (gpa >= vm->ram || len > vm->ram - gpa)
		return -1;
	while (len > 0) {
		n = MIN(len, (size_t) (PGSIZE - PGOFF(gpa)));
		p = pa2kva(gmem_hpa(vm, gpa));
		if (!to_guest)
			memcpy(b, p, n);
		else if (b)
			memcpy(p, b, n);
		else
			memset(p, 0, n);
		gpa += n;
		len -= n;
		if (b)
			b += n;
	}
	return 0;
}

int
gmem_read(const struct vm *vm, uint32_t gpa, void *buf, size_t len)
{
	return gmem_copy(vm, gpa, buf, len, false);
}

int
gmem_write(const struct vm *vm, uint32_t gpa, const void *buf, size_t len)
{
	return gmem_copy(vm, gpa, (void *) buf, len, true);
}
