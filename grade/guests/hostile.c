/*
 * hostile.c - a guest kernel that attacks the monitor it runs under.
 *
 * docs/design.md section 7: a guest that tries to reach the monitor
 * through memory, its GDT, IDT, CR3, I/O ports or self-modifying code must
 * get the fault a bare PC would give it, and the monitor must keep running.
 * Bare QEMU is the reference: every attempt is a check that passes
 * natively, and under the monitor the lines must be the same, or, where
 * the monitor cannot give the guest what a PC gives it, the monitor must
 * stop the guest before a wrong answer and say why (grade/hostile.c).
 * The command line names the areas to attack, one run each (hostile.h):
 *
 *	memory		beyond RAM, the RAM's edge, self-mapping directories,
 *			the directory used as data, tables rewritten in floods
 *	monitor		the monitor's own linear range, mapped by the guest
 *	world-switch	the pages of it the world switch keeps mapped
 *	monitor-exec	code in the monitor's range
 *	outside		page tables outside RAM
 *	cr3		CR3 outside RAM with paging on (natively a shutdown)
 *	tables		selectors past the GDT's limit and the monitor's own,
 *			DPL and conforming tricks, call gates, odd IDT gates,
 *			the reserved segment registers
 *	segments	descriptors a shadow GDT must follow or cannot hold:
 *			bases above or in the monitor, expand-down, the LDT,
 *			a GDT moved or written after lgdt (seg:NAME runs one)
 *	io		ports no device owns, an interrupt storm, a long
 *			spin with interrupts off, sti's window
 *	smc		self-modifying code, on plain pages and page tables
 *	exceptions	delivery on a broken stack, at the end of RAM, through
 *			an IDT whose limit cuts a gate
 *
 * This file holds what every area starts from: the GDT, IDT and TSS, an
 * identity-mapped address space, user mode, and the ways to judge a probe.
 */
#include "grade/guests/hostile.h"

uint64_t hgdt[HNGDT] __attribute__((aligned(8)));
uint64_t hidt[HNIDT] __attribute__((aligned(8)));
uint32_t htss[26] __attribute__((aligned(8)));
static uint64_t hldt[2] __attribute__((aligned(8)));
uint32_t ram_end;

/* Where a fault from user mode lands, and user mode's own stack. */
static uint8_t kstack[4096] __attribute__((aligned(16)));
uint32_t hustack[1024] __attribute__((aligned(16)));

static uint32_t pgdir[1024] __attribute__((aligned(PGSIZE)));
uint32_t *const hpgdir = pgdir;
static uint32_t idpt[IDMAP / (PGSIZE * 1024)][1024] __attribute__((aligned(PGSIZE)));
#define NPOOL	12
static uint32_t ptpool[NPOOL][1024] __attribute__((aligned(PGSIZE)));
static int npool;

/*
 * User mode: user_enter(fn), run as a gtry() probe, irets to ring 3 at
 * fn with a return address to user_exit on the user stack; user_exit's
 * int $0x30 ends the probe as "returned" (gtry_abort(-1)).  A fault at
 * ring 3 reaches gtry's stubs on kstack (the TSS's esp0) and ends it too.
 */
asm(".text\n"
    "user_enter:\n"
    "	movl	4(%esp), %eax\n"
    "	movl	$user_exit, hustack + 4092\n"
    "	movw	$0x33, %dx\n"			/* UDATA | 3 */
    "	movw	%dx, %ds\n"
    "	movw	%dx, %es\n"
    "	pushl	$0x33\n"
    "	pushl	$hustack + 4092\n"
    "	pushfl\n"
    "	pushl	$0x2b\n"			/* UCODE | 3 */
    "	pushl	%eax\n"
    "	iret\n"
    "user_exit:\n"
    "	int	$0x30\n"
    "h_user_done:\n"
    "	pushl	$-1\n"
    "	call	gtry_abort\n");
extern char user_enter[], h_user_done[];

int
gtry_user(void (*fn)(void), struct gfault *f)
{
	return gtry((void (*)(void *)) user_enter, fn, f);
}

uint64_t
hgate(uint32_t off, uint16_t sel, uint8_t access)
{
	return (off & 0xffff) | (uint64_t) sel << 16 |
		(uint64_t) access << 40 | (uint64_t) (off >> 16) << 48;
}

void
hload_gdt(uint32_t bytes)
{
	struct pseudodesc gd = { bytes - 1, (uint32_t) hgdt };

	asm volatile("lgdt %0" : : "m" (gd) : "memory");
}

void
hload_idt(const void *base, uint32_t bytes)
{
	struct pseudodesc id = { bytes - 1, (uint32_t) base };

	asm volatile("lidt %0" : : "m" (id) : "memory");
}

void
hreset_tables(void)
{
	int i;

	for (i = 0; i < HNGDT; i++)
		hgdt[i] = 0;
	hgdt[KCODE >> 3] = desc(0, 0xfffff, 0x9a, 0xc);
	hgdt[KDATA >> 3] = desc(0, 0xfffff, 0x92, 0xc);
	hgdt[KTSS >> 3] = desc((uint32_t) htss, sizeof(htss) - 1, 0x89, 0);
	hgdt[KLDT >> 3] = desc((uint32_t) hldt, sizeof(hldt) - 1, 0x82, 0);
	hgdt[UCODE >> 3] = desc(0, 0xfffff, 0xfa, 0xc);
	hgdt[UDATA >> 3] = desc(0, 0xfffff, 0xf2, 0xc);
	for (i = 0; i < 26; i++)
		htss[i] = 0;
	htss[1] = (uint32_t) kstack + sizeof(kstack);
	htss[2] = KDATA;
	htss[25] = 104 << 16;		/* no I/O bitmap */
	for (i = 0; i < HNIDT; i++)
		hidt[i] = 0;
	gtry_gates(hidt);
	hidt[V_USER_DONE] = gate(h_user_done, 3);
	gload_tables(hgdt, sizeof(hgdt), hidt, sizeof(hidt));
}

/* ------------------------------------------------------------------------
 * Paging: [0, IDMAP) mapped to itself, user and writable; the areas add
 * their own mappings above it with map().
 * ------------------------------------------------------------------------ */

uint32_t *
pt_alloc(void)
{
	uint32_t *pt;
	int i;

	if (npool == NPOOL) {
		gprintf("hostile: out of page tables\n");
		gexit(3);
	}
	pt = ptpool[npool++];
	for (i = 0; i < 1024; i++)
		pt[i] = 0;
	return pt;
}

uint32_t *
pte_of(uint32_t la)
{
	uint32_t pde = pgdir[PDX(la)];

	if (!(pde & PTE_P) || (pde & PTE_PS))
		return 0;
	return (uint32_t *) (pde & ~0xfffu) + PTX(la);
}

void
map(uint32_t la, uint32_t pa, uint32_t perm)
{
	if (!(pgdir[PDX(la)] & PTE_P))
		pgdir[PDX(la)] = (uint32_t) pt_alloc() | PTE_P | PTE_W | PTE_U;
	*pte_of(la) = (pa & ~0xfffu) | perm;
	if (rcr0() & CR0_PG)
		invlpg(la);
}

void
fill_frames(uint32_t pa, int n)
{
	for (; n > 0; n--, pa += PGSIZE)
		poke(pa, MAGIC(pa));
}

void
probe_read(void *la)
{
	(void) peek((uint32_t) la);
}

void
probe_write(void *la)
{
	poke((uint32_t) la, 0x600d600d);
}

void
paging_on(void)
{
	uint32_t i;

	for (i = 0; i < 1024; i++)
		pgdir[i] = 0;
	for (i = 0; i < IDMAP / PGSIZE; i++)
		idpt[i / 1024][i % 1024] = i * PGSIZE | PTE_P | PTE_W | PTE_U;
	for (i = 0; i < IDMAP / (PGSIZE * 1024); i++)
		pgdir[i] = (uint32_t) idpt[i] | PTE_P | PTE_W | PTE_U;
	npool = 0;
	lcr3((uint32_t) pgdir);
	lcr0(rcr0() | CR0_PG | CR0_WP);
}

void
paging_off(void)
{
	lcr0(rcr0() & ~(CR0_PG | CR0_WP));
	npool = 0;
}

/* ------------------------------------------------------------------------
 * Judging a probe.
 * ------------------------------------------------------------------------ */

static void
judge_fault(const char *name, int v, const struct gfault *f, int vector,
	    uint32_t err)
{
	gresult(name, v == vector && (v < 0 || f->err == err),
		"vector %d error %x at %x, want vector %d error %x", v,
		v >= 0 ? f->err : 0, v >= 0 ? f->eip : 0, vector, err);
}

void
expect_fault(const char *name, void (*fn)(void *), void *arg, int vector,
	     uint32_t err)
{
	struct gfault f;

	judge_fault(name, gtry(fn, arg, &f), &f, vector, err);
}

void
expect_user_fault(const char *name, void (*fn)(void), int vector, uint32_t err)
{
	struct gfault f;

	judge_fault(name, gtry_user(fn, &f), &f, vector, err);
}

void
expect_pf(const char *name, void (*fn)(void *), void *arg, uint32_t err,
	  uint32_t cr2)
{
	struct gfault f;
	int v = gtry(fn, arg, &f);

	gresult(name, v == 14 && f.err == err && f.cr2 == cr2, "vector %d error "
		"%x cr2 %x, want #PF error %x cr2 %x", v, v >= 0 ? f.err : 0,
		v >= 0 ? f.cr2 : 0, err, cr2);
}

void
expect_no_fault(const char *name, void (*fn)(void *), void *arg)
{
	expect_fault(name, fn, arg, -1, 0);
}

void
expect_user_no_fault(const char *name, void (*fn)(void))
{
	expect_user_fault(name, fn, -1, 0);
}

/* ------------------------------------------------------------------------
 * The start: the RAM's end, the command line, each area in turn.
 * ------------------------------------------------------------------------ */

/* struct multiboot_info, as far as this guest reads it. */
struct mbi {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

/*
 * Where RAM really ends.  mem_upper stops short of it on QEMU (the BIOS
 * keeps its ACPI tables in the last 128 KB), so write each page from there
 * on until a write does not stick: past RAM, writes are dropped.
 */
static uint32_t
probe_ram_end(const struct mbi *mb)
{
	uint32_t a = 0x100000 + mb->mem_upper * 1024, old;

	for (; a < BEYOND_RAM; a += PGSIZE) {
		old = peek(a);
		poke(a, ~old);
		if (peek(a) != ~old)
			return a;
		poke(a, old);
	}
	return a;
}

static const struct {
	const char *name;
	void (*run)(void);
} areas[] = {
	{ "memory", area_memory },
	{ "monitor", area_monitor },
	{ "world-switch", area_world_switch },
	{ "monitor-exec", area_monitor_exec },
	{ "outside", area_outside },
	{ "cr3", area_cr3 },
	{ "tables", area_tables },
	{ "segments", area_segments },
	{ "io", area_io },
	{ "smc", area_smc },
	{ "exceptions", area_exceptions },
};
#define NAREAS	(sizeof(areas) / sizeof(areas[0]))

/* The next word of *s (advanced past it), copied into w. */
static int
next_word(const char **s, char *w, int size)
{
	int n = 0;

	while (**s == ' ')
		(*s)++;
	while (**s && **s != ' ') {
		if (n < size - 1)
			w[n++] = **s;
		(*s)++;
	}
	w[n] = 0;
	return n;
}

int
hstreq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void
run_area(const char *w)
{
	unsigned i;

	/* seg:NAME: one attempt of the segments area, in a run of its own. */
	if (w[0] == 's' && w[1] == 'e' && w[2] == 'g' && w[3] == ':') {
		hreset_tables();
		if (area_segment(w + 4) > 0)
			return;
		gprintf("hostile: no segment attempt '%s'\n", w + 4);
		gexit(3);
	}
	for (i = 0; i < NAREAS; i++) {
		if (hstreq(w, areas[i].name)) {
			hreset_tables();
			areas[i].run();
			return;
		}
	}
	gprintf("hostile: no area '%s'; the areas are:", w);
	for (i = 0; i < NAREAS; i++)
		gprintf(" %s", areas[i].name);
	gprintf("\n");
	gexit(3);
}

void
gmain(uint32_t magic, struct mbi *mb)
{
	const char *s = (mb->flags & 4) ? (const char *) mb->cmdline : "";
	char w[32];
	int n = 0;

	ginit();
	gsuite("hostile");
	hreset_tables();
	ram_end = probe_ram_end(mb);
	next_word(&s, w, sizeof(w));	/* the image's own path */
	while (next_word(&s, w, sizeof(w)) > 0) {
		run_area(w);
		n++;
	}
	if (n == 0)
		run_area("");
	gdone();
}
