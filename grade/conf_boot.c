/*
 * conf_boot.c - the boot a loader gives, natively and under the monitor
 * (suite `conformance`; grade/guests/conf_boot.c has the checks), and a
 * kernel linked low under the monitor alone.
 */
#include <stdio.h>
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

/*
 * Not a comparison: QEMU's own loader puts its information block after a
 * low kernel's file, where the kernel's bss then clears it.  The monitor
 * must load such a kernel and put everything it writes elsewhere; the
 * checks of addresses that assume 1 MB (ebx-info, mod-above-kernel) are
 * left out.
 */
GRADE_TEST(conformance, low_kernel, 0, "a kernel linked at 0x8000, over where the information block usually goes, is loaded and finds its Multiboot information and modules intact")
{
	static const char *const mods[] = {
		"grade/guests/conf_mod1 one two", "grade/guests/conf_mod2", NULL,
	};
	static const char *const intact[] = {
		"eax-magic", "mbi-flags", "mem-lower", "cmdline", "loader-name",
		"mmap-entries", "mmap-low", "mmap-ram", "mods-count",
		"mod1-string", "mod2-string", "mod-aligned", "mod1-size",
		"mod1-bytes", "mod2-bytes",
	};
	struct boot_result r;
	char re[96];
	size_t i;

	boot_guest(&(struct guest_opts) {
		.image = "grade/guests/conf_boot_low", .args = "boot checks",
		.modules = mods }, &r);
	expect_line(&r, "^vmm: loaded .*conf_boot_low: 1 segment at \\[00008000, 0000[0-9a-f]{4}\\)");
	/* Past the kernel's segment (it ends below 0xe000), below 640 KB. */
	expect_line(&r, "^vmm: the guest's command line .*, information at "
		    "(0000[ef][0-9a-f]{3}|000[1-9][0-9a-f]{4})$");
	for (i = 0; i < sizeof(intact) / sizeof(intact[0]); i++) {
		snprintf(re, sizeof(re), "^conf_boot: %s: ok$", intact[i]);
		expect_line(&r, re);
	}
	expect_no_line(&r, "cannot emulate|refused");
}
