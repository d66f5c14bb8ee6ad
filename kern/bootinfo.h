/*
 * bootinfo.h - what the boot loader told the kernel.
 */
#ifndef KERN_BOOTINFO_H
#define KERN_BOOTINFO_H

#include "kern/types.h"
#include "kern/multiboot.h"

/**
 * @brief Check the loader's magic and keep its information block.
 * Panics with a clear message if the kernel was not booted by Multiboot.
 */
void bootinfo_init(uint32_t magic, physaddr_t info_pa);

/** @brief The loader's information block, read through the direct map. */
const struct multiboot_info *bootinfo(void);

/** @brief The kernel command line ("" if the loader gave none). */
const char *boot_cmdline(void);

/** @brief The loader's name ("unknown" if it gave none). */
const char *boot_loader_name(void);

/**
 * @brief Find `key=value` on the command line.
 * @return the value copied into buf (NUL-terminated), or NULL if absent
 */
const char *cmdline_option(const char *key, char *buf, size_t size);

/**
 * @brief The direct-map address of something the loader left at physical
 * address @p pa.
 * @return NULL if pa is 0 or beyond the direct map (DMAPSIZE)
 */
void *boot_phys(physaddr_t pa);

#endif
