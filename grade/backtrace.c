/*
 * backtrace.c - parse a backtrace from the console and check each frame.
 *
 * The format is strict about what it contains (eight hex digits, the
 * FILE:LINE: FUNCTION+OFFSET line under each frame) and lenient about
 * spacing, so a student is graded on the facts rather than on alignment.
 * Checks report every wrong frame at once, not just the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/backtrace.h"
#include "grade/grade.h"
#include "grade/kernsyms.h"

#define HEX8		"([0-9a-fA-F]{8})"
#define FRAME_RE	"^ +ebp +" HEX8 " +eip +" HEX8 " +args +" HEX8 " +" \
			HEX8 " +" HEX8 " +" HEX8 " +" HEX8 " *$"
#define WHERE_RE	"^ +([^ :]+):([0-9]+): +([^ +]+)\\+([0-9]+) *$"

/* The line of the log at byte pos, as a new string; *next after it. */
static char *
line_at(const struct boot_result *res, size_t pos, size_t *next)
{
	size_t n = strcspn(res->log + pos, "\n");
	char *s = strndup(res->log + pos, n);

	if (!s)
		abort();
	*next = pos + n + (pos + n < res->len);
	return s;
}

static int
log_line_number(const struct boot_result *res, size_t pos)
{
	int n = 1;
	size_t i;

	for (i = 0; i < pos && i < res->len; i++)
		n += res->log[i] == '\n';
	return n;
}

static uint32_t
hex_at(const char *s, const regmatch_t *m)
{
	return (uint32_t) strtoul(s + m->rm_so, NULL, 16);
}

size_t
backtrace_parse(const struct boot_result *res, size_t *pos, struct frame **out)
{
	regex_t frame_re, where_re;
	regmatch_t m[8];
	struct frame *v = NULL, *f;
	size_t n = 0, next;
	char *line;
	int i;

	if (!log_find(res, pos, "^Stack backtrace:$", NULL, 0))
		grade_fail(__FILE__, __LINE__, res, "expected: a line "
			   "\"Stack backtrace:\" and the frames under it\n"
			   "got: no such line");
	if (regcomp(&frame_re, FRAME_RE, REG_EXTENDED) != 0 ||
	    regcomp(&where_re, WHERE_RE, REG_EXTENDED) != 0)
		abort();
	for (;;) {
		line = line_at(res, *pos, &next);
		if (regexec(&frame_re, line, 8, m, 0) != 0) {
			if (n == 0)
				grade_fail(__FILE__, __LINE__, res, "expected: "
					   "frames under \"Stack backtrace:\", "
					   "each like\n    \"  ebp %%08x  eip "
					   "%%08x  args %%08x %%08x %%08x %%08x "
					   "%%08x\"\ngot (log line %d): \"%s\"",
					   log_line_number(res, *pos), line);
			free(line);
			break;
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		f = &v[n++];
		memset(f, 0, sizeof(*f));
		f->logline = log_line_number(res, *pos);
		f->ebp = hex_at(line, &m[1]);
		f->eip = hex_at(line, &m[2]);
		for (i = 0; i < 5; i++)
			f->args[i] = hex_at(line, &m[3 + i]);
		free(line);

		*pos = next;
		line = line_at(res, *pos, &next);
		if (regexec(&where_re, line, 5, m, 0) != 0)
			grade_fail(__FILE__, __LINE__, res, "expected: under the "
				   "frame on log line %d, a line \"         "
				   "FILE:LINE: FUNCTION+OFFSET\"\ngot: \"%s\"",
				   f->logline, line);
		snprintf(f->file, sizeof(f->file), "%.*s",
			 (int) (m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
		f->line = atoi(line + m[2].rm_so);
		snprintf(f->fn, sizeof(f->fn), "%.*s",
			 (int) (m[3].rm_eo - m[3].rm_so), line + m[3].rm_so);
		f->offset = atoi(line + m[4].rm_so);
		free(line);
		*pos = next;
	}
	regfree(&frame_re);
	regfree(&where_re);
	*out = v;
	return n;
}

void
backtrace_check_lines(const struct boot_result *res, const struct frame *f,
		      size_t n)
{
	struct strbuf bad = { 0 };
	uint32_t *addrs = calloc(n, sizeof(*addrs));
	char **want, got[160];
	size_t i, wrong = 0;

	if (!addrs)
		abort();
	for (i = 0; i < n; i++)
		addrs[i] = f[i].eip - 1;
	want = addr2line_lines(grade_env("KERNEL"), addrs, n);
	for (i = 0; i < n; i++) {
		snprintf(got, sizeof(got), "%s:%d", f[i].file, f[i].line);
		if (strcmp(got, want[i]) == 0)
			continue;
		wrong++;
		strbuf_printf(&bad, "  frame %zu (eip %08x, log line %d): the "
			      "kernel says %s, addr2line says %s\n", i, f[i].eip,
			      f[i].logline + 1, got, want[i]);
	}
	if (wrong)
		grade_fail(__FILE__, __LINE__, res, "expected: each frame's "
			   "FILE:LINE to be the line of eip - 1, as `%s -e %s` "
			   "finds it\ngot: %zu of %zu frames disagree:\n%s",
			   grade_env("ADDR2LINE"), grade_env("KERNEL"), wrong, n,
			   bad.s);
	free(addrs);
}

void
backtrace_check_functions(const struct boot_result *res, const struct frame *f,
			  size_t n)
{
	struct strbuf bad = { 0 };
	const struct ksym *sym;
	struct ksyms syms;
	char got[96], want[96];
	size_t i, wrong = 0;

	ksyms_load(&syms, grade_env("KERNEL"));
	for (i = 0; i < n; i++) {
		sym = ksyms_function_at(&syms, f[i].eip - 1);
		snprintf(got, sizeof(got), "%s+%d", f[i].fn, f[i].offset);
		if (sym)
			snprintf(want, sizeof(want), "%s+%u", sym->name,
				 f[i].eip - sym->addr);
		else
			snprintf(want, sizeof(want), "<no function>");
		if (strcmp(got, want) == 0)
			continue;
		wrong++;
		strbuf_printf(&bad, "  frame %zu (eip %08x, log line %d): the "
			      "kernel says %s, nm says %s\n", i, f[i].eip,
			      f[i].logline + 1, got, want);
	}
	if (wrong)
		grade_fail(__FILE__, __LINE__, res, "expected: each frame's "
			   "FUNCTION+OFFSET to name the function holding eip - 1 "
			   "and eip's distance from its start, as `%s -n %s` "
			   "shows\ngot: %zu of %zu frames disagree:\n%s",
			   grade_env("NM"), grade_env("KERNEL"), wrong, n, bad.s);
}
