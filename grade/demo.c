/*
 * demo.c - the instructors' demonstration of lab 5, checked: `make
 * demo-faults` in batch mode boots guest_xv6 under the te engine with GDB
 * attached, stops at the first page fault of each class faultdemo causes
 * and shows it (kern/gdb/, docs/demo-faults.md).  An instructor about to
 * run it in front of a class learns here, rather than in front of the
 * class, that it no longer works.
 *
 * It belongs to suite lab5, whose shadow MMU it shows, but is worth no
 * points: it grades nothing a student writes that lab5's own tests
 * (grade/lab5.c) do not, and it needs GDB.  The test runs make itself, as
 * the instructor would, and judges what the demonstration printed: a stop
 * for every class and the guest's own end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "grade/harness.h"
#include "grade/grade.h"

/* The classes faultdemo causes for certain (kern/gdb/Makefrag, DEMO_CLASSES). */
static const char *const classes[][2] = {
	{ "fill", "HIDDEN" },
	{ "dirty", "HIDDEN" },
	{ "trace", "HIDDEN" },
	{ "true", "TRUE" },
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* While the demonstration runs: another test found the kernel stuck, and
 * GDB would wait, to the time limit, for faults it never takes. */
static bool
other_test_stuck(void)
{
	return grade_session_hang() != NULL;
}

GRADE_TEST(lab5, demo_faults, 0, "make demo-faults DEMO_BATCH=1 (the GDB demonstration) stops at a fill, a dirty-bit, a traced-write and a true fault, and the guest finishes")
{
	char path[PATH_MAX], timeout[32], qemu[PATH_MAX + 8], *out, *err;
	struct boot_result r;
	char re[128];
	FILE *f;
	double t0;
	size_t i, pos = 0;
	regmatch_t m;
	int rc;

	/* GDB would wait for faults a stuck kernel never takes. */
	if (grade_session_hang())
		expect_fail(NULL, "expected: the demonstration runs\ngot: not run: "
			    "an earlier test found the kernel stuck in %s; fix that "
			    "first", grade_session_hang());
	if (!find_program("gdb", path, sizeof(path)))
		grade_not_gradable("the demonstration needs GDB: install it with "
				   "`sudo apt-get install gdb` (or run `make deps` "
				   "as root)");
	/* Its own limit (a batch run takes about 10 s), scaled like every
	 * boot's, which bounds it when the kernel hangs; the make variables the
	 * grader was given (a nested make must not inherit the jobserver). */
	snprintf(timeout, sizeof(timeout), "DEMO_TIMEOUT=%.0f",
		 60 * grade_timeout_scale());
	snprintf(qemu, sizeof(qemu), "QEMU=%s", grade_env("QEMU"));
	memset(&r, 0, sizeof(r));
	snprintf(r.command, sizeof(r.command),
		 "make demo-faults DEMO_BATCH=1 %s", timeout);
	t0 = now();
	rc = run_command_until((const char *const[]) { "env", "-u", "MAKEFLAGS", "-u",
			 "MFLAGS", "-u", "MAKELEVEL", "make", "-s",
			 "--no-print-directory", "demo-faults", "DEMO_BATCH=1",
			 timeout, qemu, NULL }, &out, &err, other_test_stuck);
	r.seconds = now() - t0;
	if (rc < 0)
		expect_fail(NULL, "cannot run make: %s", strerror(errno));
	if (grade_session_hang())
		expect_fail(NULL, "expected: the demonstration runs to its end\n"
			    "got: stopped after %.0f s: another test found the "
			    "kernel stuck in %s; fix that first", r.seconds,
			    grade_session_hang());

	/* The log: what the instructor would have seen, then make's errors. */
	snprintf(r.logpath, sizeof(r.logpath), "%s", grade_test_path("logs", ".log"));
	r.log = out;
	if (err && *err) {
		r.log = malloc(strlen(out) + strlen(err) + 2);
		sprintf(r.log, "%s%s%s", out, *out ? "\n" : "", err);
	}
	/* The serial console ends lines with CR LF; the log helpers want LF. */
	for (i = 0, pos = 0; r.log[i]; i++)
		if (r.log[i] != '\r')
			r.log[pos++] = r.log[i];
	r.log[pos] = '\0';
	pos = 0;
	r.len = strlen(r.log);
	r.how = BOOT_EXITED;
	r.status = rc;
	if ((f = fopen(r.logpath, "w")) != NULL) {
		fputs(r.log, f);
		fclose(f);
	}

	/* The demonstration's own verdict first: it says what went wrong. */
	if (rc != 0) {
		if (log_find(&r, &pos, "^demo-faults: FAIL.*$", &m, 1))
			expect_fail(&r, "expected: make demo-faults DEMO_BATCH=1 "
				    "succeeds\ngot: %s", log_match_str(&r, &m));
		expect_fail(&r, "expected: make demo-faults DEMO_BATCH=1 succeeds\n"
			    "got: exit status %d after %.0f s", rc, r.seconds);
	}
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		snprintf(re, sizeof(re), "^demo-faults: stop [0-9]+: class %s, a %s fault",
			 classes[i][0], classes[i][1]);
		if (log_count(&r, re) == 0)
			expect_fail(&r, "expected: the demonstration stops at the "
				    "first %s fault (%s) and shows it\ngot: no such "
				    "stop", classes[i][0], classes[i][1]);
	}
	expect_line(&r, "^faultdemo: done$");
	expect_line(&r, "^demo-faults: the guest exited with status 0$");
	free(err);
}
