/*
 * ioapic.c - the I/O APIC: 24 input pins, each with a redirection entry
 * saying which vector to send to which local APIC.
 *
 * guest_xv6 routes the keyboard, the serial port and the disk through it
 * (ioapicenable), so a guest's I/O interrupts are only as good as this
 * model.  The paper's section 2: a VMM emulates the devices the guest
 * touches.  Registers follow Intel's 82093AA datasheet: IOREGSEL at
 * offset 0x00 selects, IOWIN at 0x10 reads or writes; register 0 is the
 * ID, 1 the version, 2 the arbitration ID, 0x10 + 2n and 0x11 + 2n pin
 * n's entry.  Edge-triggered pins send a message on each rising edge;
 * level-triggered ones send while asserted and wait for the LAPIC's EOI
 * (Remote IRR) before sending again.
 */
#include "vmm/dev/vioapic.h"
#include "kern/string.h"

#define IOREGSEL	0x00
#define IOWIN		0x10

#define RTE_VECTOR	0x000FF
#define RTE_DELMODE	0x00700
#define RTE_LOGICAL	0x00800
#define RTE_DELIVS	0x01000
#define RTE_ACTIVELOW	0x02000
#define RTE_REMOTEIRR	0x04000
#define RTE_LEVEL	0x08000
#define RTE_MASKED	0x10000
#define RTE_WRITABLE	(RTE_VECTOR | RTE_DELMODE | RTE_LOGICAL | RTE_ACTIVELOW | \
			 RTE_LEVEL | RTE_MASKED)

void
vioapic_init(struct vioapic *io, struct vlapic *lapic)
{
	int i;

	memset(io, 0, sizeof(*io));
	io->id = VIOAPIC_ID << 24;
	io->lapic = lapic;
	for (i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = RTE_MASKED;
}

static bool
asserted(const struct vioapic *io, int pin)
{
	bool high = io->lines & (1u << pin);

	return (io->redir[pin] & RTE_ACTIVELOW) ? !high : high;
}

/* Does the entry's destination name our one LAPIC? */
static bool
for_us(const struct vioapic *io, uint64_t rte)
{
	uint32_t dest = (uint32_t) (rte >> 56);

	if (rte & RTE_LOGICAL)	/* flat model: a bit per CPU */
		return (dest & (io->lapic->ldr >> 24)) != 0;
	return dest == 0xFF || dest == (io->lapic->id >> 24);
}

static void
deliver(struct vioapic *io, int pin)
{
	uint64_t rte = io->redir[pin];
	uint32_t mode = (rte & RTE_DELMODE) >> 8;

	if (rte & RTE_MASKED)
		return;
	if (rte & RTE_LEVEL) {
		if (rte & RTE_REMOTEIRR)
			return;		/* the last message is not EOId yet */
		io->redir[pin] |= RTE_REMOTEIRR;
	}
	/* Fixed and lowest-priority mean the same with one CPU; NMI, SMI, INIT, ExtINT are not modelled. */
	if ((mode == 0 || mode == 1) && io->lapic && for_us(io, rte)) {
		io->delivered++;
		vlapic_accept(io->lapic, rte & RTE_VECTOR, rte & RTE_LEVEL);
	}
}

void
vioapic_set_irq(struct vioapic *io, int pin, int level)
{
	bool was;

	if (pin < 0 || pin >= VIOAPIC_PINS)
		return;
	was = asserted(io, pin);
	if (level)
		io->lines |= 1u << pin;
	else
		io->lines &= ~(1u << pin);
	if (!asserted(io, pin))
		return;
	if ((io->redir[pin] & RTE_LEVEL) || !was)
		deliver(io, pin);
}

void
vioapic_eoi(struct vioapic *io, int vector)
{
	int i;

	for (i = 0; i < VIOAPIC_PINS; i++) {
		if ((io->redir[i] & RTE_VECTOR) != (uint64_t) vector ||
		    !(io->redir[i] & RTE_REMOTEIRR))
			continue;
		io->redir[i] &= ~(uint64_t) RTE_REMOTEIRR;
		if ((io->redir[i] & RTE_LEVEL) && asserted(io, i))
			deliver(io, i);
	}
}

static uint32_t
reg_read(const struct vioapic *io, uint32_t r)
{
	if (r >= 0x10 && r < 0x10 + 2 * VIOAPIC_PINS) {
		uint64_t rte = io->redir[(r - 0x10) / 2];
		return (r & 1) ? (uint32_t) (rte >> 32) : (uint32_t) rte;
	}
	switch (r) {
	case 0:
		return io->id;
	case 1:
		return VIOAPIC_VERSION;
	case 2:
		return io->id;	/* arbitration ID: the APIC ID at reset */
	default:
		return 0;
	}
}

static void
reg_write(struct vioapic *io, uint32_t r, uint32_t val)
{
	int pin;
	uint64_t old;

	if (r == 0) {
		io->id = val & 0x0F000000;
		return;
	}
	if (r < 0x10 || r >= 0x10 + 2 * VIOAPIC_PINS)
		return;
	pin = (r - 0x10) / 2;
	old = io->redir[pin];
	if (r & 1) {
		io->redir[pin] = (old & 0xFFFFFFFFULL) | (uint64_t) (val & 0xFF000000) << 32;
		return;
	}
	io->redir[pin] = (old & ~(uint64_t) RTE_WRITABLE) | (val & RTE_WRITABLE);
	/* An unmasked level-triggered pin still asserted sends now. */
	if ((old & RTE_MASKED) && !(val & RTE_MASKED) && (val & RTE_LEVEL) &&
	    asserted(io, pin))
		deliver(io, pin);
}

uint32_t
vioapic_read(struct vioapic *io, uint32_t offset)
{
	if (offset == IOREGSEL)
		return io->sel;
	if (offset == IOWIN)
		return reg_read(io, io->sel);
	return 0;
}

void
vioapic_write(struct vioapic *io, uint32_t offset, uint32_t val)
{
	if (offset == IOREGSEL)
		io->sel = val & 0xFF;
	else if (offset == IOWIN)
		reg_write(io, io->sel, val);
}
