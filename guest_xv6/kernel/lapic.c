/*
 * lapic.c - the local APIC (MMIO at 0xFEE00000): its ID tells mycpu()
 * which CPU this is, its timer drives the scheduler, and every interrupt
 * ends with an EOI written here.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/traps.h"
#include "kernel/mmu.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

/* Register offsets, in 32-bit words. */
#define ID	(0x0020 / 4)
#define VER	(0x0030 / 4)
#define TPR	(0x0080 / 4)	/* task priority: CR8 on 64-bit CPUs */
#define EOI	(0x00B0 / 4)
#define SVR	(0x00F0 / 4)
#define  ENABLE		0x00000100
#define ESR	(0x0280 / 4)
#define ICRLO	(0x0300 / 4)
#define ICRHI	(0x0310 / 4)
#define TIMER	(0x0320 / 4)
#define  PERIODIC	0x00020000
#define  MASKED		0x00010000
#define PCINT	(0x0340 / 4)
#define LINT0	(0x0350 / 4)
#define LINT1	(0x0360 / 4)
#define ERROR	(0x0370 / 4)
#define TICR	(0x0380 / 4)	/* timer initial count */
#define TCCR	(0x0390 / 4)	/* timer current count */
#define TDCR	(0x03E0 / 4)	/* timer divide configuration */
#define  X1		0x0000000B

/* At 1 ns per count (QEMU's APIC clock), this is 100 Hz. */
#define TIMER_COUNT	10000000

volatile uint *lapic;	/* set by mpinit */

static void
lapicw(int index, int value)
{
	lapic[index] = value;
	(void)lapic[ID];	/* a read waits for the write to complete */
}

void
lapicinit(void)
{
	if (!lapic)
		return;
	lapicw(SVR, ENABLE | (T_IRQ0 + IRQ_SPURIOUS));

	lapicw(TDCR, X1);
	lapicw(TIMER, PERIODIC | (T_IRQ0 + IRQ_TIMER));
	lapicw(TICR, TIMER_COUNT);

	lapicw(LINT0, MASKED);
	lapicw(LINT1, MASKED);
	/* Version 4 and up have a performance counter LVT that could fire. */
	if (((lapic[VER] >> 16) & 0xFF) >= 4)
		lapicw(PCINT, MASKED);
	lapicw(ERROR, T_IRQ0 + IRQ_ERROR);

	/* ESR is cleared by two writes; then drop anything pending. */
	lapicw(ESR, 0);
	lapicw(ESR, 0);
	lapicw(EOI, 0);

	lapicw(TPR, 0);
}

/* Read on every pushcli, through mycpu(). */
int
lapicid(void)
{
	if (!lapic)
		return 0;
	return lapic[ID] >> 24;
}

void
lapiceoi(void)
{
	if (lapic)
		lapicw(EOI, 0);
}

/* The benchmark's cr8wr: a plain store, as a 64-bit kernel's mov to CR8. */
void
lapic_settpr(uint v)
{
	lapic[TPR] = v;
}
