/*
 * monview.h - what a guest's address space shows of the monitor.
 *
 * Adams & Agesen, section 3.2: the monitor lives in the top of every
 * guest address space, because the few instructions that switch worlds
 * must run in both.  Segment truncation keeps the guest out of that
 * range on real CPUs, but QEMU's TCG does not check data-segment limits,
 * and ring 1 is a supervisor to the MMU: so the page tables themselves
 * must not give the guest anything it could use against the monitor.
 * Guest address spaces therefore map, of the monitor, only the world
 * switch's code and tables, read-only, and the one page the CPU saves the
 * guest into on a trap (world_frame), whose contents every trap rewrites.
 */
#ifndef VMM_MONVIEW_H
#define VMM_MONVIEW_H

#include "kern/types.h"
#include "kern/mmu.h"

/**
 * @brief Give guest page directory @p pgdir the monitor's entry: one page
 * table mapping the world switch (kern/kernel.ld's .monview, read-only)
 * and world_frame's page (.monframe, writable), and nothing else of the
 * monitor's 4 MB at MONBASE.
 * @return 0, or -1 if there was no page for that table (message printed)
 */
int pgdir_copy_monitor(pde_t *pgdir);

/**
 * @brief Whether @p la lies in the directory entry pgdir_copy_monitor()
 * fills: addresses no guest mapping of its own can use.
 */
bool monitor_image_la(uintptr_t la);

#endif
