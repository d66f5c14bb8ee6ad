/*
 * ulib.c - the string and memory routines of the user C library.
 */
#include "user/user.h"

char *
strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++) != 0)
		;
	return dst;
}

int
strcmp(const char *p, const char *q)
{
	while (*p && *p == *q)
		p++, q++;
	return (uchar)*p - (uchar)*q;
}

int
strncmp(const char *p, const char *q, int n)
{
	while (n > 0 && *p && *p == *q)
		n--, p++, q++;
	if (n == 0)
		return 0;
	return (uchar)*p - (uchar)*q;
}

uint
strlen(const char *s)
{
	uint n = 0;

	while (s[n])
		n++;
	return n;
}

void *
memset(void *dst, int c, uint n)
{
	char *d = dst;

	while (n-- > 0)
		*d++ = c;
	return dst;
}

char *
strchr(const char *s, char c)
{
	for (; *s; s++)
		if (*s == c)
			return (char *)s;
	return 0;
}

/* Read a line (with its newline) from fd 0. */
char *
gets(char *buf, int max)
{
	int i, n;
	char c;

	for (i = 0; i + 1 < max;) {
		n = read(0, &c, 1);
		if (n < 1)
			break;
		buf[i++] = c;
		if (c == '\n' || c == '\r')
			break;
	}
	buf[i] = 0;
	return buf;
}

int
stat(const char *path, struct stat *st)
{
	int fd, r;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	r = fstat(fd, st);
	close(fd);
	return r;
}

int
atoi(const char *s)
{
	int n = 0, neg = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		n = n * 10 + *s++ - '0';
	return neg ? -n : n;
}

void *
memmove(void *dst, const void *src, int n)
{
	const char *s = src;
	char *d = dst;

	if (s < d && s + n > d) {
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

void *
memcpy(void *dst, const void *src, int n)
{
	return memmove(dst, src, n);
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
