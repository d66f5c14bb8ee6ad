/*
 * hostile_mon.c - the monitor's own linear range, taken by the guest.
 *
 * Under te the monitor lives in the top of every guest address space
 * (kern/memlayout.h: MONBASE, and vmm/ringcomp/monview.h for the pages a
 * guest's tables show of it).  A guest kernel may map that range to its
 * own RAM and use it like any other: natively its reads and writes reach
 * its own frames, its code there runs, its stack there works.  Each page
 * of the range gets a frame of its own, named by the word it holds, so a
 * read that reached the monitor instead shows which page leaked.
 *
 * Three areas, one run each (grade/hostile.c):
 *	monitor		data, a segment and a stack in the range, all but
 *			the megabyte of the monitor's image: te emulates
 *			every access, and the lines must be the native ones
 *	world-switch	the image's megabyte too, where the world switch
 *			(and bt's translation cache) stays mapped: the
 *			monitor cannot give the guest those pages,
 *			and must stop it before it reads one
 *	monitor-exec	code in the range: te cannot run it there, and
 *			must stop the guest saying so; bt runs it from its
 *			translation cache, and the lines are the native ones
 */
#include "grade/guests/hostile.h"

#define MONPAGES	(MONSIZE / PGSIZE)
/* The pages just above the monitor's 4 MB (xv6 maps devices there). */
#define ABOVE		(MONBASE + MONSIZE)
#define NABOVE		16
#define FLATHI		HSLOT(0)	/* data segment: base 0xF0000000 */
/* The megabyte of the monitor's image (kern/memlayout.h: the kernel is
 * linked 1 MB above MONBASE), the world switch's pages inside it. */
#define IMG_FIRST	0x100
#define IMG_END		0x200

/* Whether page i of the range is one the attempt leaves alone. */
static int skip_image;
static int
skipped(uint32_t i)
{
	return skip_image && i >= IMG_FIRST && i < IMG_END;
}

/* Frame i of the 4 MB the monitor's range is mapped to. */
static uint32_t
mframe(uint32_t i)
{
	return FRAME(i % HNFRAMES);
}

static void
map_monitor_range(void)
{
	uint32_t i;

	fill_frames(FRAME(0), HNFRAMES);
	for (i = 0; i < MONPAGES; i++)
		if (!skipped(i))
			map(MONBASE + i * PGSIZE, mframe(i), PTE_P | PTE_W);
	for (i = 0; i < NABOVE; i++)
		map(ABOVE + i * PGSIZE, mframe(MONPAGES + i), PTE_P | PTE_W);
}

/* Read every page of [la, la + n pages): each must show its own frame. */
static void
check_reads(const char *name, uint32_t la, uint32_t first, uint32_t n)
{
	uint32_t i, bad = 0, first_bad = 0, got = 0;

	for (i = 0; i < n; i++) {
		if ((la == MONBASE && skipped(i)) ||
		    peek(la + i * PGSIZE) == MAGIC(mframe(first + i)))
			continue;
		if (bad++ == 0) {
			first_bad = la + i * PGSIZE;
			got = peek(first_bad);
		}
	}
	gresult(name, bad == 0, "%u of %u pages read something else, the "
		"first at %x: %x", bad, n, first_bad, got);
}

/* Write a word into every page, then find it in the frame and read it
 * back through the same address. */
static void
check_writes(const char *name, uint32_t la, uint32_t first, uint32_t n)
{
	uint32_t i, lost = 0, back = 0, first_bad = 0;

	for (i = 0; i < n; i++)
		if (!(la == MONBASE && skipped(i)))
			poke(la + i * PGSIZE + 8, 0xa11ce000 + i);
	for (i = 0; i < n; i++) {
		if (la == MONBASE && skipped(i))
			continue;
		if (peek(mframe(first + i) + 8) != 0xa11ce000 + i) {
			if (lost++ + back == 0)
				first_bad = la + i * PGSIZE;
		} else if (peek(la + i * PGSIZE + 8) != 0xa11ce000 + i) {
			if (lost + back++ == 0)
				first_bad = la + i * PGSIZE;
		}
	}
	gresult(name, lost + back == 0, "%u writes missed the guest's frame, %u "
		"did not read back; the first at %x", lost, back, first_bad);
}

/* The monitor's range through a segment whose base and limit cover it. */
static void
check_segment(void)
{
	uint32_t i, v, bad = 0;

	hgdt[FLATHI >> 3] = desc(0xf0000000, 0xffff, 0x92, 0xc);
	hload_gdt(sizeof(hgdt));
	asm volatile("movw %w0, %%fs" : : "r" (FLATHI));
	for (i = 0; i < MONPAGES; i++) {
		if (skipped(i))
			continue;
		asm volatile("movl %%fs:(%1), %0" : "=r" (v)
			     : "r" (MONBASE - 0xf0000000 + i * PGSIZE));
		bad += v != MAGIC(mframe(i));
	}
	asm volatile("movw %w0, %%fs" : : "r" (0));
	gresult("monitor-range-segment", bad == 0, "%u of %u pages read through "
		"a segment based at f0000000 showed something else", bad,
		MONPAGES);
}

/* A stack in the monitor's range: pushes, pops, a call and a return. */
static uint32_t
stack_probe(uint32_t top)
{
	uint32_t v;

	asm volatile("movl %%esp, %%ebx\n\t"
		     "movl %1, %%esp\n\t"
		     "pushl $0x5a5a\n\t"
		     "call 1f\n\t"
		     "jmp 2f\n"
		     "1:\tret\n"
		     "2:\tpopl %0\n\t"
		     "movl %%ebx, %%esp"
		     : "=r" (v) : "r" (top) : "ebx", "memory");
	return v;
}

/* Code in the monitor's range: mov $i, %eax; ret, in page i's frame. */
static void
check_exec(void)
{
	static const uint32_t pages[] = { 0, 0x80, 0x200, 0x3ff };
	uint32_t i, p, got, bad = 0, first_bad = 0;
	uint8_t *code;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		p = pages[i];
		code = (uint8_t *) mframe(p) + 0x40;
		code[0] = 0xb8;
		*(uint32_t *) (code + 1) = p;
		code[5] = 0xc3;
		got = ((uint32_t (*)(void)) (MONBASE + p * PGSIZE + 0x40))();
		if (got != p && bad++ == 0)
			first_bad = p;
	}
	gresult("monitor-range-exec", bad == 0, "%u pages ran something else, "
		"the first page %x", bad, first_bad);
}

void
area_monitor(void)
{
	uint32_t top = MONBASE + 0x200000 + PGSIZE;

	skip_image = 1;
	paging_on();
	map_monitor_range();
	check_reads("monitor-range-read", MONBASE, 0, MONPAGES);
	check_reads("above-monitor-read", ABOVE, MONPAGES, NABOVE);
	check_writes("monitor-range-write", MONBASE, 0, MONPAGES);
	check_writes("above-monitor-write", ABOVE, MONPAGES, NABOVE);
	check_segment();
	gcheck("monitor-range-stack", stack_probe(top) == 0x5a5a &&
	       peek(mframe(0x200) + PGSIZE - 4) == 0x5a5a,
	       peek(mframe(0x200) + PGSIZE - 4), 0x5a5a);
	paging_off();
}

void
area_world_switch(void)
{
	skip_image = 0;
	paging_on();
	map_monitor_range();
	check_reads("world-switch-read", MONBASE + IMG_FIRST * PGSIZE, IMG_FIRST,
		    IMG_END - IMG_FIRST);
	check_writes("world-switch-write", MONBASE + IMG_FIRST * PGSIZE,
		     IMG_FIRST, IMG_END - IMG_FIRST);
	paging_off();
}

void
area_monitor_exec(void)
{
	skip_image = 1;
	paging_on();
	map_monitor_range();
	check_exec();
	paging_off();
}
