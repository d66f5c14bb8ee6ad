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
#include "vmm/gmem.h"
#include "vmm/shadow.h"

bool
shadow_reserved_clash(struct vm *vm, uint32_t *la)
{
	const struct shadow *sh = &vm->sh;
	const pte_t *mine;
	uint32_t gpde, gpte, base = (uint32_t) sh->reserved_pdx << PDXSHIFT;
	unsigned i;

	if (!sh->on || sh->reserved_pde == 0 ||
	    gmem_read(vm, PTE_ADDR(vm->vcpu.cr3) + 4 * sh->reserved_pdx,
		      &gpde, 4) < 0 || !(gpde & PTE_P))
		return false;
	/* The engine's own table: its present entries are the pages the
	 * guest cannot have. */
	mine = pa2kva(PTE_ADDR(sh->reserved_pde));
	for (i = 0; i < NPTENTRIES; i++) {
		if (!(mine[i] & PTE_P))
			continue;
		/* A 4 MB page covers every one of them. */
		if ((gpde & PTE_PS) && (vm->vcpu.cr4 & CR4_PSE)) {
			*la = base + i * PGSIZE;
			return true;
		}
		/* A table outside RAM maps nothing (zeros, as on QEMU). */
		if (gmem_read(vm, PTE_ADDR(gpde) + 4 * i, &gpte, 4) == 0 &&
		    (gpte & PTE_P)) {
			*la = base + i * PGSIZE;
			return true;
		}
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
