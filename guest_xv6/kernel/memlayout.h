/*
 * memlayout.h - where things live in physical and virtual memory.
 *
 * The kernel owns every address from KERNBASE up: physical memory up to
 * PHYSTOP appears at KERNBASE + pa, and device space (IOAPIC, LAPIC) is
 * mapped one to one at DEVSPACE and above.  User processes own 0..KERNBASE.
 */
#ifndef GX_MEMLAYOUT_H
#define GX_MEMLAYOUT_H

#define EXTMEM		0x100000	/* where the kernel is loaded */
#define PHYSTOP		0xE000000	/* top of the memory the kernel uses */
#define DEVSPACE	0xFE000000	/* IOAPIC, LAPIC: mapped va == pa */

#define KERNBASE	0x80000000
#define KERNLINK	(KERNBASE + EXTMEM)

#ifndef __ASSEMBLER__
#define V2P(a)		(((uint)(a)) - KERNBASE)
#define P2V(a)		((void *)(((char *)(a)) + KERNBASE))
#endif
#define V2P_WO(x)	((x) - KERNBASE)
#define P2V_WO(x)	((x) + KERNBASE)

#endif
