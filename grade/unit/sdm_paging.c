/*
 * sdm_paging.c - the Intel SDM's 32-bit paging (vol. 3A, chapter 4) as
 * predicates over the entries that control a translation (see
 * sdm_paging.h).
 *
 * Written from the SDM's statements, one rule a line, and never from
 * vmm/ptwalk.c: it is what the walker and the shadow MMU are held to, so
 * it must not share their mistakes.  Each rule cites its section.
 */
#include <stddef.h>
#include <stdint.h>

#include "grade/unit/sdm_paging.h"

#define PDE4M_BIT21	0x00200000

bool
sdm_is_write(unsigned acc)
{
	return (acc & PTW_WRITE) && !(acc & PTW_FETCH);
}

bool
sdm_big(uint32_t pde, uint32_t cr4)
{
	return (cr4 & CR4_PSE) && (pde & PTE_PS);
}

struct sdm_decision
sdm_decide(uint32_t pde, uint32_t pte, unsigned acc, uint32_t cr0,
	   uint32_t cr4)
{
	struct sdm_decision d = { .pde = pde, .pte = pte };
	bool user = acc & PTW_USER;
	bool write = sdm_is_write(acc);
	bool present, allowed;

	/* 4.3: P must be 1 in every entry used; a 4 MB page uses the PDE
	 * only, and a non-present PDE names no table. */
	d.big = sdm_big(pde, cr4);
	present = (pde & PTE_P) && (d.big || (pte & PTE_P));
	/* 4.6: U/S and R/W combine (AND) over the controlling entries. */
	d.rights = (d.big ? pde : pde & pte) & (PTE_U | PTE_W);
	/*
	 * 4.6.1: a supervisor reads (and fetches) anything, and writes
	 * anything if CR0.WP = 0, else only where R/W combines to 1.  A user
	 * access needs a user-mode address (U/S combines to 1), and a write
	 * also R/W.
	 */
	if (user)
		allowed = (d.rights & PTE_U) && (!write || (d.rights & PTE_W));
	else
		allowed = !write || !(cr0 & CR0_WP) || (d.rights & PTE_W);
	/* Table 4-4: bit 21 of a PDE that maps 4 MB is reserved, and a
	 * reserved bit faults with RSVD (4.7); QEMU's CPU, the reference,
	 * pushes it with P clear, where the SDM sets P as well. */
	if (present && d.big && (pde & PDE4M_BIT21)) {
		d.err = PFERR_RSVD | (write ? PFERR_W : 0) |
			(user ? PFERR_U : 0);
		return d;
	}
	d.ok = present && allowed;
	if (!d.ok) {
		/* 4.7: P is 1 for a protection violation, 0 for a missing
		 * entry; W/R and U/S say what the access was.  4.8 lets a
		 * CPU set PDE.A once it has followed the PDE to a table,
		 * even if it then faults at the PTE; QEMU's CPU, the kit's
		 * reference, does, and so does this model. */
		d.err = (present ? PFERR_P : 0) | (write ? PFERR_W : 0) |
			(user ? PFERR_U : 0);
		if ((pde & PTE_P) && !d.big)
			d.pde |= PTE_A;
		return d;
	}
	/* 4.8: A in every entry used; on a write, D in the one that
	 * identifies the page (the PDE of a 4 MB page, else the PTE). */
	d.pde |= PTE_A;
	if (d.big)
		d.pde |= write ? PTE_D : 0;
	else
		d.pte |= PTE_A | (write ? PTE_D : 0);
	return d;
}

const uint32_t sdm_pde_flags[SDM_NPDE_FLAGS] = {
	PTE_P, PTE_W, PTE_U, PTE_PS, PTE_A, PTE_D
};
const uint32_t sdm_pte_flags[SDM_NPTE_FLAGS] = {
	PTE_P, PTE_W, PTE_U, PTE_A, PTE_D
};

uint32_t
sdm_pick(const uint32_t *flags, size_t n, unsigned mask)
{
	uint32_t e = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (mask & (1u << i))
			e |= flags[i];
	return e;
}
