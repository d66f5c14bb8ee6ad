/*
 * shadowsuite.c - a guest kernel that checks its own paging.
 *
 * Under a shadow-paging monitor (lab 5) the CPU never walks this guest's
 * page tables: it walks shadow tables the monitor builds from them.  The
 * guest must not be able to tell (Adams & Agesen, section 2.4).  So this
 * kernel turns paging on with tables of its own and checks, against what
 * a bare PC does, everything a shadow could get wrong:
 *
 *   fill	a mapping works the first time it is used; the accessed
 *		and dirty bits appear in the guest's own entries exactly
 *		when the CPU would set them; 4 MB pages; CR0.WP
 *   true	an access the guest's tables forbid raises the guest's #PF,
 *		with the error code and CR2 its tables give, from its
 *		kernel and from user mode (where the directory entry's
 *		rights count as much as the table entry's)
 *   coherence	a page-table entry rewritten in place takes effect after a
 *		CR3 reload or an invlpg, in the current address space and
 *		in one switched away from and back to; a table rewritten
 *		wholesale stays right
 *   lapic	the LAPIC, mapped through the tables, reads and writes as
 *		a device should; LAPIC_READS reads of its ID are made for
 *		the grader to compare with the monitor's counters
 *
 * The fill, true and lapic checks come first and write no page-table
 * entry once paging is on (setup() writes every entry they use), so a
 * shadow that cannot yet follow the guest's writes to its tables passes
 * them; with "tables=fixed" on its command line the guest stops there.
 *
 * One line per check, "shadowsuite: NAME: ok" or "... FAIL (got, want)";
 * natively and under engine=te the lines must be the same.  Test frames
 * are filled with a value naming them, so a read shows which frame a
 * linear address really reached.
 */
#include "grade/guests/guest.h"

#define CR0_PG		0x80000000
#define CR0_WP		0x00010000
#define CR4_PSE		0x00000010
#define PF_P		1	/* error code: a protection violation */
#define PF_W		2	/* error code: a write */
#define PF_U		4	/* error code: from user mode */
#define T_USER		0x30	/* int $0x30: user mode is done */

/* Linear addresses: [0, 8 MB) is identity-mapped (code, data, tables and
 * the test frames); the tests use the 4 MB regions from TEST on. */
#define IDMAP_PTS	2
#define TEST		0x40000000u	/* tpt (or tpt2): 4 KB test pages */
#define BIG		0x40400000u	/* a 4 MB page */
#define LAPIC_LA	0x40800000u	/* lpt: the LAPIC's page */
#define NOPDE		0x40c00000u	/* no directory entry at all */
#define USER		0x44000000u	/* upt, under a user directory entry */
#define USER_SUPPDE	0x44400000u	/* upt3, under a supervisor one */
#define USER_ALIAS	0x44800000u	/* upt again, under a supervisor one */
#define LAPIC_PA	0xfee00000u
#define LAPIC_ID	0x20
#define LAPIC_TPR	0x80
#define LAPIC_READS	100000
/* Test frame n, in the identity-mapped region; the 4 MB page's frame. */
#define FRAME(n)	(0x00500000u + (n) * PGSIZE)
#define BIG_PA		0x00800000u
#define MAGIC(pa)	(0x5ad00000u ^ (pa))

#define PDX(la)		((la) >> 22)
#define PTX(la)		(((la) >> 12) & 0x3ff)

typedef uint32_t pte_t;

static pte_t pgdir[1024] __attribute__((aligned(PGSIZE)));
static pte_t pgdir2[1024] __attribute__((aligned(PGSIZE)));
static pte_t idpt[IDMAP_PTS][1024] __attribute__((aligned(PGSIZE)));
static pte_t tpt[1024] __attribute__((aligned(PGSIZE)));
static pte_t tpt2[1024] __attribute__((aligned(PGSIZE)));
static pte_t lpt[1024] __attribute__((aligned(PGSIZE)));
static pte_t upt[1024] __attribute__((aligned(PGSIZE)));
static pte_t upt3[1024] __attribute__((aligned(PGSIZE)));

static uint64_t gdt[7] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[T_USER + 1] __attribute__((aligned(8)));
static uint8_t kstack[1024] __attribute__((aligned(16)));

/* What the page-fault handler saw; pf_resume is where a probe goes on. */
volatile uint32_t pf_count, pf_err, pf_cr2, pf_resume;
/* User mode's probe: its arguments and result, and the kernel's stack. */
volatile uint32_t u_la, u_write, u_val, uback_esp;

/*
 * #PF: note the error code and CR2, and continue at pf_resume, which the
 * probe that expected the fault set.  A fault nobody expected ends the
 * run (unexpected_pf), since the check it hit cannot mean anything.
 * Under te the mov from %cr2 is emulated: it reads the CR2 the monitor
 * gave the guest when it delivered the fault.
 */
asm(".text\n"
    "h_pf:\n\t"
    "pushl %eax\n\t"
    "movl 4(%esp), %eax\n\t"
    "movl %eax, pf_err\n\t"
    "movl %cr2, %eax\n\t"
    "movl %eax, pf_cr2\n\t"
    "incl pf_count\n\t"
    "movl pf_resume, %eax\n\t"
    "testl %eax, %eax\n\t"
    "jz 1f\n\t"
    "movl %eax, 8(%esp)\n\t"
    "movl $0, pf_resume\n\t"
    "popl %eax\n\t"
    "addl $4, %esp\n\t"
    "iret\n"
    "1:\tpushl 8(%esp)\n\t"
    "call unexpected_pf\n"
    "h_gp:\n\t"
    "pushl 4(%esp)\n\t"
    "pushl $13\n\t"
    "call unexpected_trap\n"
    "h_ud:\n\t"
    "pushl (%esp)\n\t"
    "pushl $6\n\t"
    "call unexpected_trap\n"
    /* int $0x30 from user mode: back into enter_user's caller. */
    "h_uback:\n\t"
    "movl %ebx, u_val\n\t"
    "movl uback_esp, %esp\n\t"
    "movw $0x10, %ax\n\t"
    "movw %ax, %ds\n\t"
    "movw %ax, %es\n\t"
    "popal\n\t"
    "ret\n"
    /* void enter_user(void): run user_probe at ring 3, interrupts off. */
    "enter_user:\n\t"
    "pushal\n\t"
    "movl %esp, uback_esp\n\t"
    "movl u_la, %eax\n\t"
    "movl u_write, %ecx\n\t"
    "movl u_val, %ebx\n\t"
    "movw $0x33, %dx\n\t"	/* user data: gdt[6], RPL 3 */
    "movw %dx, %ds\n\t"
    "movw %dx, %es\n\t"
    "pushl $0x33\n\t"
    "pushl $0x44002000\n\t"	/* the top of the user data page */
    "pushl $0x2\n\t"
    "pushl $0x2b\n\t"		/* user code: gdt[5], RPL 3 */
    "pushl $0x44000000\n\t"	/* user_probe, where upt maps it */
    "iret\n"
    /*
     * The one page user mode runs: it is mapped at USER, so it uses no
     * absolute address.  %eax: the address, %ecx: write?, %ebx: the
     * value.  A fault resumes at user_done (the kernel's pf_resume).
     */
    ".p2align 12\n"
    "user_probe:\n\t"
    "testl %ecx, %ecx\n\t"
    "jnz 1f\n\t"
    "movl (%eax), %ebx\n\t"
    "jmp user_done\n"
    "1:\tmovl %ebx, (%eax)\n"
    "user_done:\n\t"
    "int $0x30\n"
    "2:\tjmp 2b\n"
    ".p2align 12\n");
extern char h_pf[], h_gp[], h_ud[], h_uback[], user_probe[], user_done[];
void enter_user(void);

void unexpected_pf(uint32_t eip) __attribute__((noreturn, used));
void unexpected_trap(uint32_t vec, uint32_t eip) __attribute__((noreturn, used));

void
unexpected_pf(uint32_t eip)
{
	gprintf("shadowsuite: unexpected page fault at %x (err %x) eip %x\n",
		pf_cr2, pf_err, eip);
	gexit(2);
}

void
unexpected_trap(uint32_t vec, uint32_t eip)
{
	gprintf("shadowsuite: unexpected trap %d at eip %x\n", vec, eip);
	gexit(2);
}

/* ------------------------------------------------------------------------
 * Probes: one access that may fault.  Each returns whether it faulted;
 * pf_err and pf_cr2 then say how.
 * ------------------------------------------------------------------------ */

static int
probe_read(uint32_t la, uint32_t *val)
{
	uint32_t n = pf_count, v = 0;

	asm volatile("movl $1f, pf_resume\n\t"
		     "movl (%1), %0\n"
		     "1:\tmovl $0, pf_resume"
		     : "+r" (v) : "r" (la) : "memory");
	*val = v;
	return pf_count != n;
}

static int
probe_write(uint32_t la, uint32_t val)
{
	uint32_t n = pf_count;

	asm volatile("movl $1f, pf_resume\n\t"
		     "movl %1, (%0)\n"
		     "1:\tmovl $0, pf_resume"
		     : : "r" (la), "r" (val) : "memory");
	return pf_count != n;
}

static uint32_t
peek(uint32_t la)
{
	return *(volatile uint32_t *) la;
}

static void
poke(uint32_t la, uint32_t v)
{
	*(volatile uint32_t *) la = v;
}

static uint32_t
rcr0(void)
{
	uint32_t v;

	asm volatile("movl %%cr0, %0" : "=r" (v));
	return v;
}

static void
lcr0(uint32_t v)
{
	asm volatile("movl %0, %%cr0" : : "r" (v) : "memory");
}

static void
lcr3(uint32_t v)
{
	asm volatile("movl %0, %%cr3" : : "r" (v) : "memory");
}

/* Flush the TLB the way a kernel does after changing many entries. */
static void
reload_cr3(void)
{
	uint32_t v;

	asm volatile("movl %%cr3, %0; movl %0, %%cr3" : "=r" (v) : : "memory");
}

static void
invlpg(uint32_t la)
{
	asm volatile("invlpg (%0)" : : "r" (la) : "memory");
}

/*
 * A page-table entry the guest writes: one store, volatile, and never
 * moved past the accesses around it (a volatile access alone does not
 * keep the compiler from moving ordinary stores across it).
 */
static void
set_pte(pte_t *t, uint32_t i, pte_t v)
{
	*(volatile pte_t *) &t[i] = v;
	asm volatile("" : : : "memory");
}

static pte_t
get_pte(const pte_t *t, uint32_t i)
{
	return *(const volatile pte_t *) &t[i];
}

/* A fault was expected: did it come, with this error code and address? */
static void
check_fault(const char *name, int faulted, uint32_t err, uint32_t la)
{
	if (!faulted)
		gresult(name, 0, "got no fault, want #PF err %x cr2 %x", err, la);
	else
		gresult(name, pf_err == err && pf_cr2 == la, "got #PF err %x cr2 "
			"%x, want err %x cr2 %x", pf_err, pf_cr2, err, la);
}

/* ------------------------------------------------------------------------
 * Setting up.
 * ------------------------------------------------------------------------ */

static void
setup(void)
{
	uint32_t i, j;

	gdt[1] = desc(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = desc(0, 0xfffff, 0x92, 0xc);
	gdt[3] = desc((uint32_t) tss, sizeof(tss) - 1, 0x89, 0);
	gdt[4] = desc((uint32_t) ldt, sizeof(ldt) - 1, 0x82, 0);
	tss[25] = sizeof(tss) << 16;	/* no I/O bitmap */
	gdt[5] = desc(0, 0xfffff, 0xfa, 0xc);	/* user code, DPL 3 */
	gdt[6] = desc(0, 0xfffff, 0xf2, 0xc);	/* user data, DPL 3 */
	tss[1] = (uint32_t) kstack + sizeof(kstack);	/* esp0 */
	tss[2] = KDATA;					/* ss0 */
	idt[6] = gate(h_ud, 0);
	idt[13] = gate(h_gp, 0);
	idt[14] = gate(h_pf, 0);
	idt[T_USER] = gate(h_uback, 3);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));

	/* The identity map, supervisor read/write, accessed and dirty bits
	 * clear as a kernel leaves them. */
	for (i = 0; i < IDMAP_PTS; i++) {
		for (j = 0; j < 1024; j++)
			idpt[i][j] = (i << 22 | j << 12) | PTE_P | PTE_W;
		pgdir[i] = (uint32_t) idpt[i] | PTE_P | PTE_W;
	}
	pgdir[PDX(TEST)] = (uint32_t) tpt | PTE_P | PTE_W;
	pgdir[PDX(BIG)] = BIG_PA | PTE_P | PTE_W | PTE_PS;
	pgdir[PDX(LAPIC_LA)] = (uint32_t) lpt | PTE_P | PTE_W;
	lpt[0] = LAPIC_PA | PTE_P | PTE_W | PTE_PCD | PTE_PWT;
	/* The entries of the checks that come before any rewriting. */
	tpt[0] = FRAME(0) | PTE_P | PTE_W;		/* fill */
	tpt[1] = (BIG_PA + 3 * PGSIZE) | PTE_P | PTE_W;	/* big-page-write */
	tpt[3] = FRAME(3) | PTE_P;			/* true-write-read-only */
	tpt[5] = FRAME(5) | PTE_P;			/* wp: read-only */
	/* User mode: its code, a data page, a read-only page, a supervisor
	 * page; a user entry under a supervisor directory entry; and the
	 * same table under a user and a supervisor directory entry. */
	pgdir[PDX(USER)] = (uint32_t) upt | PTE_P | PTE_W | PTE_U;
	pgdir[PDX(USER_SUPPDE)] = (uint32_t) upt3 | PTE_P | PTE_W;
	pgdir[PDX(USER_ALIAS)] = (uint32_t) upt | PTE_P | PTE_W;
	upt[0] = (uint32_t) user_probe | PTE_P | PTE_U;
	upt[1] = FRAME(40) | PTE_P | PTE_W | PTE_U;
	upt[2] = FRAME(41) | PTE_P | PTE_U;
	upt[3] = FRAME(42) | PTE_P | PTE_W;
	upt3[0] = FRAME(43) | PTE_P | PTE_W | PTE_U;
	/* Every test frame says which it is. */
	for (i = 0; i < 64; i++)
		poke(FRAME(i), MAGIC(FRAME(i)));
	for (i = 0; i < 4; i++)
		poke(BIG_PA + i * PGSIZE, MAGIC(BIG_PA + i * PGSIZE));
}

static void
paging_on(void)
{
	uint32_t cr4;

	asm volatile("movl %%cr4, %0" : "=r" (cr4));
	asm volatile("movl %0, %%cr4" : : "r" (cr4 | CR4_PSE));
	lcr3((uint32_t) pgdir);
	lcr0(rcr0() | CR0_PG | CR0_WP);
	gcheck("paging-on", (rcr0() & (CR0_PG | CR0_WP)) == (CR0_PG | CR0_WP) &&
	      peek(FRAME(0)) == MAGIC(FRAME(0)), rcr0(), CR0_PG | CR0_WP);
}

/* ------------------------------------------------------------------------
 * Fills, accessed and dirty bits, 4 MB pages, CR0.WP.
 * ------------------------------------------------------------------------ */

static void
test_fill(void)
{
	uint32_t la = TEST, v;
	pte_t e;

	v = peek(la);
	gcheck("fill-read", v == MAGIC(FRAME(0)), v, MAGIC(FRAME(0)));
	v = peek(la + 4);	/* once more, now through the filled entry */
	e = get_pte(tpt, 0);
	/* Read, never written: accessed, still clean. */
	gcheck("accessed-bit", (e & (PTE_A | PTE_D)) == PTE_A, e, FRAME(0) |
	      PTE_P | PTE_W | PTE_A);
	poke(la, 0x1234);
	e = get_pte(tpt, 0);
	gcheck("dirty-bit", (e & (PTE_A | PTE_D)) == (PTE_A | PTE_D), e,
	      FRAME(0) | PTE_P | PTE_W | PTE_A | PTE_D);
	/* The same frame through the identity map: one memory. */
	v = peek(FRAME(0));
	gcheck("alias", v == 0x1234, v, 0x1234);
	poke(la, MAGIC(FRAME(0)));
}

static void
test_big(void)
{
	uint32_t v;
	pte_t e;

	v = peek(BIG + 2 * PGSIZE);
	e = get_pte(pgdir, PDX(BIG));
	gcheck("big-page-read", v == MAGIC(BIG_PA + 2 * PGSIZE) &&
	      (e & (PTE_A | PTE_D)) == PTE_A, v, MAGIC(BIG_PA + 2 * PGSIZE));
	poke(BIG + 3 * PGSIZE, 0x4444);
	e = get_pte(pgdir, PDX(BIG));
	/* The frame under the 4 MB page, through a 4 KB mapping. */
	v = peek(TEST + PGSIZE);
	gcheck("big-page-write", v == 0x4444 && (e & PTE_D), v, 0x4444);
}

static void
test_wp(void)
{
	uint32_t la = TEST + 5 * PGSIZE, v;
	int f;

	v = peek(la);
	gcheck("read-only-read", v == MAGIC(FRAME(5)), v, MAGIC(FRAME(5)));
	/* CR0.WP clear: the kernel writes through a read-only entry. */
	lcr0(rcr0() & ~CR0_WP);
	f = probe_write(la, 0x5555);
	lcr0(rcr0() | CR0_WP);
	v = peek(FRAME(5));
	gcheck("wp0-write", !f && v == 0x5555 && (get_pte(tpt, 5) & PTE_D),
	      f ? 0xffffffff : v, 0x5555);
	/* CR0.WP set again: the same write is the guest's own fault. */
	f = probe_write(la, 0x6666);
	check_fault("wp1-write-fault", f, PF_P | PF_W, la);
	v = peek(FRAME(5));
	gcheck("wp1-write-blocked", v == 0x5555, v, 0x5555);
}

/* ------------------------------------------------------------------------
 * True faults: what the guest's tables forbid.
 * ------------------------------------------------------------------------ */

static void
test_true(void)
{
	uint32_t la = TEST + 2 * PGSIZE, v;
	int f;

	f = probe_read(la, &v);
	check_fault("true-read-not-present", f, 0, la);
	f = probe_write(la + 8, 1);
	check_fault("true-write-not-present", f, PF_W, la + 8);
	f = probe_write(TEST + 3 * PGSIZE + 12, 1);
	check_fault("true-write-read-only", f, PF_P | PF_W, TEST + 3 * PGSIZE + 12);
	f = probe_read(NOPDE + 16, &v);
	check_fault("true-no-pde", f, 0, NOPDE + 16);
	/*
	 * Nothing is mapped at 0xFC100000 either, but a monitor may live
	 * there (this kit's does, at the same address in every guest address
	 * space).  What the guest maps nothing at must fault, and the guest
	 * kernel must not read or write the monitor instead.
	 */
	f = probe_read(0xFC100000, &v);
	check_fault("true-monitor-read", f, 0, 0xFC100000);
	f = probe_write(0xFC100000, 0);
	check_fault("true-monitor-write", f, PF_W, 0xFC100000);
}

/*
 * One access from user mode; returns whether it faulted.  The #PF
 * handler sends a faulting probe on to user_done, as in the kernel.
 */
static int
user_access(uint32_t la, int write, uint32_t *val)
{
	uint32_t n = pf_count;

	u_la = la;
	u_write = write;
	u_val = *val;
	pf_resume = USER + (user_done - user_probe);
	enter_user();
	pf_resume = 0;
	*val = u_val;
	return pf_count != n;
}

static void
test_user(void)
{
	uint32_t v = 0;
	int f;

	f = user_access(USER + PGSIZE, 0, &v);
	gcheck("user-read", !f && v == MAGIC(FRAME(40)), f ? 0xffffffff : v,
	      MAGIC(FRAME(40)));
	v = 0x4040;
	f = user_access(USER + PGSIZE + 4, 1, &v);
	gcheck("user-write", !f && peek(FRAME(40) + 4) == 0x4040,
	      f ? 0xffffffff : peek(FRAME(40) + 4), 0x4040);
	f = user_access(USER + 2 * PGSIZE + 8, 1, &v);
	check_fault("user-write-read-only", f, PF_U | PF_P | PF_W,
		    USER + 2 * PGSIZE + 8);
	/* The kernel uses the page first: the shadow then maps it, for the
	 * kernel only. */
	v = peek(USER + 3 * PGSIZE);
	f = user_access(USER + 3 * PGSIZE, 0, &v);
	check_fault("user-read-supervisor-page", f, PF_U | PF_P, USER + 3 * PGSIZE);
	f = user_access(USER + 5 * PGSIZE, 0, &v);
	check_fault("user-read-not-present", f, PF_U, USER + 5 * PGSIZE);
	/* The table entry allows it; the directory entry above does not. */
	v = peek(USER_SUPPDE + 16);
	f = user_access(USER_SUPPDE + 16, 0, &v);
	check_fault("user-supervisor-pde", f, PF_U | PF_P, USER_SUPPDE + 16);
	/* The same table, reached through a supervisor directory entry:
	 * the kernel may, user mode may not (a shadow table made for one
	 * must not serve the other). */
	v = peek(USER_ALIAS + PGSIZE);
	f = user_access(USER_ALIAS + PGSIZE, 0, &v);
	check_fault("user-table-two-rights", f, PF_U | PF_P, USER_ALIAS + PGSIZE);
	f = user_access(USER + PGSIZE, 0, &v);
	gcheck("user-read-again", !f && v == MAGIC(FRAME(40)), f ? 0xffffffff : v,
	      MAGIC(FRAME(40)));
}

/* ------------------------------------------------------------------------
 * Coherence: entries the guest rewrites in place.
 * ------------------------------------------------------------------------ */

static void
test_remap(void)
{
	uint32_t la = TEST + 6 * PGSIZE, v;
	int f;

	/* A true fault, then the guest maps the page: no flush is needed
	 * (the CPU caches no not-present entry), and the access works. */
	f = probe_read(TEST + 2 * PGSIZE, &v);
	set_pte(tpt, 2, FRAME(2) | PTE_P | PTE_W);
	f = probe_read(TEST + 2 * PGSIZE, &v);
	gcheck("map-after-fault", !f && v == MAGIC(FRAME(2)), v, MAGIC(FRAME(2)));

	set_pte(tpt, 6, FRAME(6) | PTE_P | PTE_W);
	v = peek(la);
	set_pte(tpt, 6, FRAME(7) | PTE_P | PTE_W);
	reload_cr3();
	v = peek(la);
	gcheck("remap-cr3", v == MAGIC(FRAME(7)), v, MAGIC(FRAME(7)));
	/* The new entry was written with its accessed bit clear: the read
	 * through it must have set it, as the CPU's walk would. */
	gcheck("remap-accessed", get_pte(tpt, 6) & PTE_A, get_pte(tpt, 6),
	      FRAME(7) | PTE_P | PTE_W | PTE_A);
	set_pte(tpt, 6, FRAME(8) | PTE_P | PTE_W);
	invlpg(la);
	v = peek(la);
	gcheck("remap-invlpg", v == MAGIC(FRAME(8)), v, MAGIC(FRAME(8)));
	/* Written with its accessed and dirty bits already set, as a kernel
	 * copying another address space's entries may write it: the shadow
	 * may map it at once, but only to the frame it names. */
	set_pte(tpt, 6, FRAME(4) | PTE_P | PTE_W | PTE_A | PTE_D);
	reload_cr3();
	v = peek(la);
	gcheck("remap-preset-ad", v == MAGIC(FRAME(4)), v, MAGIC(FRAME(4)));
	set_pte(tpt, 6, 0);
	reload_cr3();
	f = probe_read(la, &v);
	check_fault("unmap", f, 0, la);

	/* Written (so the shadow may map it writable), then made read-only. */
	set_pte(tpt, 7, FRAME(9) | PTE_P | PTE_W);
	poke(TEST + 7 * PGSIZE, 0x7777);
	set_pte(tpt, 7, get_pte(tpt, 7) & ~PTE_W);
	reload_cr3();
	f = probe_write(TEST + 7 * PGSIZE, 0x8888);
	check_fault("write-protect", f, PF_P | PF_W, TEST + 7 * PGSIZE);
	v = peek(FRAME(9));
	gcheck("write-protect-blocked", v == 0x7777, v, 0x7777);
}

/*
 * A user entry written into the table that user-supervisor-pde reached
 * through a supervisor directory entry: the shadow entry made from the
 * write must still combine both levels' rights, as a fill's does.
 */
static void
test_remap_user(void)
{
	uint32_t v = 0;
	int f;

	set_pte(upt3, 1, FRAME(44) | PTE_P | PTE_W | PTE_U | PTE_A | PTE_D);
	f = user_access(USER_SUPPDE + PGSIZE, 0, &v);
	check_fault("remap-user-supervisor-pde", f, PF_U | PF_P,
		    USER_SUPPDE + PGSIZE);
}

/*
 * A paging-mode change (here CR0.WP, off and on) may make a monitor drop
 * every shadow.  Then the test table is shadowed again before the page
 * holding it is mapped again, through an entry whose dirty bit is long
 * set: that mapping must not let the next write to the table go unseen.
 */
static void
test_retrace(void)
{
	uint32_t v;

	set_pte(tpt, 8, FRAME(14) | PTE_P | PTE_W);
	lcr0(rcr0() & ~CR0_WP);
	lcr0(rcr0() | CR0_WP);
	v = peek(TEST + 8 * PGSIZE);
	v = get_pte(tpt, 8);
	set_pte(tpt, 8, FRAME(15) | PTE_P | PTE_W);
	reload_cr3();
	v = peek(TEST + 8 * PGSIZE);
	gcheck("retrace", v == MAGIC(FRAME(15)), v, MAGIC(FRAME(15)));
}

/* A directory entry rewritten: the region now goes through another table. */
static void
test_pde(void)
{
	uint32_t v;

	set_pte(tpt2, 0, FRAME(10) | PTE_P | PTE_W);
	set_pte(pgdir, PDX(TEST), (uint32_t) tpt2 | PTE_P | PTE_W);
	reload_cr3();
	v = peek(TEST);
	gcheck("pde-remap", v == MAGIC(FRAME(10)), v, MAGIC(FRAME(10)));
	set_pte(pgdir, PDX(TEST), (uint32_t) tpt | PTE_P | PTE_W);
	reload_cr3();
	v = peek(TEST);
	gcheck("pde-restore", v == MAGIC(FRAME(0)), v, MAGIC(FRAME(0)));
}

/*
 * A second address space sharing the first one's tables (as every process
 * of an xv6-style kernel shares the kernel's): an entry changed while it
 * runs is seen by the first when it comes back, and the other way round.
 */
static void
test_other_root(void)
{
	uint32_t i, v;

	for (i = 0; i < 1024; i++)
		set_pte(pgdir2, i, get_pte(pgdir, i));
	lcr3((uint32_t) pgdir2);
	v = peek(TEST);
	set_pte(tpt, 0, FRAME(11) | PTE_P | PTE_W);
	reload_cr3();
	v = peek(TEST);
	gcheck("shared-table", v == MAGIC(FRAME(11)), v, MAGIC(FRAME(11)));
	lcr3((uint32_t) pgdir);
	v = peek(TEST);
	gcheck("switch-back", v == MAGIC(FRAME(11)), v, MAGIC(FRAME(11)));
	set_pte(tpt, 0, FRAME(12) | PTE_P | PTE_W);
	reload_cr3();
	lcr3((uint32_t) pgdir2);
	v = peek(TEST);
	gcheck("switch-again", v == MAGIC(FRAME(12)), v, MAGIC(FRAME(12)));
	lcr3((uint32_t) pgdir);
}

/*
 * A table rewritten wholesale, as a kernel building an address space
 * does: many entries, no access in between, then one flush.  (A shadow
 * may stop tracing such a table: it must still be right afterwards.)
 */
static void
test_rewrite(void)
{
	uint32_t i, v, bad = 0, badv = 0;

	/* Map, use, then rewrite every entry to another frame. */
	for (i = 16; i < 32; i++)
		set_pte(tpt, i, FRAME(i) | PTE_P | PTE_W);
	reload_cr3();
	for (i = 16; i < 32; i++)
		peek(TEST + i * PGSIZE);
	for (i = 16; i < 32; i++)
		set_pte(tpt, i, FRAME(i + 16) | PTE_P | PTE_W);
	reload_cr3();
	for (i = 16; i < 32 && !bad; i++)
		if ((v = peek(TEST + i * PGSIZE)) != MAGIC(FRAME(i + 16))) {
			bad = i;
			badv = v;
		}
	gcheck("rewrite-table", !bad, badv, bad ? MAGIC(FRAME(bad + 16)) : 0);
	/* And once more, now that the table may no longer be traced. */
	set_pte(tpt, 20, FRAME(13) | PTE_P | PTE_W);
	reload_cr3();
	v = peek(TEST + 20 * PGSIZE);
	gcheck("rewrite-again", v == MAGIC(FRAME(13)), v, MAGIC(FRAME(13)));
}

/* ------------------------------------------------------------------------
 * The LAPIC, through the page tables.
 * ------------------------------------------------------------------------ */

static void
test_lapic(void)
{
	uint32_t id, v, i, bad = 0;

	id = peek(LAPIC_LA + LAPIC_ID);
	for (i = 0; i < LAPIC_READS - 1; i++)
		if (peek(LAPIC_LA + LAPIC_ID) != id)
			bad++;
	gcheck("lapic-id", bad == 0 && id >> 24 == 0, bad ? bad : id, 0);
	gprintf("shadowsuite: %d LAPIC ID reads\n", LAPIC_READS);
	/* A write, then reads: the register, not a stale copy of it. */
	poke(LAPIC_LA + LAPIC_TPR, 0x20);
	v = peek(LAPIC_LA + LAPIC_TPR) & 0xff;
	gcheck("lapic-tpr", v == 0x20, v, 0x20);
	poke(LAPIC_LA + LAPIC_TPR, 0);
	v = peek(LAPIC_LA + LAPIC_TPR) & 0xff;
	gcheck("lapic-tpr-clear", v == 0, v, 0);
}

/* Whether the Multiboot command line holds word. */
static int
cmdline_has(uint32_t magic, const uint32_t *mbi, const char *word)
{
	const char *s, *w;

	if (magic != 0x2badb002 || !(mbi[0] & 4) || mbi[4] == 0)
		return 0;
	for (s = (const char *) mbi[4]; *s; s++) {
		for (w = word; *w && s[w - word] == *w; w++)
			;
		if (*w == '\0')
			return 1;
	}
	return 0;
}

void
gmain(uint32_t magic, uint32_t info)
{
	int fixed = cmdline_has(magic, (const uint32_t *) info, "tables=fixed");

	ginit();
	gsuite("shadowsuite");
	setup();
	gprintf("shadowsuite: start%s\n", fixed ? " (tables=fixed)" : "");
	paging_on();
	test_fill();
	test_big();
	test_wp();
	test_true();
	test_user();
	test_lapic();
	if (!fixed) {
		test_remap();
		test_remap_user();
		test_retrace();
		test_pde();
		test_other_root();
		test_rewrite();
	}
	gdone();
}
