/*
 * stats.h - printing what a run counted (vmm/stats.c).
 */
#ifndef VMM_STATS_H
#define VMM_STATS_H

struct vm;

/** @brief Print @p vm's counters: the core's, the engine's, the shadow MMU's. */
void vm_stats_print(const struct vm *vm);

/** @brief The name of an emulated opcode key (map * 256 + op), or NULL. */
const char *vm_opname(unsigned key);

#endif
