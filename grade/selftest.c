/*
 * selftest.c - the grader's checks of itself (suite `harness`, no points).
 *
 * A grader that cannot fail proves nothing.  These boot kernels that
 * misbehave on purpose (ktest.c's panic, hang and triplefault) and check
 * that each is reported for what it is, promptly, with its log saved and
 * no emulator left behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "grade/harness.h"

/* Every child boot() started is gone: killed and reaped. */
static void
expect_no_children(const struct boot_result *r)
{
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		expect_fail(r, "boot() returned with a child process still "
			    "around: the emulator was not reaped");
}

GRADE_TEST(harness, panic_detected, 0, "a kernel panic is reported as a panic, at once")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "test=panic", .timeout = 20 }, &r);
	expect_outcome(&r, BOOT_PANIC);
	cr_assert(strstr(r.why, "this panic is expected"),
		  "the panic's reason should be its own line, not \"%s\"", r.why);
	cr_assert(r.seconds < r.timeout / 4, "a panic took %.1f s to be noticed "
		  "(timeout %.0f s): the harness waited instead of stopping",
		  r.seconds, r.timeout);
	expect_line(&r, "^Stack backtrace:$");	/* the grace kept the backtrace */
	expect_no_children(&r);
}

GRADE_TEST(harness, triplefault_detected, 0, "a triple fault is reported as one")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "test=triplefault" }, &r);
	expect_outcome(&r, BOOT_TRIPLE_FAULT);
	expect_no_line(&r, "^exit status");
	expect_no_children(&r);
}

GRADE_TEST(harness, timeout_detected, 0, "a hung kernel is killed at its timeout and reported")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "test=hang", .timeout = 1 }, &r);
	expect_outcome(&r, BOOT_TIMEOUT);
	expect_line(&r, "^hanging on purpose$");
	cr_assert(r.seconds < r.timeout + 2, "the hung run took %.1f s to end "
		  "(timeout %.0f s)", r.seconds, r.timeout);
	expect_no_children(&r);
}

GRADE_TEST(harness, log_saved, 0, "the console log is saved at obj/grade/logs/SUITE/TEST.log")
{
	struct boot_result r, again;
	char want[PATH_MAX], *text = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	snprintf(want, sizeof(want), "%s/grade/logs/harness/log_saved.log",
		 grade_env("OBJDIR"));
	boot(&(struct boot_opts) { .cmdline = "test=printf" }, &r);
	expect_exit(&r, 0);
	cr_assert_str_eq(r.logpath, want);
	f = fopen(r.logpath, "r");
	cr_assert(f, "no log file at %s", r.logpath);
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	cr_assert(n >= 0 && (size_t) n == r.len && memcmp(text, r.log, n) == 0,
		  "%s does not hold what the console printed", r.logpath);

	/* A second boot in the same test keeps the first log. */
	boot(&(struct boot_opts) { .cmdline = "test=printf" }, &again);
	cr_assert(strcmp(again.logpath, r.logpath) != 0,
		  "a second boot overwrote the first one's log");
}

GRADE_TEST(harness, input_and_stop, 0, "input is typed at the prompt; stop_on ends a run early")
{
	struct boot_result r;

	/* Left alone, the monitor would wait for more input until the
	 * timeout: only stop_on can end this run quickly. */
	boot(&(struct boot_opts) { .input = "help\n", .stop_on = "^exit - " }, &r);
	expect_outcome(&r, BOOT_STOPPED);
	cr_assert(r.seconds < r.timeout / 2, "stop_on matched, yet the run "
		  "took %.1f s", r.seconds);
	cr_assert_eq(log_count(&r, "^help - "), 1,
		     "the one `help` typed should list the commands once");
	expect_no_children(&r);
}

GRADE_TEST(harness, bochs_panic, 0, "under Bochs too, a panic is reported as a panic")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .emulator = "bochs", .cmdline = "test=panic",
				   .timeout = 30 }, &r);
	expect_outcome(&r, BOOT_PANIC);
	expect_no_children(&r);
}

GRADE_TEST(harness, bochs_triplefault, 0, "under Bochs too, a triple fault is reported as one")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .emulator = "bochs",
				   .cmdline = "test=triplefault", .timeout = 30 }, &r);
	expect_outcome(&r, BOOT_TRIPLE_FAULT);
	expect_no_children(&r);
}

GRADE_TEST(harness, bochs_timeout, 0, "a hung kernel under Bochs is stopped at its timeout, and cleaned up")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .emulator = "bochs", .cmdline = "test=hang",
				   .timeout = 2 }, &r);
	expect_outcome(&r, BOOT_TIMEOUT);
	expect_line(&r, "^hanging on purpose$");
	expect_no_children(&r);
}
