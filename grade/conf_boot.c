/*
 * conf_boot.c - the boot a loader gives, natively and under the monitor
 * (suite `conformance`; grade/guests/conf_boot.c has the checks).
 */
#include "grade/conformance.h"

GRADE_TEST(conformance, boot, 0, "the CPU state, Multiboot information and modules at a guest's entry are QEMU's")
{
	static const char *const mods[] = {
		"grade/guests/conf_mod1 one two", "grade/guests/conf_mod2", NULL,
	};

	conformance_check(&(struct guest_opts) {
		.image = "grade/guests/conf_boot", .args = "boot checks",
		.modules = mods }, "conf_boot", NULL);
}
