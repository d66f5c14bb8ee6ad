/*
 * oracle.c - what the C library prints, for comparison with the kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include "grade/unit/oracle.h"

int
oracle_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
