/*
 * string.c - the few C library memory and string routines the kernel
 * needs (it links against no library).
 */
#include "kernel/types.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

void *
memset(void *dst, int c, uint n)
{
	stosb(dst, c, n);
	return dst;
}

int
memcmp(const void *a, const void *b, uint n)
{
	const uchar *p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *
memmove(void *dst, const void *src, uint n)
{
	const char *s = src;
	char *d = dst;

	if (s < d && s + n > d) {
		/* Overlap with the destination above: copy backwards. */
		s += n;
		d += n;
		while (n-- > 0)
			*--d = *--s;
	} else {
		while (n-- > 0)
			*d++ = *s++;
	}
	return dst;
}

/* gcc may emit calls to memcpy for structure copies. */
void *
memcpy(void *dst, const void *src, uint n)
{
	return memmove(dst, src, n);
}

int
strncmp(const char *p, const char *q, uint n)
{
	while (n > 0 && *p && *p == *q)
		n--, p++, q++;
	if (n == 0)
		return 0;
	return (uchar)*p - (uchar)*q;
}

char *
strncpy(char *dst, const char *src, int n)
{
	char *d = dst;

	while (n > 0 && (*d++ = *src++) != 0)
		n--;
	while (n-- > 0)
		*d++ = 0;
	return dst;
}

/* Like strncpy, but always NUL-terminates. */
char *
safestrcpy(char *dst, const char *src, int n)
{
	char *d = dst;

	if (n <= 0)
		return dst;
	while (--n > 0 && (*d++ = *src++) != 0)
		;
	*d = 0;
	return dst;
}

int
strlen(const char *s)
{
	int n = 0;

	while (s[n])
		n++;
	return n;
}
