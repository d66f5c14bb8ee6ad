/*
 * monview.c - the monitor's page table in every guest address space.
 *
 * vmm/ringcomp/monview.h says why there is one and what it holds.  The sections it
 * maps are laid out by kern/kernel.ld inside the first 4 MB at MONBASE,
 * so one page table, built once and shared by every guest directory
 * (physical-mode and shadow alike), covers them.
 */
#include "kern/types.h"
#include "kern/pmap.h"
#include "vmm/ringcomp/monview.h"

/* kern/kernel.ld: the world switch's code, its tables, world_frame. */
extern char monview_text_start[], monview_text_end[];
extern char monview_data_start[], monview_data_end[];
extern char monframe_start[], monframe_end[];
extern char montc_start[], montc_end[];
extern char monbt_start[], monbt_end[];

static pte_t *monview_pt;

/* Map [start, end) of the kernel image at the same addresses, with perm. */
static void
map_range(char *start, char *end, pte_t perm)
{
	uintptr_t va;

	for (va = (uintptr_t) start; va < (uintptr_t) end; va += PGSIZE)
		monview_pt[PTX(va)] = MON2PHYS(va) | perm;
}

pde_t
monview_pde(void)
{
	struct page *pp;

	if (monview_pt == NULL) {
		if ((pp = page_alloc(ALLOC_ZERO)) == NULL)
			return 0;
		pp->refs++;
		monview_pt = page2kva(pp);
		/* No PTE_U: the guest's user mode sees none of it; and no
		 * PTE_W but for world_frame, which every trap overwrites,
		 * and the translator's %gs block. */
		map_range(monview_text_start, monview_text_end, PTE_P);
		map_range(monview_data_start, monview_data_end, PTE_P);
		map_range(monframe_start, monframe_end, PTE_P | PTE_W);
		/* The binary translator's code, for the CPU to run. */
		map_range(montc_start, montc_end, PTE_P);
		/* The state it reaches through %gs, which it writes. */
		map_range(monbt_start, monbt_end, PTE_P | PTE_W);
	}
	/* The directory entry allows all; the table's entries decide. */
	return kva2pa(monview_pt) | PTE_P | PTE_W;
}
