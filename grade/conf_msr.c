/*
 * conf_msr.c - the MSRs and the BIOS's LAPIC, natively and under the
 * monitor (suite `conformance`; grade/guests/conf_msr.c has the checks).
 */
#include "grade/conformance.h"

GRADE_TEST(conformance, msr, 0, "the MSRs of QEMU's CPU read and write as natively, and the LAPIC is as the BIOS leaves it")
{
	conformance_check(&(struct guest_opts) { .image = "grade/guests/conf_msr" },
			  "conf_msr", NULL);
}
