/*
 * conf_pae.c - PAE paging, natively and under the monitor (suite
 * `conformance`; grade/guests/conf_pae.c has the checks): the walk, the
 * accessed and dirty bits, 2 MB pages, the reserved bits, and a CR3 that
 * shares its page with another.
 */
#include "grade/conformance.h"

GRADE_TEST(conformance, pae, 0, "a kernel that turns on PAE paging gets QEMU's walk: 4 KB and 2 MB pages, A and D bits, reserved-bit faults, two PDPTs in one page, and back to two levels")
{
	conformance_check(&(struct guest_opts) { .image = "grade/guests/conf_pae" },
			  "conf_pae", NULL);
}
