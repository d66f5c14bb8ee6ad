/*
 * lapic.c - the local APIC of the one virtual CPU.
 *
 * Every interrupt a modern guest takes passes through here: the IOAPIC's
 * messages land in IRR, the CPU takes the highest vector whose priority
 * class beats PPR (the larger of TPR and the class in service), and the
 * guest's EOI write retires ISR's highest bit.  Its timer is guest_xv6's
 * clock.  xv6-style kernels also read the ID register on every lock
 * acquire, which is why the engine maps a read-only snapshot of this page
 * (vlapic_fill_page; docs/design.md section 5).  The paper's section 2: the
 * VMM emulates the devices the guest touches; section 6 measures what
 * trapping them costs.
 *
 * Register layout and semantics are those of Intel's SDM volume 3,
 * chapter 10.  The timer runs at 1 GHz before the divider, QEMU's APIC
 * clock, which guest_xv6's TIMER_COUNT assumes.  IPIs are for other
 * CPUs: a uniprocessor accepts INIT and STARTUP and does nothing; only
 * fixed IPIs to itself are delivered.
 */
#include "vmm/dev/vlapic.h"
#include "kern/string.h"

#define LVT_DELIVERY	0x700
#define LVT_EXTINT	0x700
#define ESR_RECV_ILLEGAL	0x40
#define ESR_SEND_ILLEGAL	0x20

/* The writable bits of each LVT entry. */
static const uint32_t lvt_bits[NLVT] = {
	[LVT_TIMER] = 0x300FF,		/* vector, mask, mode (periodic, TSC deadline) */
	[LVT_THERMAL] = 0x107FF,
	[LVT_PERF] = 0x107FF,
	[LVT_LINT0] = 0x1A7FF,		/* vector, delivery, polarity, trigger, mask */
	[LVT_LINT1] = 0x1A7FF,
	[LVT_ERROR] = 0x100FF,
};

static bool
test(const uint32_t *a, int v)
{
	return a[v >> 5] & (1u << (v & 31));
}

static void
set(uint32_t *a, int v)
{
	a[v >> 5] |= 1u << (v & 31);
}

static void
clear(uint32_t *a, int v)
{
	a[v >> 5] &= ~(1u << (v & 31));
}

/* The highest vector set in a 256-bit array, or -1. */
static int
highest(const uint32_t *a)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (a[i])
			return i * 32 + 31 - __builtin_clz(a[i]);
	return -1;
}

static uint32_t
ppr(const struct vlapic *l)
{
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t) isrv & 0xF0;

	return (l->tpr & 0xF0) >= isr_class ? l->tpr & 0xFF : isr_class;
}

/* Timer ticks per nanosecond divisor, from TDCR bits 0, 1 and 3. */
static uint32_t
divisor(const struct vlapic *l)
{
	uint32_t v = (l->tdcr & 3) | ((l->tdcr >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

static bool
periodic(const struct vlapic *l)
{
	return l->lvt[LVT_TIMER] & VLAPIC_LVT_PERIODIC;
}

static uint64_t
period_ns(const struct vlapic *l)
{
	return (uint64_t) l->ticr * divisor(l);
}

/*
 * The timer's current count.  The LAPIC mirror (vmm/mirror.c) asks for it on
 * every entry into the guest, so it avoids 64-bit division where it can:
 * the divisor is a power of two, and the counts since the timer started
 * fit in 32 bits for the first four seconds of any period.
 */
static uint32_t
current_count(const struct vlapic *l)
{
	uint64_t counts;

	if (!l->timer_running)
		return 0;
	counts = (l->now_ns - l->timer_start) >> __builtin_ctz(divisor(l));
	if (periodic(l))
		return l->ticr - (uint32_t) (counts >> 32 ? counts % l->ticr :
					     (uint32_t) counts % l->ticr);
	return counts >= l->ticr ? 0 : l->ticr - (uint32_t) counts;
}

void
vlapic_init(struct vlapic *l, uint32_t id, uint64_t now_ns)
{
	int i;

	memset(l, 0, sizeof(*l));
	l->id = id << 24;
	l->dfr = 0xFFFFFFFF;
	l->svr = 0xFF;		/* software-disabled, spurious vector 0xFF */
	for (i = 0; i < NLVT; i++)
		l->lvt[i] = VLAPIC_LVT_MASKED;
	l->now_ns = now_ns;
	l->apic_base = VLAPIC_BASE | VLAPIC_BASE_BSP | VLAPIC_BASE_ENABLE;
}

void
vlapic_bios_setup(struct vlapic *l)
{
	vlapic_write(l, VLAPIC_SVR, VLAPIC_SVR_ENABLE | 0xFF);
	/* Level-triggered as the BIOS leaves them (bit 15), unmasked. */
	vlapic_write(l, VLAPIC_LVT_LINT0, 0x8700);	/* ExtINT: the 8259 */
	vlapic_write(l, VLAPIC_LVT_LINT1, 0x8400);	/* NMI */
}

uint64_t
vlapic_base(const struct vlapic *l)
{
	return l->apic_base;
}

int
vlapic_set_base(struct vlapic *l, uint64_t val)
{
	int i;

	/* Bits 0-7, 9, 10 and above the physical-address width: reserved. */
	if ((val & 0x6FF) || (val >> 32) ||
	    (val & ~0xFFFull) != (VLAPIC_BASE & ~0xFFFu))
		return -1;
	if (!(val & VLAPIC_BASE_ENABLE) && (l->apic_base & VLAPIC_BASE_ENABLE)) {
		l->apic_base &= ~VLAPIC_BASE_ENABLE;
		l->svr &= ~VLAPIC_SVR_ENABLE;
		for (i = 0; i < NLVT; i++)
			l->lvt[i] |= VLAPIC_LVT_MASKED;
		l->generation++;
	}
	return 0;
}

bool
vlapic_enabled(const struct vlapic *l)
{
	return (l->apic_base & VLAPIC_BASE_ENABLE) && (l->svr & VLAPIC_SVR_ENABLE);
}

void
vlapic_accept(struct vlapic *l, int vector, bool level)
{
	if (vector < 16) {
		/* Vectors 0-15 are the CPU's exceptions: the APIC refuses them. */
		l->esr_pending |= ESR_RECV_ILLEGAL;
		if (!(l->lvt[LVT_ERROR] & VLAPIC_LVT_MASKED) &&
		    (l->lvt[LVT_ERROR] & 0xFF) >= 16)
			set(l->irr, l->lvt[LVT_ERROR] & 0xFF);
		l->generation++;
		return;
	}
	set(l->irr, vector);
	if (level)
		set(l->tmr, vector);
	else
		clear(l->tmr, vector);
	l->generation++;
}

int
vlapic_pending(const struct vlapic *l)
{
	int v = highest(l->irr);

	if (v < 0 || !vlapic_enabled(l))
		return -1;
	if (((uint32_t) v & 0xF0) <= (ppr(l) & 0xF0))
		return -1;
	return v;
}

int
vlapic_ack(struct vlapic *l)
{
	int v = vlapic_pending(l);

	if (v < 0)
		return -1;
	clear(l->irr, v);
	set(l->isr, v);
	l->generation++;
	return v;
}

/* Register values as a read sees them; no side effects, so the page can use it too. */
static uint32_t
reg(const struct vlapic *l, uint32_t off)
{
	if (off >= VLAPIC_ISR && off < VLAPIC_ISR + 0x80)
		return l->isr[(off - VLAPIC_ISR) >> 4];
	if (off >= VLAPIC_TMR && off < VLAPIC_TMR + 0x80)
		return l->tmr[(off - VLAPIC_TMR) >> 4];
	if (off >= VLAPIC_IRR && off < VLAPIC_IRR + 0x80)
		return l->irr[(off - VLAPIC_IRR) >> 4];
	if (off >= VLAPIC_LVT_TIMER && off <= VLAPIC_LVT_ERROR)
		return l->lvt[(off - VLAPIC_LVT_TIMER) >> 4];
	switch (off) {
	case VLAPIC_ID:
		return l->id;
	case VLAPIC_VER:
		return VLAPIC_VERSION;
	case VLAPIC_TPR:
		return l->tpr;
	case VLAPIC_PPR:
		return ppr(l);
	case VLAPIC_LDR:
		return l->ldr;
	case VLAPIC_DFR:
		return l->dfr;
	case VLAPIC_SVR:
		return l->svr;
	case VLAPIC_ESR:
		return l->esr;
	case VLAPIC_ICRLO:
		return l->icr_lo;
	case VLAPIC_ICRHI:
		return l->icr_hi;
	case VLAPIC_TICR:
		return l->ticr;
	case VLAPIC_TCCR:
		return current_count(l);
	case VLAPIC_TDCR:
		return l->tdcr;
	default:
		return 0;	/* reserved, APR, EOI (write-only) */
	}
}

uint32_t
vlapic_read(struct vlapic *l, uint32_t offset)
{
	return (offset & 0xF) ? 0 : reg(l, offset & 0xFF0);
}

void
vlapic_refresh_count(const struct vlapic *l, uint8_t page[4096])
{
	uint32_t v = current_count(l);

	memcpy(page + VLAPIC_TCCR, &v, sizeof(v));
}

void
vlapic_fill_page(const struct vlapic *l, uint8_t page[4096])
{
	uint32_t off, v[4] = { 0, 0, 0, 0 };

	/* Registers sit every 16 bytes in the first 1 KB; the rest of the
	 * page reads as zero and never changes, so a page the caller
	 * zeroed once needs only this part rewritten. */
	for (off = 0; off < 0x400; off += 16) {
		v[0] = reg(l, off);
		memcpy(page + off, v, sizeof(v));
	}
}

static void
eoi(struct vlapic *l)
{
	int v = highest(l->isr);

	if (v < 0)
		return;
	clear(l->isr, v);
	if (test(l->tmr, v) && l->eoi_level)
		l->eoi_level(l->eoi_ctx, v);
}

/* An IPI: only what reaches this CPU matters. */
static void
send_ipi(struct vlapic *l)
{
	uint32_t mode = (l->icr_lo >> 8) & 7, shorthand = (l->icr_lo >> 18) & 3;
	uint32_t dest = l->icr_hi >> 24;
	int vector = l->icr_lo & 0xFF;
	bool self;

	if (shorthand == 0)
		self = (l->icr_lo & 0x800) ? (dest & (l->ldr >> 24)) != 0 :
		    dest == 0xFF || dest == (l->id >> 24);
	else
		self = shorthand == 1 || shorthand == 2;
	if (!self || mode != 0)
		return;		/* other CPUs, or INIT/STARTUP/NMI: none here */
	if (vector < 16) {
		l->esr_pending |= ESR_SEND_ILLEGAL;
		return;
	}
	vlapic_accept(l, vector, false);
}

static void
start_timer(struct vlapic *l)
{
	l->timer_running = l->ticr != 0;
	l->timer_start = l->now_ns;
	l->timer_fired = 0;
}

void
vlapic_write(struct vlapic *l, uint32_t offset, uint32_t val)
{
	int i;

	if (offset & 0xF)
		return;
	if (offset >= VLAPIC_LVT_TIMER && offset <= VLAPIC_LVT_ERROR) {
		i = (offset - VLAPIC_LVT_TIMER) >> 4;
		l->lvt[i] = val & lvt_bits[i];
		if (!vlapic_enabled(l))	/* a disabled APIC keeps every LVT masked */
			l->lvt[i] |= VLAPIC_LVT_MASKED;
		l->generation++;
		return;
	}
	switch (offset) {
	case VLAPIC_ID:
		l->id = val & 0xFF000000;
		break;
	case VLAPIC_TPR:
		l->tpr = val & 0xFF;
		break;
	case VLAPIC_EOI:
		eoi(l);
		break;
	case VLAPIC_LDR:
		l->ldr = val & 0xFF000000;
		break;
	case VLAPIC_DFR:
		l->dfr = val | 0x0FFFFFFF;
		break;
	case VLAPIC_SVR:
		l->svr = val & 0x3FF;
		/* Globally disabled, the LAPIC stays off whatever SVR says. */
		if (!(l->apic_base & VLAPIC_BASE_ENABLE))
			l->svr &= ~VLAPIC_SVR_ENABLE;
		if (!vlapic_enabled(l))
			for (i = 0; i < NLVT; i++)
				l->lvt[i] |= VLAPIC_LVT_MASKED;
		break;
	case VLAPIC_ESR:
		/* A write moves the errors seen since the last one into view. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case VLAPIC_ICRLO:
		l->icr_lo = val & 0xCCFFF;	/* delivery status always reads idle */
		send_ipi(l);
		break;
	case VLAPIC_ICRHI:
		l->icr_hi = val & 0xFF000000;
		break;
	case VLAPIC_TICR:
		l->ticr = val;
		start_timer(l);
		break;
	case VLAPIC_TDCR:
		l->tdcr = val & 0xB;
		break;
	default:
		return;		/* read-only or reserved */
	}
	l->generation++;
}

void
vlapic_advance(struct vlapic *l, uint64_t now_ns)
{
	uint64_t periods;

	if (now_ns > l->now_ns)
		l->now_ns = now_ns;
	if (!l->timer_running)
		return;
	periods = (l->now_ns - l->timer_start) / period_ns(l);
	if (!periodic(l) && periods > 1)
		periods = 1;
	if (periods <= l->timer_fired)
		return;
	/* Missed periods merge into one interrupt: IRR holds one bit per vector. */
	l->timer_fired = periods;
	if (!periodic(l))
		l->timer_running = false;
	l->generation++;	/* TCCR moved on */
	if (!(l->lvt[LVT_TIMER] & VLAPIC_LVT_MASKED)) {
		l->timer_irqs++;
		vlapic_accept(l, l->lvt[LVT_TIMER] & 0xFF, false);
	}
}

uint64_t
vlapic_deadline(const struct vlapic *l)
{
	if (!l->timer_running || (l->lvt[LVT_TIMER] & VLAPIC_LVT_MASKED))
		return UINT64_MAX;
	return l->timer_start + (l->timer_fired + 1) * period_ns(l);
}
