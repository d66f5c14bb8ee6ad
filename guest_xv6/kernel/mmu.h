/*
 * mmu.h - the i386 paging and segmentation structures, as the hardware
 * defines them.
 */
#ifndef GX_MMU_H
#define GX_MMU_H

/* EFLAGS */
#define FL_IF		0x00000200

/* CR0 and CR4 */
#define CR0_PE		0x00000001
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PSE		0x00000010

/* Segment selectors' indexes in the GDT. */
#define SEG_KCODE	1
#define SEG_KDATA	2
#define SEG_UCODE	3
#define SEG_UDATA	4
#define SEG_TSS		5
#define NSEGS		6

#define DPL_USER	3

/* Paging */
#define PGSIZE		4096
#define NPDENTRIES	1024
#define NPTENTRIES	1024
#define PDXSHIFT	22
#define PTXSHIFT	12

#define PDX(va)		(((uint)(va) >> PDXSHIFT) & 0x3FF)
#define PTX(va)		(((uint)(va) >> PTXSHIFT) & 0x3FF)
#define PGADDR(d, t, o)	((uint)((d) << PDXSHIFT | (t) << PTXSHIFT | (o)))
#define PGROUNDUP(sz)	(((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a)	(((a)) & ~(PGSIZE - 1))

#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_U		0x004
#define PTE_A		0x020
#define PTE_D		0x040
#define PTE_PS		0x080
#define PTE_COW		0x200	/* software bit: shared until written */

#define PTE_ADDR(pte)	((uint)(pte) & ~0xFFF)
#define PTE_FLAGS(pte)	((uint)(pte) & 0xFFF)

/* Page fault error code bits. */
#define PF_P		0x1	/* protection violation (else not present) */
#define PF_W		0x2	/* write */
#define PF_U		0x4	/* from user mode */

/* Gate and segment types. */
#define STA_X		0x8
#define STA_W		0x2
#define STA_R		0x2
#define STS_T32A	0x9
#define STS_IG32	0xE
#define STS_TG32	0xF

#ifndef __ASSEMBLER__
#include "kernel/types.h"

struct segdesc {
	uint lim_15_0 : 16;
	uint base_15_0 : 16;
	uint base_23_16 : 8;
	uint type : 4;
	uint s : 1;
	uint dpl : 2;
	uint p : 1;
	uint lim_19_16 : 4;
	uint avl : 1;
	uint rsv1 : 1;
	uint db : 1;
	uint g : 1;
	uint base_31_24 : 8;
};

/* A flat 4 GB segment: base 0, limit in 4 KB units. */
#define SEG(type, base, lim, dpl) (struct segdesc)			\
{ ((lim) >> 12) & 0xffff, (uint)(base) & 0xffff,			\
  ((uint)(base) >> 16) & 0xff, type, 1, dpl, 1,				\
  (uint)(lim) >> 28, 0, 0, 1, 1, (uint)(base) >> 24 }
/* A byte-granular system segment (the TSS). */
#define SEG16(type, base, lim, dpl) (struct segdesc)			\
{ (lim) & 0xffff, (uint)(base) & 0xffff,				\
  ((uint)(base) >> 16) & 0xff, type, 0, dpl, 1,				\
  (uint)(lim) >> 16, 0, 0, 1, 0, (uint)(base) >> 24 }

struct taskstate {
	uint link;
	uint esp0;
	ushort ss0, pad0;
	uint esp1;
	ushort ss1, pad1;
	uint esp2;
	ushort ss2, pad2;
	uint cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	ushort es, pad3, cs, pad4, ss, pad5, ds, pad6, fs, pad7, gs, pad8;
	ushort ldt, pad9;
	ushort t, iomb;
};

struct gatedesc {
	uint off_15_0 : 16;
	uint cs : 16;
	uint args : 5;
	uint rsv1 : 3;
	uint type : 4;
	uint s : 1;
	uint dpl : 2;
	uint p : 1;
	uint off_31_16 : 16;
};

static inline void
setgate(struct gatedesc *g, int istrap, uint sel, uint off, int dpl)
{
	g->off_15_0 = off & 0xffff;
	g->cs = sel;
	g->args = 0;
	g->rsv1 = 0;
	g->type = istrap ? STS_TG32 : STS_IG32;
	g->s = 0;
	g->dpl = dpl;
	g->p = 1;
	g->off_31_16 = off >> 16;
}
#endif

#endif
