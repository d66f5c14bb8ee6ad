/*
 * vdebugexit.h - the debug-exit port (0xF4) through which a guest ends its
 * run with a status, and Bochs's shutdown port (0x8900).
 */
#ifndef VMM_DEV_DEBUGEXIT_H
#define VMM_DEV_DEBUGEXIT_H

#include "kern/types.h"

#define VDEBUGEXIT_PORT	0xF4
#define VDEBUGEXIT_BOCHS	0x8900

struct vdebugexit {
	bool requested;
	uint32_t status;
	unsigned shutdown_match;	/* chars of "Shutdown" seen at 0x8900 */
};

/** @brief Reset: no exit requested. */
void vdebugexit_init(struct vdebugexit *d);
/** @brief Guest write of @p val at @p port (0xF4 or 0x8900). */
void vdebugexit_write(struct vdebugexit *d, uint16_t port, uint32_t val);

#endif
