/*
 * hostile_mem.c - attacks through memory: physical addresses past RAM,
 * the RAM's last bytes, page directories that map themselves or hold the
 * guest's data, tables rewritten in floods, tables and CR3 outside RAM.
 *
 * The shadow MMU is a cache of the guest's tables (docs/design.md
 * section 5); a guest that writes its tables through odd paths, or points
 * them where there is no RAM, tests whether the cache stays true.  What
 * lies past RAM is what QEMU's pc machine shows: unassigned memory reads
 * as zeros and ignores writes (a real PC's floating bus would read ones).
 */
#include "grade/guests/hostile.h"

/* Linear addresses the attempts map, all outside the identity map. */
#define SELF_PDX	0x100			/* the directory maps itself here */
#define SELF		(SELF_PDX << 22)
#define T		0x48000000u		/* a test table's region */
#define U		0x4c000000u		/* a region the self-map adds */
#define EDGE_LA		0x50000000u		/* a page past RAM, mapped */
#define DATA_PDX	0x200			/* directory entries used as data */
#define NDATA		16

/* Where the self-map shows the page-table entry, and the directory
 * entry, that map @p la. */
static uint32_t
self_pte(uint32_t la)
{
	return SELF + PDX(la) * PGSIZE + PTX(la) * 4;
}

static uint32_t
self_pde(uint32_t la)
{
	return SELF + SELF_PDX * PGSIZE + PDX(la) * 4;
}

static void
check_beyond_ram(void)
{
	volatile uint8_t *b = (volatile uint8_t *) (BEYOND_RAM + 3);

	gcheck("beyond-ram-read-1g", peek(BEYOND_RAM) == 0, peek(BEYOND_RAM), 0);
	gcheck("beyond-ram-read-2g", peek(0x80000000) == 0, peek(0x80000000), 0);
	gcheck("beyond-ram-read-3g", peek(0xe0000000) == 0, peek(0xe0000000), 0);
	gcheck("beyond-ram-read-byte", *b == 0, *b, 0);
	poke(BEYOND_RAM, 0x12345678);
	gcheck("beyond-ram-write-dropped", peek(BEYOND_RAM) == 0,
	       peek(BEYOND_RAM), 0);
}

/* An access across the last byte of RAM: the RAM part reads and writes,
 * the rest is the unassigned memory beyond. */
static void
check_ram_edge(void)
{
	volatile uint8_t *e = (volatile uint8_t *) ram_end;

	e[-2] = 0xab;
	e[-1] = 0xcd;
	gcheck("ram-edge-read", peek(ram_end - 2) == 0xcdab, peek(ram_end - 2),
	       0xcdab);
	poke(ram_end - 2, 0x11223344);
	gcheck("ram-edge-write", e[-2] == 0x44 && e[-1] == 0x33 &&
	       peek(ram_end - 2) == 0x3344, peek(ram_end - 2), 0x3344);
	gcheck("ram-edge-last-word", peek(ram_end - 4) >> 16 == 0x3344,
	       peek(ram_end - 4) >> 16, 0x3344);
}

/* CR3 may hold any address while paging is off: nothing walks it. */
static void
check_cr3_paging_off(void)
{
	uint32_t old = rcr3();

	lcr3(BEYOND_RAM);
	gcheck("cr3-beyond-ram-paging-off", rcr3() == BEYOND_RAM, rcr3(),
	       BEYOND_RAM);
	lcr3(old);
}

/* A mapping of a frame past RAM: reads zeros, keeps no write, and the
 * walk still sets the entry's accessed and dirty bits. */
static void
check_mapped_beyond(void)
{
	uint32_t *pte;

	map(EDGE_LA, BEYOND_RAM, PTE_P | PTE_W);
	pte = pte_of(EDGE_LA);
	gcheck("mapped-beyond-ram-read", peek(EDGE_LA) == 0, peek(EDGE_LA), 0);
	gcheck("mapped-beyond-ram-accessed", *pte == (BEYOND_RAM | PTE_P |
	       PTE_W | PTE_A), *pte, BEYOND_RAM | PTE_P | PTE_W | PTE_A);
	poke(EDGE_LA + 16, 0xfeedface);
	gcheck("mapped-beyond-ram-write", peek(EDGE_LA + 16) == 0,
	       peek(EDGE_LA + 16), 0);
	gcheck("mapped-beyond-ram-dirty", *pte == (BEYOND_RAM | PTE_P | PTE_W |
	       PTE_A | PTE_D), *pte, BEYOND_RAM | PTE_P | PTE_W | PTE_A | PTE_D);
}

/*
 * The directory as its own page table (the recursive mapping some kernels
 * use to reach their tables): each table appears at SELF + PDX * 4 KB and
 * the directory at SELF + SELF_PDX * 4 KB.  Writes through it are writes
 * to the tables the shadow copies, by a path the monitor must still see.
 */
static void
check_self_map(void)
{
	uint32_t *pt, want, got;

	map(T, FRAME(0), PTE_P | PTE_W);
	hpgdir[SELF_PDX] = (uint32_t) hpgdir | PTE_P | PTE_W;
	got = peek(self_pde(SELF));
	want = (uint32_t) hpgdir | PTE_P | PTE_W | PTE_A;
	gcheck("selfmap-reads-directory", got == want, got, want);
	gcheck("selfmap-directory-accessed", hpgdir[SELF_PDX] == want,
	       hpgdir[SELF_PDX], want);
	got = peek(self_pte(0x5000));
	gcheck("selfmap-reads-table", got == *pte_of(0x5000), got,
	       *pte_of(0x5000));

	/* A new entry in T's table, written through the self-map. */
	poke(self_pte(T + PGSIZE), FRAME(1) | PTE_P | PTE_W);
	gcheck("selfmap-write-table", *pte_of(T + PGSIZE) == (FRAME(1) | PTE_P |
	       PTE_W), *pte_of(T + PGSIZE), FRAME(1) | PTE_P | PTE_W);
	gcheck("selfmap-new-pte-used", peek(T + PGSIZE) == MAGIC(FRAME(1)),
	       peek(T + PGSIZE), MAGIC(FRAME(1)));

	/* A new directory entry, written through the self-map. */
	pt = pt_alloc();
	pt[0] = FRAME(2) | PTE_P | PTE_W;
	poke(self_pde(U), (uint32_t) pt | PTE_P | PTE_W);
	gcheck("selfmap-write-directory", hpgdir[PDX(U)] == ((uint32_t) pt |
	       PTE_P | PTE_W), hpgdir[PDX(U)], (uint32_t) pt | PTE_P | PTE_W);
	gcheck("selfmap-new-pde-used", peek(U) == MAGIC(FRAME(2)), peek(U),
	       MAGIC(FRAME(2)));

	/* The self-map removes itself: once flushed, it is gone. */
	poke(self_pde(SELF), 0);
	lcr3(rcr3());
	expect_pf("selfmap-removed", probe_read, (void *) (SELF + 0x5000), 0,
		  SELF + 0x5000);
}

/*
 * Directory entries the guest uses as data (never present): the CR3 page
 * doubles as a counter array.  The monitor traces the page for the
 * directory's sake; every store must still land, and the real entries
 * around them keep working.  Then one datum becomes a present entry.
 */
static void
check_directory_as_data(void)
{
	uint32_t *pt, i, bad = 0;

	for (i = 0; i < NDATA; i++)
		hpgdir[DATA_PDX + i] = 0;
	for (i = 0; i < 1000; i++) {
		hpgdir[DATA_PDX + i % NDATA] += 2;	/* P stays clear */
		if (i % 100 == 0 && peek(T) != MAGIC(FRAME(0)))
			bad++;
	}
	for (i = 0; i < NDATA; i++)
		if (hpgdir[DATA_PDX + i] != (1000 / NDATA + (i < 1000 % NDATA)) * 2)
			bad++;
	gresult("directory-as-data", bad == 0, "%u wrong counters or reads", bad);
	gcheck("directory-as-data-mappings", peek(U) == MAGIC(FRAME(2)), peek(U),
	       MAGIC(FRAME(2)));

	pt = pt_alloc();
	pt[3] = FRAME(3) | PTE_P | PTE_W;
	hpgdir[DATA_PDX + 1] = (uint32_t) pt | PTE_P | PTE_W;
	gcheck("directory-datum-made-present", peek(((DATA_PDX + 1) << 22) +
	       3 * PGSIZE) == MAGIC(FRAME(3)), peek(((DATA_PDX + 1) << 22) +
	       3 * PGSIZE), MAGIC(FRAME(3)));
	hpgdir[DATA_PDX + 1] = 0x1234;
	invlpg(((DATA_PDX + 1) << 22) + 3 * PGSIZE);
	expect_pf("directory-datum-made-absent", probe_read,
		  (void *) (((DATA_PDX + 1) << 22) + 3 * PGSIZE), 0,
		  ((DATA_PDX + 1) << 22) + 3 * PGSIZE);
}

/* A live page table whose free entries hold data written in a flood, and
 * one entry switched between two frames again and again. */
static void
check_table_floods(void)
{
	uint32_t *pt = pte_of(T) - PTX(T), i, bad = 0;

	for (i = 0; i < 2000; i++) {
		pt[512 + i % 256] = i << 1;
		if (i % 200 == 0 && peek(T) != MAGIC(FRAME(0)))
			bad++;
	}
	for (i = 0; i < 256; i++)
		if (pt[512 + i] != (i + (1999 - i) / 256 * 256) << 1)
			bad++;
	gresult("table-as-data-flood", bad == 0, "%u wrong entries or reads", bad);
	for (i = 0, bad = 0; i < 300; i++) {
		pt[PTX(T) + 2] = FRAME(4 + i % 2) | PTE_P | PTE_W;
		invlpg(T + 2 * PGSIZE);
		if (peek(T + 2 * PGSIZE) != MAGIC(FRAME(4 + i % 2)))
			bad++;
	}
	gresult("pte-flip-flood", bad == 0, "%u of 300 reads reached the old "
		"frame", bad);
}

void
area_memory(void)
{
	fill_frames(FRAME(0), 8);
	check_beyond_ram();
	check_ram_edge();
	check_cr3_paging_off();
	paging_on();
	check_mapped_beyond();
	check_self_map();
	check_directory_as_data();
	check_table_floods();
	paging_off();
}

/*
 * Page tables outside RAM: QEMU reads their entries from unassigned
 * memory, as zeros, so every access through them is a not-present fault.
 */
void
area_outside(void)
{
	uint32_t la = 0x60000000;

	paging_on();
	hpgdir[PDX(la)] = BEYOND_RAM | PTE_P | PTE_W | PTE_U;
	expect_pf("table-beyond-ram-read", probe_read, (void *) la, 0, la);
	expect_pf("table-beyond-ram-write", probe_write, (void *) (la + 8), 2,
		  la + 8);
	hpgdir[PDX(la)] = 0;
	paging_off();
}

/*
 * CR3 outside RAM with paging on: every fetch, and the IDT itself, walks
 * a directory of zeros.  A PC shuts down (a triple fault); a monitor must
 * stop the guest and say so, and keep running itself (grade/hostile.c).
 */
void
area_cr3(void)
{
	paging_on();
	gprintf("hostile: cr3-outside-ram: loading CR3 = %x\n", BEYOND_RAM);
	lcr3(BEYOND_RAM);
	gresult("cr3-outside-ram", 0, "still running with CR3 outside RAM");
}
