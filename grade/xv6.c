/*
 * xv6.c - guest_xv6 in the grader (grade/xv6.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/xv6.h"

void
xv6_run(struct boot_result *r, const char *engine, const char *cmdline,
	const char *input, double timeout)
{
	boot_guest(&(struct guest_opts) {
		.engine = engine, .image = "guest_xv6/kernel", .args = cmdline,
		.disk = "guest_xv6/fs.img", .input = input,
		.input_after = "\\$ ", .timeout = timeout }, r);
}

void
xv6_run_native(struct boot_result *r, const char *cmdline, double timeout)
{
	boot_guest(&(struct guest_opts) {
		.engine = "native", .image = "guest_xv6/kernel", .args = cmdline,
		.disk = "guest_xv6/fs.img", .timeout = timeout }, r);
	if (r->how != BOOT_EXITED || r->status != 0)
		expect_fail(r, "expected: guest_xv6 runs `%s` natively, to "
			    "compare with its run under the monitor\ngot: %s\n"
			    "The guest itself fails, not your monitor: run `make "
			    "grade LAB=guest` and tell the course staff.", cmdline,
			    grade_outcome_text(r));
}

void
xv6_selftest_same(const char *engine, const char *needs)
{
	static const char *const re =
		"^(pid [0-9]+ )?selftest: (starting|[a-z]+ ok|.*FAILED.*|page "
		"fault at .*|trap .*|[0-9]+ passed, [0-9]+ failed)$";
	struct boot_result nat, mon;
	char *want, *got, dn[256], dm[256];

	xv6_run_native(&nat, "run=selftest", 90);
	want = log_lines(&nat, re, true);
	xv6_run(&mon, engine, "run=selftest", NULL, 300);
	/* A run that did not get to its end: that first (a selftest that
	 * fails ends it too, but with a status: the lines then say more). */
	if (mon.how != BOOT_EXITED)
		expect_guest_end(&mon, 0, needs);
	got = log_lines(&mon, re, true);
	if (strcmp(want, got) != 0) {
		log_first_difference(want, got, dn, dm, sizeof(dn));
		expect_fail(&mon, "expected: selftest's lines as in the native "
			    "run (its log: %s)\ngot: a difference; first, natively: '%s',"
			    " under the monitor: '%s'\nrun ended: %s\nThis test needs %s.",
			    nat.logpath, dn, dm, grade_outcome_text(&mon), needs);
	}
	need_line(&mon, "^selftest: [1-9][0-9]* passed, 0 failed$",
		  "every selftest passes", needs);
	expect_guest_end(&mon, 0, needs);
}
