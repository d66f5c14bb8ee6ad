/*
 * picirq.c - the legacy 8259 interrupt controllers.  The APICs deliver
 * every interrupt, so both 8259s are simply masked.
 */
#include "kernel/types.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

#define IO_PIC1		0x20
#define IO_PIC2		0xA0

void
picinit(void)
{
	outb(IO_PIC1 + 1, 0xFF);
	outb(IO_PIC2 + 1, 0xFF);
}
