/*
 * bootmods.h - the kernel's own Multiboot modules, as the monitor uses them.
 *
 * The kernel is booted with the guest as its modules (QEMU: -initrd "GUEST
 * ARGS,MODULE,..."): the first is the guest's image, whose string is the
 * guest's command line; the one the kernel's command line names with
 * disk=FILE is the guest's disk; every other one is a Multiboot module of
 * the guest's own, which the loader passes on (vmm/loader.c).
 */
#ifndef VMM_BOOTMODS_H
#define VMM_BOOTMODS_H

#include "kern/types.h"

/* One module: its bytes through the host's direct map, and its string. */
struct bootmod {
	const uint8_t *data;
	uint32_t size;
	const char *string;	/* "" if the loader gave none */
};

/** @brief The number of modules the kernel was booted with. */
unsigned bootmods_count(void);

/**
 * @brief Module @p i (0 is the guest's image).
 * @return 0, or -1 if there is no such module or it lies outside memory
 */
int bootmod_get(unsigned i, struct bootmod *m);

/** @brief Whether module @p i is the disk disk= names. */
bool bootmod_is_disk(unsigned i);

#endif
