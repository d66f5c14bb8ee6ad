/*
 * msr_gp.c - an MSR the CPU does not have: #GP, and with no IDT to take
 * it, a triple fault.
 *
 * Real hardware (and Bochs) raise #GP(0) for rdmsr or wrmsr of an MSR the
 * CPU lacks; QEMU's TCG answers 0 and ignores the write, so this guest is
 * judged under the monitor only (grade/vmm.c, test vmm/msr_unknown),
 * which must behave as the hardware: the guest's #GP through its own IDT,
 * and, once the guest has no IDT, a triple fault the monitor reports as
 * one instead of stopping with "cannot emulate".
 */
#include "grade/guests/guest.h"

#define MSR_NONE	0x12345678	/* no CPU has it */

static uint64_t gdt[5] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[32] __attribute__((aligned(8)));

static void read_none(void *a) { (void) rdmsr(MSR_NONE); }
static void write_none(void *a) { wrmsr(MSR_NONE, 1); }

static void
expect_gp(const char *name, void (*fn)(void *))
{
	struct gfault f;
	int v = gtry(fn, 0, &f);

	gresult(name, v == 13 && f.err == 0, "vector %d error %x, want #GP(0)",
		v, v >= 0 ? f.err : 0);
}

void
gmain(uint32_t magic, uint32_t info)
{
	struct pseudodesc none = { 0, 0 };

	ginit();
	gflat_gdt(gdt, tss, sizeof(tss), ldt, sizeof(ldt));
	gtry_gates(idt);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));
	gsuite("msr_gp");
	expect_gp("rdmsr-unknown", read_none);
	expect_gp("wrmsr-unknown", write_none);
	gprintf("msr_gp: now with an empty IDT\n");
	asm volatile("lidt %0" : : "m" (none));
	(void) rdmsr(MSR_NONE);
	gprintf("msr_gp: FAIL: still running after the #GP with no IDT\n");
	gexit(1);
}
