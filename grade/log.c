/*
 * log.c - reading a run's console log one line at a time.
 *
 * Tests state what the kernel must print as regular expressions over
 * single lines, the unit a student sees on the console; matching a line
 * at a time also keeps a greedy pattern from running into the next line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"
#include "grade/grade.h"

bool
log_find(const struct boot_result *res, size_t *pos, const char *re,
	 regmatch_t *m, size_t nm)
{
	regmatch_t local[10];
	char *line = NULL, msg[256];
	size_t start, n, i;
	regex_t rx;
	bool found = false;
	int rc;

	rc = regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE | (m ? 0 : REG_NOSUB));
	if (rc != 0) {
		regerror(rc, &rx, msg, sizeof(msg));
		grade_fail(__FILE__, __LINE__, NULL,
			   "bad regex /%s/ in the test: %s", re, msg);
	}
	if (!m) {
		m = local;
		nm = 0;
	}
	for (start = *pos; start < res->len; start += n + 1) {
		n = strcspn(res->log + start, "\n");
		line = strndup(res->log + start, n);
		if (!line)
			abort();
		rc = regexec(&rx, line, nm, m, 0);
		free(line);
		if (rc == 0) {
			/* Report offsets in the whole log, not in the line. */
			for (i = 0; i < nm; i++) {
				if (m[i].rm_so >= 0) {
					m[i].rm_so += start;
					m[i].rm_eo += start;
				}
			}
			*pos = start + n + 1 < res->len ? start + n + 1 : res->len;
			found = true;
			break;
		}
	}
	regfree(&rx);
	return found;
}

char *
log_match_str(const struct boot_result *res, const regmatch_t *m)
{
	char *s;

	if (m->rm_so < 0)
		s = strdup("");
	else
		s = strndup(res->log + m->rm_so, m->rm_eo - m->rm_so);
	if (!s)
		abort();
	return s;
}

size_t
log_count(const struct boot_result *res, const char *re)
{
	size_t pos = 0, count = 0;

	while (log_find(res, &pos, re, NULL, 0))
		count++;
	return count;
}

void
need_line(struct boot_result *r, const char *re, const char *what,
	  const char *needs)
{
	if (log_count(r, re) == 0)
		expect_fail(r, "expected: %s (a line matching /%s/)\ngot: no "
			    "such line; %s\nThis test needs %s.", what, re,
			    grade_outcome_text(r), needs);
}

void
expect_guest_end(struct boot_result *r, int status, const char *needs)
{
	if (r->how == BOOT_NOT_GRADABLE || r->how == BOOT_ERROR)
		expect_exit(r, status < 0 ? 0 : status);
	if (r->how == BOOT_EXITED && (status < 0 || r->status == status))
		return;
	expect_fail(r, "expected: the guest runs to its end under the monitor%s\n"
		    "got: %s\nThis test needs %s.", status < 0 ? "" :
		    status == 0 ? " and exits with status 0" :
		    " and exits with the status it was given",
		    grade_outcome_text(r), needs);
}

unsigned long long
log_counter(struct boot_result *r, const char *re, const char *needs)
{
	regmatch_t m[2];
	size_t pos = 0;
	char *s;
	unsigned long long v;

	if (!log_find(r, &pos, re, m, 2))
		expect_fail(r, "expected: the monitor's counters at the end of "
			    "the run (a line matching /%s/)\ngot: no such line; "
			    "%s\nThis test needs %s.", re, grade_outcome_text(r),
			    needs);
	s = log_match_str(r, &m[1]);
	v = strtoull(s, NULL, 10);
	free(s);
	return v;
}

char *
log_lines(const struct boot_result *r, const char *re, bool strip)
{
	regmatch_t m[2];
	size_t pos = 0, start, len = 0, cap = 1024, n;
	char *out = malloc(cap), *line;

	out[0] = '\0';
	while (log_find(r, &pos, re, m, 2)) {
		start = m[0].rm_so;
		line = log_match_str(r, &m[0]);
		if (strip && m[1].rm_so >= 0)
			memmove(line + (m[1].rm_so - start),
				line + (m[1].rm_eo - start),
				strlen(line + (m[1].rm_eo - start)) + 1);
		n = strlen(line);
		while (len + n + 2 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + len, line, n);
		len += n;
		out[len++] = '\n';
		out[len] = '\0';
		free(line);
	}
	return out;
}

void
log_first_difference(const char *a, const char *b, char *da, char *db, size_t size)
{
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la) != 0)
			break;
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	if (!*a)
		a = "(nothing more)";
	if (!*b)
		b = "(nothing more)";
	snprintf(da, size, "%.*s", (int) strcspn(a, "\n"), a);
	snprintf(db, size, "%.*s", (int) strcspn(b, "\n"), b);
}
