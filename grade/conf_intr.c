/*
 * conf_intr.c - interrupt and exception delivery, double faults and the
 * hardware task switch, natively and under the monitor (suite
 * `conformance`; grade/guests/conf_intr.c has the checks).
 */
#include "grade/conformance.h"

GRADE_TEST(conformance, intr, 0, "bad gates, bad handler segments, double faults and task switches raise what the CPU raises")
{
	conformance_check(&(struct guest_opts) { .image = "grade/guests/conf_intr" },
			  "conf_intr", NULL);
}
