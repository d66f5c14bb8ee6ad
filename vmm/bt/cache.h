/*
 * cache.h - the translation cache: translated code, the index from guest
 * EIP to it, and the chains between translations.
 *
 * Adams & Agesen, section 3.2.  Translations are made on demand and kept
 * for the next time the guest reaches the same code: the code itself in
 * the monitor's translation cache (TC), which every guest address space
 * maps read-only at the monitor's own addresses (vmm/ringcomp/monview.h),
 * and beside it, in the monitor, each unit's table of exits and a copy of
 * the guest bytes it was made from.
 *
 * A direct exit, once taken, is chained: its jump is pointed at the
 * target's translation, so that the CPU goes from unit to unit without
 * the monitor.  The cache must then stay coherent without looking, so:
 *
 *   - every guest frame holding translated code is watched (shadow_watch):
 *     a guest write to it drops the cache.  A frame written again and
 *     again (code beside data) stops being watched; its units are then
 *     never chained to or from, and each entry into one compares the
 *     guest's bytes with the copy first;
 *   - the cache remembers, for each page of guest-linear addresses it
 *     translated, the frame it was in; at a change of the guest's paging
 *     (CR3, CR0.PG, CR4's paging bits, an invlpg, a propagated write to
 *     a page table) each is walked again, and if one maps elsewhere now
 *     (the same EIP would be other code), everything is dropped.  A
 *     kernel mapped alike in every address space keeps its translations
 *     and chains across context switches.
 *
 * When the TC or the index is full, everything is dropped and counted.
 */
#ifndef VMM_BT_CACHE_H
#define VMM_BT_CACHE_H

#include "kern/types.h"
#include "vmm/bt/translate.h"

#define BT_TC_BYTES	(256u * 1024)	/* translated code */
#define BT_MAX_UNITS	4096		/* translations indexed */
#define BT_GUEST_BYTES	(128u * 1024)	/* the guest code they copy */
#define BT_MAX_FRAMES	512		/* guest frames holding them */
#define BT_MAX_PAGES	512		/* guest-linear pages of them */
#define BT_FRAME_FLOOD	8		/* writes that make a frame unwatched */

/* The translation cache: at a monitor address that every guest address
 * space maps, where the CPU runs it on SDT_TC_CS. */
extern uint8_t bt_tc[BT_TC_BYTES];

struct vm;

/* One translation unit in the cache. */
struct bt_unit {
	uint32_t cs_base;		/* the CS it was made under */
	uint32_t copy;			/* its guest bytes in the copy pool */
	int next;			/* the hash chain, or -1 */
	bool chainable;			/* its frames are watched */
	bool single;			/* one instruction, run alone */
	struct bt_translation tx;
};

/* What the cache counts, for the end of a run and vmstat. */
struct bt_cache_stats {
	uint64_t translations;		/* units translated */
	uint64_t guest_insns;		/* guest instructions in them */
	uint64_t translate_tsc;		/* TSC cycles spent making them */
	uint64_t by_class[BT_NCLASSES];	/* those, by class */
	uint64_t by_rule[BT_NRULES];	/* those translated in line */
	uint64_t lookups;		/* units looked for */
	uint64_t stale;			/* found, but the guest's code changed */
	uint64_t flushes;		/* the cache dropped, being full */
	uint64_t code_writes;		/* dropped for a write to guest code */
	uint64_t chains;		/* direct exits chained */
	uint64_t paging_checks;		/* paging changes: pages walked again */
	uint64_t remaps;		/* dropped: a page of code maps elsewhere */
	uint32_t drops;			/* flushes and code writes: each
					 * unit made before is gone */
	uint32_t tc_used, units;	/* now in use */
	uint32_t frames, unwatched;	/* guest frames of code; not watched */
};

/** @brief Empty the cache and its counters (at the start of a run). */
void bt_cache_reset(struct vm *vm);

/**
 * @brief The translation of the unit at guest EIP @p eip of the current
 * code segment, made now if the cache has none whose guest code still
 * reads the same; if @p single, of its first instruction alone, which is
 * never chained (for the monitor to look at the guest right after it).
 * @return the unit, valid until the cache is next changed; never NULL
 */
const struct bt_unit *bt_cache_get(struct vm *vm, uint32_t eip,
				   bool single);

/**
 * @brief The unit whose translated code holds TC offset @p off, or NULL.
 * @p hint, the unit the CPU was given, is tried first.
 */
const struct bt_unit *bt_cache_unit_at(const struct bt_unit *hint,
				       uint32_t off);

/**
 * @brief Point direct exit @p x of unit @p from at unit @p to's code, if
 * both may be chained.
 */
void bt_cache_chain(const struct bt_unit *from, const struct bt_exit *x,
		    const struct bt_unit *to);

/**
 * @brief The guest's paging changed (or may have): keep everything if
 * every page of guest code translated still maps the frame it did, else
 * drop everything (the same EIP may now be other code).
 */
void bt_cache_paging_changed(struct vm *vm);

/**
 * @brief The monitor carried out a guest write to watched frame gpa's
 * (engine's watched_write): if it holds translated code, drop the cache.
 */
void bt_cache_wrote(struct vm *vm, uint32_t gpa);

/**
 * @brief The emulator cannot carry out a write to watched frame @p gfn
 * (engine's unwatch): if it holds translated code, stop watching it and
 * drop the cache, so that the write may run on the CPU.
 */
void bt_cache_unwatch(struct vm *vm, uint32_t gfn);

/** @brief How many times the cache has been dropped: a unit made
 * before a drop is gone. */
uint32_t bt_cache_drops(void);

/** @brief The cache's counters. */
const struct bt_cache_stats *bt_cache_stats(void);

#endif
