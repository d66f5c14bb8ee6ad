/*
 * te.c - the trap-and-emulate engine: the guest runs as it is, and every
 * instruction it may not run traps.
 *
 * Adams & Agesen, section 2.  The guest's kernel runs directly on the
 * CPU, deprivileged to ring 1 (vmm/ringcomp/ says how, and how the
 * compression is hidden), so each privileged instruction it executes
 * traps to the monitor, which carries it out on the virtual CPU with the
 * one emulator and lets the guest go on.  What a trap means is te's
 * rule, which the binary translator follows for the code it runs as it
 * is (rc_trap_reason() in vmm/ringcomp/ringcomp.c carries it out):
 *
 *	host IRQ vector		a host device: the host's handler takes it
 *	#PF, guest paging on	the shadow MMU's (vmm/shadow_fault.c), as for
 *				paging off on a frame the shadow GDT watches
 *	#GP, #SS		a privileged instruction, I/O, int n, a segment
 *				limit (the shadow's, truncated below the
 *				monitor or, for expand-down data, empty):
 *				emulate, with the guest's own segments
 *				(QEMU's TCG checks no limits here: Bochs and
 *				hardware do)
 *	#NP			a descriptor the shadow GDT hides (the guest's
 *				iret to ring 3): emulate
 *	#PF, guest paging off	an address beyond guest RAM or in the
 *				monitor's range: emulate
 *	#GP, from cpuid		where the CPU has CPUID faulting
 *				(vmm/te/cpuid_fault.c): emulate
 *	#UD			an instruction the guest's CPU has and ours
 *				lacks: emulate
 *	#TS			an iret with NT set, a task return: the
 *				monitor's TSS has no back link; emulate
 *	any other exception	the guest's own (a divide error): reflect it
 *
 * Everything else - the run loop, the emulation, the page-fault policy,
 * delivery, idling, the devices and their clock - is the core's, shared
 * with the other engines (vmm/run.c).
 */
#include "kern/types.h"
#include "kern/printf.h"
#include "kern/trap.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vm.h"
#include "vmm/ringcomp/ringcomp.h"
#include "vmm/te/te.h"

static int
te_enter(struct vm *vm, struct vm_exit *x)
{
	if (rc_enter(vm, x, NULL) < 0)
		return -1;
	if (x->vector >= IRQ_OFFSET + NIRQS)
		return vm_kill(vm, "unexpected trap %u from the guest", x->vector);
	x->reason = rc_trap_reason(vm, x);
	return 0;
}

static int
te_setup(struct vm *vm)
{
	if (rc_setup(vm) < 0)
		return -1;
	te_cpuid_fault_on();
	return 0;
}

static void
te_teardown(struct vm *vm)
{
	(void) vm;
	te_cpuid_fault_off();
}

static void
te_print_stats(const struct vm *vm)
{
	rc_print_stats(vm, "te");
}

const struct engine te_engine = {
	.name = "te",
	.what = "trap-and-emulate, the guest kernel at ring 1",
	.setup = te_setup,
	.enter = te_enter,
	.inject = rc_deliver,
	.teardown = te_teardown,
	.print_stats = te_print_stats,
	.load_dtr = rc_load_dtr,
	.watched_write = rc_watched_write,
	.unwatch = rc_unwatch,
};
