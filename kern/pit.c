/*
 * pit.c - the 8253 timer as a periodic interrupt.
 *
 * Channel 0 counts down from a divisor at 1.193182 MHz and raises IRQ 0
 * each time it reaches zero; in mode 2 (rate generator) it reloads by
 * itself, so the kernel gets a steady tick without touching it again.
 * The tick drives preemption: a user program that never yields still
 * loses the CPU at the next tick.
 *
 * Why not the local APIC timer?  Its rate is the bus clock's, which
 * differs from machine to machine and must be measured against another
 * clock (this one, usually); the PIT's input clock is the same on every
 * PC and every emulator, and needs no MMIO mapping.
 */
#include "kern/x86.h"
#include "kern/trap.h"
#include "kern/pic.h"
#include "kern/pit.h"

#define PIT_FREQ	1193182	/* Hz: the PC's timer crystal / 12 */
#define PIT_CH0		0x40
#define PIT_MODE	0x43
#define   PIT_SEL_CH0	0x00
#define   PIT_LOHI	0x30	/* write the count low byte, then high */
#define   PIT_RATEGEN	0x04	/* mode 2 */

volatile uint32_t ticks;

void
pit_init(unsigned hz)
{
	unsigned divisor = (PIT_FREQ + hz / 2) / hz;

	outb(PIT_MODE, PIT_SEL_CH0 | PIT_LOHI | PIT_RATEGEN);
	outb(PIT_CH0, divisor & 0xFF);
	outb(PIT_CH0, divisor >> 8);
	pic_unmask(IRQ_TIMER);
}

void
pit_tick(void)
{
	ticks++;
}
