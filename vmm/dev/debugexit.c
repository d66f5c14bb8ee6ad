/*
 * debugexit.c - how a guest ends its run with a status.
 *
 * QEMU's isa-debug-exit device (port 0xF4) and Bochs's shutdown port
 * (0x8900, the string "Shutdown") are what guest_xv6's machine_halt uses,
 * so the same guest ends the same way natively and under any engine; the
 * engine polls vplat_exit_requested after port writes.  Unlike QEMU, which
 * exits with (status << 1) | 1, the run's status here is the value written.
 */
#include "vmm/dev/vdebugexit.h"
#include "kern/string.h"

static const char shutdown[] = "Shutdown";

void
vdebugexit_init(struct vdebugexit *d)
{
	memset(d, 0, sizeof(*d));
}

void
vdebugexit_write(struct vdebugexit *d, uint16_t port, uint32_t val)
{
	if (d->requested)
		return;		/* the first request is the run's status */
	if (port == VDEBUGEXIT_PORT) {
		d->requested = true;
		d->status = val;
		return;
	}
	if (port != VDEBUGEXIT_BOCHS)
		return;
	/* Match the string byte by byte; a wrong byte starts over. */
	if ((char) val == shutdown[d->shutdown_match])
		d->shutdown_match++;
	else
		d->shutdown_match = (char) val == shutdown[0];
	if (d->shutdown_match == sizeof(shutdown) - 1) {
		d->requested = true;
		d->status = 0;
	}
}
