/*
 * shadow_clash.c - the guest's own mappings over the pages the engine
 * keeps for itself in the reserved range.
 *
 * Under ring compression the monitor's 4 MB sit in every guest address
 * space (vmm/ringcomp/monview.h).  Most of them are simply absent from
 * the shadow, so a guest that maps that range to its own RAM faults on
 * each access, and the access is emulated on the guest's mapping
 * (SH_MONITOR).  But the world switch's own pages must stay mapped while
 * the guest runs, and the guest kernel, at ring 1, is a supervisor to the
 * MMU: it reads them without a fault, the monitor's bytes where its own
 * should be.  No emulation can give it its page there, so the monitor
 * must notice the clash and stop the guest, saying so, rather than let
 * it run on wrong memory.  It looks whenever the guest shows it is using
 * the range: a fault there, a CR3 load, an invlpg.
 */
#include "kern/types.h"
#include "kern/mmu.h"
#include "kern/pmap.h"
#include "vmm/vm.h"
#include "vmm/ptwalk.h"
#include "vmm/shadow.h"

bool
shadow_reserved_clash(struct vm *vm, uint32_t *la)
{
	const struct shadow *sh = &vm->sh;
	const pte_t *mine;
	uint32_t base = (uint32_t) sh->reserved_pdx << PDXSHIFT;
	struct ptwalk w;
	unsigned i;

	if (!sh->on || sh->reserved_pde == 0)
		return false;
	/* The engine's own table: its present entries are the pages the
	 * guest cannot have.  A look, not an access: no bit is set, and a
	 * table outside RAM maps nothing (zeros, as on QEMU). */
	mine = pa2kva(PTE_ADDR(sh->reserved_pde));
	for (i = 0; i < NPTENTRIES; i++) {
		if (!(mine[i] & PTE_P))
			continue;
		if (ptwalk(vm, base + i * PGSIZE, 0, &w) == 0) {
			*la = base + i * PGSIZE;
			return true;
		}
		/* No directory entry there: none of the pages it would map
		 * (2 MB under PAE, 4 MB else) is the guest's. */
		if (!(w.pde & PTE_P))
			i |= (sh->pae ? 512 : 1024) - 1;
	}
	return false;
}

int
shadow_check_reserved(struct vm *vm)
{
	uint32_t la;

	if (!shadow_reserved_clash(vm, &la))
		return 0;
	return vm_kill(vm, "the guest maps its own page at %08x, where the "
		       "monitor keeps its world switch: te cannot give the "
		       "guest that page", la);
}
