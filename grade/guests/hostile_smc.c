/*
 * hostile_smc.c - code that rewrites itself, on plain pages and on a page
 * the guest also uses as a page table.
 *
 * A PC runs the new bytes of an instruction as soon as the store to them
 * retires, the very next instruction included.  Under te the guest's code
 * runs on the CPU itself, but a page that is also one of the guest's page
 * tables is write-protected in the shadow (vmm/shadow.h: traced): every
 * store to it faults and the monitor carries it out, and after the store
 * the guest must run what it wrote.  A binary translator (labs 6-7) must
 * also drop what it translated from a page written to.
 */
#include "grade/guests/hostile.h"

#define PTLA		0x60000000u	/* the code page as a page table */
#define ALIAS		0x64000000u	/* the plain code page, writable again */
#define NPATCH		100

/*
 * Two pages of code, each 4 KB aligned.  On each: "next", which patches
 * the immediate of the very instruction after its store and returns it
 * (%al = the new byte, given in %ecx); "callee", a function whose result
 * an earlier store decides; and, on the first page, a word that serves as
 * a page-table entry while the page is the table of PTLA.
 */
asm(".text\n"
    ".p2align 12\n"
    "smc_page:\n"
    "smc_next:\n"
    "	movl	$0, %eax\n"
    "	movb	%cl, 1f + 1\n"
    "1:	movb	$0, %al\n"
    "	ret\n"
    "smc_callee:\n"
    "	movl	$1, %eax\n"
    "	ret\n"
    "smc_slot:\n"			/* room for code copied in */
    "	.fill	16, 1, 0xcc\n"
    ".p2align 2\n"
    "smc_pte:\n"
    "	.long	0\n"
    ".p2align 12\n"
    "smc_page2:\n"
    "smc2_next:\n"
    "	movl	$0, %eax\n"
    "	movb	%cl, 1f + 1\n"
    "1:	movb	$0, %al\n"
    "	ret\n"
    "smc2_callee:\n"
    "	movl	$1, %eax\n"
    "	ret\n"
    ".p2align 12\n");
extern uint8_t smc_page[], smc_callee[], smc_slot[], smc_page2[], smc2_callee[];
extern uint32_t smc_pte[];
uint32_t smc_next(void);
uint32_t smc2_next(void);

/* Call next with %cl = v. */
static uint32_t
run_next(uint32_t (*next)(void), uint8_t v)
{
	uint32_t r;

	asm volatile("call *%1" : "=a" (r) : "r" (next), "c" (v) : "edx", "memory");
	return r;
}

/* The callee's immediate (the 4 bytes after its b8 opcode), by a store
 * through address at (the callee itself, or an alias of it). */
static void
patch_callee(uint8_t *at, uint32_t v)
{
	*(volatile uint32_t *) (at + 1) = v;
}

/*
 * Patch, then run, count after count: every run must see its patch.  A
 * read at touch first (if not 0), through the code page as a page table,
 * has the monitor trace the page again if a flood of writes made it stop.
 */
static void
check_patches(const char *next_name, const char *callee_name,
	      uint32_t (*next)(void), uint8_t *callee, uint8_t *store_at,
	      uint32_t touch)
{
	uint32_t i, bad = 0, got;

	for (i = 1; i <= NPATCH; i++)
		if ((touch == 0 || peek(touch)) && (got = run_next(next, i)) != i &&
		    bad++ == 0)
			gprintf("hostile: %s: run %u returned %x\n", next_name,
				i, got);
	gresult(next_name, bad == 0, "%u of %u runs ran the old instruction",
		bad, NPATCH);
	for (i = 1, bad = 0; i <= NPATCH; i++) {
		if (touch)
			(void) peek(touch);
		patch_callee(store_at, 0x1000 + i);
		if (((uint32_t (*)(void)) callee)() != 0x1000 + i)
			bad++;
	}
	gresult(callee_name, bad == 0, "%u of %u calls ran the old code", bad,
		NPATCH);
}

/* Copy "mov $v, %eax; ret" into the slot with rep movsb, and call it. */
static uint32_t
copy_and_run(uint8_t *slot, uint32_t v)
{
	uint8_t code[6] = { 0xb8, v, v >> 8, v >> 16, v >> 24, 0xc3 };

	asm volatile("cld; rep movsb" : : "S" (code), "D" (slot), "c" (6)
		     : "memory");
	return ((uint32_t (*)(void)) slot)();
}

/* The code page is the table of PTLA: its entry smc_pte maps a frame. */
static uint32_t
pte_la(void)
{
	return PTLA + ((uint32_t) smc_pte & 0xfff) / 4 * PGSIZE;
}

void
area_smc(void)
{
	uint32_t la;

	fill_frames(FRAME(0), 2);
	/* Plain pages, paging off and on. */
	check_patches("smc-next-instruction", "smc-callee", smc_next,
		      smc_callee, smc_callee, 0);
	paging_on();
	map(ALIAS, (uint32_t) smc_page2, PTE_P | PTE_W);
	check_patches("smc-paged-next-instruction", "smc-through-alias",
		      smc2_next, smc2_callee,
		      (uint8_t *) ALIAS + (smc2_callee - smc_page2), 0);

	/* The code page as a page table, then rewritten as code. */
	smc_pte[0] = FRAME(0) | PTE_P | PTE_W;
	hpgdir[PDX(PTLA)] = (uint32_t) smc_page | PTE_P | PTE_W;
	la = pte_la();
	gcheck("smc-page-as-table", peek(la) == MAGIC(FRAME(0)), peek(la),
	       MAGIC(FRAME(0)));
	check_patches("smc-table-next-instruction", "smc-table-callee",
		      smc_next, smc_callee, smc_callee, la);
	gcheck("smc-table-copied-code", copy_and_run(smc_slot, 0xc0de) == 0xc0de,
	       copy_and_run(smc_slot, 0xc0de), 0xc0de);
	/* Its entry still maps what the code page holds there. */
	smc_pte[0] = FRAME(1) | PTE_P | PTE_W;
	invlpg(la);
	gcheck("smc-table-entry-rewritten", peek(la) == MAGIC(FRAME(1)), peek(la),
	       MAGIC(FRAME(1)));
	gcheck("smc-table-after-rewrite", run_next(smc_next, 0x77) == 0x77,
	       run_next(smc_next, 0x77), 0x77);
	hpgdir[PDX(PTLA)] = 0;
	paging_off();
}
