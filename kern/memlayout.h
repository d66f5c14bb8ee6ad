/*
 * memlayout.h - the one map of the kernel's virtual address space.
 *
 * The kernel grows into a virtual machine monitor that lives, like VMware's,
 * in the top of every address space it runs a guest in (Adams & Agesen,
 * section 3.2: "the VMM ... reserves a small region at the top").  So the map
 * is drawn with the guest in mind from lab 1 on:
 *
 *   4 GB  +------------------------------+ 0xFFFFFFFF
 *         |  monitor windows (MONWIN)    |  kmap slots, host MMIO, ...
 *         +------------------------------+ 0xFF000000  MONWIN
 *         |  monitor image: physical     |  kernel text/data/bss, boot
 *         |  [0, MONPHYS) mapped here    |  stack, page tables, monitor
 *         |  (kernel linked at +1 MB)    |  data; present in every address
 *         |                              |  space, host and shadow alike
 *         +------------------------------+ 0xFC000000  MONBASE  (guest
 *         |                              |  segments are truncated here)
 *         |  host direct map: physical   |  host only: absent from the
 *         |  [0, MONBASE - KERNBASE)     |  shadow tables a guest runs on
 *         |                              |
 *         +------------------------------+ 0xC0000000  KERNBASE = UTOP
 *         |  user programs (lab 3)       |
 *   0     +------------------------------+
 *
 * docs/memory-map.md draws the same picture with the guest's view beside it.
 */
#ifndef KERN_MEMLAYOUT_H
#define KERN_MEMLAYOUT_H

/* Top region shared with every guest: the monitor itself. */
#define MONBASE		0xFC000000
/* Physical memory [0, MONPHYS) is mapped at MONBASE. */
#define MONPHYS		0x03000000
/* Windows the monitor maps on demand (temporary mappings, device MMIO). */
#define MONWIN		(MONBASE + MONPHYS)

/* The kernel image is loaded at physical 1 MB, linked at MONBASE + 1 MB. */
#define KERNLOAD	0x00100000
#define KERNLINK	(MONBASE + KERNLOAD)

/* The host's direct map of physical memory; never visible to a guest. */
#define KERNBASE	0xC0000000
#define UTOP		KERNBASE

/* Size of the boot CPU's kernel stack. */
#define KSTKSIZE	(8 * 4096)

/* Page and page-table geometry of the i386 two-level MMU. */
#define PGSIZE		4096
#define PGSHIFT		12
#define PTSIZE		(PGSIZE * 1024)	/* bytes mapped by one page directory entry */
#define PDXSHIFT	22

#ifndef ASSEMBLER
/* Convert between monitor-image virtual addresses and physical ones. */
#define MON2PHYS(va)	((uint32_t) (va) - MONBASE)
#define PHYS2MON(pa)	((void *) ((uint32_t) (pa) + MONBASE))
#else
#define MON2PHYS(va)	((va) - MONBASE)
#endif

#endif
