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

/* The reserved bits of a big page's directory entry, below bit 32. */
#define PDE4M_RSVD	0x00200000	/* two-level: bit 21 */
#define PDE2M_RSVD	0x001fe000	/* PAE: bits 13-20 */
#define PAE_BIG		0x00200000	/* a PAE directory entry's page: 2 MB */
#define PAE_CR3_MASK	0xffffffe0u	/* CR3 under PAE: the pointers' address */

/* The guest chose @gpa: false, not a fault, if it is not guest RAM. */
static bool
entry_read(const struct vm *vm, uint32_t gpa, uint32_t *e)
{
	return gmem_read(vm, gpa, e, sizeof(*e)) == 0;
}

/*
 * A PAE entry: eight bytes, of which the walk keeps the low half (the
 * flags and, below 4 GB, the frame).  QEMU's 32-bit CPU has 32 physical
 * address bits and no execute-disable, so every bit of the high half is
 * reserved at every level (*rsvd).
 */
static bool
entry_read_pae(const struct vm *vm, uint32_t gpa, uint32_t *e, bool *rsvd)
{
	uint32_t half[2];

	if (gmem_read(vm, gpa, half, sizeof(half)) < 0)
		return false;
	*e = half[0];
	*rsvd = half[1] != 0;
	return true;
}

/*
 * Record a failed walk: @cause is 0 (not present), PFERR_P (the rights
 * forbid it) or PFERR_RSVD (a reserved bit is set in a present entry).
 * The error code's W and U bits describe the access, not the entries,
 * so they are there even for a missing table.  A reserved-bit fault has
 * P clear, as QEMU's CPU (the reference) pushes it; the SDM sets P too.
 */
static int
walk_fail(struct ptwalk *w, unsigned access, uint32_t cause, bool bad_table)
{
	w->err = cause |
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

/*
 * An entry that names the next table has been used: the CPU sets its
 * accessed bit there and then, before it reads the next level, so a walk
 * that fails below still leaves it set (QEMU's CPU does; the SDM allows
 * it, 4.8).
 */
static void
set_upper_a(struct vm *vm, struct ptwalk *w, unsigned access, uint32_t gpa,
	    uint32_t *e)
{
	if (access & PTW_SET_AD)
		entry_set(vm, w, gpa, e, PTE_A);
}

/* Set the accessed and dirty bits of the entry that maps the page. */
static void
set_leaf_ad(struct vm *vm, struct ptwalk *w, unsigned access)
{
	uint32_t dirty = access & PTW_WRITE ? PTE_D : 0;

	if (w->big) {
		/* The PDE maps the page: it takes the dirty bit too. */
		entry_set(vm, w, w->pde_gpa, &w->pde, PTE_A | dirty);
		w->pte = w->pde;
		return;
	}
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

/* The directory entry maps a page of @size bytes itself: no table. */
static int
map_big(struct ptwalk *w, uint32_t la, uint32_t size)
{
	w->pte = w->pde;
	w->pte_gpa = w->pde_gpa;
	w->rights = w->pde & RIGHTS;
	w->gpa = (w->pde & ~(size - 1)) | (la & (size - 1));
	return 0;
}

/* Two-level paging: a directory of 1024 entries, tables or 4 MB pages. */
static int
walk_two_level(struct vm *vm, uint32_t la, unsigned access, struct ptwalk *w)
{
	const struct vcpu *v = &vm->vcpu;

	w->pde_gpa = PTE_ADDR(v->cr3) + PDX(la) * sizeof(uint32_t);
	if (!entry_read(vm, w->pde_gpa, &w->pde))
		return walk_fail(w, access, 0, true);
	if (!(w->pde & PTE_P))
		return walk_fail(w, access, 0, false);
	/* Without CR4.PSE the PS bit is ignored: the PDE names a table. */
	w->big = (v->cr4 & CR4_PSE) && (w->pde & PTE_PS);
	if (w->big) {
		/* Bit 21 is reserved; bits 13-20 would be PSE-36's address
		 * bits 32-39: above any guest RAM, so read as 0. */
		if (w->pde & PDE4M_RSVD)
			return walk_fail(w, access, PFERR_RSVD, false);
		return map_big(w, la, PTSIZE);
	}
	set_upper_a(vm, w, access, w->pde_gpa, &w->pde);
	w->pte_gpa = PTE_ADDR(w->pde) + PTX(la) * sizeof(uint32_t);
	if (!entry_read(vm, w->pte_gpa, &w->pte))
		return walk_fail(w, access, 0, true);
	/* A missing page is "not present" whatever the PDE allows. */
	if (!(w->pte & PTE_P))
		return walk_fail(w, access, 0, false);
	w->rights = w->pde & w->pte & RIGHTS;
	w->gpa = PTE_ADDR(w->pte) | PGOFF(la);
	return 0;
}

/*
 * PAE paging (CR4.PAE): CR3 names, on a 32-byte boundary, four
 * page-directory pointers, one per gigabyte; each names a directory of
 * 512 eight-byte entries, tables of 512 or 2 MB pages.  The pointers
 * grant every right, so the rights are the directory's and the table's,
 * as in two-level paging.  QEMU's CPU reads the pointers at every walk
 * and sets their accessed bit (a real one loads them at a CR3 write);
 * the difference shows only to a guest that rewrites a pointer without
 * the CR3 load the SDM asks for.
 */
static int
walk_pae(struct vm *vm, uint32_t la, unsigned access, struct ptwalk *w)
{
	const struct vcpu *v = &vm->vcpu;
	uint32_t pdpte, pdpte_gpa = (v->cr3 & PAE_CR3_MASK) + (la >> 30) * 8;
	bool rsvd;

	if (!entry_read_pae(vm, pdpte_gpa, &pdpte, &rsvd))
		return walk_fail(w, access, 0, true);
	if (!(pdpte & PTE_P))
		return walk_fail(w, access, 0, false);
	if (rsvd)
		return walk_fail(w, access, PFERR_RSVD, false);
	set_upper_a(vm, w, access, pdpte_gpa, &pdpte);

	w->pde_gpa = PTE_ADDR(pdpte) + ((la >> 21) & 0x1ff) * 8;
	if (!entry_read_pae(vm, w->pde_gpa, &w->pde, &rsvd))
		return walk_fail(w, access, 0, true);
	if (!(w->pde & PTE_P))
		return walk_fail(w, access, 0, false);
	w->big = (w->pde & PTE_PS) != 0;
	/* A 2 MB page's frame is 2 MB-aligned: bits 13-20 are reserved
	 * (bit 12 is PAT). */
	if (rsvd || (w->big && (w->pde & PDE2M_RSVD)))
		return walk_fail(w, access, PFERR_RSVD, false);
	if (w->big)
		return map_big(w, la, PAE_BIG);
	set_upper_a(vm, w, access, w->pde_gpa, &w->pde);

	w->pte_gpa = PTE_ADDR(w->pde) + ((la >> 12) & 0x1ff) * 8;
	if (!entry_read_pae(vm, w->pte_gpa, &w->pte, &rsvd))
		return walk_fail(w, access, 0, true);
	if (!(w->pte & PTE_P))
		return walk_fail(w, access, 0, false);
	if (rsvd)
		return walk_fail(w, access, PFERR_RSVD, false);
	w->rights = w->pde & w->pte & RIGHTS;
	w->gpa = PTE_ADDR(w->pte) | PGOFF(la);
	return 0;
}

int
ptwalk(struct vm *vm, uint32_t la, unsigned access, struct ptwalk *w)
{
	const struct vcpu *v = &vm->vcpu;
	int r;

	*w = (struct ptwalk) { .la = la };
	/* No execute-disable: to the MMU a fetch is a read, never a write. */
	if (access & PTW_FETCH)
		access &= ~PTW_WRITE;
	if (!(v->cr0 & CR0_PG)) {
		w->gpa = la;
		w->rights = RIGHTS;
		return 0;
	}
	if (v->cr4 & CR4_PAE)
		r = walk_pae(vm, la, access, w);
	else
		r = walk_two_level(vm, la, access, w);
	if (r < 0)
		return r;
	if (!rights_allow(v, w->rights, access))
		return walk_fail(w, access, PFERR_P, false);
	if (access & PTW_SET_AD)
		set_leaf_ad(vm, w, access);
	return 0;
}
