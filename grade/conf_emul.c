/*
 * conf_emul.c - the emulator's repertoire against the hardware (suite
 * `conformance`, worth no lab's points).
 *
 * Adams & Agesen, sections 2 and 2.4: what a guest does to a device
 * page, to a page table the shadow traces, or to a page inside the
 * monitor's range is carried out by the monitor's emulator, and must
 * come out as the CPU would have it.  grade/guests/conf_emul runs every
 * form the emulator knows on RAM and on such pages and compares the two
 * itself; conformance_check() then holds its lines under the engine to
 * its lines on bare QEMU.  Under te the monitor's counters must also
 * show that the pages really trapped, so that a pass says something
 * about the emulator and not only about the shadow MMU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/conformance.h"

/* Each class of emulated access the guest makes: at least this many. */
#define MIN_TRAPS	1000

/* The count the monitor printed for one class of hidden fault, or -1. */
static long long
shadow_class(const struct boot_result *r, const char *name)
{
	char re[96];
	regmatch_t m[2];
	size_t pos = 0;
	long long v;
	char *s;

	snprintf(re, sizeof(re), "^shadow:   hidden: %s +([0-9]+)$", name);
	if (!log_find(r, &pos, re, m, 2))
		return -1;
	s = log_match_str(r, &m[1]);
	v = strtoll(s, NULL, 10);
	free(s);
	return v;
}

GRADE_TEST(conformance, emul, 0, "every instruction form the emulator carries out gives, on an IOAPIC register, a page in the monitor's range and a traced page table, what it gives on RAM, as on bare QEMU; rewritten page-table entries take effect")
{
	static const char *const classes[] = { "MMIO", "monitor range", "traced write" };
	struct boot_result r;
	long long n;
	size_t i;

	conformance_check(&(struct guest_opts) {
		.image = "grade/guests/conf_emul", .timeout = 120 }, "conf_emul", &r);
	if (strcmp(guest_engine(&(struct guest_opts) { 0 }), "te") == 0) {
		for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
			n = shadow_class(&r, classes[i]);
			if (n < MIN_TRAPS)
				expect_fail(&r, "expected: at least %d hidden faults of "
					    "class '%s' (the windows conf_emul uses must "
					    "trap, or its checks test nothing)\ngot: %lld",
					    MIN_TRAPS, classes[i], n);
		}
	}
	boot_free(&r);
}
