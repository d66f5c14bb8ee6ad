/*
 * conf_desc.c - descriptor tables, natively and under the monitor (suite
 * `conformance`; grade/guests/conf_desc.c has the checks).
 */
#include "grade/conformance.h"

GRADE_TEST(conformance, desc, 0, "a GDT rewritten after lgdt gives the new descriptor at the next load and the old one to a register loaded before; bad segment loads raise what the CPU raises")
{
	conformance_check(&(struct guest_opts) { .image = "grade/guests/conf_desc" },
			  "conf_desc", NULL);
}
