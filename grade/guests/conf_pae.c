/*
 * conf_pae.c - PAE paging as QEMU's CPU walks it.
 *
 * A 32-bit kernel may turn on CR4.PAE (Linux does, for NX and for memory
 * above 4 GB): three levels of 8-byte entries, a four-entry page-directory
 * pointer table that CR3 names on a 32-byte boundary, 2 MB pages, and
 * reserved bits whose use is a page fault with the RSVD bit (bit 3) in
 * its error code.  The monitor must walk those tables as the CPU does
 * (vmm/ptwalk.c) and shadow them (vmm/shadow_fault.c); here every check
 * runs natively and under the monitor, and every line must be the same
 * (grade/conf_pae.c).
 *
 * The tables identity-map the first 2 MB with 4 KB pages (this guest's
 * code and data), map 2-4 MB with one 2 MB page, and give the checks a
 * table of their own at 4 MB (the alias window) whose entries they
 * rewrite, each change followed by the invlpg or CR3 load the SDM asks
 * for.  The last part turns PAE off and goes back to two-level paging.
 */
#include "grade/guests/guest.h"

#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PSE		0x00000010
#define CR4_PAE		0x00000020
#define PFERR_RSVD	0x8

#define BIG_LA		0x00200000	/* the 2 MB page (identity) */
#define WIN		0x00400000	/* the alias window: pt_win's pages */
#define WIN_PAGE(i)	(WIN + (i) * PGSIZE)
#define GB1		0x40000000	/* PDPT entry 1: not present */

static uint64_t gdt[5] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[32] __attribute__((aligned(8)));

/* Two PDPTs in one page: CR3 names either, 32 bytes apart. */
static uint64_t pdpts[512] __attribute__((aligned(4096)));
#define PDPT_A	(&pdpts[0])
#define PDPT_B	(&pdpts[4])
static uint64_t pd0[512] __attribute__((aligned(4096)));
static uint64_t pd0_b[512] __attribute__((aligned(4096)));
static uint64_t pt_low[512] __attribute__((aligned(4096)));
static uint64_t pt_win[512] __attribute__((aligned(4096)));
static uint64_t pt_win_b[512] __attribute__((aligned(4096)));
static uint32_t frame_a[1024] __attribute__((aligned(4096)));
static uint32_t frame_b[1024] __attribute__((aligned(4096)));
/* Two-level tables for the way back. */
static uint32_t pgdir[1024] __attribute__((aligned(4096)));

static uint32_t
rcr(int n)
{
	uint32_t v = 0;

	if (n == 0)
		asm volatile("movl %%cr0, %0" : "=r" (v));
	else if (n == 3)
		asm volatile("movl %%cr3, %0" : "=r" (v));
	else
		asm volatile("movl %%cr4, %0" : "=r" (v));
	return v;
}

static void
lcr(int n, uint32_t v)
{
	if (n == 0)
		asm volatile("movl %0, %%cr0" : : "r" (v) : "memory");
	else if (n == 3)
		asm volatile("movl %0, %%cr3" : : "r" (v) : "memory");
	else
		asm volatile("movl %0, %%cr4" : : "r" (v) : "memory");
}

static void
invlpg(uint32_t la)
{
	asm volatile("invlpg (%0)" : : "r" (la) : "memory");
}

/* The accesses and the table reads are kept in program order: the
 * compiler must not move a check of an entry before the access that
 * sets its bits. */
static uint32_t
peek(uint32_t la)
{
	uint32_t v = *(volatile uint32_t *) la;

	asm volatile("" : : : "memory");
	return v;
}

static void
poke(uint32_t la, uint32_t v)
{
	*(volatile uint32_t *) la = v;
	asm volatile("" : : : "memory");
}

static void
probe_read(void *la)
{
	(void) peek((uint32_t) la);
}

static void
probe_write(void *la)
{
	poke((uint32_t) la, 0x5a5a5a5a);
}

/* The low dword of an entry, as the CPU left it: A and D live there. */
static uint32_t
lo(const uint64_t *e)
{
	return *(const volatile uint32_t *) e;
}

/*
 * One access that must fault: the vector, the error code and CR2 all
 * on one line, so that a difference shows what differs.
 */
static void
expect_pf(const char *name, void (*fn)(void *), uint32_t la, uint32_t err)
{
	struct gfault f;
	int vec = gtry(fn, (void *) la, &f);

	gresult(name, vec == 14 && f.err == err && f.cr2 == la,
		"vector %d error %x cr2 %08x, want 14 error %x cr2 %08x",
		vec, f.err, f.cr2, err, la);
}

/* The same access must not fault. */
static void
expect_ok(const char *name, void (*fn)(void *), uint32_t la)
{
	struct gfault f;
	int vec = gtry(fn, (void *) la, &f);

	gresult(name, vec == -1, "vector %d error %x cr2 %08x", vec, f.err,
		f.cr2);
}

/* Point window page i at frame pa with flags, and tell the TLB. */
static void
win_map(unsigned i, uint64_t e)
{
	pt_win[i] = e;
	invlpg(WIN_PAGE(i));
}

static void
setup(void)
{
	unsigned i;

	gflat_gdt(gdt, tss, sizeof(tss), ldt, sizeof(ldt));
	gtry_gates(idt);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));
	for (i = 0; i < 512; i++)
		pt_low[i] = (uint64_t) i * PGSIZE | PTE_P | PTE_W;
	pd0[0] = (uint32_t) pt_low | PTE_P | PTE_W;
	pd0[1] = BIG_LA | PTE_PS | PTE_P | PTE_W;
	pd0[2] = (uint32_t) pt_win | PTE_P | PTE_W;
	/* PDPT B: the same low 4 MB, a window of its own onto frame_a. */
	pd0_b[0] = pd0[0];
	pd0_b[1] = pd0[1];
	pd0_b[2] = (uint32_t) pt_win_b | PTE_P | PTE_W;
	pt_win_b[0] = (uint32_t) frame_a | PTE_P | PTE_W;
	PDPT_A[0] = (uint32_t) pd0 | PTE_P;
	PDPT_B[0] = (uint32_t) pd0_b | PTE_P;
	frame_a[0] = 0xaaaa0000;
	frame_b[0] = 0xbbbb0000;
	pt_win[0] = (uint32_t) frame_a | PTE_P | PTE_W;
}

static void
check_on(void)
{
	lcr(4, rcr(4) | CR4_PAE);
	lcr(3, (uint32_t) PDPT_A);
	lcr(0, rcr(0) | CR0_PG | CR0_WP);
	gcheck("paging-on", (rcr(0) & CR0_PG) && (rcr(4) & CR4_PAE),
	       rcr(4), rcr(4) | CR4_PAE);
	gcheck("cr3-reads-back", rcr(3) == (uint32_t) PDPT_A, rcr(3),
	       (uint32_t) PDPT_A);
}

/* 4 KB pages: the frame, and the accessed and dirty bits at each level. */
static void
check_4k(void)
{
	uint32_t v;

	v = peek(WIN_PAGE(0));
	gcheck("read-4k", v == 0xaaaa0000, v, 0xaaaa0000);
	gcheck("pde-accessed", (lo(&pd0[2]) & (PTE_A | PTE_D)) == PTE_A,
	       lo(&pd0[2]), lo(&pd0[2]) | PTE_A);
	gcheck("pte-accessed", (lo(&pt_win[0]) & (PTE_A | PTE_D)) == PTE_A,
	       lo(&pt_win[0]), lo(&pt_win[0]) | PTE_A);
	gprintf("conf_pae: pdpte after a walk: %08x\n", lo(&PDPT_A[0]));
	poke(WIN_PAGE(0), 0xaaaa0001);
	gcheck("write-4k", frame_a[0] == 0xaaaa0001, frame_a[0], 0xaaaa0001);
	gcheck("pte-dirty", (lo(&pt_win[0]) & PTE_D) != 0, lo(&pt_win[0]),
	       lo(&pt_win[0]) | PTE_D);
	gcheck("pde-not-dirty", (lo(&pd0[2]) & PTE_D) == 0, lo(&pd0[2]),
	       lo(&pd0[2]) & ~PTE_D);
	win_map(0, (uint32_t) frame_b | PTE_P | PTE_W);
	v = peek(WIN_PAGE(0));
	gcheck("invlpg-remap", v == 0xbbbb0000, v, 0xbbbb0000);
}

/* A 2 MB page: its PDE takes both bits. */
static void
check_2m(void)
{
	uint32_t v = peek(BIG_LA + 0x1234 * 4);

	gcheck("read-2m", v == ((uint32_t *) BIG_LA)[0x1234], v,
	       ((uint32_t *) BIG_LA)[0x1234]);
	poke(BIG_LA + 0x10000, 0x2b2b2b2b);
	gcheck("pde-2m-dirty", (lo(&pd0[1]) & (PTE_A | PTE_D)) ==
	       (PTE_A | PTE_D), lo(&pd0[1]), lo(&pd0[1]) | PTE_A | PTE_D);
	pd0[1] &= ~(uint64_t) PTE_W;
	invlpg(BIG_LA);
	expect_pf("2m-read-only", probe_write, BIG_LA + 0x20000, 0x3);
	pd0[1] |= PTE_W | 0x2000;	/* bit 13: reserved in a 2 MB PDE */
	invlpg(BIG_LA);
	expect_pf("2m-reserved-bit13", probe_read, BIG_LA + 0x20000,
		  PFERR_RSVD);
	pd0[1] &= ~(uint64_t) 0x2000;
	invlpg(BIG_LA);
	expect_ok("2m-restored", probe_write, BIG_LA + 0x20000);
}

/* What is not present, and what the rights of two levels combine to. */
static void
check_faults(void)
{
	win_map(1, 0);
	expect_pf("pte-not-present-read", probe_read, WIN_PAGE(1), 0x0);
	expect_pf("pte-not-present-write", probe_write, WIN_PAGE(1), 0x2);
	win_map(1, (uint32_t) frame_a | PTE_P);
	expect_ok("pte-read-only-read", probe_read, WIN_PAGE(1));
	expect_pf("pte-read-only-write", probe_write, WIN_PAGE(1), 0x3);
	win_map(1, (uint32_t) frame_a | PTE_P | PTE_W);
	pd0[2] &= ~(uint64_t) PTE_W;
	invlpg(WIN_PAGE(1));
	expect_pf("pde-read-only-write", probe_write, WIN_PAGE(1), 0x3);
	pd0[2] |= PTE_W;
	invlpg(WIN_PAGE(1));
	expect_ok("pde-writable-again", probe_write, WIN_PAGE(1));
	expect_pf("pdpte-not-present", probe_read, GB1 + 0x123000, 0x0);
}

/*
 * Bits the CPU reserves: a fault with RSVD, whatever else the entry says.
 * QEMU's CPU, the reference, pushes RSVD with P clear where the SDM sets
 * P too: the error codes here are QEMU's.
 */
static void
check_reserved(void)
{
	static const struct {
		const char *name;
		uint64_t bit;
	} pte_bits[] = {
		{ "pte-bit63-without-nxe", 1ull << 63 },
		{ "pte-bit62", 1ull << 62 },
		{ "pte-bit52", 1ull << 52 },
		{ "pte-bit51", 1ull << 51 },
		{ "pte-bit40", 1ull << 40 },
		{ "pte-bit36", 1ull << 36 },
	};
	unsigned i;

	for (i = 0; i < sizeof(pte_bits) / sizeof(pte_bits[0]); i++) {
		win_map(2, (uint32_t) frame_a | PTE_P | PTE_W | pte_bits[i].bit);
		expect_pf(pte_bits[i].name, probe_write, WIN_PAGE(2),
			  PFERR_RSVD | 0x2);
	}
	/* QEMU's 32-bit CPU has 32 physical address bits: bit 32 is
	 * reserved, and is checked before the rights. */
	win_map(2, (uint32_t) frame_a | PTE_P | (1ull << 32));
	expect_pf("pte-bit32-read-only", probe_write, WIN_PAGE(2),
		  PFERR_RSVD | 0x2);
	win_map(2, 0);
	/* A reserved bit in a not-present entry is no fault of RSVD. */
	win_map(3, 1ull << 63);
	expect_pf("not-present-reserved", probe_read, WIN_PAGE(3), 0x0);
	pd0[3] = (uint32_t) pt_win | PTE_P | PTE_W | (1ull << 63);
	invlpg(0x00600000);
	expect_pf("pde-bit63", probe_read, 0x00600000, PFERR_RSVD);
	pd0[3] = 0;
	invlpg(0x00600000);
	/* PDPT entry 1 (the second gigabyte) has the same directory. */
	PDPT_A[1] = (uint32_t) pd0 | PTE_P | (1ull << 62);
	lcr(3, (uint32_t) PDPT_A);
	expect_pf("pdpte-bit62", probe_read, GB1 + WIN, PFERR_RSVD);
	PDPT_A[1] = (uint32_t) pd0 | PTE_P | PTE_W;
	lcr(3, (uint32_t) PDPT_A);
	expect_ok("pdpte-bit1", probe_read, GB1 + WIN);
	gcheck("pdpte-bit1-window", peek(GB1 + WIN) == 0xbbbb0000,
	       peek(GB1 + WIN), 0xbbbb0000);
	PDPT_A[1] = 0;
	lcr(3, (uint32_t) PDPT_A);
	expect_pf("pdpte-gone", probe_read, GB1 + WIN, 0x0);
}

/* A walk that fails at the table has still used the directory entry. */
static void
check_failed_walk(void)
{
	pd0[2] &= ~(uint64_t) PTE_A;
	win_map(4, 0);
	expect_pf("pte-missing", probe_read, WIN_PAGE(4), 0x0);
	gprintf("conf_pae: pde after a walk that failed below it: %08x\n",
		lo(&pd0[2]));
}

/* Two PDPTs in one page: CR3's bits 5-11 matter. */
static void
check_cr3_switch(void)
{
	uint32_t a, b, a2;

	lcr(3, (uint32_t) PDPT_B);
	b = peek(WIN_PAGE(0));
	lcr(3, (uint32_t) PDPT_A);
	a = peek(WIN_PAGE(0));
	lcr(3, (uint32_t) PDPT_B);
	lcr(3, (uint32_t) PDPT_A);
	a2 = peek(WIN_PAGE(0));
	gcheck("cr3-b-window", b == frame_a[0], b, frame_a[0]);
	gcheck("cr3-a-window", a == 0xbbbb0000 && a2 == a, a, 0xbbbb0000);
}

/* Off again, then two-level paging on the same memory. */
static void
check_back_to_two_levels(void)
{
	uint32_t v;

	pgdir[0] = PTE_PS | PTE_P | PTE_W;
	lcr(0, rcr(0) & ~CR0_PG);
	lcr(4, (rcr(4) & ~CR4_PAE) | CR4_PSE);
	lcr(3, (uint32_t) pgdir);
	lcr(0, rcr(0) | CR0_PG);
	v = peek((uint32_t) &frame_a[0]);
	gcheck("two-level-again", v == frame_a[0] && !(rcr(4) & CR4_PAE),
	       rcr(4), rcr(4) & ~CR4_PAE);
	/* A 4 MB PDE's bit 21 is reserved; bits 13-20 are address bits. */
	pgdir[1] = 0x00400000 | 0x00200000 | PTE_PS | PTE_P | PTE_W;
	invlpg(0x00400000);
	expect_pf("4m-bit21-reserved", probe_read, 0x00400000, PFERR_RSVD);
	pgdir[1] = 0;
	invlpg(0x00400000);
	expect_pf("4m-not-present", probe_read, 0x00400000, 0x0);
	lcr(0, rcr(0) & ~CR0_PG);
}

void
gmain(uint32_t magic, uint32_t info)
{
	(void) magic;
	(void) info;
	ginit();
	setup();
	gsuite("conf_pae");
	check_on();
	check_4k();
	check_2m();
	check_faults();
	check_reserved();
	check_failed_walk();
	check_cr3_switch();
	check_back_to_two_levels();
	gdone();
}
