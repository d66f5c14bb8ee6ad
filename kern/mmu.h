/*
 * mmu.h - bit layouts of the i386 control registers and page tables.
 *
 * These are facts of the architecture (Intel SDM vol. 3, ch. 2 and 4);
 * the page walker of lab 2 and the shadow MMU of lab 5 both read them.
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
#define PGADDR(d, t, o)	((void *) ((d) << 22 | (t) << 12 | (o)))
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

#ifndef ASSEMBLER
#include "kern/types.h"
typedef uint32_t pte_t;
typedef uint32_t pde_t;
#endif

#endif
