/*
 * world.h - the world switch (vmm/ringcomp/world.S) as C sees it.
 */
#ifndef VMM_RINGCOMP_WORLD_H
#define VMM_RINGCOMP_WORLD_H

#include "kern/types.h"
#include "kern/trap.h"

/*
 * Where the CPU and world.S save the guest on every trap, in the kernel's
 * trap-frame layout.  In a page of its own, the only monitor page a
 * guest's tables map writable (vmm/ringcomp/monview.h).
 */
extern struct trapframe world_frame;
/* Where the monitor itself faulted in world.S (world_switch() == -1). */
extern uint32_t world_fault_trapno, world_fault_eip;

/**
 * @brief Switch to the guest described by world_frame on page directory
 * @p guest_cr3 (physical) and come back at its next trap.
 * @return 0 with world_frame holding the trapped guest, or -1 if a trap
 * hit the monitor inside the switch (world_fault_trapno, world_fault_eip)
 */
int world_switch(uint32_t guest_cr3);

#endif
