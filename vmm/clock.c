/*
 * clock.c - the guest's virtual time (vmm/clock.h).
 *
 * A guest's timers must run on the clock its native run sees: QEMU's
 * virtual clock, which under -icount counts instructions and jumps over
 * idle time (sleep=off), and otherwise follows the host.  The HPET of
 * QEMU's pc machine counts that very clock, 64 bits at a fixed period,
 * so the monitor reads it when it is there.  Where it is not (Bochs), the
 * TSC serves, calibrated against the host's 8253 by spinning, not by
 * halting: the TSC of QEMU's instruction clock does not move while the
 * CPU is halted, so a calibration across hlt would make guest time run
 * fast.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/trap.h"
#include "kern/pit.h"
#include "kern/pmap.h"
#include "vmm/vm.h"
#include "vmm/clock.h"

/* The HPET where the PC's firmware tables put it, and its registers. */
#define HPET_PA			0xFED00000u
#define HPET_CAP		0x000	/* 31-0: id, 63-32: period in fs */
#define HPET_CONFIG		0x010	/* bit 0: the counter runs */
#define HPET_COUNTER		0x0F0
#define HPET_VENDOR_INTEL	0x8086
#define FS_PER_NS		1000000u
/* The specification's longest period: 100 ns. */
#define HPET_MAX_PERIOD_FS	100000000u

static uint32_t
hpet_read(const struct vclock *c, unsigned reg)
{
	return *(volatile uint32_t *) (c->hpet + reg);
}

/* The 64-bit counter from two 32-bit halves: the high half read twice. */
static uint64_t
hpet_counter(const struct vclock *c)
{
	uint32_t hi, lo;

	do {
		hi = hpet_read(c, HPET_COUNTER + 4);
		lo = hpet_read(c, HPET_COUNTER);
	} while (hpet_read(c, HPET_COUNTER + 4) != hi);
	return (uint64_t) hi << 32 | lo;
}

/* Use the HPET if one answers where QEMU's pc machine has it. */
static bool
hpet_start(struct vclock *c)
{
	uint32_t id, period;

	if ((c->hpet = host_device_map(HPET_PA)) == NULL)
		return false;
	id = hpet_read(c, HPET_CAP);
	period = hpet_read(c, HPET_CAP + 4);
	if ((id >> 16) != HPET_VENDOR_INTEL || period == 0 ||
	    period > HPET_MAX_PERIOD_FS || period % FS_PER_NS != 0) {
		c->hpet = NULL;
		return false;
	}
	*(volatile uint32_t *) (c->hpet + HPET_CONFIG) |= 1;
	c->ns_per_tick = period / FS_PER_NS;
	c->start = hpet_counter(c);
	return true;
}

/* Two ticks of the host's 8253, spinning with host interrupts on. */
static void
tsc_start(struct vclock *c)
{
	uint32_t t;
	uint64_t t0;

	sti();
	t = ticks;
	while (ticks == t)
		pause();
	t0 = rdtsc();
	t = ticks;
	while (ticks - t < 2)
		pause();
	c->tsc_per_ms = (rdtsc() - t0) * TIMER_HZ / 2000;
	cli();
	if (c->tsc_per_ms == 0)
		c->tsc_per_ms = 1;
	c->start = rdtsc();
}

void
clock_start(struct vm *vm)
{
	struct vclock *c = &vm->clock;

	if (!hpet_start(c))
		tsc_start(c);
}

uint64_t
clock_now_ns(const struct vm *vm)
{
	const struct vclock *c = &vm->clock;

	if (c->hpet)
		return (hpet_counter(c) - c->start) * c->ns_per_tick;
	return (rdtsc() - c->start) * 1000000 / c->tsc_per_ms;
}

const char *
clock_source(const struct vm *vm)
{
	return vm->clock.hpet ? "the HPET (QEMU's virtual clock)" :
		"the TSC, calibrated against the 8253";
}
