/*
 * conf_dev.c - suite `conformance`: the virtual PC's devices as bare QEMU
 * shows them (docs/design.md section 4's promise).
 *
 * grade/guests/conf_dev probes the IDE channel with only a slave
 * attached, the 16550, the CRT controller, the 8254 and port 0x61, the
 * RTC and CMOS, the 8259 pair and its ELCR, the 8042 and the small ports,
 * and prints a line per behaviour.  conformance_check() runs it on bare
 * QEMU, where every check must pass, and then under the engine of the
 * grade; the lines must be the same.  Worth no points: a difference is a
 * device model's (vmm/dev/), not a student's.
 */
#include "grade/conformance.h"

/* Its disk as the primary slave, which is where the monitor puts it. */
static const struct guest_opts conf_dev = {
	.image = "grade/guests/conf_dev", .disk = "grade/guests/confdisk.img",
	.timeout = 60,
};

GRADE_TEST(conformance, devices, 0, "the devices a guest probes behave as on bare QEMU: IDE with only a slave, UART, CRTC, PIT, RTC/CMOS, 8259, 8042, small ports")
{
	conformance_check(&conf_dev, "conf_dev", NULL);
}
