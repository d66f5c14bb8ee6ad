/*
 * pit.c - the 8253/8254 programmable interval timer.
 *
 * Three 16-bit down-counters clocked at 1.193182 MHz.  Channel 0's output
 * is IRQ 0, the tick of every guest that does not use the LAPIC timer;
 * channel 2 is gated and read through port 0x61, which guests use to
 * calibrate their clocks.  The paper's section 2: the VMM must emulate the
 * devices the guest touches, and a timer is the one device whose
 * emulation must keep up with time itself.
 *
 * The model keeps no running counter: a channel remembers when its count
 * was loaded, and every read or deadline is computed from the virtual
 * time the caller supplies.  Modes 2 and 3 interrupt every period (mode 3's
 * square wave gives one rising edge per period too); mode 0 once, at
 * terminal count.  Modes 1, 4 and 5 behave as mode 0 (no hardware gates
 * them).  An interrupt is a pulse on IRQ 0: the 8259 latches its edge.
 */
#include "vmm/dev/vpit.h"
#include "kern/string.h"

#define NS	1000000000ULL

/* Input-clock ticks in @ns nanoseconds, split so the product cannot overflow. */
static uint64_t
ns_to_ticks(uint64_t ns)
{
	return ns / NS * VPIT_HZ + ns % NS * VPIT_HZ / NS;
}

/* The first time at which ns_to_ticks reaches @ticks. */
static uint64_t
ticks_to_ns(uint64_t ticks)
{
	return ticks / VPIT_HZ * NS + (ticks % VPIT_HZ * NS + VPIT_HZ - 1) / VPIT_HZ;
}

static bool
periodic(const struct vpit_chan *c)
{
	return (c->mode & 3) == 2 || (c->mode & 3) == 3;
}

static uint64_t
elapsed(const struct vpit *p, const struct vpit_chan *c)
{
	return p->now_ns > c->start_ns ? ns_to_ticks(p->now_ns - c->start_ns) : 0;
}

static bool
counting(const struct vpit_chan *c)
{
	return c->armed && c->gate;
}

/* The counter as a read would see it now. */
static uint16_t
count(const struct vpit *p, const struct vpit_chan *c)
{
	uint64_t t;

	if (!counting(c))
		return (uint16_t) c->reload;
	t = elapsed(p, c);
	if ((c->mode & 3) == 2)
		return (uint16_t) (c->reload - t % c->reload);
	if ((c->mode & 3) == 3)		/* counts down by two, twice a period */
		return (uint16_t) ((c->reload - (2 * t) % c->reload) & ~1u);
	return (uint16_t) (c->reload - t);	/* keeps wrapping after 0 */
}

/* The OUT pin, for the status byte and port 0x61. */
static bool
out(const struct vpit *p, const struct vpit_chan *c)
{
	uint64_t t;

	if (!counting(c))
		return (c->mode & 3) >= 2;
	t = elapsed(p, c);
	if ((c->mode & 3) == 2)
		return t % c->reload != c->reload - 1;
	if ((c->mode & 3) == 3)
		return t % c->reload < (c->reload + 1) / 2;
	return t >= c->reload;
}

static uint16_t
to_bcd(uint16_t v)
{
	return (v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12;
}

static uint32_t
from_bcd(uint16_t v)
{
	return (v & 15) + (v >> 4 & 15) * 10 + (v >> 8 & 15) * 100 + (v >> 12 & 15) * 1000;
}

void
vpit_init(struct vpit *p, struct virq irq, uint64_t now_ns)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->irq = irq;
	p->now_ns = now_ns;
	for (i = 0; i < 3; i++) {
		p->ch[i].reload = 0x10000;
		p->ch[i].access = 3;
		p->ch[i].gate = i != 2;	/* channel 2 is gated by port 0x61 */
	}
}

static void
load(struct vpit *p, struct vpit_chan *c, uint16_t v)
{
	uint32_t n = c->bcd ? from_bcd(v) : v;

	if (n == 0)
		n = c->bcd ? 10000 : 0x10000;
	c->reload = n;
	c->armed = true;
	c->start_ns = p->now_ns;
	c->fired = 0;
}

static void
write_count(struct vpit *p, struct vpit_chan *c, uint8_t val)
{
	switch (c->access) {
	case 1:
		load(p, c, val);
		break;
	case 2:
		load(p, c, val << 8);
		break;
	default:
		if (!c->write_hi) {
			c->write_lo = val;
			c->write_hi = true;
		} else {
			c->write_hi = false;
			load(p, c, c->write_lo | val << 8);
		}
	}
}

static uint16_t
latch_value(const struct vpit *p, const struct vpit_chan *c)
{
	uint16_t v = count(p, c);

	return c->bcd ? to_bcd(v % 10000) : v;
}

static void
control(struct vpit *p, uint8_t val)
{
	int sel = val >> 6, i;
	struct vpit_chan *c;

	if (sel == 3) {		/* read-back: latch count and/or status of several */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			c = &p->ch[i];
			if (!(val & 0x20) && !c->latched) {
				c->latch = latch_value(p, c);
				c->latched = true;
				c->latch_hi = false;
			}
			if (!(val & 0x10) && !c->status_latched) {
				c->status = (out(p, c) ? 0x80 : 0) | (c->armed ? 0 : 0x40) |
				    c->access << 4 | c->mode << 1 | c->bcd;
				c->status_latched = true;
			}
		}
		return;
	}
	c = &p->ch[sel];
	if ((val & 0x30) == 0) {	/* counter latch */
		if (!c->latched) {
			c->latch = latch_value(p, c);
			c->latched = true;
			c->latch_hi = false;
		}
		return;
	}
	c->access = (val >> 4) & 3;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are 2 and 3 */
	c->bcd = val & 1;
	c->armed = false;	/* a new mode waits for its count */
	c->write_hi = c->read_hi = false;
	c->latched = c->status_latched = false;
}

uint8_t
vpit_read(struct vpit *p, uint16_t port)
{
	struct vpit_chan *c;
	uint16_t v;
	uint8_t b;

	if (port == 0x61) {
		/* Bit 4 toggles with DRAM refresh: delay loops watch it. */
		return (p->port61 & 0x0F) | (out(p, &p->ch[2]) ? 0x20 : 0) |
		    ((p->now_ns / 15000) & 1 ? 0x10 : 0);
	}
	if (port == 0x43)
		return 0xFF;	/* the control word is write-only */
	c = &p->ch[port & 3];
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		v = c->latch;
		if (c->access == 3 && !c->latch_hi) {
			c->latch_hi = true;
			return v & 0xFF;
		}
		c->latched = false;
		return c->access == 2 || c->access == 3 ? v >> 8 : v & 0xFF;
	}
	v = latch_value(p, c);
	switch (c->access) {
	case 1:
		return v & 0xFF;
	case 2:
		return v >> 8;
	default:
		b = c->read_hi ? v >> 8 : v & 0xFF;
		c->read_hi = !c->read_hi;
		return b;
	}
}

void
vpit_write(struct vpit *p, uint16_t port, uint8_t val)
{
	struct vpit_chan *c2 = &p->ch[2];

	if (port == 0x61) {
		/* A rising gate restarts channel 2's count in every mode we model. */
		if ((val & 1) && !c2->gate && c2->armed) {
			c2->start_ns = p->now_ns;
			c2->fired = 0;
		}
		c2->gate = val & 1;
		p->port61 = val & 0x0F;
		return;
	}
	if (port == 0x43)
		control(p, val);
	else
		write_count(p, &p->ch[port & 3], val);
}

void
vpit_advance(struct vpit *p, uint64_t now_ns)
{
	struct vpit_chan *c = &p->ch[0];
	uint64_t periods;

	if (now_ns > p->now_ns)
		p->now_ns = now_ns;
	if (!counting(c))
		return;
	periods = elapsed(p, c) / c->reload;
	if (!periodic(c) && periods > 1)
		periods = 1;
	/* Periods missed while nobody looked collapse into one edge, as on hardware. */
	if (periods > c->fired) {
		c->fired = periods;
		p->irqs++;
		virq_set(&p->irq, 1);
		virq_set(&p->irq, 0);
	}
}

uint64_t
vpit_deadline(const struct vpit *p)
{
	const struct vpit_chan *c = &p->ch[0];

	if (!counting(c) || (!periodic(c) && c->fired))
		return UINT64_MAX;
	return c->start_ns + ticks_to_ns((c->fired + 1) * c->reload);
}
