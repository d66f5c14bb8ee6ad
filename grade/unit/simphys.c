/*
 * simphys.c - the hardware kern/page.c, kern/pgtable.c, vmm/gmem.c and
 * the shadow MMU expect, simulated on the host (see simphys.h).
 *
 * These are the functions the kernel defines in files the unit tests do
 * not compile (kern/kvm.c, kern/panic.c, kern/physmem.c), because those
 * files speak to the MMU or read the loader's data: here physical address
 * pa is simply byte pa of sim_phys, as the direct map makes it KERNBASE +
 * pa in the kernel.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <criterion/criterion.h>

#include "grade/unit/simphys.h"

uint8_t *sim_phys;
bool sim_panic_expected;
struct sim_tlb sim_tlb;

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (sim_panic_expected)
		abort();
	fprintf(stderr, "kernel panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void *
pa2kva(physaddr_t pa)
{
	cr_assert_lt(pa, (physaddr_t) SIM_PAGES * PGSIZE,
		     "pa2kva(%08x): beyond the simulated RAM", pa);
	return sim_phys + pa;
}

physaddr_t
kva2pa(const void *va)
{
	const uint8_t *p = va;

	cr_assert(p >= sim_phys && p < sim_phys + (size_t) SIM_PAGES * PGSIZE,
		  "kva2pa(%p): not in the simulated RAM", va);
	return p - sim_phys;
}

void
tlb_invalidate(pde_t *pgdir, uintptr_t va)
{
	sim_tlb.pgdir = pgdir;
	sim_tlb.va = va;
	sim_tlb.count++;
}

/* RAM is all usable but page 0 and the hole below 1 MB. */
bool
page_is_usable(physaddr_t pa)
{
	return pa != 0 && !(pa >= SIM_HOLE_START && pa < SIM_HOLE_END);
}

void
sim_boot(void)
{
	sim_phys = mmap(NULL, (size_t) SIM_PAGES * PGSIZE,
			PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	cr_assert(sim_phys != MAP_FAILED, "no memory for the simulated RAM");
	npages = SIM_PAGES;
	pages = calloc(npages, sizeof(struct page));
	cr_assert(pages != NULL);
	page_init();
	memset(&sim_tlb, 0, sizeof(sim_tlb));
}
