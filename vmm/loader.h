/*
 * loader.h - putting a guest kernel into guest memory, as a PC loader would.
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include "vmm/vm.h"

/**
 * @brief Load the guest the kernel was handed as its first Multiboot
 * module into a fresh @p vm: allocate its RAM (guestmem= on the kernel
 * command line, in MB, default 256), check the image (vmm/elfcheck.c),
 * copy its segments, write the Multiboot information block, and set the
 * vcpu to the state a Multiboot loader leaves (protected mode, paging
 * off, EAX = 0x2BADB002, EBX = the block).
 * @return 0, or a negative value after printing one message that names
 * the problem and its fix; nothing stays allocated then
 */
int vm_load(struct vm *vm);

#endif
