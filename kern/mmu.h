/*
 * mmu.h - bit layouts of the i386 control registers, page tables,
 * segment descriptors, gates and the task state segment.
 *
 * These are facts of the architecture (Intel SDM vol. 3, ch. 2-7); the
 * page walker of lab 2, the GDT and IDT of lab 3, and the monitor's
 * shadow structures of labs 4-5 all read them.
 */
#ifndef KERN_MMU_H
#define KERN_MMU_H

/* Control register 0 */
#define CR0_PE		0x00000001	/* protection enable */
#define CR0_MP		0x00000002	/* monitor coprocessor */
#define CR0_EM		0x00000004	/* emulate coprocessor */
#define CR0_TS		0x00000008	/* task switched */
#define CR0_ET		0x00000010	/* extension type */
#define CR0_NE		0x00000020	/* numeric error */
#define CR0_WP		0x00010000	/* supervisor writes honour PTE_W */
#define CR0_AM		0x00040000	/* alignment mask */
#define CR0_NW		0x20000000	/* not write-through */
#define CR0_CD		0x40000000	/* cache disable */
#define CR0_PG		0x80000000	/* paging */

/* Control register 4 */
#define CR4_VME		0x00000001
#define CR4_PVI		0x00000002
#define CR4_TSD		0x00000004
#define CR4_DE		0x00000008
#define CR4_PSE		0x00000010	/* 4 MB pages */
#define CR4_PAE		0x00000020
#define CR4_PGE		0x00000080	/* global pages */
#define CR4_UMIP	0x00000800	/* sgdt, sidt, sldt, smsw, str fault at CPL > 0 */
#define CR4_VMXE	0x00002000

/* Page directory and page table entry bits */
#define PTE_P		0x001	/* present */
#define PTE_W		0x002	/* writeable */
#define PTE_U		0x004	/* user */
#define PTE_PWT		0x008	/* write-through */
#define PTE_PCD		0x010	/* cache disable */
#define PTE_A		0x020	/* accessed */
#define PTE_D		0x040	/* dirty */
#define PTE_PS		0x080	/* 4 MB page (in a PDE) */
#define PTE_G		0x100	/* global */
#define PTE_AVAIL	0xE00	/* free for software */

/* Fields of a linear address: | PDX (10) | PTX (10) | offset (12) | */
#define PDX(la)		((((uint32_t) (la)) >> 22) & 0x3FF)
#define PTX(la)		((((uint32_t) (la)) >> 12) & 0x3FF)
#define PGOFF(la)	(((uint32_t) (la)) & 0xFFF)
#define PGADDR(d, t, o)	((void *) (uintptr_t) ((d) << 22 | (t) << 12 | (o)))
#define PTE_ADDR(pte)	((physaddr_t) (pte) & ~0xFFF)
#define NPDENTRIES	1024
#define NPTENTRIES	1024

/* EFLAGS */
#define FL_CF		0x00000001
#define FL_PF		0x00000004
#define FL_AF		0x00000010
#define FL_ZF		0x00000040
#define FL_SF		0x00000080
#define FL_TF		0x00000100
#define FL_IF		0x00000200
#define FL_DF		0x00000400
#define FL_OF		0x00000800
#define FL_IOPL_MASK	0x00003000
#define FL_IOPL_SHIFT	12
#define FL_NT		0x00004000
#define FL_RF		0x00010000
#define FL_VM		0x00020000
#define FL_AC		0x00040000
#define FL_VIF		0x00080000
#define FL_VIP		0x00100000
#define FL_ID		0x00200000

/* Page-fault error code (pushed by the CPU with #PF) */
#define FEC_PR		0x001	/* 1: protection violation, 0: page not present */
#define FEC_WR		0x002	/* 1: the access was a write */
#define FEC_U		0x004	/* 1: the access came from ring 3 */
#define FEC_RSVD	0x008	/* a reserved bit was set in an entry */
#define FEC_I		0x010	/* the access was an instruction fetch */

/* Segment selectors: | index (13) | TI (1) | RPL (2) | */
#define SEL_RPL(sel)	((sel) & 3)
#define SEL_TI		0x4	/* selects from the LDT instead of the GDT */

/* System segment and gate types (the S bit clear) */
#define STS_T32A	0x9	/* available 32-bit TSS */
#define STS_T32B	0xB	/* busy 32-bit TSS */
#define STS_IG32	0xE	/* 32-bit interrupt gate: clears IF on entry */
#define STS_TG32	0xF	/* 32-bit trap gate: leaves IF alone */

/* Application segment types (the S bit set) */
#define STA_X		0x8	/* executable */
#define STA_E		0x4	/* expand down (data) */
#define STA_C		0x4	/* conforming (code) */
#define STA_W		0x2	/* writeable (data) */
#define STA_R		0x2	/* readable (code) */
#define STA_A		0x1	/* accessed */

#ifndef ASSEMBLER
#include "kern/types.h"
typedef uint32_t pte_t;
typedef uint32_t pde_t;

/*
 * A segment descriptor (SDM vol. 3, 3.4.5).  The base and limit are split
 * into pieces for compatibility with the 80286.
 */
struct segdesc {
	unsigned lim_15_0 : 16;
	unsigned base_15_0 : 16;
	unsigned base_23_16 : 8;
	unsigned type : 4;	/* STA_* or STS_* */
	unsigned s : 1;		/* 1: code or data, 0: system */
	unsigned dpl : 2;	/* descriptor privilege level */
	unsigned p : 1;		/* present */
	unsigned lim_19_16 : 4;
	unsigned avl : 1;
	unsigned rsv1 : 1;
	unsigned db : 1;	/* 1: 32-bit segment */
	unsigned g : 1;		/* 1: limit counts 4 KB pages */
	unsigned base_31_24 : 8;
};

/* A 32-bit code or data segment; lim is the last byte's offset. */
#define SEG(type, base, lim, dpl) (struct segdesc) {			\
	((lim) >> 12) & 0xffff, (base) & 0xffff, ((base) >> 16) & 0xff,	\
	(type), 1, (dpl), 1, (unsigned) (lim) >> 28, 0, 0, 1, 1,	\
	(unsigned) (base) >> 24 }
/* A system segment (a TSS) with a byte-granular limit. */
#define SEG16(type, base, lim, dpl) (struct segdesc) {			\
	(lim) & 0xffff, (base) & 0xffff, ((base) >> 16) & 0xff,		\
	(type), 0, (dpl), 1, (unsigned) (lim) >> 16, 0, 0, 1, 0,	\
	(unsigned) (base) >> 24 }
#define SEG_NULL	(struct segdesc) { 0 }

/* An interrupt or trap gate (SDM vol. 3, 6.11). */
struct gatedesc {
	unsigned off_15_0 : 16;	/* handler offset, low half */
	unsigned sel : 16;	/* handler code segment selector */
	unsigned args : 5;	/* 0 for interrupt and trap gates */
	unsigned rsv1 : 3;
	unsigned type : 4;	/* STS_IG32 or STS_TG32 */
	unsigned s : 1;		/* 0 */
	unsigned dpl : 2;	/* the most privileged CPL `int n` may use */
	unsigned p : 1;		/* present */
	unsigned off_31_16 : 16;
};

/**
 * @brief Point gate @p g at handler @p off in code segment @p sel, with
 * @p type STS_IG32 or STS_TG32, callable by `int` from CPL <= @p dpl.
 */
static inline void
set_gate(struct gatedesc *g, int type, uint16_t sel, uint32_t off, int dpl)
{
	g->off_15_0 = off & 0xffff;
	g->sel = sel;
	g->args = 0;
	g->rsv1 = 0;
	g->type = type;
	g->s = 0;
	g->dpl = dpl;
	g->p = 1;
	g->off_31_16 = off >> 16;
}

/* The operand of lgdt, lidt, sgdt and sidt. */
struct pseudodesc {
	uint16_t limit;		/* size in bytes - 1 */
	uint32_t base;		/* linear address */
} __attribute__((packed));

/*
 * A 32-bit task state segment (SDM vol. 3, 7.2.1).  The kernel switches
 * no tasks: it keeps one TSS only for the stack the CPU loads (ss0:esp0)
 * when a trap or interrupt raises the privilege level.
 */
struct taskstate {
	uint32_t link;
	uint32_t esp0;
	uint16_t ss0, pad0;
	uint32_t esp1;
	uint16_t ss1, pad1;
	uint32_t esp2;
	uint16_t ss2, pad2;
	uint32_t cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, pad3, cs, pad4, ss, pad5, ds, pad6, fs, pad7, gs, pad8;
	uint16_t ldt, pad9;
	uint16_t trap;
	uint16_t iomb;		/* offset of the I/O permission bitmap */
};
#endif

#endif
