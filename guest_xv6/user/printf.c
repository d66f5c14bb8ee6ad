/*
 * printf.c - formatted output for user programs: %d %u %x %p %s %c, with
 * an optional width (zero-padded with a leading 0) and ll for 64-bit
 * numbers.  Each call builds its line in a buffer and writes it with one
 * system call, so lines from concurrent processes do not interleave.
 */
#include <stdarg.h>
#include "user/user.h"

struct out {
	int fd;
	int n;
	char buf[256];
};

static void
putc(struct out *o, char c)
{
	if (o->n == sizeof(o->buf)) {
		write(o->fd, o->buf, o->n);
		o->n = 0;
	}
	o->buf[o->n++] = c;
}

static void
putnum(struct out *o, uint64 x, int base, int neg, int width, int zero)
{
	static const char digits[] = "0123456789abcdef";
	char buf[24];
	int i = 0;

	do {
		buf[i++] = digits[x % base];
	} while ((x /= base) != 0);
	if (neg)
		buf[i++] = '-';
	while (i < width && i < (int)sizeof(buf))
		buf[i++] = zero ? '0' : ' ';
	while (--i >= 0)
		putc(o, buf[i]);
}

static void
vprintf(int fd, const char *fmt, va_list ap)
{
	struct out o = { .fd = fd };
	int c, width, zero, longs;
	long long v;
	uint64 u;
	const char *s;

	for (; (c = *fmt & 0xff) != 0; fmt++) {
		if (c != '%') {
			putc(&o, c);
			continue;
		}
		c = *++fmt & 0xff;
		zero = c == '0';
		for (width = 0; c >= '0' && c <= '9'; c = *++fmt & 0xff)
			width = width * 10 + c - '0';
		for (longs = 0; c == 'l'; c = *++fmt & 0xff)
			longs++;
		switch (c) {
		case 0:
			fmt--;
			break;
		case 'd':
			v = longs >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
			putnum(&o, v < 0 ? -v : v, 10, v < 0, width, zero);
			break;
		case 'u':
		case 'x':
		case 'p':
			u = longs >= 2 ? va_arg(ap, uint64) : va_arg(ap, uint);
			putnum(&o, u, c == 'u' ? 10 : 16, 0, width, zero);
			break;
		case 'c':
			putc(&o, va_arg(ap, int));
			break;
		case 's':
			if ((s = va_arg(ap, const char *)) == 0)
				s = "(null)";
			while (*s)
				putc(&o, *s++);
			break;
		default:
			putc(&o, '%');
			putc(&o, c);
			break;
		}
	}
	if (o.n > 0)
		write(fd, o.buf, o.n);
}

void
printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(1, fmt, ap);
	va_end(ap);
}

void
fprintf(int fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fd, fmt, ap);
	va_end(ap);
}
