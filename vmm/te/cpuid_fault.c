/*
 * cpuid_fault.c - making the guest's cpuid trap, where the CPU can.
 *
 * cpuid is sensitive (it tells the guest what the real CPU is: VMX, the
 * features a monitor would rather hide) but not privileged: at ring 1 it
 * runs on the CPU, and the monitor's filtered answer (vmm/machine.c)
 * never reaches the guest.  Paper section 2.4 lists the i386's
 * instructions of that kind; lab 4 measures them with pgdetect.
 *
 * Intel's later CPUs can make cpuid fault at CPL > 0 ("CPUID faulting"):
 * PLATFORM_INFO (MSR 0xce) bit 32 says whether, MISC_FEATURES_ENABLES
 * (MSR 0x140) bit 0 turns it on.  te turns it on while a guest runs, if
 * it is there: the guest's cpuid then raises #GP, which te emulates like
 * any privileged instruction.  QEMU's TCG CPU reads PLATFORM_INFO as 0,
 * so under QEMU the guest's cpuid stays unseen; a CPU without the MSR at
 * all raises #GP at the read, caught here (kern/trap.h's trap_catch).
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/trap.h"
#include "kern/printf.h"
#include "vmm/vm.h"
#include "vmm/emulate.h"
#include "vmm/te/te.h"

/* Whether this CPU's cpuid faults now: its state, not a guest's. */
static bool faulting;

/* PLATFORM_INFO, or 0 if reading it raised a fault. */
static uint64_t
platform_info(void)
{
	uint32_t lo = 0, hi = 0, caught = trap_catch.count;

	asm volatile("movl $1f, %[resume]\n\t"
		     "rdmsr\n"
		     "1:"
		     : [resume] "=m" (trap_catch.resume), "+a" (lo), "+d" (hi)
		     : "c" (MSR_PLATFORM_INFO) : "memory");
	trap_catch.resume = 0;
	if (trap_catch.count != caught)
		return 0;
	return (uint64_t) hi << 32 | lo;
}

void
te_cpuid_fault_on(void)
{
	if (!(platform_info() & PLATFORM_CPUID_FAULTING)) {
		cprintf("te: the CPU has no CPUID faulting: the guest's cpuid "
			"runs on it unseen, and unfiltered\n");
		return;
	}
	wrmsr(MSR_MISC_FEATURES,
	      rdmsr(MSR_MISC_FEATURES) | MISC_FEATURES_CPUID_FAULT);
	faulting = true;
	cprintf("te: CPUID faulting on: the guest's cpuid traps\n");
}

void
te_cpuid_fault_off(void)
{
	if (!faulting)
		return;
	faulting = false;
	wrmsr(MSR_MISC_FEATURES,
	      rdmsr(MSR_MISC_FEATURES) & ~MISC_FEATURES_CPUID_FAULT);
}
