/*
 * pic.c - the 8259A programmable interrupt controllers.
 *
 * A PC has two, cascaded: the slave's output enters the master at IRQ 2.
 * The BIOS leaves the master delivering IRQs 0-7 at vectors 8-15, where
 * they would collide with the CPU's exceptions (IRQ 0, the timer, would
 * look like a double fault), so we reprogram both to start at IRQ_OFFSET.
 * The sequence of four initialisation words is fixed by the chip
 * (Intel 8259A datasheet).
 *
 * The kernel uses the 8259s rather than the local APIC: they need no
 * memory-mapped registers, and they are part of the platform the monitor
 * later virtualizes (docs/design.md section 4), so students meet the real one
 * first.
 */
#include "kern/x86.h"
#include "kern/trap.h"
#include "kern/pic.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xA0
#define PIC2_DATA	0xA1

#define ICW1_INIT	0x10	/* start initialisation ... */
#define ICW1_ICW4	0x01	/* ... with a fourth word coming */
#define ICW4_8086	0x01	/* 8086 mode, normal (not automatic) EOI */
#define OCW2_EOI	0x20	/* non-specific end of interrupt */
#define OCW3_READ_ISR	0x0B	/* next read of the command port: in-service */

/* Which IRQs are masked: all but the cascade at first. */
static uint16_t irq_mask = 0xFFFF & ~(1 << IRQ_CASCADE);

static void
write_mask(void)
{
	outb(PIC1_DATA, irq_mask & 0xFF);
	outb(PIC2_DATA, irq_mask >> 8);
}

void
pic_init(void)
{
	/* Mask everything while reprogramming. */
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);

	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
	outb(PIC1_DATA, IRQ_OFFSET);		/* ICW2: vector of IRQ 0 */
	outb(PIC1_DATA, 1 << IRQ_CASCADE);	/* ICW3: a slave on IRQ 2 */
	outb(PIC1_DATA, ICW4_8086);

	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	outb(PIC2_DATA, IRQ_OFFSET + 8);	/* ICW2: vector of IRQ 8 */
	outb(PIC2_DATA, IRQ_CASCADE);		/* ICW3: my master's input */
	outb(PIC2_DATA, ICW4_8086);

	write_mask();
}

void
pic_unmask(int irq)
{
	irq_mask &= ~(1 << irq);
	write_mask();
}

void
pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

bool
pic_spurious(int irq)
{
	uint16_t port = irq < 8 ? PIC1_CMD : PIC2_CMD;

	outb(port, OCW3_READ_ISR);
	return !(inb(port) & (1 << (irq & 7)));
}
