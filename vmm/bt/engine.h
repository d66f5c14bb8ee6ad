/*
 * engine.h - the binary translation engine, as the engine table and
 * struct vm see it.
 */
#ifndef VMM_BT_ENGINE_H
#define VMM_BT_ENGINE_H

#include "kern/types.h"
#include "vmm/engine.h"

/* engine=bt (vmm/bt/engine.c). */
extern const struct engine bt_engine;

struct bt_unit;
struct bt_exit;

/* A run under bt (part of struct vm). */
struct bt_run {
	const struct bt_unit *cur;	/* the unit the CPU was given */
	const struct bt_exit *exit;	/* the exit it left by, or NULL */
	uint32_t lost;			/* a trap at no boundary of a unit, or 0 */
	unsigned fix;			/* BT_FIX_* of the trap's point */
	uint32_t ind_cs_base;		/* the CS the lookup table is for */
	uint64_t ind_misses;		/* inline lookups that exited */
	uint64_t windows;		/* stopped for an interrupt */
	uint32_t cr3, paging;		/* the paging the cache was checked */
	uint64_t invlpg, propagated;	/* against last */
	uint64_t units_run;		/* entries into translated code */
	uint64_t direct_exits;		/* left for another unit */
	uint64_t emulate_exits;		/* left for the emulator */
	uint64_t traps;			/* left by a fault or interrupt */
	uint64_t untranslated;		/* entries into the guest's own code:
					 * user mode, real mode, TF set */
};

#endif
