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
 * terminal count.  Modes 1, 4 and 5 count as mode 0.  An interrupt is a
 * pulse on IRQ 0: the 8259 latches its edge.
 *
 * Where QEMU's 8254 departs from the datasheet, guests written for QEMU
 * see QEMU's (measured), so this model does too: a count runs from the
 * moment it is loaded whatever the gate says, and a rising gate restarts
 * it in modes 1, 2, 3 and 5; BCD is recorded and reported in the status
 * byte but the count runs in binary; the status byte's null-count bit is
 * never set; the control port reads 0.  Port 0x61 reads back only the
 * gate and speaker bits, channel 2's OUT in bit 5, and a refresh bit 4
 * that changes on every read.
 */
#include "vmm/dev/vpit.h"
#include "kern/string.h"

#define NS	1000000000ULL
#define PORT61_BITS	0x03	/* channel 2's gate, the speaker's data */
#define PORT61_REFRESH	0x10

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
	return c->armed;
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
	c->reload = v ? v : 0x10000;
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
				c->latch = count(p, c);
				c->latched = true;
				c->latch_hi = false;
			}
			if (!(val & 0x10) && !c->status_latched) {
				c->status = (out(p, c) ? 0x80 : 0) | c->access << 4 |
				    c->mode << 1 | c->bcd;
				c->status_latched = true;
			}
		}
		return;
	}
	c = &p->ch[sel];
	if ((val & 0x30) == 0) {	/* counter latch */
		if (!c->latched) {
			c->latch = count(p, c);
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
		/* Bit 4 is DRAM refresh, which delay loops watch: QEMU flips it per read. */
		p->port61 ^= PORT61_REFRESH;
		return p->port61 | (out(p, &p->ch[2]) ? 0x20 : 0);
	}
	if (port == 0x43)
		return 0;	/* the control word is write-only; QEMU reads 0 */
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
	v = count(p, c);
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
		/* A rising gate restarts the count, but not in modes 0 and 4. */
		if ((val & 1) && !c2->gate && c2->armed && c2->mode != 0 && c2->mode != 4) {
			c2->start_ns = p->now_ns;
			c2->fired = 0;
		}
		c2->gate = val & 1;
		p->port61 = (p->port61 & PORT61_REFRESH) | (val & PORT61_BITS);
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
