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
