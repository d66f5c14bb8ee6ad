/*
 * strbuf.c - growable strings for logs and failure messages.
 *
 * Console logs arrive in pieces of unknown size; every reader wants them
 * as one C string, so the buffer keeps a NUL after its last byte.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/grade.h"

static void
reserve(struct strbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 256;
	while (b->len + more + 1 > b->cap)
		b->cap *= 2;
	b->s = realloc(b->s, b->cap);
	if (!b->s) {
		perror("grade: out of memory");
		abort();
	}
}

void
strbuf_add(struct strbuf *b, const char *p, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	reserve(b, n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void
strbuf_tail(struct strbuf *b, const char *text, size_t len, int nlines,
	    const char *indent)
{
	const char *start = text + len, *end;

	/* A final newline ends the last line; it does not start a new one. */
	if (start > text && start[-1] == '\n')
		start--;
	while (start > text && nlines > 0) {
		start--;
		if (*start == '\n')
			nlines--;
	}
	if (*start == '\n')
		start++;
	while (start < text + len) {
		end = memchr(start, '\n', text + len - start);
		if (!end)
			end = text + len;
		strbuf_printf(b, "%s%.*s\n", indent, (int) (end - start), start);
		start = end + 1;
	}
}
