/*
 * lab4.c - lab 4's tests: the test guests run by trap-and-emulate
 * (engine=te) as a bare PC would run them.
 *
 * Every test here needs the students' code: what the monitor does with
 * the emulator's result (vmm/exit.c), in/out and cli/sti in the emulator
 * (vmm/emul_priv.c), the delivery through the guest's IDT
 * (vmm/ringcomp/deliver.c).  privsuite's tests judge only what the guest
 * sees, so they run under any engine (`make grade LAB=4 ENGINE=bt`); the
 * monitor's counters they also check are te's.
 * privsuite's checks are split by what they need, so that each exercise
 * earns its points as it is done; each test names the exercises its
 * checks depend on when it fails.  The loader and the guests themselves
 * are checked, for no points, by suite `vmm` (grade/vmm.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"

/* privsuite, with the key it asks for typed on the serial line, and its
 * disk as the guest's primary slave. */
static const struct guest_opts privsuite = {
	.image = "grade/guests/privsuite", .disk = "grade/guests/privdisk.img",
	.input = "x", .input_after = "type a key",
};

static void
run_privsuite(struct boot_result *r)
{
	char re[128];

	boot_guest(&privsuite, r);
	snprintf(re, sizeof(re), "^vmm: running .*/grade/guests/privsuite "
		 "under %s ", guest_engine(&privsuite));
	expect_line(r, re);
}

/* Whether the run's counters are trap-and-emulate's. */
static bool
under_te(void)
{
	return strcmp(guest_engine(&privsuite), "te") == 0;
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

GRADE_TEST(lab4, privsuite_flags, 10, "under the monitor, cli and sti change the virtual IF, as the guest's pushf reads it (exercises 1-3)")
{
	static const char *const checks[] = { "cli", "sti" };
	struct boot_result r;

	run_privsuite(&r);
	expect_checks(&r, "privsuite", checks, NELEM(checks),
		      "the trap dispatch (exercise 1), in and out for the "
		      "guest's console (exercise 2), and cli and sti (exercise 3), "
		      "which change the emulator's working flags, e->eflags: "
		      "the vcpu's are overwritten when the instruction is done", "");
}

GRADE_TEST(lab4, privsuite_priv, 15, "under the monitor, the privileged instructions on control registers, descriptor tables and MSRs give a bare PC's results (exercises 1-3)")
{
	static const char *const checks[] = {
		"lgdt-lidt-ltr-lldt", "mov-from-cr0", "mov-to-cr0", "clts",
		"mov-cr3", "mov-cr2", "mov-cr4", "wbinvd-invlpg",
		"wrmsr-rdmsr", "cpuid-no-vmx", "rdtsc",
	};
	struct boot_result r;

	run_privsuite(&r);
	expect_checks(&r, "privsuite", checks, NELEM(checks),
		      "the trap dispatch (exercise 1), in and out for the "
		      "guest's console (exercise 2), and cli and sti, which "
		      "privsuite runs first (exercise 3)", "");
}

/*
 * The CS a delivery pushes is the guest's selector with RPL 0, never the
 * RPL 1 it really ran at: guest handlers tell kernel from user by it.
 */
GRADE_TEST(lab4, privsuite_exceptions, 15, "under the monitor, int n, ud2 and a divide error reach the guest's own handlers with a ring-0 frame; an interrupt gate clears IF, a trap gate does not (exercises 1-4)")
{
	static const char *const checks[] = {
		"int-n", "int-frame-cs", "int-frame-if", "int-gate-if",
		"trap-gate-if", "ud2", "divide-error",
	};
	struct boot_result r;

	run_privsuite(&r);
	expect_checks(&r, "privsuite", checks, NELEM(checks),
		      "the trap dispatch, EMU_FAULT and EMU_SOFTINT included "
		      "(exercise 1), exercises 2 and 3 to get there, and the "
		      "delivery through the guest's IDT (exercise 4): the frame "
		      "as a ring-0 CPU pushes it, IF cleared for an interrupt "
		      "gate only", "");
}

GRADE_TEST(lab4, privsuite_timer, 10, "under the monitor, hlt idles until the timer interrupts, iret restores IF, an interrupt pending at sti waits for the instruction after it, and the LAPIC timer counts and interrupts (exercises 1-4)")
{
	static const char *const checks[] = {
		"hlt-timer", "iret-if", "sti-shadow", "lapic-timer-count",
		"lapic-timer",
	};
	struct boot_result r;

	run_privsuite(&r);
	expect_checks(&r, "privsuite", checks, NELEM(checks),
		      "hlt counted and carried on after (exercise 1), sti "
		      "with its interrupt shadow (exercise 3: the vcpu's "
		      "intr_shadow, so that `sti; hlt` takes a pending "
		      "interrupt after the hlt, not before it), and the "
		      "delivery of the timer's interrupt (exercise 4)", "");
}

GRADE_TEST(lab4, privsuite_devices, 10, "under the monitor, port and MMIO accesses reach the virtual UART, RTC, LAPIC, CGA and IDE disk, and the guest finds its MP tables (exercises 1-4)")
{
	static const char *const checks[] = {
		"out-in", "rep-insb", "rtc", "lapic-version", "cga-text",
		"cga-cursor", "mp-float", "mp-config", "mp-1cpu-1ioapic",
		"ide-read",
	};
	struct boot_result r;

	run_privsuite(&r);
	expect_checks(&r, "privsuite", checks, NELEM(checks),
		      "the trap dispatch (exercise 1), in and out (exercise 2), "
		      "cli and sti, which privsuite runs first (exercise 3), "
		      "and for the CGA, MP and IDE checks, which privsuite runs "
		      "after its exceptions and timer, exercise 4", "");
}

/* docs/design.md section 5's hard case: the return to user mode. */
GRADE_TEST(lab4, privsuite_user, 10, "under the monitor, the guest's user mode runs with IF on, its int n reaches the guest kernel with a ring-3 frame, and its out, its cli and an int n through a DPL-0 gate are the guest kernel's #GP (exercises 1-4)")
{
	static const char *const checks[] = {
		"user-iret-if", "user-int", "user-int-frame-cs", "user-out-gp",
		"user-cli-gp", "user-int-dpl-gp", "user-gp-count",
	};
	struct boot_result r;

	run_privsuite(&r);
	expect_checks(&r, "privsuite", checks, NELEM(checks),
		      "every exercise: an out in user mode must reach the "
		      "guest as its own #GP (the IOPL check of exercise 2), "
		      "and so must a cli (the same check in exercise 3); an "
		      "int n goes to vm_inject() as an EVENT_SOFTINT, whose "
		      "gate's DPL is checked (exercise 1), and the frame of an "
		      "int n from ring 3 must carry the user's CS as it is "
		      "(exercise 4)", "");
}

/*
 * Popek and Goldberg's equivalence: under te the same guest kernel, at
 * ring 1, gets the same results as natively, to the end of its run.
 */
GRADE_TEST(lab4, privsuite_all, 10, "under the monitor, every check of privsuite passes, a key typed on the serial line included, and the run's counters add up (exercises 1-4)")
{
	static const char *const checks[] = { "uart-input" };
	struct boot_result r;

	run_privsuite(&r);
	expect_checks(&r, "privsuite", checks, NELEM(checks),
		      "the UART's receive interrupt delivered (exercise 4) "
		      "and everything privsuite checks before it", "");
	expect_no_line(&r, "FAIL");
	expect_all_checks(&r, "privsuite");
	expect_exit(&r, 0);
	expect_line(&r, "^vmm: the guest exited with status 0$");
	if (!under_te())
		return;
	/* Every return to user mode traps (#NP) and is emulated; the
	 * exceptions (ud2, the divide error, the #GPs of the user's out
	 * and cli) and the int n (two from the kernel, three from user
	 * mode, one of them refused by its gate's DPL: that #GP is counted
	 * with the int) are privsuite's own. */
	expect_line(&r, "^te: exits by cause: .*segment not present [1-9]");
	expect_line(&r, "^vmm: emulated: .*iret [0-9]+.*hlt [0-9]+");
	expect_line(&r, "^vmm: delivered: [1-9][0-9]* interrupts, 4 exceptions, 5 int n; [1-9][0-9]* hlt");
}

/*
 * Under trap-and-emulate the guest kernel runs at ring 1.  The lines that
 * say DETECTED are the i386's sensitive-but-unprivileged instructions
 * (Robin and Irvine; Adams & Agesen, section 2.4) - and only those: IF
 * is really the guest's (pushf-if clean), IOPL really 0, and verr/verw
 * answer the same at ring 1 for descriptors made DPL 1.
 */
GRADE_TEST(lab4, pgdetect_te, 20, "under te, pgdetect sees exactly the leaks the i386 has (exercises 1-4)")
{
	static const char *const leaks[] = {
		"popf-if", "sgdt", "sidt", "sldt", "str", "mov-cs", "mov-ss",
		"lar", "lsl",
	};
	static const char *const clean[] = {
		"pushf-if", "pushf-iopl", "verr", "verw",
	};
	struct boot_result r;
	char re[64];
	size_t i;

	/* Trap-and-emulate's lesson: under te whatever the grade's engine. */
	boot_guest(&(struct guest_opts) { .engine = "te",
					  .image = "grade/guests/pgdetect" }, &r);
	expect_exit(&r, 0);
	expect_line(&r, "^vmm: running .*/grade/guests/pgdetect under te ");
	for (i = 0; i < NELEM(leaks); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: DETECTED ", leaks[i]);
		expect_line(&r, re);
	}
	for (i = 0; i < NELEM(clean); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: clean ", clean[i]);
		expect_line(&r, re);
	}
	/* The monitor's tables are in its own region, at or above MONBASE. */
	expect_line(&r, "^pgdetect: sgdt: DETECTED \\(GDTR base f[c-f][0-9a-f]{6},");
	expect_line(&r, "^pgdetect: lsl: DETECTED \\(data limit fbffffff,");
	expect_line(&r, "^pgdetect: (9|10) of 14 instructions detect deprivileging$");
	expect_line(&r, "^te: the CPU has no CPUID faulting: ");
	expect_line(&r, "^pgdetect: cpuid: not tested; CPUID faulting not offered$");
	expect_line(&r, "^vmm: [0-9]+ exits in ");
	expect_line(&r, "^te: exits by cause: general protection [0-9]+");
	expect_line(&r, "^vmm: emulated: .*lgdt");
	expect_line(&r, "^vmm: the guest exited with status 0$");
}
