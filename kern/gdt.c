/*
 * gdt.c - the global descriptor table and the task state segment.
 *
 * The loader's GDT got us into protected mode, but it lives in memory the
 * kernel does not own and has no ring-3 segments.  Ours has the four flat
 * segments (kernel and user, code and data) and a TSS.  The kernel never
 * switches tasks with it: the CPU reads the TSS only for ss0:esp0, the
 * stack to use when a trap or interrupt arrives from ring 3.  Its I/O
 * bitmap offset points past the segment's end, so there is no bitmap and
 * every `in`/`out` at ring 3 (with IOPL 0) raises #GP.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "kern/gdt.h"

static struct taskstate ts;

static struct segdesc gdt[NGDT] = {
	[0] = SEG_NULL,
	[GD_KT >> 3] = SEG(STA_X | STA_R, 0, 0xffffffff, 0),
	[GD_KD >> 3] = SEG(STA_W, 0, 0xffffffff, 0),
	[GD_UT >> 3] = SEG(STA_X | STA_R, 0, 0xffffffff, 3),
	[GD_UD >> 3] = SEG(STA_W, 0, 0xffffffff, 3),
	/* [GD_TSS >> 3] is filled in by gdt_init: its base is an address. */
};

static struct pseudodesc gdt_pd = { sizeof(gdt) - 1, 0 };

void
gdt_init(void)
{
	extern char bootstacktop[];

	ts.esp0 = (uintptr_t) bootstacktop;
	ts.ss0 = GD_KD;
	ts.iomb = sizeof(ts);
	gdt[GD_TSS >> 3] = SEG16(STS_T32A, (uint32_t) &ts, sizeof(ts) - 1, 0);
	gdt_pd.base = (uintptr_t) gdt;
	lgdt(&gdt_pd);

	/*
	 * The segment registers still hold descriptors cached from the
	 * loader's GDT: reload each.  CS can only change by a far jump.
	 */
	asm volatile("movw %w0, %%ds\n\t"
		     "movw %w0, %%es\n\t"
		     "movw %w0, %%ss\n\t"
		     "movw %w0, %%fs\n\t"
		     "movw %w0, %%gs\n\t"
		     "ljmp %1, $1f\n"
		     "1:"
		     : : "r" (GD_KD), "i" (GD_KT) : "memory");
	lldt(0);
	ltr(GD_TSS);
}
