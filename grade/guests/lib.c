/*
 * lib.c - the test guests' console and exit: a polled 16550 and port 0xf4.
 */
#include <stdarg.h>
#include "grade/guests/guest.h"

#define COM1	0x3f8

void
ginit(void)
{
	/* 8259s: everything masked until a test unmasks its line. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(COM1 + 1, 0);	/* no UART interrupts */
	outb(COM1 + 3, 0x80);	/* divisor latch */
	outb(COM1 + 0, 1);	/* 115200 baud */
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);	/* 8N1 */
}

static void
putch(char c)
{
	int i;

	if (c == '\n')
		putch('\r');
	for (i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, c);
}

static void
putnum(uint32_t n, int base, int width)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[n % base];
		n /= base;
	} while (n);
	while (i < width)
		buf[i++] = '0';
	while (i > 0)
		putch(buf[--i]);
}

/* %s %d %u %x %08x %c: all a test line needs. */
void
gprintf(const char *fmt, ...)
{
	va_list ap;
	int width;
	int d;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putch(*fmt);
			continue;
		}
		width = 0;
		for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + *fmt - '0';
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (*s)
				putch(*s++);
			break;
		}
		case 'd':
			d = va_arg(ap, int);
			if (d < 0) {
				putch('-');
				d = -d;
			}
			putnum(d, 10, width);
			break;
		case 'u':
			putnum(va_arg(ap, uint32_t), 10, width);
			break;
		case 'x':
			putnum(va_arg(ap, uint32_t), 16, width);
			break;
		case 'c':
			putch(va_arg(ap, int));
			break;
		default:
			putch(*fmt);
		}
	}
	va_end(ap);
}

void
gexit(int status)
{
	outl(0xf4, status);
	for (;;)
		asm volatile("cli; hlt");
}
