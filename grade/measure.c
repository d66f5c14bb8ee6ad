/*
 * measure.c - the measurements the handouts ask for can be made (suite
 * `measure`, worth no points).
 *
 * Lab 5's questions (labs/lab5.md) are answered from the monitor's
 * counters, read under QEMU's instruction clock so that a run repeats
 * exactly and two students' figures agree.  That holds only as long as
 * nothing in a run depends on wall-clock time; this suite says when a
 * change to the kernel, the monitor or the guest breaks it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"

/* -icount shift=0 counts one instruction per nanosecond; sleep=off makes
 * idle time (the monitor's calibration hlts) jump instead of following
 * the host's clock. */
/* The instruction clock, and a fixed date: guest_xv6 prints the RTC's at
 * boot, and its digits change the count of instructions. */
#define ICOUNT	"-icount shift=0,sleep=off -rtc base=2026-01-01T00:00:00,clock=vm"

/* Every counter line of a run: the monitor's, te's and the shadow MMU's. */
static char *
counters(const struct boot_result *r)
{
	regmatch_t m;
	size_t pos = 0, len = 0;
	char *out = calloc(1, 1), *line;

	while (log_find(r, &pos, "^(vmm|te|shadow): [0-9a-z].*$", &m, 1)) {
		line = log_match_str(r, &m);
		out = realloc(out, len + strlen(line) + 2);
		len += sprintf(out + len, "%s\n", line);
		free(line);
	}
	return out;
}

static void
run_faultdemo(struct boot_result *r)
{
	/* The disk is a module: QEMU reads the file, the guest writes memory. */
	boot_guest(&(struct guest_opts) {
		.engine = "te", .image = "guest_xv6/kernel",
		.args = "run=faultdemo", .disk = "guest_xv6/fs.img",
		.extra_args = ICOUNT, .timeout = 120 }, r);
	expect_exit(r, 0);
	expect_line(r, "^faultdemo: done$");
}

GRADE_TEST(measure, te_icount_repeats, 0, "under -icount shift=0,sleep=off, two runs of faultdemo under te print the same counters, to the cycle")
{
	struct boot_result a, b;
	char *ca, *cb;

	run_faultdemo(&a);
	run_faultdemo(&b);
	ca = counters(&a);
	cb = counters(&b);
	if (strcmp(ca, cb) != 0)
		expect_fail(&b, "expected: the counters of %s, exactly\ngot: "
			    "others:\n%s\nSomething in a run follows the host's "
			    "clock: labs/lab5.md's measurements no longer "
			    "repeat.", a.logpath, cb);
	if (strstr(ca, "shadow: ") == NULL)
		expect_fail(&b, "expected: the shadow MMU's counters\ngot: none");
}
