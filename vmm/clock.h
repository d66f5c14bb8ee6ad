/*
 * clock.h - the guest's virtual time.
 *
 * The device models run on virtual nanoseconds (vmm/dev/platform.h),
 * taken from the clock the guest's native run would see (vmm/clock.c
 * says which).  Under QEMU -icount shift=0,sleep=off a run repeats
 * exactly.
 */
#ifndef VMM_CLOCK_H
#define VMM_CLOCK_H

#include "kern/types.h"

struct vm;

/** @brief Start @p vm's clock at 0 (host interrupts briefly on without an HPET). */
void clock_start(struct vm *vm);

/** @brief Nanoseconds of virtual time since clock_start(). */
uint64_t clock_now_ns(const struct vm *vm);

/** @brief Where the clock's time comes from, for the counters. */
const char *clock_source(const struct vm *vm);

#endif
