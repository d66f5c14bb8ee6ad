/*
 * trapcheck.c - lab 3's self-checks, run as ktests of stage 3.
 *
 *	test=idt	the IDT, GDT and TSS as the CPU sees them
 *	test=traps	the kernel raises one exception after another and
 *			checks each arrives at its vector, with the right
 *			error code, CR2 and EIP, and that it can go on
 *	test=timer	the 8253 ticks through the remapped 8259
 *
 * The user-mode side of lab 3 (system calls, faulting programs, the
 * scheduler) is tested by booting with `run=PROGRAM`.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/mmu.h"
#include "kern/printf.h"
#include "kern/power.h"
#include "kern/gdt.h"
#include "kern/trap.h"
#include "kern/ktest.h"

/* ------------------------------------------------------------------------
 * test=idt
 * ------------------------------------------------------------------------ */

int
test_idt(void)
{
	struct pseudodesc idtr, gdtr;
	const struct gatedesc *idt, *g;
	const struct segdesc *gdt;
	uint16_t tr;
	int i, bad = 0, dpl;

	asm volatile("sidt %0; sgdt %1; str %2"
		     : "=m" (idtr), "=m" (gdtr), "=r" (tr));
	idt = (const struct gatedesc *) idtr.base;
	gdt = (const struct segdesc *) gdtr.base;
	if (idtr.limit < NTRAPVEC * sizeof(*g) - 1) {
		cprintf("FAIL: the IDT limit is %u: too small for %d vectors\n",
			idtr.limit, NTRAPVEC);
		return EXIT_FAILURE;
	}
	for (i = 0; i < NTRAPVEC; i++) {
		g = &idt[i];
		dpl = i == T_BRKPT || i == T_SYSCALL ? 3 : 0;
		if (!g->p) {
			cprintf("FAIL: vector %d (%s) has no gate\n", i, trap_name(i));
			bad++;
		} else if ((g->off_31_16 << 16 | g->off_15_0) != trap_vectors[i] ||
			   g->sel != GD_KT) {
			cprintf("FAIL: vector %d goes to %04x:%08x, not to its stub "
				"%04x:%08x\n", i, g->sel,
				g->off_31_16 << 16 | g->off_15_0, GD_KT,
				trap_vectors[i]);
			bad++;
		} else if (g->type != STS_IG32) {
			cprintf("FAIL: vector %d has gate type %x, not an interrupt "
				"gate (%x): the kernel must run with interrupts off\n",
				i, g->type, STS_IG32);
			bad++;
		} else if (g->dpl != dpl) {
			cprintf("FAIL: vector %d (%s) has DPL %d; %s\n", i,
				trap_name(i), g->dpl, dpl == 3 ?
				"ring 3 must be able to raise it with `int`" :
				"ring 3 must not be able to raise it with `int`");
			bad++;
		}
	}
	if (read_cs() != GD_KT || tr != GD_TSS) {
		cprintf("FAIL: CS is %04x and TR %04x, expected %04x and %04x\n",
			read_cs(), tr, GD_KT, GD_TSS);
		bad++;
	}
	if (gdt[GD_UT >> 3].dpl != 3 || gdt[GD_UD >> 3].dpl != 3 ||
	    gdt[GD_KT >> 3].dpl != 0 || gdt[GD_TSS >> 3].type != STS_T32B) {
		cprintf("FAIL: the GDT's privilege levels or TSS type are wrong\n");
		bad++;
	}
	if (bad)
		return EXIT_FAILURE;
	cprintf("idt: %d gates, GDT at %08x, TSS loaded\n", NTRAPVEC, gdtr.base);
	cprintf("idt: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=traps
 * ------------------------------------------------------------------------ */

/*
 * Judge one probe.  A fault reports the EIP of the instruction that
 * faulted (it can be restarted); a trap reports the EIP after it.
 */
static int
check_probe(int vector, const char *how, uint32_t count0, uint32_t fault_eip,
	    uint32_t trap_eip, bool is_trap, uint32_t err, uint32_t cr2)
{
	uint32_t want_eip = is_trap ? trap_eip : fault_eip;
	const volatile struct trap_catch *c = &trap_catch;

	if (c->resume != 0 || c->count != count0 + 1) {
		trap_catch.resume = 0;
		cprintf("FAIL: vector %2d (%s): %s raised no trap the kernel saw\n",
			vector, trap_name(vector), how);
		return 1;
	}
	if (c->trapno != (uint32_t) vector) {
		cprintf("FAIL: vector %2d (%s): %s arrived as trap %u (%s)\n",
			vector, trap_name(vector), how, c->trapno,
			trap_name(c->trapno));
		return 1;
	}
	if (c->err != err || (vector == T_PGFLT && c->cr2 != cr2) ||
	    c->eip != want_eip) {
		cprintf("FAIL: vector %2d (%s): %s gave error %x, cr2 %08x, eip "
			"%08x; expected error %x%s, eip %08x\n", vector,
			trap_name(vector), how, c->err, c->cr2, c->eip, err,
			vector == T_PGFLT ? ", cr2 0badf00c" : "", want_eip);
		return 1;
	}
	cprintf("traps: vector %2d %-28s %-28s ok (%s at %08x)\n", vector,
		trap_name(vector), how, is_trap ? "trap, eip after" : "fault",
		c->eip);
	return 0;
}

/*
 * Arm trap_catch to resume at local label 1, note local label 2 (the
 * instruction expected to fault) in `at`, and run the instructions.
 */
#define PROBE(insns, ...)						\
	asm volatile("movl $1f, %[resume]\n\t"				\
		     "movl $2f, %[at]\n\t"				\
		     insns "\n"						\
		     "1:"						\
		     : [resume] "=m" (trap_catch.resume), [at] "=m" (at) \
		     : __VA_ARGS__)

/* `int $n` for a vector with no CPU error code: a trap, error 0. */
#define SOFT_INT(n)							\
	do {								\
		n0 = trap_catch.count;					\
		PROBE("2: int $" #n, "i" (0) : "memory");		\
		bad += check_probe(n, "int $" #n, n0, at, at + 2, true, 0, 0); \
	} while (0)

int
test_traps(void)
{
	uint32_t at, n0, cr0;
	int bad = 0;
	static int bounds[2] = { 0, 10 };

	n0 = trap_catch.count;
	PROBE("xorl %%ecx, %%ecx\n2: divl %%ecx", "i" (0)
	      : "eax", "ecx", "edx", "cc", "memory");
	bad += check_probe(T_DIVIDE, "divl by zero", n0, at, 0, false, 0, 0);

	n0 = trap_catch.count;
	PROBE("pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n2: nop", "i" (0)
	      : "cc", "memory");
	bad += check_probe(T_DEBUG, "single step (EFLAGS.TF)", n0, at, at + 1,
			   true, 0, 0);

	n0 = trap_catch.count;
	PROBE("2: int3", "i" (0) : "memory");
	bad += check_probe(T_BRKPT, "int3", n0, at, at + 1, true, 0, 0);

	n0 = trap_catch.count;
	PROBE("movl $0x7fffffff, %%eax\n\taddl $1, %%eax\n2: into", "i" (0)
	      : "eax", "cc", "memory");
	bad += check_probe(T_OFLOW, "into after an overflow", n0, at, at + 1,
			   true, 0, 0);

	n0 = trap_catch.count;
	PROBE("movl $20, %%eax\n2: boundl %%eax, %[b]", [b] "m" (bounds)
	      : "eax", "memory");
	bad += check_probe(T_BOUND, "bound 20 in [0, 10]", n0, at, 0, false, 0, 0);

	n0 = trap_catch.count;
	PROBE("2: ud2", "i" (0) : "memory");
	bad += check_probe(T_ILLOP, "ud2", n0, at, 0, false, 0, 0);

	cr0 = rcr0();
	lcr0(cr0 | CR0_TS);
	n0 = trap_catch.count;
	PROBE("2: fninit", "i" (0) : "memory");
	lcr0(cr0);
	bad += check_probe(T_DEVICE, "x87 instruction with CR0.TS", n0, at, 0,
			   false, 0, 0);

	n0 = trap_catch.count;
	PROBE("movw $0x1230, %%ax\n2: movw %%ax, %%fs", "i" (0)
	      : "eax", "memory");
	bad += check_probe(T_GPFLT, "load selector 0x1230", n0, at, 0, false,
			   0x1230, 0);

	n0 = trap_catch.count;
	PROBE("2: movl 0x0badf00c, %%eax", "i" (0) : "eax", "memory");
	bad += check_probe(T_PGFLT, "read unmapped 0badf00c", n0, at, 0, false,
			   0, 0x0badf00c);

	n0 = trap_catch.count;
	PROBE("2: movl %%eax, 0x0badf00c", "i" (0) : "memory");
	bad += check_probe(T_PGFLT, "write unmapped 0badf00c", n0, at, 0, false,
			   FEC_WR, 0x0badf00c);

	/* The vectors no instruction here can raise, and whose stubs push
	 * the error code themselves, by software interrupt. */
	SOFT_INT(2);
	SOFT_INT(9);
	SOFT_INT(15);
	SOFT_INT(16);
	SOFT_INT(18);
	SOFT_INT(19);
	SOFT_INT(20);
	SOFT_INT(31);

	if (bad) {
		cprintf("FAIL: %d of the vectors above went wrong\n", bad);
		return EXIT_FAILURE;
	}
	cprintf("traps: ok\n");
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------
 * test=timer
 * ------------------------------------------------------------------------ */

int
test_timer(void)
{
	uint32_t t0 = ticks, t1;
	uint64_t start = rdtsc();

	/* Interrupts on, for once in the kernel; wait for ten ticks, or
	 * give up after some billions of cycles. */
	sti();
	while (ticks < t0 + 10 && rdtsc() - start < 4000000000ULL)
		pause();
	cli();
	t1 = ticks;
	cprintf("timer: ticks went from %u to %u\n", t0, t1);
	if (t1 < t0 + 10) {
		cprintf("FAIL: the timer did not tick 10 times: is IRQ 0 "
			"unmasked, delivered at vector %d, acknowledged (EOI)?\n",
			IRQ_OFFSET + IRQ_TIMER);
		return EXIT_FAILURE;
	}
	cprintf("timer: ok\n");
	return EXIT_SUCCESS;
}
