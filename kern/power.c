/*
 * power.c - how a run ends: through an emulator's exit port.
 *
 * Every run the grader starts must end with a status, never by a timeout,
 * so the kernel tells the emulator directly.  The status line is printed
 * first because Bochs's shutdown port carries no status of its own.
 */
#include "kern/x86.h"
#include "kern/printf.h"
#include "kern/serial.h"
#include "kern/power.h"

#define QEMU_DEBUG_EXIT_PORT	0xF4
#define BOCHS_SHUTDOWN_PORT	0x8900

void
machine_exit(int status)
{
	const char *s;

	cli();
	cprintf("exit status %d\n", status);
	serial_flush();
	outl(QEMU_DEBUG_EXIT_PORT, status);
	for (s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, *s);
	for (;;)
		hlt();
}
