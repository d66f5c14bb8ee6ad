/*
 * main.c - the grader's command line: choose the tests, run, report.
 *
 * `make grade LAB=N TEST=name` runs obj/grade/grade --lab=N --test=name.
 * Each suite is a lab (lab1, lab2, ...) plus `harness`, the grader's checks
 * of itself.  Anything else on the command line goes to Criterion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "grade/harness.h"
#include "grade/grade.h"

#define MAX_JOBS	2	/* the course machines have two cores */

static const char usage[] =
	"usage: make grade [LAB=N [TEST=name]]\n"
	"   or: obj/grade/grade [--lab=N] [--test=name] [--list] [--fail-fast]\n"
	"                       [--scored] [criterion options]\n"
	"--fail-fast (-f) starts no test after one has failed, and cuts short\n"
	"those running; the report is still written, the tests not run\n"
	"scoring nothing.  --scored runs only the tests worth points.\n"
	"Environment: GRADE_TIMEOUT_SCALE=k multiplies every timeout by k;\n"
	"GRADE_EXPECT=fail succeeds only if every selected gradable test fails.\n";

/* The suites, each named once, in lab order. */
static const char *suites[64];
static int nsuites;

static void
collect_suites(struct criterion_test_set *set)
{
	struct criterion_suite_set *ss;

	FOREACH_SET(ss, set->suites) {
		if (ss->tests->size > 0 && nsuites < 64)
			suites[nsuites++] = ss->suite.name;
	}
}

static void
list_labs(FILE *f)
{
	int i;

	fprintf(f, "The labs are:");
	for (i = 0; i < nsuites; i++)
		if (strncmp(suites[i], "lab", 3) == 0)
			fprintf(f, " %s", suites[i] + 3);
	fprintf(f, "\nOther suites, worth no points:");
	for (i = 0; i < nsuites; i++)
		if (strncmp(suites[i], "lab", 3) != 0)
			fprintf(f, " %s", suites[i]);
	fprintf(f, " (harness: the grader's checks of itself)\n");
}

/* "1" or "lab1" names suite lab1; "harness" names itself. */
static const char *
find_suite(const char *lab)
{
	char name[64];
	int i;

	snprintf(name, sizeof(name), "%s%s",
		 lab[0] >= '0' && lab[0] <= '9' ? "lab" : "", lab);
	for (i = 0; i < nsuites; i++)
		if (strcmp(suites[i], name) == 0)
			return suites[i];
	return NULL;
}

/* Does the selection (suite may be NULL: all; test may be NULL) hold t? */
static bool
selected(const struct criterion_test *t, const char *suite, const char *test)
{
	return (!suite || strcmp(t->category, suite) == 0) &&
	       (!test || strcmp(t->name, test) == 0);
}

/* With scored, the tests worth no points are left out (not even run). */
static int
select_tests(struct criterion_test_set *set, const char *suite,
	     const char *test, bool scored)
{
	struct criterion_suite_set *ss;
	struct criterion_test *t;
	int count = 0;		/* not n: FOREACH_SET declares its own n */

	FOREACH_SET(ss, set->suites) {
		FOREACH_SET(t, ss->tests) {
			if (!selected(t, suite, test))
				continue;
			if (scored && grade_points(t) == 0) {
				t->data->disabled = true;
				continue;
			}
			count++;
			report_add_selected(t);
		}
	}
	return count;
}

/* Say what the tests of suite are, for a TEST that is not one of them. */
static void
list_tests(struct criterion_test_set *set, const char *suite)
{
	struct criterion_suite_set *ss;
	struct criterion_test *t;

	fprintf(stderr, "The tests%s%s are:", suite ? " of " : "", suite ? suite : "");
	FOREACH_SET(ss, set->suites) {
		FOREACH_SET(t, ss->tests) {
			if (selected(t, suite, NULL))
				fprintf(stderr, " %s", t->name);
		}
	}
	fprintf(stderr, "\n");
}

/* Fail once, clearly, for what would otherwise fail every test alike. */
static bool
preflight(void)
{
	char path[PATH_MAX];

	if (!find_program(grade_env("QEMU"), path, sizeof(path))) {
		fprintf(stderr, "grade: %s not found: install it with `sudo apt-get "
			"install qemu-system-x86` or run `make deps` as root\n",
			grade_env("QEMU"));
		return false;
	}
	if (access(grade_env("KERNEL"), R_OK) != 0) {
		fprintf(stderr, "grade: %s not found: build the kernel with `make` "
			"(`make grade` does it for you)\n", grade_env("KERNEL"));
		return false;
	}
	return true;
}

/*
 * What the tests of one `make grade` tell each other (GRADE_SESSION):
 * a kernel found stuck once is given less time to be found stuck again;
 * with --fail-fast, the first failure stops the tests not yet started.
 */
static void
start_session(void)
{
	char dir[PATH_MAX / 2], path[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/grade/session", grade_env("OBJDIR"));
	snprintf(path, sizeof(path), "%s/hangs", dir);
	make_dirs(dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/failed", dir);
	unlink(path);
	setenv("GRADE_SESSION", dir, 1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	const char *lab = NULL, *test = NULL, *suite = NULL, *expect;
	struct criterion_test_set *set;
	char pattern[256];
	bool list = false, scored = false, expect_fail;
	double start = now();
	int i, n = 1, status;

	if (access("grade/Makefrag", R_OK) != 0) {
		fprintf(stderr, "grade: run the grader from the top of the tree "
			"(where the Makefile is): `make grade`\n");
		return 2;
	}
	expect = getenv("GRADE_EXPECT");
	expect_fail = expect && strcmp(expect, "fail") == 0;
	if (expect && *expect && !expect_fail && strcmp(expect, "pass") != 0) {
		fprintf(stderr, "grade: GRADE_EXPECT=%s is not understood: use "
			"GRADE_EXPECT=fail (or pass, the default)\n", expect);
		return 2;
	}
	grade_timeout_scale();	/* reject a bad value before any test runs */

	/* Take our options out; leave Criterion's in argv. */
	unsetenv(GRADE_FAIL_FAST_ENV);	/* only ours turns it on */
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--lab=", 6) == 0)
			lab = argv[i] + 6;
		else if (strncmp(argv[i], "--test=", 7) == 0)
			test = argv[i] + 7;
		else if (strcmp(argv[i], "--list") == 0)
			list = true;
		/* Criterion's own --fail-fast exits at the first failure,
		 * before the report: ours lets the tests running finish. */
		else if (strcmp(argv[i], "--fail-fast") == 0 || strcmp(argv[i], "-f") == 0)
			setenv(GRADE_FAIL_FAST_ENV, "1", 1);
		else if (strcmp(argv[i], "--scored") == 0)
			scored = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			printf("Criterion's own options follow.\n\n");
			argv[n++] = argv[i];
		} else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	if (lab && (!*lab || strcmp(lab, "all") == 0))
		lab = NULL;
	if (test && !*test)
		test = NULL;

	set = criterion_initialize();
	collect_suites(set);
	if (lab && !(suite = find_suite(lab))) {
		fprintf(stderr, "grade: there is no lab '%s'.\n", lab);
		list_labs(stderr);
		fputs(usage, stderr);
		criterion_finalize(set);
		return 2;
	}
	if (select_tests(set, suite, test, scored) == 0) {
		fprintf(stderr, "grade: there is no test '%s'%s%s.\n",
			test ? test : "", suite ? " in " : "", suite ? suite : "");
		list_tests(set, suite);
		criterion_finalize(set);
		return 2;
	}

	report_begin();
	if (list) {
		report_list();
		criterion_finalize(set);
		return 0;
	}
	if (!criterion_handle_args(n, argv, true)) {
		criterion_finalize(set);
		return 0;
	}
	if (!preflight()) {
		criterion_finalize(set);
		return 2;
	}
	if (suite || test) {
		snprintf(pattern, sizeof(pattern), "%s/%s", suite ? suite : "*",
			 test ? test : "*");
		criterion_options.pattern = pattern;
	}
	if (criterion_options.jobs == 0 || criterion_options.jobs > MAX_JOBS)
		criterion_options.jobs = MAX_JOBS;
	/* The report explains every failure, in order (report.c); Criterion's
	 * own messages would come as the tests finish, mixed. */
	criterion_options.logging_threshold = CRITERION_LOG_LEVEL_QUIET;

	start_session();
	fflush(NULL);
	criterion_run_all_tests(set);
	criterion_finalize(set);
	status = report_finish(expect_fail, now() - start);
	return status;
}
