/*
 * ioapic.c - the I/O APIC (MMIO at 0xFEC00000) routes device interrupts
 * (keyboard, serial, disk) to a CPU's local APIC.  Everything starts
 * masked; drivers enable their IRQ with ioapicenable.
 */
#include "kernel/types.h"
#include "kernel/traps.h"
#include "kernel/param.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/defs.h"

#define IOAPIC		0xFEC00000
#define REG_ID		0x00
#define REG_VER		0x01
#define REG_TABLE	0x10	/* two registers per IRQ */

#define INT_DISABLED	0x00010000

struct ioapic {
	uint reg;	/* index register */
	uint pad[3];
	uint data;	/* window onto the selected register */
};

static volatile struct ioapic *ioapic;

static uint
ioapicread(int reg)
{
	ioapic->reg = reg;
	return ioapic->data;
}

static void
ioapicwrite(int reg, uint data)
{
	ioapic->reg = reg;
	ioapic->data = data;
}

void
ioapicinit(void)
{
	int i, id, maxintr;

	ioapic = (volatile struct ioapic *)IOAPIC;
	maxintr = (ioapicread(REG_VER) >> 16) & 0xFF;
	id = ioapicread(REG_ID) >> 24;
	if (ismp && id != ioapicid)
		cprintf("guest_xv6: IOAPIC id %d, MP table says %d\n",
			id, ioapicid);
	/* Edge-triggered, active high, masked, vector T_IRQ0 + irq. */
	for (i = 0; i <= maxintr; i++) {
		ioapicwrite(REG_TABLE + 2 * i, INT_DISABLED | (T_IRQ0 + i));
		ioapicwrite(REG_TABLE + 2 * i + 1, 0);
	}
}

void
ioapicenable(int irq, int cpunum)
{
	ioapicwrite(REG_TABLE + 2 * irq, T_IRQ0 + irq);
	ioapicwrite(REG_TABLE + 2 * irq + 1, (uint)cpus[cpunum].apicid << 24);
}
