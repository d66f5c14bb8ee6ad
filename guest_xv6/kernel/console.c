/*
 * console.c - the console device: formatted kernel output to the serial
 * line and the CGA screen, and line-edited input from both the serial
 * line and the PS/2 keyboard.
 *
 * Input is kept in a small ring until a whole line (or ^D) arrives, so a
 * reader sleeps until there is something to return.  Also here: panic and
 * machine_halt, the two ways a run ends.
 */
#include <stdarg.h>
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/traps.h"
#include "kernel/defs.h"

#define BACKSPACE	0x100
#define C(x)		((x) - '@')	/* control key */
#define INPUT_BUF	128

#define EXIT_PANIC	3	/* the kit's status for a panic */
#define QEMU_EXIT_PORT	0xF4
#define BOCHS_SHUTDOWN	0x8900

static int panicked;

static struct {
	struct spinlock lock;
	int locking;	/* off while panicking, so a held lock cannot hang us */
} cons;

static struct {
	char buf[INPUT_BUF];
	uint r;		/* next to read */
	uint w;		/* end of the completed lines */
	uint e;		/* end of the line being edited */
} input;

static void
consputc(int c)
{
	if (c == BACKSPACE) {
		uartputc('\b');
		uartputc(' ');
		uartputc('\b');
	} else {
		uartputc(c);
	}
	cgaputc(c);
}

static void
printint(int xx, int base, int sign, int width, int zero)
{
	static const char digits[] = "0123456789abcdef";
	char buf[16];
	int i = 0;
	uint x;

	if (sign && xx < 0)
		x = -xx;
	else
		x = xx;
	do {
		buf[i++] = digits[x % base];
	} while ((x /= base) != 0);
	if (sign && xx < 0)
		buf[i++] = '-';
	while (i < width && i < (int)sizeof(buf))
		buf[i++] = zero ? '0' : ' ';
	while (--i >= 0)
		consputc(buf[i]);
}

static void
vcprintf(const char *fmt, va_list ap)
{
	int i, c, width, zero;
	const char *s;

	for (i = 0; (c = fmt[i] & 0xff) != 0; i++) {
		if (c != '%') {
			consputc(c);
			continue;
		}
		c = fmt[++i] & 0xff;
		zero = (c == '0');
		width = 0;
		while (c >= '0' && c <= '9') {
			width = width * 10 + c - '0';
			c = fmt[++i] & 0xff;
		}
		switch (c) {
		case 0:
			return;
		case 'd':
			printint(va_arg(ap, int), 10, 1, width, zero);
			break;
		case 'u':
			printint(va_arg(ap, int), 10, 0, width, zero);
			break;
		case 'x':
		case 'p':
			printint(va_arg(ap, int), 16, 0, width, zero);
			break;
		case 'c':
			consputc(va_arg(ap, int));
			break;
		case 's':
			if ((s = va_arg(ap, const char *)) == 0)
				s = "(null)";
			for (; *s; s++)
				consputc(*s);
			break;
		case '%':
			consputc('%');
			break;
		default:
			consputc('%');
			consputc(c);
			break;
		}
	}
}

void
cprintf(const char *fmt, ...)
{
	int locking = cons.locking;
	va_list ap;

	if (locking)
		acquire(&cons.lock);
	va_start(ap, fmt);
	vcprintf(fmt, ap);
	va_end(ap);
	if (locking)
		release(&cons.lock);
}

/*
 * End the run with a status: QEMU's isa-debug-exit device exits with
 * (status << 1) | 1; Bochs stops on "Shutdown" at its port; a monitor
 * emulates either.  The status line is for runs where neither exists.
 */
/* The TSC when main() began: a run's length is printed against it. */
uint64 boot_tsc;

/* Print n in decimal.  The kernel has no libgcc, so no 64-bit division:
 * divl divides edx:eax by 10 while edx stays below 10. */
static void
print_u64(uint64 n)
{
	char digits[21];
	uint hi, lo, r;
	int i = sizeof(digits) - 1;

	digits[i] = 0;
	do {
		hi = n >> 32;
		r = hi % 10;
		hi /= 10;
		asm("divl %4" : "=a"(lo), "=d"(r) : "a"((uint)n), "d"(r), "r"(10));
		n = (uint64)hi << 32 | lo;
		digits[--i] = '0' + r;
	} while (n != 0);
	cprintf("%s", digits + i);
}

void
machine_halt(int status)
{
	const char *s;

	cli();
	cons.locking = 0;
	/* Under QEMU -icount a cycle is an instruction: a figure that repeats
	 * exactly, natively and under a monitor alike. */
	cprintf("guest_xv6: ");
	print_u64(rdtsc() - boot_tsc);
	cprintf(" cycles from kernel entry to exit\n");
	cprintf("exit status %d\n", status);
	outl(QEMU_EXIT_PORT, status);
	for (s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN, *s);
	for (;;)
		hlt();
}

void
panic(const char *s)
{
	uint pcs[10];
	int i;

	cli();
	cons.locking = 0;
	if (panicked)
		machine_halt(EXIT_PANIC);
	panicked = 1;
	cprintf("guest panic: %s\n", s);
	getcallerpcs(&s, pcs);
	cprintf("  called from");
	for (i = 0; i < 10 && pcs[i]; i++)
		cprintf(" %p", pcs[i]);
	cprintf("\n");
	machine_halt(EXIT_PANIC);
}

/* Called by the UART and keyboard interrupt handlers with their getc. */
void
consoleintr(int (*getc)(void))
{
	int c, dump = 0;

	acquire(&cons.lock);
	while ((c = getc()) >= 0) {
		switch (c) {
		case C('P'):
			dump = 1;	/* procdump takes cons.lock itself */
			break;
		case C('U'):
			while (input.e != input.w &&
			       input.buf[(input.e - 1) % INPUT_BUF] != '\n') {
				input.e--;
				consputc(BACKSPACE);
			}
			break;
		case C('H'):
		case '\x7f':
			if (input.e != input.w) {
				input.e--;
				consputc(BACKSPACE);
			}
			break;
		default:
			if (c == 0 || input.e - input.r >= INPUT_BUF)
				break;
			if (c == '\r')
				c = '\n';
			input.buf[input.e++ % INPUT_BUF] = c;
			if (c != C('D'))
				consputc(c);
			if (c == '\n' || c == C('D') ||
			    input.e == input.r + INPUT_BUF) {
				input.w = input.e;
				wakeup(&input.r);
			}
			break;
		}
	}
	release(&cons.lock);
	if (dump)
		procdump();
}

static int
consoleread(struct inode *ip, char *dst, int n)
{
	int target = n;
	int c;

	iunlock(ip);
	acquire(&cons.lock);
	while (n > 0) {
		while (input.r == input.w) {
			if (myproc()->killed) {
				release(&cons.lock);
				ilock(ip);
				return -1;
			}
			sleep(&input.r, &cons.lock);
		}
		c = input.buf[input.r++ % INPUT_BUF];
		if (c == C('D')) {
			/* Leave ^D for the next read if we already have data,
			 * so that read returns 0 exactly once. */
			if (n < target)
				input.r--;
			break;
		}
		*dst++ = c;
		n--;
		if (c == '\n')
			break;
	}
	release(&cons.lock);
	ilock(ip);
	return target - n;
}

static int
consolewrite(struct inode *ip, char *buf, int n)
{
	int i;

	iunlock(ip);
	acquire(&cons.lock);
	for (i = 0; i < n; i++)
		consputc(buf[i] & 0xff);
	release(&cons.lock);
	ilock(ip);
	return n;
}

void
consoleinit(void)
{
	initlock(&cons.lock, "console");
	devsw[CONSOLE].write = consolewrite;
	devsw[CONSOLE].read = consoleread;
	cons.locking = 1;
	ioapicenable(IRQ_KBD, 0);
	ioapicenable(IRQ_COM1, 0);
}
