/*
 * memlayout.h - the one map of the kernel's virtual address space.
 *
 * The kernel grows into a virtual machine monitor that lives, like VMware's,
 * in the top of every address space it runs a guest in (Adams & Agesen,
 * section 3.2: "the VMM ... reserves a small region at the top").  So the map
 * is drawn with the guest in mind from lab 1 on:
 *
 *   4 GB  +------------------------------+ 0xFFFFFFFF
 *         |  (unmapped)                  |
 *         +------------------------------+ 0xFFC00000  MMIOLIM
 *         |  host device MMIO windows    |  mmio_map_region()
 *         +------------------------------+ 0xFF400000  MMIOBASE
 *         |  temporary mappings (kmap)   |  NKMAP pages
 *         +------------------------------+ 0xFF000000  MONWIN = KMAPBASE
 *         |  monitor image: physical     |  kernel text/data/bss, boot
 *         |  [0, MONPHYS) mapped here    |  stack, GDT/IDT/TSS, page
 *         |  (kernel linked at +1 MB)    |  tables; present in every
 *         |                              |  address space, host and shadow
 *         +------------------------------+ 0xFC000000  MONBASE  (guest
 *         |                              |  segments are truncated here)
 *         |  host direct map: physical   |  host only: absent from the
 *         |  [0, DMAPSIZE) at KERNBASE   |  shadow tables a guest runs on
 *         |                              |
 *         +------------------------------+ 0xC0000000  KERNBASE = UTOP
 *         |  guard page (unmapped)       |
 *         +------------------------------+ 0xBFFFF000  USTACKTOP
 *         |  user stack (grows down)     |  USTACKSIZE
 *         +------------------------------+
 *         |  ...                         |
 *         |  user program text and data  |
 *         +------------------------------+ 0x00800000  UTEXT
 *         |  unmapped: catches NULL      |
 *   0     +------------------------------+
 *
 * Everything from MONBASE up is the same in every address space: the page
 * directory entries are copied, so they share page tables, and those page
 * tables (like every page table) live in physical memory below MONPHYS.
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

/* Slots for kmap(): one page each, shared by every address space. */
#define KMAPBASE	MONWIN
#define NKMAP		1024
/* Host device registers (the LAPIC of later labs, ...). */
#define MMIOBASE	(KMAPBASE + NKMAP * PGSIZE)
#define MMIOLIM		0xFFC00000

/* The kernel image is loaded at physical 1 MB, linked at MONBASE + 1 MB. */
#define KERNLOAD	0x00100000
#define KERNLINK	(MONBASE + KERNLOAD)

/* The host's direct map of physical memory; never visible to a guest. */
#define KERNBASE	0xC0000000
#define DMAPSIZE	(MONBASE - KERNBASE)

/* User programs: everything below UTOP is theirs. */
#define UTOP		KERNBASE
#define USTACKTOP	(UTOP - PGSIZE)
#define USTACKSIZE	(2 * PGSIZE)
#define UTEXT		0x00800000

/* Size of the boot CPU's kernel stack, which every trap also runs on. */
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
