/*
 * conformance.c - the conformance guests, natively and under the monitor
 * (suite `conformance`, worth no lab's points; conformance.h says how
 * each is judged).  The guests run before any engine's own tests are
 * trusted: a difference here is the monitor's, in the core every engine
 * shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/conformance.h"

void
conformance_check(const struct guest_opts *g, const char *suite,
		  struct boot_result *under)
{
	struct guest_opts o = *g;
	struct boot_result nat, mon;
	char re[96], dn[256], dm[256], *want, *got;

	o.engine = "native";
	boot_guest(&o, &nat);
	if (nat.how != BOOT_EXITED)
		expect_fail(&nat, "expected: %s runs to its end on bare QEMU\n"
			    "got: %s\nThe guest itself is wrong, not the monitor.",
			    suite, grade_outcome_text(&nat));
	expect_no_line(&nat, "FAIL");
	expect_all_checks(&nat, suite);

	o.engine = g->engine;		/* NULL: the grade's */
	boot_guest(&o, &mon);
	snprintf(re, sizeof(re), "^%s: .*$", suite);
	want = log_lines(&nat, re, false);
	got = log_lines(&mon, re, false);
	if (strcmp(want, got) != 0) {
		log_first_difference(want, got, dn, dm, sizeof(dn));
		expect_fail(&mon, "expected: %s's lines as on bare QEMU (its log: "
			    "%s)\ngot: a difference; first, natively: '%s', under "
			    "%s: '%s'\nrun ended: %s%s%s%s", suite, nat.logpath, dn,
			    guest_engine(&o), dm, grade_outcome_text(&mon),
			    g->needs ? "\nThis test needs " : "",
			    g->needs ? g->needs : "", g->needs ? "." : "");
	}
	expect_exit(&mon, 0);
	free(want);
	free(got);
	boot_free(&nat);
	if (under)
		*under = mon;
	else
		boot_free(&mon);
}
