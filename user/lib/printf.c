/*
 * printf.c - formatted output for user programs.
 *
 * The formatting is the kernel's own vprintfmt (kern/printf.c, linked
 * into every program); what differs is where the characters go: into a
 * buffer, sent with one sys_cputs per printf, so a line is not split
 * between programs when the timer switches in the middle of it.
 */
#include "user/lib/ulib.h"

struct outbuf {
	char buf[256];
	int len;
	int total;
};

static void
flush(struct outbuf *b)
{
	sys_cputs(b->buf, b->len);
	b->len = 0;
}

static void
putch(int c, void *arg)
{
	struct outbuf *b = arg;

	if (b->len == sizeof(b->buf))
		flush(b);
	b->buf[b->len++] = c;
	b->total++;
}

int
printf(const char *fmt, ...)
{
	struct outbuf b = { .len = 0, .total = 0 };
	va_list ap;

	va_start(ap, fmt);
	vprintfmt(putch, &b, fmt, ap);
	va_end(ap);
	flush(&b);
	return b.total;
}

/*
 * kern/printf.c's cprintf writes through cons_putc; in a user program
 * the console is a system call away.
 */
void
cons_putc(int c)
{
	char ch = c;

	sys_cputs(&ch, 1);
}
