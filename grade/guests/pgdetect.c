/*
 * pgdetect.c - can a guest kernel tell that it is not at ring 0?
 *
 * Popek and Goldberg: a machine is classically virtualizable when every
 * sensitive instruction is privileged, so that a monitor running the guest
 * deprivileged catches them all.  The i386 has sensitive instructions
 * that run at any ring without a trap (Adams & Agesen, section 2.4; Robin
 * and Irvine, 2000).  This guest runs each one from its kernel and
 * compares the answer with what ring 0 on a bare PC gives.  Natively every
 * line says "clean"; under trap-and-emulate the lines that say "DETECTED"
 * are exactly the holes in the i386's virtualizability.
 */
#include "grade/guests/guest.h"


static uint64_t gdt[5] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[32] __attribute__((aligned(8)));
static int detected, tests;

static void
report(const char *name, int clean, const char *what, uint32_t got,
       uint32_t native)
{
	tests++;
	if (clean) {
		gprintf("pgdetect: %s: clean (%s %x)\n", name, what, got);
	} else {
		detected++;
		gprintf("pgdetect: %s: DETECTED (%s %x, ring 0 gives %x)\n",
			name, what, got, native);
	}
}

static void
setup(void)
{
	gdt[1] = desc(0, 0xfffff, 0x9a, 0xc);	/* code, DPL 0, 4 GB */
	gdt[2] = desc(0, 0xfffff, 0x92, 0xc);	/* data, DPL 0, 4 GB */
	gdt[3] = desc((uint32_t) tss, sizeof(tss) - 1, 0x89, 0);
	gdt[4] = desc((uint32_t) ldt, sizeof(ldt) - 1, 0x82, 0);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));
}

void
gmain(uint32_t magic, uint32_t info)
{
	struct pseudodesc pd;
	uint32_t v, fl, ok;
	uint16_t sel;

	ginit();
	setup();
	gprintf("pgdetect: start\n");

	/* popf cannot set IF unless CPL <= IOPL; it fails silently. */
	asm volatile("cli; pushfl; orl $0x200, (%%esp); popfl; pushfl; popl %0; cli"
		     : "=r" (fl) : : "cc");
	report("popf-if", fl & 0x200, "IF after popf of IF=1:", fl & 0x200, 0x200);
	/* pushf shows the real IF, which a monitor may keep equal. */
	asm volatile("sti; pushfl; popl %0; cli" : "=r" (fl));
	report("pushf-if", fl & 0x200, "IF after sti:", fl & 0x200, 0x200);
	asm volatile("pushfl; popl %0" : "=r" (fl));
	report("pushf-iopl", (fl & 0x3000) == 0, "IOPL:", (fl >> 12) & 3, 0);

	asm volatile("sgdt %0" : "=m" (pd));
	report("sgdt", pd.base == (uint32_t) gdt && pd.limit == sizeof(gdt) - 1,
	       "GDTR base", pd.base, (uint32_t) gdt);
	asm volatile("sidt %0" : "=m" (pd));
	report("sidt", pd.base == (uint32_t) idt && pd.limit == sizeof(idt) - 1,
	       "IDTR base", pd.base, (uint32_t) idt);
	asm volatile("sldt %w0" : "=r" (sel));
	report("sldt", sel == KLDT, "LDTR", sel, KLDT);
	asm volatile("str %w0" : "=r" (sel));
	report("str", sel == KTSS, "TR", sel, KTSS);
	asm volatile("smsw %w0" : "=r" (sel));
	report("smsw", (sel & 0x3f) == 0x11, "MSW PE..NE bits", sel & 0x3f, 0x11);

	asm volatile("movw %%cs, %w0" : "=r" (sel));
	report("mov-cs", (sel & 3) == 0, "CS RPL", sel & 3, 0);
	asm volatile("movw %%ss, %w0" : "=r" (sel));
	report("mov-ss", (sel & 3) == 0, "SS RPL", sel & 3, 0);

	/* The descriptors as the CPU has them: DPL and limit. */
	asm volatile("larl %k1, %0" : "=r" (v) : "r" ((uint32_t) KCODE) : "cc");
	report("lar", ((v >> 13) & 3) == 0, "code DPL", (v >> 13) & 3, 0);
	asm volatile("lsll %k1, %0" : "=r" (v) : "r" ((uint32_t) KDATA) : "cc");
	report("lsl", v == 0xffffffff, "data limit", v, 0xffffffff);
	/* verr/verw answer "may this CPL use it": the same at ring 1 for a
	 * descriptor the monitor made DPL 1. */
	asm volatile("verr %w1; setz %b0" : "=q" (ok) : "r" (KDATA) : "cc");
	report("verr", ok & 1, "ZF", ok & 1, 1);
	asm volatile("verw %w1; setz %b0" : "=q" (ok) : "r" (KDATA) : "cc");
	report("verw", ok & 1, "ZF", ok & 1, 1);

	gprintf("pgdetect: %d of %d instructions detect deprivileging\n",
		detected, tests);
	/* cpuid is sensitive too: it tells the guest what the real CPU
	 * is.  But no answer the guest gets tells it whether a monitor saw
	 * the instruction, so it is not among the tests: at ring 1 cpuid
	 * traps only where the CPU offers CPUID faulting (PLATFORM_INFO
	 * bit 32; vmm/te/cpuid_fault.c), which QEMU's CPU does not. */
	gprintf("pgdetect: cpuid: not tested; CPUID faulting %s\n",
		rdmsr(0xce) & (1ull << 32) ? "offered" : "not offered");
	gexit(0);
}
