/*
 * multiboot.h - the Multiboot 0.6.96 structures the kernel is booted with.
 *
 * Both boot paths end here: QEMU's `-kernel` builds this information
 * block itself, and the project's boot sector (kern/boot/) builds the same
 * block from the BIOS, so the kernel has one way to learn about memory and
 * its command line.
 */
#ifndef KERN_MULTIBOOT_H
#define KERN_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC		0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2BADB002

/* Header flags: what the kernel asks of its loader. */
#define MULTIBOOT_PAGE_ALIGN		0x00000001
#define MULTIBOOT_MEMORY_INFO		0x00000002

/* Information flags: which fields the loader filled in. */
#define MULTIBOOT_INFO_MEMORY		0x00000001
#define MULTIBOOT_INFO_BOOTDEV		0x00000002
#define MULTIBOOT_INFO_CMDLINE		0x00000004
#define MULTIBOOT_INFO_MODS		0x00000008
#define MULTIBOOT_INFO_MEM_MAP		0x00000040
#define MULTIBOOT_INFO_LOADER_NAME	0x00000200

#ifndef ASSEMBLER
#include "kern/types.h"

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KB below 1 MB */
	uint32_t mem_upper;		/* KB above 1 MB, up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;		/* physical address of a C string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

/* One memory-map entry; `size` does not count itself. */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;			/* 1 = usable RAM */
} __attribute__((packed));

#define MULTIBOOT_MEMORY_AVAILABLE	1
#define MULTIBOOT_MEMORY_RESERVED	2

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t cmdline;
	uint32_t reserved;
} __attribute__((packed));
#endif

#endif
