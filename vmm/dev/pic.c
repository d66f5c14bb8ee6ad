/*
 * pic.c - the 8259A programmable interrupt controller pair.
 *
 * Every PC has two, the slave cascaded into the master's IR2, and every
 * guest touches them: even one that delivers through the APICs (as
 * guest_xv6 does) must mask them, and a simpler guest takes all its
 * interrupts here.  The paper's section 2: a VMM emulates the devices the
 * guest touches, interrupt controllers first, since its interrupts are
 * the guest's only sense of time and I/O completion.
 *
 * Behaviour is the 8259A datasheet's: the ICW1-ICW4 initialisation
 * sequence, OCW1 (the mask), OCW2 (EOIs and rotation), OCW3 (IRR/ISR
 * reads, poll, special mask).  An edge-triggered input's IRR bit latches
 * a rising edge and keeps it until the CPU's INTA moves it to ISR; a
 * level-triggered one follows the line.
 *
 * Which inputs are level-triggered is the PC's edge/level control
 * registers' business (ELCR, ports 0x4D0 and 0x4D1; IRQ 0, 1, 2, 8 and
 * 13 are always edge): ICW1's LTIM bit is ignored, as on QEMU's pc
 * machine (measured), where a guest that sets it still gets edges.
 * Changing the ELCR leaves IRR alone until the line next moves.
 */
#include "vmm/dev/vpic.h"
#include "kern/string.h"

#define ICW1_ICW4	0x01	/* an ICW4 follows */
#define ICW1_SINGLE	0x02	/* no cascade: no ICW3 */
#define ICW1_INIT	0x10
#define ICW4_AEOI	0x02
#define OCW3		0x08
#define CASCADE_IR	2

/* 0 is the highest priority: the IR after the lowest-priority one. */
static int
prio(const struct vpic_chip *c, int ir)
{
	return (ir - c->prio_low - 1) & 7;
}

/* The highest-priority IR set in @bits, or -1. */
static int
highest(const struct vpic_chip *c, uint8_t bits)
{
	int ir, best = -1;

	for (ir = 0; ir < 8; ir++)
		if ((bits & (1 << ir)) && (best < 0 || prio(c, ir) < prio(c, best)))
			best = ir;
	return best;
}

/* The master sees the slave's INTR output on its cascade input. */
static uint8_t
requests(const struct vpic *p, int n)
{
	const struct vpic_chip *c = &p->chip[n];
	uint8_t irr = c->irr;

	if (n == 0 && !(c->icw1 & ICW1_SINGLE) && vpic_pending_ir(p, 1) >= 0)
		irr |= 1 << CASCADE_IR;
	return irr;
}

/*
 * The IR chip n would interrupt with, or -1: the highest unmasked request
 * that outranks everything in service (in special mask mode, only the
 * requested level itself being in service blocks it).
 */
int
vpic_pending_ir(const struct vpic *p, int n)
{
	const struct vpic_chip *c = &p->chip[n];
	int req, ins;

	if (c->init_step)
		return -1;
	req = highest(c, requests(p, n) & ~c->imr);
	if (req < 0)
		return -1;
	if (c->special_mask)
		return (c->isr & (1 << req)) ? -1 : req;
	ins = highest(c, c->isr);
	if (ins >= 0 && prio(c, ins) <= prio(c, req))
		return -1;
	return req;
}

/* The datasheet's reset; the lines and the ELCR belong to the board. */
static void
chip_reset(struct vpic_chip *c)
{
	uint8_t lines = c->lines, elcr = c->elcr, mask = c->elcr_mask;

	memset(c, 0, sizeof(*c));
	c->prio_low = 7;
	c->lines = lines;
	c->elcr = elcr;
	c->elcr_mask = mask;
}

void
vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].elcr_mask = 0xF8;	/* IRQ 0, 1, 2: edge only */
	p->chip[1].elcr_mask = 0xDE;	/* IRQ 8, 13: edge only */
	chip_reset(&p->chip[0]);
	chip_reset(&p->chip[1]);
	/* Until initialised, vectors 8-15 and 0x70-0x77, as the BIOS leaves them. */
	p->chip[0].base = 0x08;
	p->chip[1].base = 0x70;
	p->chip[0].icw3 = 1 << CASCADE_IR;
	p->chip[1].icw3 = CASCADE_IR;
	p->chip[0].icw1 = p->chip[1].icw1 = ICW1_INIT | ICW1_ICW4;
	p->chip[0].icw4 = p->chip[1].icw4 = 0x01;
}

static void
eoi(struct vpic_chip *c, int ir, bool rotate)
{
	if (ir < 0)
		return;
	c->isr &= ~(1 << ir);
	if (rotate)
		c->prio_low = ir;
}

static void
write_cmd(struct vpic_chip *c, uint8_t val)
{
	if (val & ICW1_INIT) {
		/* ICW1: start over.  The mask and in-service bits clear. */
		chip_reset(c);
		c->icw1 = val;
		c->init_step = 2;
		return;
	}
	if (val & OCW3) {
		if (val & 0x02)
			c->read_isr = val & 0x01;
		if (val & 0x40)
			c->special_mask = val & 0x20;
		c->poll = val & 0x04;
		return;
	}
	/* OCW2 */
	switch (val >> 5) {
	case 1:			/* non-specific EOI */
		eoi(c, highest(c, c->isr), false);
		break;
	case 3:			/* specific EOI */
		eoi(c, val & 7, false);
		break;
	case 5:			/* rotate on non-specific EOI */
		eoi(c, highest(c, c->isr), true);
		break;
	case 7:			/* rotate on specific EOI */
		eoi(c, val & 7, true);
		break;
	case 4:
		c->rotate_aeoi = true;
		break;
	case 0:
		c->rotate_aeoi = false;
		break;
	case 6:			/* set priority */
		c->prio_low = val & 7;
		break;
	}
}

static void
write_data(struct vpic_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 2:
		c->base = val & 0xF8;
		if (!(c->icw1 & ICW1_SINGLE))
			c->init_step = 3;
		else
			c->init_step = (c->icw1 & ICW1_ICW4) ? 4 : 0;
		break;
	case 3:
		c->icw3 = val;
		c->init_step = (c->icw1 & ICW1_ICW4) ? 4 : 0;
		break;
	case 4:
		c->icw4 = val;
		c->init_step = 0;
		break;
	default:
		c->imr = val;
		break;
	}
}

/* The INTA sequence on chip n for its IR ir. */
static void
take(struct vpic_chip *c, int ir)
{
	c->irr &= ~(1 << ir);
	if (c->icw4 & ICW4_AEOI) {
		if (c->rotate_aeoi)
			c->prio_low = ir;
	} else {
		c->isr |= 1 << ir;
	}
	/* A level-triggered input still asserted asks again at once. */
	if (c->elcr & c->lines & (1 << ir))
		c->irr |= 1 << ir;
}

int
vpic_ack(struct vpic *p)
{
	int m = vpic_pending_ir(p, 0), s;

	if (m < 0)
		return -1;
	if (m == CASCADE_IR && !(p->chip[0].icw1 & ICW1_SINGLE)) {
		s = vpic_pending_ir(p, 1);
		take(&p->chip[0], m);
		if (s < 0)	/* the request went away: the slave's spurious IR7 */
			return p->chip[1].base + 7;
		take(&p->chip[1], s);
		return p->chip[1].base + s;
	}
	take(&p->chip[0], m);
	return p->chip[0].base + m;
}

int
vpic_pending(const struct vpic *p)
{
	int m = vpic_pending_ir(p, 0), s;

	if (m < 0)
		return -1;
	if (m == CASCADE_IR && !(p->chip[0].icw1 & ICW1_SINGLE)) {
		s = vpic_pending_ir(p, 1);
		return p->chip[1].base + (s < 0 ? 7 : s);
	}
	return p->chip[0].base + m;
}

bool
vpic_intr(const struct vpic *p)
{
	return vpic_pending_ir(p, 0) >= 0;
}

/* OCW3's poll: the read is the INTA. */
static uint8_t
poll(struct vpic *p, int n)
{
	int ir = vpic_pending_ir(p, n);

	p->chip[n].poll = false;
	if (ir < 0)
		return 0;
	take(&p->chip[n], ir);
	return 0x80 | ir;
}

uint8_t
vpic_read(struct vpic *p, uint16_t port)
{
	int n = (port & 0x80) ? 1 : 0;
	struct vpic_chip *c = &p->chip[n];

	if (port == VPIC_ELCR || port == VPIC_ELCR + 1)
		return p->chip[port - VPIC_ELCR].elcr;
	if (c->poll)
		return poll(p, n);
	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : requests(p, n);
}

void
vpic_write(struct vpic *p, uint16_t port, uint8_t val)
{
	struct vpic_chip *c = &p->chip[(port & 0x80) ? 1 : 0];

	if (port == VPIC_ELCR || port == VPIC_ELCR + 1) {
		c = &p->chip[port - VPIC_ELCR];
		c->elcr = val & c->elcr_mask;
		return;
	}
	if (port & 1)
		write_data(c, val);
	else
		write_cmd(c, val);
}

void
vpic_set_irq(struct vpic *p, int irq, int level)
{
	struct vpic_chip *c = &p->chip[(irq >> 3) & 1];
	uint8_t bit = 1 << (irq & 7);

	if (level) {
		if (!(c->lines & bit) || (c->elcr & bit))
			c->irr |= bit;
		c->lines |= bit;
	} else {
		if ((c->lines & bit) && (c->elcr & bit))
			c->irr &= ~bit;
		c->lines &= ~bit;
	}
}
