/*
 * virq.h - an interrupt line from a device model to the interrupt
 * controllers.
 *
 * A device does not know whether an 8259, an IOAPIC or a unit test is
 * listening: it only drives its line high or low, as a real ISA card
 * drives its IRQ pin.  The platform (platform.c) wires each line to both
 * the 8259 pair and the IOAPIC, as a PC's board does.
 */
#ifndef VMM_DEV_IRQ_H
#define VMM_DEV_IRQ_H

#include "kern/types.h"

#ifndef UINT64_MAX
#define UINT64_MAX	0xFFFFFFFFFFFFFFFFULL	/* "no deadline" */
#endif

/* Where a device's line goes: set(ctx, line, level). */
struct virq {
	void (*set)(void *ctx, int line, int level);
	void *ctx;
	int line;
};

/** @brief Drive a device's interrupt line to @p level (0 or 1); no-op if unwired. */
static inline void
virq_set(const struct virq *q, int level)
{
	if (q->set)
		q->set(q->ctx, q->line, level);
}

#endif
