/*
 * panic.c - the kernel's last words.
 *
 * A panic prints where it was called from and a backtrace, then ends the
 * run at once with EXIT_PANIC, so the grader reports a panic as a panic
 * instead of waiting for its timeout.
 */
#include "kern/x86.h"
#include "kern/printf.h"
#include "kern/kdebug.h"
#include "kern/power.h"
#include "kern/assert.h"

static const char *panicstr;

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cli();
	if (panicstr) {
		/* A panic while panicking: stop before it recurses. */
		cprintf("kernel panic (nested) at %s:%d\n", file, line);
		machine_exit(EXIT_PANIC);
	}
	panicstr = fmt;

	va_start(ap, fmt);
	cprintf("kernel panic at %s:%d: ", file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);

	print_backtrace(read_ebp());
	machine_exit(EXIT_PANIC);
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("kernel warning at %s:%d: ", file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
}
