/*
 * clock.c - the guest's virtual time, from the host's TSC (vmm/clock.h).
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/trap.h"
#include "kern/pit.h"
#include "vmm/vm.h"
#include "vmm/clock.h"

void
clock_start(struct vm *vm)
{
	struct vclock *c = &vm->clock;
	uint32_t t;
	uint64_t t0;

	/* Two ticks of the host's 8253, with host interrupts on. */
	sti();
	t = ticks;
	while (ticks == t)
		asm volatile("hlt");
	t0 = rdtsc();
	t = ticks;
	while (ticks - t < 2)
		asm volatile("hlt");
	c->tsc_per_ms = (rdtsc() - t0) * TIMER_HZ / 2000;
	cli();
	if (c->tsc_per_ms == 0)
		c->tsc_per_ms = 1;
	c->tsc_start = rdtsc();
}

uint64_t
clock_now_ns(const struct vm *vm)
{
	return (rdtsc() - vm->clock.tsc_start) * 1000000 / vm->clock.tsc_per_ms;
}
