/*
 * memlayout.h - the one map of the kernel's virtual address space.
 *
 * The kernel grows into a virtual machine monitor that lives, like VMware's,
 * in the top of every address space it runs a guest in (Adams & Agesen,
 * section 3.2: "the VMM ... reserves a small region at the top").  A trap
 * out of a guest lands in the monitor's world switch before any page
 * directory changes, so those few instructions and their tables must sit
 * at the same virtual address in the host's address space and in every
 * guest's; the guest's segments are truncated below MONBASE to keep it out
 * of that range.  So the kernel is linked there from lab 1 on:
 *
 *   4 GB  +------------------------------+ 0xFFFFFFFF
 *         |  one host device page        |  HOSTDEV: the HPET, mapped when
 *         +------------------------------+ 0xFFFFF000  a guest first runs
 *         |  (unmapped)                  |  a guest's device pages go
 *         |                              |  here in its own view
 *         +------------------------------+ 0xFC400000  IMAGELIM
 *         |  kernel image: text, data,   |  guests map of it only the
 *         |  bss, boot stack, linked at  |  world switch's pages, at the
 *         |  KERNLINK = MONBASE + 1 MB   |  same addresses (vmm/ringcomp/
 *         |  (unmapped below KERNLINK)   |  monview.h)
 *         +------------------------------+ 0xFC000000  MONBASE  (guest
 *         |                              |  segments are truncated here)
 *         |  host direct map: physical   |  every page the allocator
 *         |  [0, DMAPSIZE) at KERNBASE   |  manages; host address spaces
 *         |                              |  only, never a guest's
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
 * The kernel's C code, the monitor's included, always runs on a host page
 * directory (kern_pgdir or a user environment's copy of its top), so it
 * reaches any physical page through the direct map.
 * docs/memory-map.md draws the same picture with the guest's view beside it.
 */
#ifndef KERN_MEMLAYOUT_H
#define KERN_MEMLAYOUT_H

/* Top region of every address space, the monitor's; guests stay below. */
#define MONBASE		0xFC000000

/*
 * The kernel image is loaded at physical 1 MB and linked at MONBASE + 1 MB,
 * so one offset (MON2PHYS) turns its addresses into physical ones.  It
 * must end below IMAGELIM: entry_pgdir maps it with one 4 MB page, and
 * the world switch's sections must fit the one page table that guests map
 * (kern/kernel.ld checks both).
 */
#define KERNLOAD	0x00100000
#define KERNLINK	(MONBASE + KERNLOAD)
#define IMAGELIM	(MONBASE + PTSIZE)

/* The one host device page the monitor reads (kvm.c, host_device_map). */
#define HOSTDEV		0xFFFFF000

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
/* The physical address of an address in the kernel image. */
#define MON2PHYS(va)	((uint32_t) (va) - MONBASE)
/* The direct-map address of physical address pa (pa < DMAPSIZE). */
#define PHYS2DMAP(pa)	((void *) ((uint32_t) (pa) + KERNBASE))
#else
#define MON2PHYS(va)	((va) - MONBASE)
#endif

#endif
