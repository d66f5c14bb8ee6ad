/*
 * conf_msr.c - the model-specific registers a 32-bit kernel reads and
 * writes, and the LAPIC the BIOS leaves behind, as QEMU's default CPU has
 * them.
 *
 * QEMU's TCG answers an MSR it does not know with 0 and ignores writes to
 * it; real hardware raises #GP, and so does the monitor: those are not
 * checked here, since the native run could not agree.  What is checked is
 * every MSR both implement: values at boot, writes read back, and the
 * APIC base's global disable, which QEMU's CPU does not let a write undo.
 */
#include "grade/guests/guest.h"

#define MSR_APIC_BASE	0x1b
#define MSR_BIOS_SIGN	0x8b
#define MSR_SYSENTER_CS	0x174
#define MSR_MISC_ENABLE	0x1a0
#define MSR_PAT		0x277
#define LAPIC(off)	(*(volatile uint32_t *) (0xfee00000 + (off)))

static uint64_t gdt[5] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[32] __attribute__((aligned(8)));

static uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
	return (uint64_t) hi << 32 | lo;
}

static void
wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c" (msr), "a" ((uint32_t) v),
		     "d" ((uint32_t) (v >> 32)));
}

/* A 64-bit check, both halves in the message. */
static void
check64(const char *name, uint64_t got, uint64_t want)
{
	gresult(name, got == want, "got %x:%08x, want %x:%08x",
		(uint32_t) (got >> 32), (uint32_t) got, (uint32_t) (want >> 32),
		(uint32_t) want);
}

static void
setup(void)
{
	gdt[1] = desc(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = desc(0, 0xfffff, 0x92, 0xc);
	gdt[3] = desc((uint32_t) tss, sizeof(tss) - 1, 0x89, 0);
	gdt[4] = desc((uint32_t) ldt, sizeof(ldt) - 1, 0x82, 0);
	gtry_gates(idt);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));
}

static void
check_values(void)
{
	uint64_t t0, t1;

	check64("apic-base", rdmsr(MSR_APIC_BASE), 0xfee00900);
	check64("pat", rdmsr(MSR_PAT), 0x0007040600070406ull);
	wrmsr(MSR_PAT, 0x0001050600070406ull);
	check64("pat-write", rdmsr(MSR_PAT), 0x0001050600070406ull);
	check64("misc-enable", rdmsr(MSR_MISC_ENABLE), 1);
	wrmsr(MSR_MISC_ENABLE, 0);
	check64("misc-enable-write", rdmsr(MSR_MISC_ENABLE), 0);
	wrmsr(MSR_MISC_ENABLE, 1);
	check64("bios-sign", rdmsr(MSR_BIOS_SIGN), 1ull << 32);
	wrmsr(MSR_SYSENTER_CS, 0x08);
	wrmsr(MSR_SYSENTER_CS + 1, 0x12345678);
	wrmsr(MSR_SYSENTER_CS + 2, 0x00100000);
	gresult("sysenter", rdmsr(MSR_SYSENTER_CS) == 0x08 &&
		rdmsr(MSR_SYSENTER_CS + 1) == 0x12345678 &&
		rdmsr(MSR_SYSENTER_CS + 2) == 0x00100000, "cs %x esp %x eip %x",
		(uint32_t) rdmsr(MSR_SYSENTER_CS),
		(uint32_t) rdmsr(MSR_SYSENTER_CS + 1),
		(uint32_t) rdmsr(MSR_SYSENTER_CS + 2));
	asm volatile("rdtsc" : "=A" (t0));
	asm volatile("rdtsc" : "=A" (t1));
	gresult("tsc-moves", t1 > t0, "%x then %x", (uint32_t) t0, (uint32_t) t1);
}

/* The LAPIC as the BIOS leaves it: enabled, LINT0 ExtINT, LINT1 NMI. */
static void
check_bios_lapic(void)
{
	gcheck("lapic-svr", LAPIC(0xf0) == 0x1ff, LAPIC(0xf0), 0x1ff);
	gcheck("lapic-lint0", LAPIC(0x350) == 0x8700, LAPIC(0x350), 0x8700);
	gcheck("lapic-lint1", LAPIC(0x360) == 0x8400, LAPIC(0x360), 0x8400);
	gcheck("lapic-timer-masked", LAPIC(0x320) == 0x10000, LAPIC(0x320),
	       0x10000);
}

/* Last: once disabled, the LAPIC stays off until reset. */
static void
check_apic_disable(void)
{
	LAPIC(0x80) = 0x20;
	wrmsr(MSR_APIC_BASE, 0xfee00000);
	check64("apic-disable", rdmsr(MSR_APIC_BASE), 0xfee00100);
	gcheck("apic-disable-svr", LAPIC(0xf0) == 0xff, LAPIC(0xf0), 0xff);
	gcheck("apic-disable-tpr", LAPIC(0x80) == 0x20, LAPIC(0x80), 0x20);
	wrmsr(MSR_APIC_BASE, 0xfee00900);
	check64("apic-stays-disabled", rdmsr(MSR_APIC_BASE), 0xfee00100);
}

void
gmain(uint32_t magic, uint32_t info)
{
	ginit();
	setup();
	gsuite("conf_msr");
	check_values();
	check_bios_lapic();
	check_apic_disable();
	gdone();
}
