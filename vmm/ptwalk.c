/*
 * ptwalk.c - the guest's page tables, walked as the i386 walks them.
 *
 * Adams & Agesen, section 2.4: the guest's page tables are primary
 * structures the CPU never walks, so the monitor walks them itself, and
 * must get every bit the CPU would: a shadow MMU that is more lenient
 * than the guest's tables lets the guest reach what it had forbidden,
 * one that is stricter injects faults the guest cannot explain.
 *
 * The tables are guest-physical memory, read through vmm/gmem.h only: a
 * guest pointer is never followed on trust, and a directory or table
 * outside guest RAM is a failed walk (w->bad_table), not a monitor crash.
 *
 * With CR0.PG clear there are no tables to walk: ptwalk() then answers as
 * the CPU translates, la = gpa with every access allowed and nothing to
 * set, so callers need not tell the two modes apart.
 */
#include "kern/types.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/ptwalk.h"

/* The rights an entry grants; A, D and the frame say nothing about them. */
#define RIGHTS	(PTE_U | PTE_W)

/* The guest chose @gpa: false, not a fault, if it is not guest RAM. */
static bool
entry_read(const struct vm *vm, uint32_t gpa, uint32_t *e)
{
	return gmem_read(vm, gpa, e, sizeof(*e)) == 0;
}

/*
 * Record a failed walk.  The error code's W and U bits describe the
 * access, not the entries, so they are there even for a missing table.
 */
static int
walk_fail(struct ptwalk *w, unsigned access, bool protection, bool bad_table)
{
	w->err = (protection ? PFERR_P : 0) |
		 (access & PTW_WRITE ? PFERR_W : 0) |
		 (access & PTW_USER ? PFERR_U : 0);
	w->bad_table = bad_table;
	return -1;
}

/* Whether @rights, both levels combined, allow @access. */
static bool
rights_allow(const struct vcpu *v, uint32_t rights, unsigned access)
{
	if ((access & PTW_USER) && !(rights & PTE_U))
		return false;
	if (!(access & PTW_WRITE) || (rights & PTE_W))
		return true;
	/*
	 * Without CR0.WP the supervisor writes through read-only entries
	 * (the 386's rule); a guest kernel that relies on it must not be
	 * stopped by the monitor, nor one that sets WP let through.
	 */
	return !(access & PTW_USER) && !(v->cr0 & CR0_WP);
}

/*
 * Set @bits in the entry @e at @gpa.  Written only when a bit changes: a
 * write to a traced guest page table costs the shadow MMU work, and an
 * entry already right needs none.
 */
static void
entry_set(struct vm *vm, struct ptwalk *w, uint32_t gpa, uint32_t *e,
	  uint32_t bits)
{
	uint32_t new = *e | bits;

	if (new == *e)
		return;
	/* Cannot fail: these four bytes were just read. */
	gmem_write(vm, gpa, &new, sizeof(new));
	w->set_a |= (new & ~*e & PTE_A) != 0;
	w->set_d |= (new & ~*e & PTE_D) != 0;
	*e = new;
}

/* Set the accessed and dirty bits the CPU sets on a successful walk. */
static void
set_ad(struct vm *vm, struct ptwalk *w, unsigned access)
{
	uint32_t dirty = access & PTW_WRITE ? PTE_D : 0;

	if (w->big) {
		/* The PDE maps the page: it takes the dirty bit too. */
		entry_set(vm, w, w->pde_gpa, &w->pde, PTE_A | dirty);
		w->pte = w->pde;
		return;
	}
	/* A 4 KB page's PDE has no dirty bit: bit 6 is ignored there. */
	entry_set(vm, w, w->pde_gpa, &w->pde, PTE_A);
	/*
	 * A directory entry that is also the table entry (a self-map, like
	 * JOS's UVPT) already holds the A just set: start from it, and
	 * report one final value for both.
	 */
	if (w->pte_gpa == w->pde_gpa)
		w->pte = w->pde;
	entry_set(vm, w, w->pte_gpa, &w->pte, PTE_A | dirty);
	if (w->pte_gpa == w->pde_gpa)
		w->pde = w->pte;
}

int
ptwalk(struct vm *vm, uint32_t la, unsigned access, struct ptwalk *w)
{
	const struct vcpu *v = &vm->vcpu;

	*w = (struct ptwalk) { .la = la };
	/* No execute-disable: to the MMU a fetch is a read, never a write. */
	if (access & PTW_FETCH)
		access &= ~PTW_WRITE;
	if (!(v->cr0 & CR0_PG)) {
		w->gpa = la;
		w->rights = RIGHTS;
		return 0;
	}

	w->pde_gpa = PTE_ADDR(v->cr3) + PDX(la) * sizeof(uint32_t);
	if (!entry_read(vm, w->pde_gpa, &w->pde))
		return walk_fail(w, access, false, true);
	if (!(w->pde & PTE_P))
		return walk_fail(w, access, false, false);
	/* Without CR4.PSE the PS bit is ignored: the PDE names a table. */
	w->big = (v->cr4 & CR4_PSE) && (w->pde & PTE_PS);
	if (w->big) {
		/* Bits 13-20 would be PSE-36's address bits 32-39: above
		 * any guest RAM, so read as 0. */
		w->pte = w->pde;
		w->pte_gpa = w->pde_gpa;
		w->rights = w->pde & RIGHTS;
		w->gpa = (w->pde & ~(PTSIZE - 1)) | (la & (PTSIZE - 1));
	} else {
		w->pte_gpa = PTE_ADDR(w->pde) + PTX(la) * sizeof(uint32_t);
		if (!entry_read(vm, w->pte_gpa, &w->pte))
			return walk_fail(w, access, false, true);
		/* A missing page is "not present" whatever the PDE allows. */
		if (!(w->pte & PTE_P))
			return walk_fail(w, access, false, false);
		w->rights = w->pde & w->pte & RIGHTS;
		w->gpa = PTE_ADDR(w->pte) | PGOFF(la);
	}
	if (!rights_allow(v, w->rights, access))
		return walk_fail(w, access, true, false);
	if (access & PTW_SET_AD)
		set_ad(vm, w, access);
	return 0;
}
