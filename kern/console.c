/*
 * console.c - one console made of several devices.
 *
 * Output goes to the UART (what the grader and a terminal see), the CGA
 * screen (what a QEMU window shows) and, under Bochs, the port 0xE9 debug
 * hack (Bochs prints those bytes on its own terminal).  Input comes from
 * the UART.
 */
#include "kern/x86.h"
#include "kern/serial.h"
#include "kern/cga.h"
#include "kern/printf.h"
#include "kern/console.h"

#define E9_PORT		0xE9
#define READLINE_MAX	256

static bool e9_present;

void
cons_init(void)
{
	serial_init();
	cga_init();
	/* Bochs answers reads of its debug port with 0xE9 itself. */
	e9_present = inb(E9_PORT) == E9_PORT;
}

void
cons_putc(int c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
	cga_putc(c);
	if (e9_present)
		outb(E9_PORT, c);
}

int
cons_getc(void)
{
	int c = serial_getc();

	/* Terminals send DEL for backspace and CR for enter. */
	if (c == 0x7F)
		return '\b';
	if (c == '\r')
		return '\n';
	return c;
}

int
cons_getchar(void)
{
	int c;

	while ((c = cons_getc()) < 0)
		pause();
	return c;
}

char *
readline(const char *prompt)
{
	static char buf[READLINE_MAX];
	int n = 0, c;

	if (prompt)
		cprintf("%s", prompt);
	for (;;) {
		c = cons_getchar();
		if (c == 0x04 && n == 0)	/* ^D on an empty line */
			return NULL;
		if (c == '\b' || c == 0x08) {
			if (n > 0) {
				cprintf("\b \b");
				n--;
			}
		} else if (c == '\n') {
			cons_putc('\n');
			buf[n] = '\0';
			return buf;
		} else if (c >= ' ' && n < READLINE_MAX - 1) {
			cons_putc(c);
			buf[n++] = c;
		}
	}
}
