/*
 * conformance.h - one way to judge a test guest against the hardware.
 *
 * docs/design.md section 7: the monitor must behave like the hardware, and
 * like QEMU's pc machine, wherever a guest can tell.  A conformance guest
 * (grade/guests/conf_*.c) probes one area and prints a line per check
 * ("SUITE: CHECK: ok" or "... FAIL (...)"), then a summary.  The test
 * runs it natively first (bare QEMU is the reference: every check must
 * pass there, or the guest is wrong), then under the engine of the grade
 * (`make grade LAB=conformance ENGINE=...`), and requires the same lines
 * in the same order.
 */
#ifndef GRADE_CONFORMANCE_H
#define GRADE_CONFORMANCE_H

#include "grade/harness.h"

/**
 * @brief Run test guest @p g (its .engine is ignored) natively and under
 * the grade's engine, and fail the test unless both print the same
 * "SUITE: ..." lines and every check passes natively.  @p under gets the
 * run under the engine, for the test's own checks of the monitor's
 * counters (may be NULL).
 */
void conformance_check(const struct guest_opts *g, const char *suite,
		       struct boot_result *under);

#endif
