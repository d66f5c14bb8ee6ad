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
static void
gvprintf(const char *fmt, va_list ap)
{
	int width;
	int d;

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
}

void
gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
}

/* The running suite and its score: one line per check, one summary. */
static const char *suite = "guest";
static int nchecks, nfailed;

void
gsuite(const char *name)
{
	suite = name;
}

void
gresult(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	nchecks++;
	if (ok) {
		gprintf("%s: %s: ok\n", suite, name);
		return;
	}
	nfailed++;
	gprintf("%s: %s: FAIL (", suite, name);
	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
	gprintf(")\n");
}

void
gcheck(const char *name, int ok, uint32_t got, uint32_t want)
{
	gresult(name, ok, "got %x, want %x", got, want);
}

void
gdone(void)
{
	gprintf("%s: %d of %d checks passed\n", suite, nchecks - nfailed,
		nchecks);
	gexit(nfailed ? 1 : 0);
}

uint64_t
gate(void *handler, int dpl)
{
	uint32_t off = (uint32_t) handler;

	return (off & 0xffff) | (uint64_t) KCODE << 16 |
		(uint64_t) (0x8e | dpl << 5) << 40 | (uint64_t) (off >> 16) << 48;
}

void
gexit(int status)
{
	outl(0xf4, status);
	for (;;)
		asm volatile("cli; hlt");
}

uint64_t
desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (limit & 0xffff) | (uint64_t) (base & 0xffffff) << 16 |
		(uint64_t) access << 40 | (uint64_t) ((limit >> 16) & 0xf) << 48 |
		(uint64_t) (flags & 0xf) << 52 | (uint64_t) (base >> 24) << 56;
}

void
gload_tables(const uint64_t *gdt, uint32_t gdt_bytes,
	     const uint64_t *idt, uint32_t idt_bytes)
{
	struct pseudodesc gd = { gdt_bytes - 1, (uint32_t) gdt };
	struct pseudodesc id = { idt_bytes - 1, (uint32_t) idt };

	/* The far jump reloads CS: a segment register only rereads its
	 * descriptor when it is loaded. */
	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\tmovw %w2, %%ds\n\t"
		     "movw %w2, %%es\n\t"
		     "movw %w2, %%ss\n\t"
		     "movw %w2, %%fs\n\t"
		     "movw %w2, %%gs\n\t"
		     "lidt %3\n\t"
		     "ltr %w4\n\t"
		     "lldt %w5"
		     : : "m" (gd), "i" (KCODE), "r" (KDATA), "m" (id),
		       "r" (KTSS), "r" (KLDT) : "memory");
}

/* gtry.S: the call and the stubs that come back to it. */
int gtry_run(void (*fn)(void *), void *arg);
extern struct gfault gtry_fault;

int
gtry(void (*fn)(void *), void *arg, struct gfault *f)
{
	int v = gtry_run(fn, arg);

	if (v >= 0 && f)
		*f = gtry_fault;
	return v;
}

void
gtry_gates(uint64_t *idt)
{
	int v;

	for (v = 0; v < 32; v++)
		idt[v] = gate((void *) gtry_stubs[v], 0);
}
