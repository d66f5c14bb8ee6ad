/*
 * string.c - plain C versions of the string routines.
 *
 * The compiler may also call memset, memcpy and memmove on its own (for
 * struct copies), so these must exist even in a kernel built -fno-builtin.
 */
#include "kern/string.h"

size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char) *a - (unsigned char) *b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	while (n > 0 && *a && *a == *b)
		n--, a++, b++;
	return n == 0 ? 0 : (unsigned char) *a - (unsigned char) *b;
}

size_t
strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n > 0) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return len;
}

char *
strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char) c)
			return (char *) s;
	return c == '\0' ? (char *) s : NULL;
}

static int
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

long
strtol(const char *s, char **endptr, int base)
{
	long v = 0;
	int neg = 0, d;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, base = 16;
	else if (base == 0 && s[0] == '0')
		base = 8;
	else if (base == 0)
		base = 10;
	while ((d = digit_value(*s)) < base) {
		v = v * base + d;
		s++;
	}
	if (endptr)
		*endptr = (char *) s;
	return neg ? -v : v;
}

/*
 * memset and memmove run on every exit of the monitor (instruction
 * buffers, guest pages, shadow pages), so they use the string
 * instructions: one instruction per 32-bit word where the buffers allow,
 * per byte otherwise, rather than a loop of several per byte.
 */
void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 4;

	if (((uintptr_t) dst & 3) == 0 && (n & 3) == 0) {
		uint32_t w = (uint8_t) c * 0x01010101u;

		asm volatile("cld; rep stosl" : "+D" (d), "+c" (words)
			     : "a" (w) : "memory");
	} else {
		asm volatile("cld; rep stosb" : "+D" (d), "+c" (n)
			     : "a" (c) : "memory");
	}
	return dst;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
	return memmove(dst, src, n);
}

void *
memmove(void *dst, const void *src, size_t n)
{
	void *d = dst;
	const void *s = src;
	size_t words = n / 4;

	if ((const char *) s < (char *) d && (const char *) s + n > (char *) d) {
		/* Overlapping with the source first: copy downwards. */
		d = (char *) d + n - 1;
		s = (const char *) s + n - 1;
		asm volatile("std; rep movsb; cld" : "+D" (d), "+S" (s), "+c" (n)
			     : : "memory");
	} else if ((((uintptr_t) d | (uintptr_t) s | n) & 3) == 0) {
		asm volatile("cld; rep movsl" : "+D" (d), "+S" (s), "+c" (words)
			     : : "memory");
	} else {
		asm volatile("cld; rep movsb" : "+D" (d), "+S" (s), "+c" (n)
			     : : "memory");
	}
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}
