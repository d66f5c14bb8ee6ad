/*
 * shadow_int.h - what the two halves of the shadow MMU share.
 *
 * vmm/shadow.c keeps the books (shadow pages, the reverse map, traces,
 * roots); vmm/shadow_fault.c makes the decisions (true or hidden, what a
 * shadow entry holds, how a traced write propagates).  Nothing outside
 * the shadow MMU includes this file: the rest of the monitor uses
 * vmm/shadow.h.
 */
#ifndef VMM_SHADOW_INT_H
#define VMM_SHADOW_INT_H

#include "kern/types.h"
#include "vmm/shadow.h"

/** @brief Frame @p gfn's bookkeeping, or NULL if it is not guest RAM. */
struct gframe *sh_frame(struct shadow *sh, uint32_t gfn);

/**
 * @brief Set entry @p i of shadow table @p sp to @p val, which maps guest
 * frame @p gfn: the one place a shadow entry changes, so the reverse map
 * of writable entries stays exact.
 * @return false if the reverse map had no room (the entry is then
 * installed read-only, which is always safe)
 */
bool sh_spte_set(struct shadow *sh, struct spage *sp, unsigned i, pte_t val,
		 uint32_t gfn);

/** @brief The index of @p sp in sh->pool (what a root's back[] holds). */
unsigned sh_page_index(struct shadow *sh, struct spage *sp);

/** @brief The hash chain of shadow pages keyed by guest frame @p key. */
struct spage **sh_bucket(struct shadow *sh, uint32_t key);

/**
 * @brief A new, empty shadow page of @p kind for guest frame @p key (a
 * page table's frame starts being traced), or NULL if the pool or host
 * memory is exhausted.
 */
struct spage *sh_page_alloc(struct shadow *sh, enum sp_kind kind, uint32_t key,
			    uint32_t role);

/** @brief The shared shadow table of guest table @p key under @p role, or NULL. */
struct spage *sh_page_find(struct shadow *sh, enum sp_kind kind, uint32_t key,
			   uint32_t role);

/** @brief Clear entry @p pdx of @p root, dropping its shadow table's reference. */
void sh_root_zap(struct shadow *sh, struct spage *root, unsigned pdx);

/** @brief Drop every shadow page; the next shadow_cr3() starts afresh. */
void sh_flush(struct shadow *sh);

#endif
