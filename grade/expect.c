/*
 * expect.c - the checks tests make, and how a failure is explained.
 *
 * A failed test must tell a student what to fix without rerunning
 * anything: what the grader expected, what it got, the end of what the
 * kernel printed, where the full log is, and the command that reproduces
 * the run.  Every failure goes through grade_fail so they all read alike.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"
#include "grade/grade.h"

#define TAIL_LINES	15

/*
 * A stub of a lab says so in one form: "FUNC: not implemented (lab N,
 * exercise E)", as a panic or as the monitor's reason to stop the guest.
 * The first one the run reached, as "the stub of FUNC (lab N, exercise
 * E)", or NULL.
 */
static const char *
stub_reached(const struct boot_result *res)
{
	static char text[160];
	regmatch_t m[4];
	size_t pos = 0;
	char *func, *lab;

	if (!res->log || !log_find(res, &pos, "([a-z_]+): not implemented "
				   "\\((lab [0-9]+[^)]*)\\)", m, 3))
		return NULL;
	func = log_match_str(res, &m[1]);
	lab = log_match_str(res, &m[2]);
	snprintf(text, sizeof(text), "the stub of %s (%s)", func, lab);
	free(func);
	free(lab);
	return text;
}

/* The monitor's line saying why it stopped the guest, or NULL. */
static char *
monitor_stop_line(const struct boot_result *res)
{
	regmatch_t m;
	size_t pos = 0;

	if (!res->log || !log_find(res, &pos, "^vmm: stopped the guest at .*$",
				   &m, 1))
		return NULL;
	return log_match_str(res, &m);
}

/* How the run ended, as the end of a sentence starting "got: ". */
static void
describe_outcome(struct strbuf *b, const struct boot_result *res)
{
	const char *stub = stub_reached(res);
	char *stop = monitor_stop_line(res);

	switch (res->how) {
	case BOOT_EXITED:
		strbuf_printf(b, "the kernel exited with status %d after %.1f s",
			      res->status, res->seconds);
		break;
	case BOOT_STOPPED:
		if (stop)
			strbuf_printf(b, "the monitor stopped the guest after "
				      "%.1f s: \"%s\"", res->seconds, stop);
		else
			strbuf_printf(b, "the grader ended the run after %.1f s, "
				      "as the test asked", res->seconds);
		break;
	case BOOT_PANIC:
		strbuf_printf(b, "the kernel panicked: %s", res->why);
		break;
	case BOOT_TRIPLE_FAULT:
		strbuf_printf(b, "the machine triple-faulted (an exception "
			      "occurred that the CPU could not deliver, so it "
			      "reset)%s%s", res->why[0] ? ": " : "", res->why);
		break;
	case BOOT_TIMEOUT:
		if (strncmp(res->why, "stuck in ", 9) == 0)
			strbuf_printf(b, "the kernel is %s", res->why);
		else
			strbuf_printf(b, "TIMEOUT after %.0f s: the kernel neither "
				      "exited nor panicked (an endless loop, or "
				      "waiting for input that never came?)%s%s",
				      res->timeout, res->why[0] ? "; " : "",
				      res->why);
		break;
	case BOOT_NOT_GRADABLE:
		strbuf_printf(b, "not gradable on this host: %s", res->why);
		break;
	case BOOT_ERROR:
		strbuf_printf(b, "the emulator could not run: %s", res->why);
		break;
	}
	if (stub && res->how != BOOT_EXITED)
		strbuf_printf(b, "\nThe run reached %s: it is not written yet.",
			      stub);
	free(stop);
}

const char *
grade_outcome_text(const struct boot_result *res)
{
	static struct strbuf b;

	free(b.s);
	b = (struct strbuf) { 0 };
	describe_outcome(&b, res);
	return b.s;
}

/* The end of the console, the log's path and the command to rerun. */
static void
describe_log(struct strbuf *b, const struct boot_result *res)
{
	if (res->len == 0)
		strbuf_printf(b, "The kernel printed nothing.\n");
	else {
		strbuf_printf(b, "Last lines the kernel printed:\n");
		strbuf_tail(b, res->log, res->len, TAIL_LINES, "  | ");
	}
	strbuf_printf(b, "Full log: %s\n", res->logpath);
	if (res->command[0])
		strbuf_printf(b, "Rerun: %s\n", res->command);
}

/* Record a failed assertion at the test's line and end the test. */
static void __attribute__((noreturn))
fail_with(const char *file, int line, const char *msg)
{
	struct criterion_assert_stats stat = {
		.message = msg,
		.passed = false,
		.file = file,
		.line = line,
	};

	criterion_send_assert(&stat);
	criterion_abort_test();
}

void
grade_fail(const char *file, int line, const struct boot_result *res,
	   const char *fmt, ...)
{
	struct strbuf b = { 0 };
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	strbuf_printf(&b, "%s\n", msg);
	free(msg);
	if (res)
		describe_log(&b, res);
	fail_with(file, line, b.s);
}

void
grade_expect_checks(const char *file, int line, const struct boot_result *res,
		    const char *guest, const char *const *names, size_t n,
		    const char *needs, const char *hint)
{
	struct strbuf b = { 0 };
	regmatch_t m;
	size_t i, pos;
	char re[128];

	for (i = 0; i < n; i++) {
		snprintf(re, sizeof(re), "^%s: %s: ok$", guest, names[i]);
		if (log_count(res, re) > 0)
			continue;
		snprintf(re, sizeof(re), "^%s: %s: FAIL.*$", guest, names[i]);
		pos = 0;
		strbuf_printf(&b, "expected: %s's check %s gives a bare PC's "
			      "result under the monitor\ngot: ", guest, names[i]);
		if (log_find(res, &pos, re, &m, 1)) {
			strbuf_printf(&b, "%s", log_match_str(res, &m));
		} else {
			strbuf_printf(&b, "the run ended before %s reached it: ",
				      guest);
			describe_outcome(&b, res);
		}
		grade_fail(file, line, res, "%s\n%sThis check needs %s.", b.s,
			   hint, needs);
	}
}

void
grade_expect_all_checks(const char *file, int line,
			const struct boot_result *res, const char *guest)
{
	regmatch_t m[3];
	size_t pos = 0;
	char re[96], *ok, *all;

	snprintf(re, sizeof(re), "^%s: ([0-9]+) of ([0-9]+) checks passed$",
		 guest);
	grade_expect_line(file, line, res, re);
	log_find(res, &pos, re, m, 3);
	ok = log_match_str(res, &m[1]);
	all = log_match_str(res, &m[2]);
	if (strcmp(ok, all) != 0)
		grade_fail(file, line, res, "expected: every check of %s passes\n"
			   "got: %s of %s", guest, ok, all);
	/* The summary counts what the lines say, no more. */
	snprintf(re, sizeof(re), "^%s: [^ ]+: ok$", guest);
	if (log_count(res, re) != (size_t) atoi(all))
		grade_fail(file, line, res, "expected: %s's summary counts its "
			   "%zu \"ok\" lines\ngot: %s checks", guest,
			   log_count(res, re), all);
}

void
grade_expect_check_passed(const char *file, int line,
			  const struct boot_result *res, const char *name)
{
	regmatch_t m[1];
	size_t pos = 0, next;
	char *why, *where = NULL;

	if (res->how != BOOT_EXITED || !log_find(res, &pos, "^FAIL: .*$", m, 1))
		return;
	why = log_match_str(res, &m[0]);
	next = pos;
	if (log_find(res, &next, "^ +\\(.* at [^ ]+:[0-9]+\\)$", m, 1) &&
	    (size_t) m[0].rm_so == pos)
		where = log_match_str(res, &m[0]);
	grade_fail(file, line, res, "expected: every check of test=%s passes "
		   "(\"%s: ok\")\ngot: %s%s%s", name, name, why + strlen("FAIL: "),
		   where ? "\n" : "", where ? where : "");
}

void
grade_skip(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	criterion_skip_test(GRADE_NG_PREFIX "%s", msg);
}

/*
 * A run that did not happen cannot be judged: skip it if the host lacks
 * what it needs, fail it if the emulator could not start.
 */
static void
require_run(const char *file, int line, const struct boot_result *res,
	    const char *expected)
{
	struct strbuf b = { 0 };

	if (res->how == BOOT_NOT_GRADABLE)
		grade_skip("%s", res->why);
	if (res->how != BOOT_ERROR)
		return;
	strbuf_printf(&b, "expected: %s\ngot: ", expected);
	describe_outcome(&b, res);
	grade_fail(file, line, res, "%s", b.s);
}

/* Fail with "expected: ...", "got: <how the run ended>" and the log. */
static void __attribute__((noreturn))
fail_outcome(const char *file, int line, const struct boot_result *res,
	     const char *expected)
{
	struct strbuf b = { 0 };

	strbuf_printf(&b, "expected: %s\ngot: ", expected);
	describe_outcome(&b, res);
	grade_fail(file, line, res, "%s", b.s);
}

void
grade_expect_exit(const char *file, int line, const struct boot_result *res,
		  int status)
{
	char want[64];

	snprintf(want, sizeof(want), "the kernel exits with status %d", status);
	require_run(file, line, res, want);
	if (res->how != BOOT_EXITED || res->status != status)
		fail_outcome(file, line, res, want);
}

void
grade_expect_ok(const char *file, int line, const struct boot_result *res)
{
	const char *want = "the run ends normally (exit status 0)";

	require_run(file, line, res, want);
	if (res->how == BOOT_STOPPED ||
	    (res->how == BOOT_EXITED && res->status == 0))
		return;
	fail_outcome(file, line, res, want);
}

void
grade_expect_outcome(const char *file, int line, const struct boot_result *res,
		     enum boot_outcome how)
{
	char want[64];

	snprintf(want, sizeof(want), "the run %s", boot_outcome_name(how));
	require_run(file, line, res, want);
	if (res->how != how)
		fail_outcome(file, line, res, want);
}

/* The 1-based number of the line holding byte pos of the log. */
static int
line_number(const struct boot_result *res, size_t pos)
{
	int n = 1;
	size_t i;

	for (i = 0; i < pos && i < res->len; i++)
		n += res->log[i] == '\n';
	return n;
}

/*
 * The line a student would compare with: "pgdetect: popf-if: clean ..."
 * when the test wanted /^pgdetect: popf-if: DETECTED /.  Takes the plain
 * text the regex starts with, and shortens it a ": "-separated field at
 * a time until some line starts with it.
 */
static void
nearest_line(struct strbuf *b, const struct boot_result *res, const char *re)
{
	char prefix[128], *cut, pattern[160];
	regmatch_t m;
	size_t n = 0, pos;
	const char *p = re[0] == '^' ? re + 1 : re;

	while (p[n] && !strchr(".[]()*+?{}|\\^$", p[n]) && n < sizeof(prefix) - 1)
		n++;
	snprintf(prefix, sizeof(prefix), "%.*s", (int) n, p);
	while ((cut = strrchr(prefix, ':')) != NULL) {
		cut[1] = '\0';
		snprintf(pattern, sizeof(pattern), "^%s .*$", prefix);
		pos = 0;
		if (strlen(prefix) > 1 && log_find(res, &pos, pattern, &m, 1)) {
			strbuf_printf(b, " (the nearest: line %d: %s)",
				      line_number(res, m.rm_so),
				      log_match_str(res, &m));
			return;
		}
		*cut = '\0';
	}
}

void
grade_expect_line(const char *file, int line, const struct boot_result *res,
		  const char *re)
{
	struct strbuf want = { 0 }, b = { 0 };
	size_t pos = 0;

	strbuf_printf(&want, "a line matching /%s/", re);
	require_run(file, line, res, want.s);
	if (log_find(res, &pos, re, NULL, 0)) {
		free(want.s);
		return;
	}
	strbuf_printf(&b, "expected: %s\ngot: no such line", want.s);
	nearest_line(&b, res, re);
	strbuf_printf(&b, "; ");
	describe_outcome(&b, res);
	grade_fail(file, line, res, "%s", b.s);
}

void
grade_expect_no_line(const char *file, int line, const struct boot_result *res,
		     const char *re)
{
	struct strbuf want = { 0 };
	regmatch_t m;
	size_t pos = 0;
	char *text;

	strbuf_printf(&want, "no line matching /%s/", re);
	require_run(file, line, res, want.s);
	if (!log_find(res, &pos, re, &m, 1)) {
		free(want.s);
		return;
	}
	/* Show the whole offending line, not just the part that matched. */
	while (m.rm_so > 0 && res->log[m.rm_so - 1] != '\n')
		m.rm_so--;
	m.rm_eo = m.rm_so + strcspn(res->log + m.rm_so, "\n");
	text = log_match_str(res, &m);
	grade_fail(file, line, res, "expected: %s\ngot: line %d: %s",
		   want.s, line_number(res, m.rm_so), text);
}

void
grade_expect_lines_in_order(const char *file, int line,
			    const struct boot_result *res,
			    const char *const *regexes)
{
	struct strbuf want = { 0 }, b = { 0 };
	size_t pos = 0;
	int i;

	strbuf_printf(&want, "lines matching, in this order:");
	for (i = 0; regexes[i]; i++)
		strbuf_printf(&want, "\n    /%s/", regexes[i]);
	require_run(file, line, res, want.s);
	for (i = 0; regexes[i]; i++) {
		if (log_find(res, &pos, regexes[i], NULL, 0))
			continue;
		strbuf_printf(&b, "expected: %s\ngot: nothing matched /%s/", want.s,
			      regexes[i]);
		if (i > 0)
			strbuf_printf(&b, " after line %d (the match for /%s/)",
				      line_number(res, pos) - 1, regexes[i - 1]);
		strbuf_printf(&b, "; ");
		describe_outcome(&b, res);
		grade_fail(file, line, res, "%s", b.s);
	}
	free(want.s);
}
