/*
 * clock.h - the guest's virtual time.
 *
 * The device models run on virtual nanoseconds (vmm/dev/platform.h); the
 * monitor takes them from the host's TSC, calibrated against the host's
 * 8253 at the start of each run.  Under QEMU -icount the TSC counts
 * instructions, so a run repeats exactly.
 */
#ifndef VMM_CLOCK_H
#define VMM_CLOCK_H

#include "kern/types.h"

struct vm;

/** @brief Calibrate the TSC and start @p vm's clock at 0 (host interrupts briefly on). */
void clock_start(struct vm *vm);

/** @brief Nanoseconds of virtual time since clock_start(). */
uint64_t clock_now_ns(const struct vm *vm);

#endif
