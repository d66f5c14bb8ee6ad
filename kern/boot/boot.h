/*
 * boot.h - the boot sector's map of the disk and of low memory.
 *
 * bootasm.S and bootmain.c share these numbers, and mkimage.sh writes the
 * same disk layout.  The kernel depends on none of them: everything it
 * needs reaches it through the Multiboot information block.
 *
 * Disk (512-byte sectors, LBA):
 *	0	this boot sector, ending in the signature 0x55 0xAA
 *	1	the kernel command line, NUL-terminated (at most 511 bytes)
 *	2 ...	the kernel ELF file, as the linker wrote it
 *
 * Low memory the boot sector hands to the kernel: in page 0, above the
 * BIOS data area, so a page allocator that keeps page 0 for itself (as
 * JOS-style kernels do) never reuses it by accident.  The command line
 * sits just below 0x1000 so that it and the ELF headers after it arrive
 * in one read, as they lie on the disk.
 *	0x0500	struct multiboot_info
 *	0x0600	the E820 memory map, as Multiboot mmap entries, up to 0x0E00
 *	0x0E00	the command line, from sector 1
 *	0x1000	scratch: the first page of the ELF file (its headers)
 *	0x7C00	the boot sector itself; the stack grows down from here
 * The loader name is the one string the kernel gets from the boot
 * sector itself (at 0x7Cxx).
 */
#ifndef KERN_BOOT_BOOT_H
#define KERN_BOOT_BOOT_H

#define SECTSIZE	512
#define CMDLINE_SECTOR	1
#define KERNEL_SECTOR	2

#define BOOT_INFO	0x0500
#define BOOT_MMAP	0x0600
#define BOOT_MMAP_END	0x0E00
#define BOOT_CMDLINE	0x0E00
#define BOOT_ELFHDR	0x1000
#define BOOT_ELFHDR_SIZE	4096

/* One E820 record as the BIOS writes it (Multiboot adds a size word). */
#define E820_ENTSIZE	20
#define E820_SMAP	0x534D4150	/* "SMAP", the signature int 0x15 wants */

/* COM1, where a boot failure is reported. */
#define COM1		0x3F8
#define COM_FCR		2	/* FIFO control */
#define COM_LCR		3	/* line control */

/* Selectors of the boot GDT (bootasm.S). */
#define SEG_KCODE	0x08
#define SEG_KDATA	0x10

#endif
