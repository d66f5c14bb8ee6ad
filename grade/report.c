/*
 * report.c - scores: the table students read, the files machines read.
 *
 * Criterion runs each test in a worker process and tells the runner how it
 * went through report hooks; this file collects those reports, then prints
 * a per-test and per-lab table, writes results.json (the format common
 * autograders read) and JUnit XML (what CI systems read), and decides the
 * grader's exit status.  A skipped test is one that is NOT GRADABLE here:
 * it earns nothing and fails nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/hooks.h>
#include "grade/harness.h"
#include "grade/grade.h"

#define RESULTS_JSON	"results.json"
#define JUNIT_XML	"grade/junit.xml"	/* under OBJDIR */

enum verdict { NOT_RUN, PASS, FAIL, NOT_GRADABLE };

static const char *const verdict_names[] = {
	[NOT_RUN] = "NOT RUN", [PASS] = "PASS", [FAIL] = "FAIL",
	[NOT_GRADABLE] = "NOT GRADABLE",
};

/* One row of the table. */
struct row {
	const struct criterion_test *test;
	enum verdict verdict;
	int points;
	double seconds;
	char *output;		/* why it failed or was not gradable */
};

static struct row *rows;
static size_t nrows;
/* Where a line per finished test goes: the grader's own stdout, kept
 * aside before Criterion takes over the runner's. */
static FILE *progress;

int
grade_points(const struct criterion_test *test)
{
	const struct grade_info *info = test->data ? test->data->data : NULL;

	return info ? info->points : 0;
}

/* lab2 before lab10: compare the digits in names as numbers. */
static int
natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			char *ea, *eb;
			long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char) *a - (unsigned char) *b;
		a++, b++;
	}
	return (unsigned char) *a - (unsigned char) *b;
}

/* Labs first, then other suites, then the grader's self-checks. */
static int
suite_rank(const char *suite)
{
	if (strncmp(suite, "lab", 3) == 0)
		return 0;
	return strcmp(suite, "harness") == 0 ? 2 : 1;
}

/* Suites in that order (labs by number), tests in the order written. */
static int
row_cmp(const void *pa, const void *pb)
{
	const struct criterion_test *a = ((const struct row *) pa)->test;
	const struct criterion_test *b = ((const struct row *) pb)->test;
	int c;

	if ((c = suite_rank(a->category) - suite_rank(b->category)) != 0)
		return c;
	if ((c = natural_cmp(a->category, b->category)) != 0)
		return c;
	if ((c = strcmp(a->data->file_, b->data->file_)) != 0)
		return c;
	return (int) a->data->line_ - (int) b->data->line_;
}

void
report_add_selected(const struct criterion_test *test)
{
	rows = realloc(rows, (nrows + 1) * sizeof(*rows));
	if (!rows)
		abort();
	rows[nrows++] = (struct row) { .test = test, .points = grade_points(test) };
}

void
report_begin(void)
{
	int fd = dup(1);

	qsort(rows, nrows, sizeof(*rows), row_cmp);
	if (fd >= 0)
		progress = fdopen(fd, "w");
}

void
report_list(void)
{
	const struct criterion_test *t;
	size_t i;

	for (i = 0; i < nrows; i++) {
		t = rows[i].test;
		printf("%-8s %-28s %3d  %s\n", t->category, t->name, rows[i].points,
		       t->data->description ? t->data->description : "");
	}
}

static struct row *
find_row(const struct criterion_test *test)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (strcmp(rows[i].test->category, test->category) == 0 &&
		    strcmp(rows[i].test->name, test->name) == 0)
			return &rows[i];
	return NULL;
}

/* For --fail-fast (grade_test_init): the first test that failed. */
static void
note_failure(const struct criterion_test *test)
{
	const char *path = grade_session_file("failed");
	FILE *f;

	if (!getenv(GRADE_FAIL_FAST_ENV) || !path || access(path, F_OK) == 0)
		return;
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "%s/%s\n", test->category, test->name);
		fclose(f);
	}
}

/* Runs in the runner process once per finished test. */
ReportHook(POST_TEST)(struct criterion_test_stats *st)
{
	struct row *row = find_row(st->test);
	struct criterion_assert_stats *a;
	struct strbuf out = { 0 };

	if (!row)
		return;
	row->seconds = st->elapsed_time;
	strbuf_add(&out, "", 0);
	if (st->test_status == CR_STATUS_SKIPPED && st->message &&
	    strncmp(st->message, GRADE_NOT_RUN_PREFIX,
		    strlen(GRADE_NOT_RUN_PREFIX)) == 0) {
		row->verdict = NOT_RUN;
		strbuf_printf(&out, "%s", st->message + strlen(GRADE_NOT_RUN_PREFIX));
	} else if (st->test_status == CR_STATUS_SKIPPED) {
		row->verdict = NOT_GRADABLE;
		strbuf_printf(&out, "%s", st->message ? st->message :
			      "NOT GRADABLE on this host");
	} else if (st->test_status == CR_STATUS_PASSED && !st->crashed &&
		   !st->timed_out) {
		row->verdict = PASS;
	} else {
		row->verdict = FAIL;
		for (a = st->asserts; a; a = a->next)
			if (!a->passed)
				strbuf_printf(&out, "%s:%u: %s\n", a->file,
					      a->line, a->message);
		if (st->crashed)
			strbuf_printf(&out, "the test itself crashed (signal %d): "
				      "a bug in the grader, please report it\n",
				      st->signal);
		if (st->timed_out)
			strbuf_printf(&out, "the test took too long and was "
				      "killed\n");
		if (out.len == 0)
			strbuf_printf(&out, "failed (exit code %d)\n",
				      st->exit_code);
	}
	row->output = out.s;
	if (row->verdict == FAIL)
		note_failure(st->test);
	/* Tests finish in any order (two at a time): a line each as they
	 * do, the explanations in order at the end. */
	if (progress) {
		fprintf(progress, "  %-12s %s/%s (%.1f s)\n",
			verdict_names[row->verdict], st->test->category,
			st->test->name, st->elapsed_time);
		fflush(progress);
	}
}

/* ------------------------------------------------------------------------
 * The failures, explained in test order
 * ------------------------------------------------------------------------ */

/*
 * What stopped the run, as the explanation says it: the stub reached,
 * the place the kernel was stuck, its panic, the monitor's reason.  Tests
 * that stopped the same way need the kernel's last lines only once.
 */
/* "the kernel is stuck in F (...), called from G (...): ..." as "the
 * kernel is stuck below G": the outermost function every look was in. */
static char *
stuck_key(const char *p)
{
	const char *end = strstr(p, " looks found the CPU"), *last = p + 23, *q;
	char *key;

	if (end == NULL)
		end = p + strcspn(p, "\n");
	for (q = p; (q = strstr(q, "called from ")) != NULL && q < end; q++)
		last = q + 12;
	if (asprintf(&key, "the kernel is stuck in %.*s",
		     (int) strcspn(last, "+ ("), last) < 0)
		abort();
	return key;
}

static char *
stop_key(const char *out)
{
	static const char *const marks[] = {
		"The run reached ", "kernel panic at ",
		"the monitor stopped the guest after ", "triple-faulted",
	};
	const char *p, *eol;
	size_t i;

	/* Stuck: below which function (the looks' details differ). */
	if (out && (p = strstr(out, "the kernel is stuck in ")) != NULL)
		return stuck_key(p);
	for (i = 0; out && i < sizeof(marks) / sizeof(marks[0]); i++)
		if ((p = strstr(out, marks[i])) != NULL) {
			if (i == 2 && strchr(p, ':'))	/* the time differs; the reason not */
				p = strchr(p, ':') + strspn(strchr(p, ':'), ": ");
			eol = p + strcspn(p, "\n");
			return strndup(p, eol - p);
		}
	return NULL;
}

/* out, its block of the kernel's last lines replaced by a pointer to
 * the test that showed the same ones. */
static void
print_without_tail(const char *out, const struct row *same)
{
	const char *tail = strstr(out, "Last lines the kernel printed:");
	const char *after = tail ? strstr(tail, "Full log: ") : NULL;

	if (!tail || !after) {
		fputs(out, stdout);
		return;
	}
	fwrite(out, 1, tail - out, stdout);
	printf("(The kernel's last lines: as for %s/%s above.)\n",
	       same->test->category, same->test->name);
	fputs(after, stdout);
}

static void
print_failures(void)
{
	char **keys = calloc(nrows, sizeof(char *));
	size_t i, j, best, nfailed = 0, nsame = 0;

	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (r->verdict != FAIL)
			continue;
		if (nfailed++ == 0)
			printf("\nWhat failed, test by test:\n");
		keys[i] = stop_key(r->output);
		printf("\n--- %s/%s (%d points): %s\n", r->test->category,
		       r->test->name, r->points, r->test->data->description ?
		       r->test->data->description : "");
		for (j = 0; keys[i] && j < i; j++)
			if (keys[j] && strcmp(keys[j], keys[i]) == 0)
				break;
		if (keys[i] && j < i)
			print_without_tail(r->output, &rows[j]);
		else
			fputs(r->output ? r->output : "", stdout);
	}
	/* One cause behind many failures: say it once more, at the end. */
	for (i = 0, best = nrows; i < nrows; i++) {
		size_t n = 0;

		for (j = 0; keys[i] && j < nrows; j++)
			n += keys[j] && strcmp(keys[i], keys[j]) == 0;
		if (n > nsame) {
			nsame = n;
			best = i;
		}
	}
	if (nsame > 1 && nsame == nfailed)
		printf("\nAll %zu failed tests stopped the same way: %s\n",
		       nfailed, keys[best]);
	else if (nsame > 1)
		printf("\n%zu of the %zu failed tests stopped the same way: %s\n",
		       nsame, nfailed, keys[best]);
	for (i = 0; i < nrows; i++)
		free(keys[i]);
	free(keys);
}

/* ------------------------------------------------------------------------
 * The table
 * ------------------------------------------------------------------------ */

static int
earned(const struct row *r)
{
	return r->verdict == PASS ? r->points : 0;
}

/* Why a test is not gradable, without the heading the table already gives. */
static const char *
ng_reason(const struct row *r)
{
	size_t n = strlen(GRADE_NG_PREFIX);

	return strncmp(r->output, GRADE_NG_PREFIX, n) == 0 ? r->output + n : r->output;
}

static void
print_table(void)
{
	const char *suite = NULL;
	int got = 0, max = 0, lab_got = 0, lab_max = 0, ng = 0;
	size_t i;

	printf("\n%-8s %-28s %7s  %s\n", "lab", "test", "points", "result");
	printf("------------------------------------------------------------------\n");
	for (i = 0; i <= nrows; i++) {
		const struct row *r = i < nrows ? &rows[i] : NULL;

		if (suite && (!r || strcmp(r->test->category, suite) != 0)) {
			printf("%-8s %-28s %3d/%-3d\n", suite, "(total)",
			       lab_got, lab_max);
			if (r)
				printf("\n");
			lab_got = lab_max = 0;
		}
		if (!r)
			break;
		suite = r->test->category;
		printf("%-8s %-28s %3d/%-3d  %s\n", suite, r->test->name,
		       earned(r), r->points, verdict_names[r->verdict]);
		lab_got += earned(r);
		lab_max += r->points;
		got += earned(r);
		max += r->points;
		if (r->verdict == NOT_GRADABLE)
			ng += r->points;
	}
	printf("------------------------------------------------------------------\n");
	printf("%-37s %3d/%-3d\n", "Score", got, max);
	for (i = 0; i < nrows && rows[i].verdict != NOT_RUN; i++)
		;
	if (i < nrows)
		printf("NOT RUN: %s; their points are counted as not earned "
		       "(drop --fail-fast for the whole score).\n",
		       rows[i].output ? rows[i].output : "never started");
	for (i = 0; i < nrows && rows[i].verdict != NOT_GRADABLE; i++)
		;
	if (i == nrows)
		return;
	printf("Not gradable on this host (%d points, counted as not earned):\n",
	       ng);
	/* Criterion keeps skips quiet; the reasons belong in front of the
	 * student, with what would make the test gradable. */
	for (i = 0; i < nrows; i++)
		if (rows[i].verdict == NOT_GRADABLE)
			printf("  %s/%s: %s\n", rows[i].test->category,
			       rows[i].test->name, ng_reason(&rows[i]));
}

/* ------------------------------------------------------------------------
 * results.json and JUnit XML
 * ------------------------------------------------------------------------ */

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* What results.json says about a test: its verdict, then any details. */
static char *
row_output(const struct row *r)
{
	struct strbuf b = { 0 };

	strbuf_printf(&b, "%s: %s", verdict_names[r->verdict],
		      r->test->data->description ? r->test->data->description : "");
	if (r->output && *r->output)
		strbuf_printf(&b, "\n%s", r->output);
	return b.s;
}

static void
write_json(double seconds)
{
	FILE *f = fopen(RESULTS_JSON, "w");
	int got = 0;
	size_t i;
	char *out;

	if (!f) {
		perror("grade: cannot write " RESULTS_JSON);
		return;
	}
	for (i = 0; i < nrows; i++)
		got += earned(&rows[i]);
	fprintf(f, "{\n  \"score\": %d,\n  \"execution_time\": %.0f,\n"
		"  \"tests\": [", got, seconds);
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char name[256];

		snprintf(name, sizeof(name), "%s/%s", r->test->category,
			 r->test->name);
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_string(f, name);
		fprintf(f, ", \"score\": %d, \"max_score\": %d, \"status\": \"%s\", "
			"\"output\": ", earned(r), r->points,
			r->verdict == PASS ? "passed" : "failed");
		out = row_output(r);
		json_string(f, out);
		free(out);
		if (r->verdict == NOT_GRADABLE)
			fprintf(f, ", \"extra_data\": {\"not_gradable\": true}");
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]\n}\n");
	fclose(f);
}

/* XML 1.0 cannot carry most control characters at all, even escaped. */
static void
xml_string(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			fputc(c < 0x20 && c != '\n' && c != '\t' ? '?' : c, f);
		}
	}
}

static void
write_junit(void)
{
	char path[PATH_MAX];
	const char *suite = NULL;
	size_t i, j;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", grade_env("OBJDIR"), JUNIT_XML);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	for (i = 0; i < nrows; i = j) {
		int fails = 0, skips = 0;
		double t = 0;

		suite = rows[i].test->category;
		for (j = i; j < nrows && strcmp(rows[j].test->category, suite) == 0; j++) {
			fails += rows[j].verdict == FAIL || rows[j].verdict == NOT_RUN;
			skips += rows[j].verdict == NOT_GRADABLE;
			t += rows[j].seconds;
		}
		fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%d\" "
			"errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n",
			suite, j - i, fails, skips, t);
		for (; i < j; i++) {
			const struct row *r = &rows[i];

			fprintf(f, "    <testcase classname=\"%s\" name=\"%s\" "
				"time=\"%.3f\">\n", suite, r->test->name, r->seconds);
			fprintf(f, "      <properties><property name=\"points\" "
				"value=\"%d\"/><property name=\"score\" value=\"%d\"/>"
				"</properties>\n", r->points, earned(r));
			if (r->verdict == FAIL || r->verdict == NOT_RUN) {
				fprintf(f, "      <failure message=\"");
				xml_string(f, r->test->data->description);
				fprintf(f, "\">");
				xml_string(f, r->output ? r->output : "did not run");
				fprintf(f, "</failure>\n");
			} else if (r->verdict == NOT_GRADABLE) {
				fprintf(f, "      <skipped message=\"");
				xml_string(f, r->output);
				fprintf(f, "\"/>\n");
			}
			fprintf(f, "    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	fclose(f);
}

/* ------------------------------------------------------------------------
 * The verdict
 * ------------------------------------------------------------------------ */

int
report_finish(bool expect_fail, double seconds)
{
	int failed = 0, passed = 0, scored = 0;
	size_t i;

	print_failures();
	print_table();
	write_json(seconds);
	write_junit();
	printf("Wrote %s and %s/%s in %.1f s.\n", RESULTS_JSON,
	       grade_env("OBJDIR"), JUNIT_XML, seconds);

	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (r->verdict == FAIL || r->verdict == NOT_RUN)
			failed++;
		/* GRADE_EXPECT=fail judges the lab's own tests, not the
		 * grader's self-checks, which pass on any kernel. */
		if (r->points > 0 && r->verdict != NOT_GRADABLE) {
			scored++;
			if (r->verdict == PASS) {
				if (expect_fail && passed++ == 0)
					printf("GRADE_EXPECT=fail, but these "
					       "tests passed:\n");
				if (expect_fail)
					printf("  %s/%s\n", r->test->category,
					       r->test->name);
			}
		}
	}
	if (!expect_fail)
		return failed ? 1 : 0;
	if (scored == 0) {
		printf("GRADE_EXPECT=fail: no gradable test ran, so nothing "
		       "was shown to fail.\n");
		return 1;
	}
	if (passed)
		return 1;
	printf("GRADE_EXPECT=fail: all %d gradable tests failed, as expected.\n",
	       scored);
	return 0;
}
