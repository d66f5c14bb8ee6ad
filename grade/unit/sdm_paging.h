/*
 * sdm_paging.h - the unit tests' one model of 32-bit paging, written from
 * the Intel SDM (vol. 3A, chapter 4), not from the monitor's walker.
 *
 * grade/unit/unit_ptwalk.c holds vmm/ptwalk.c to it, and
 * grade/unit/unit_shadow.c both the shadow MMU's true/hidden decision and
 * the CPU it simulates on the shadow's tables: one statement of the rules,
 * so that the tests cannot disagree about what the hardware does.  The
 * model decides one access through the entries that control it, given as
 * values: where they live, and reading them from memory, is the caller's.
 * Include the C library's and Criterion's headers first (as for
 * grade/unit/simphys.h).
 */
#ifndef GRADE_UNIT_SDM_PAGING_H
#define GRADE_UNIT_SDM_PAGING_H

#include "kern/mmu.h"
#include "vmm/ptwalk.h"		/* PTW_* and PFERR_*: constants only */

/* What the SDM says an access through one PDE (and one PTE) does. */
struct sdm_decision {
	bool ok;		/* the access completes */
	bool big;		/* the PDE maps a 4 MB page: no PTE is used */
	uint32_t err;		/* not ok: the error code the CPU pushes */
	uint32_t rights;	/* PTE_U, PTE_W of the controlling entries */
	uint32_t pde, pte;	/* the entries as the CPU leaves them */
};

/**
 * @brief Whether an access of kind @p acc (PTW_*) is a write as paging
 * sees it: SDM 4.6.1 and 4.7, without execute-disable a fetch has a
 * read's rights and the error code no I/D bit.
 */
bool sdm_is_write(unsigned acc);

/**
 * @brief Whether directory entry @p pde maps a 4 MB page under @p cr4:
 * SDM 4.3, PS (bit 7) counts only with CR4.PSE = 1.  A non-present PDE
 * is not followed whatever it says: check P before reading a PTE.
 */
bool sdm_big(uint32_t pde, uint32_t cr4);

/**
 * @brief Decide access @p acc (PTW_WRITE, PTW_USER, PTW_FETCH) through
 * directory entry @p pde and, unless it maps a 4 MB page, table entry
 * @p pte, with paging on under @p cr0 (WP) and @p cr4 (PSE).
 *
 * SDM 4.3 (which entries are used), 4.6 (U/S and R/W combined over them,
 * CR0.WP), 4.7 (the error code), 4.8 (A in every entry used, D in the one
 * that maps, on success).  @p pte is ignored for a 4 MB page or a
 * non-present PDE; an entry the caller could not read is passed as 0,
 * not present.
 */
struct sdm_decision sdm_decide(uint32_t pde, uint32_t pte, unsigned acc,
			       uint32_t cr0, uint32_t cr4);

/*
 * The bits of the entries the model reads, for sweeps over every
 * combination: PDE P W U PS A D, PTE P W U A D.  The other bits (address,
 * PWT, PCD, G, AVL) decide no access under 32-bit paging (4.3, 4.6).
 */
#define SDM_NPDE_FLAGS	6
#define SDM_NPTE_FLAGS	5
extern const uint32_t sdm_pde_flags[SDM_NPDE_FLAGS];
extern const uint32_t sdm_pte_flags[SDM_NPTE_FLAGS];

/** @brief The flags of @p flags (@p n) that the bits of @p mask select. */
uint32_t sdm_pick(const uint32_t *flags, size_t n, unsigned mask);

#endif
