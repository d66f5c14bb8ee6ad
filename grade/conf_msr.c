/*
 * conf_msr.c - the MSRs and the BIOS's LAPIC, natively and under the
 * monitor (suite `conformance`; grade/guests/conf_msr.c has the checks),
 * and an MSR the CPU lacks under the monitor alone.
 */
#include "grade/conformance.h"

GRADE_TEST(conformance, msr, 0, "the MSRs of QEMU's CPU read and write as natively, and the LAPIC is as the BIOS leaves it")
{
	conformance_check(&(struct guest_opts) { .image = "grade/guests/conf_msr" },
			  "conf_msr", NULL);
}

/*
 * Not a comparison: QEMU's TCG answers an MSR it lacks with 0, where the
 * hardware raises #GP (grade/guests/msr_gp.c).  The monitor must do as
 * the hardware, through the guest's IDT, and report the triple fault
 * when the guest has none.
 */
GRADE_TEST(conformance, msr_unknown, 0, "an MSR the CPU lacks raises #GP(0) through the guest's IDT, and with an empty IDT is a triple fault the monitor reports as one")
{
	struct boot_result r;

	boot_guest(&(struct guest_opts) { .image = "grade/guests/msr_gp" }, &r);
	expect_line(&r, "^msr_gp: rdmsr-unknown: ok$");
	expect_line(&r, "^msr_gp: wrmsr-unknown: ok$");
	expect_line(&r, "^msr_gp: now with an empty IDT$");
	expect_line(&r, "^vmm: stopped the guest at 0008:[0-9a-f]{8}: triple fault");
	expect_no_line(&r, "cannot emulate");
	expect_no_line(&r, "^msr_gp: FAIL");
}
