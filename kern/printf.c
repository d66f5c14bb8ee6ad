/*
 * printf.c - the kernel's printf family.
 *
 * One engine, vprintfmt, walks the format string and hands characters to
 * a callback; cprintf's callback writes to the console, snprintf's to a
 * buffer.  There is no floating point in the kernel.
 */
#include "kern/string.h"
#include "kern/console.h"
#include "kern/printf.h"

/* A conversion's flags and field width, as parsed from the format. */
struct spec {
	int width;		/* minimum field width, 0 if none */
	char pad;		/* ' ' or '0' */
	bool left;		/* '-': pad on the right */
	int lflag;		/* number of 'l' modifiers */
};

static const char digits[] = "0123456789abcdef";

/*
 * Print the unsigned number num in base (8, 10 or 16) through putch,
 * with `neg` asking for a leading minus sign, honouring the field width,
 * zero padding and left alignment in *sp.
 */
static void
printnum(void (*putch)(int, void *), void *arg, uint64_t num, unsigned base,
	 bool neg, const struct spec *sp)
{
#if SOL >= 1
	char buf[24];		/* 22 octal digits hold any 64-bit number */
	int n = 0, len, i;

	do {
		buf[n++] = digits[num % base];
		num /= base;
	} while (num != 0);
	len = n + neg;

	/* Zero padding goes between the sign and the digits. */
	if (!sp->left && sp->pad == ' ')
		for (i = len; i < sp->width; i++)
			putch(' ', arg);
	if (neg)
		putch('-', arg);
	if (!sp->left && sp->pad == '0')
		for (i = len; i < sp->width; i++)
			putch('0', arg);
	while (n > 0)
		putch(buf[--n], arg);
	if (sp->left)
		for (i = len; i < sp->width; i++)
			putch(' ', arg);
#else
	/* LAB 1: your code here.
	 * Write num in the given base, most significant digit first, with a
	 * '-' before it when neg is set, padded to sp->width with sp->pad
	 * (zeros go after the sign, spaces before it), or with spaces on the
	 * right when sp->left is set. */
	(void) digits;
	putch('?', arg);
#endif
}

static void
printstr(void (*putch)(int, void *), void *arg, const char *s,
	 const struct spec *sp)
{
	int len, i;

	if (s == NULL)
		s = "(null)";
	len = strlen(s);
	if (!sp->left)
		for (i = len; i < sp->width; i++)
			putch(' ', arg);
	while (*s)
		putch(*s++, arg);
	if (sp->left)
		for (i = len; i < sp->width; i++)
			putch(' ', arg);
}

/* Fetch an unsigned argument of the size the 'l' modifiers name. */
static uint64_t
get_unsigned(va_list *ap, int lflag)
{
	if (lflag >= 2)
		return va_arg(*ap, unsigned long long);
	if (lflag == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

/* Fetch a signed argument of the size the 'l' modifiers name. */
static int64_t
get_signed(va_list *ap, int lflag)
{
	if (lflag >= 2)
		return va_arg(*ap, long long);
	if (lflag == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

void
vprintfmt(void (*putch)(int, void *), void *arg, const char *fmt, va_list ap)
{
	va_list args;
	struct spec sp;
	const char *start;
	int64_t snum;
	char c;

	va_copy(args, ap);
	while ((c = *fmt++) != '\0') {
		if (c != '%') {
			putch(c, arg);
			continue;
		}
		start = fmt - 1;
		sp = (struct spec) { .width = 0, .pad = ' ' };
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(args, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + *fmt++ - '0';
		while (*fmt == 'l') {
			sp.lflag++;
			fmt++;
		}
		switch (c = *fmt++) {
		case 'c': {
			char one[2] = { va_arg(args, int), '\0' };
			printstr(putch, arg, one, &sp);
			break;
		}
		case 's':
			printstr(putch, arg, va_arg(args, const char *), &sp);
			break;
		case 'd':
		case 'i':
			snum = get_signed(&args, sp.lflag);
			printnum(putch, arg, snum < 0 ? -(uint64_t) snum : (uint64_t) snum,
				 10, snum < 0, &sp);
			break;
		case 'u':
			printnum(putch, arg, get_unsigned(&args, sp.lflag), 10, false, &sp);
			break;
		case 'x':
			printnum(putch, arg, get_unsigned(&args, sp.lflag), 16, false, &sp);
			break;
		case 'o':
			printnum(putch, arg, get_unsigned(&args, sp.lflag), 8, false, &sp);
			break;
		case 'p':
			putch('0', arg);
			putch('x', arg);
			sp = (struct spec) { .width = 8, .pad = '0' };
			printnum(putch, arg, (uintptr_t) va_arg(args, void *), 16, false, &sp);
			break;
		case '%':
			putch('%', arg);
			break;
		default:
			/* Unknown conversion: print it as written. */
			if (c == '\0')
				fmt--;
			while (start < fmt)
				putch(*start++, arg);
			break;
		}
	}
	va_end(args);
}

struct console_sink {
	int count;
};

static void
console_putch(int ch, void *arg)
{
	struct console_sink *sink = arg;

	cons_putc(ch);
	sink->count++;
}

int
vcprintf(const char *fmt, va_list ap)
{
	struct console_sink sink = { 0 };

	vprintfmt(console_putch, &sink, fmt, ap);
	return sink.count;
}

int
cprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vcprintf(fmt, ap);
	va_end(ap);
	return n;
}

struct buffer_sink {
	char *buf;
	size_t size;
	size_t count;
};

static void
buffer_putch(int ch, void *arg)
{
	struct buffer_sink *sink = arg;

	if (sink->count + 1 < sink->size)
		sink->buf[sink->count] = ch;
	sink->count++;
}

int
vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct buffer_sink sink = { buf, n, 0 };

	vprintfmt(buffer_putch, &sink, fmt, ap);
	if (n > 0)
		buf[MIN(sink.count, n - 1)] = '\0';
	return sink.count;
}

int
snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
