/*
 * board.h - the virtual PC built for one guest (docs/design.md section 4).
 */
#ifndef VMM_BOARD_H
#define VMM_BOARD_H

struct vm;

/**
 * @brief Build @p vm's devices (vmm/dev/platform.h) with the console on
 * the host's, its disk attached (disk= on the kernel command line), the
 * LAPIC as the BIOS leaves it.
 * @return 0, or -1 after vm_kill()
 */
int board_setup(struct vm *vm);

#endif
