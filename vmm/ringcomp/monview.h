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
 * The binary translator adds its translation cache (read-only) and the
 * block its code reaches through %gs (vmm/bt/rseg.h, writable): a guest
 * that wrote that block would change only what its own translated code
 * does, since the monitor reads nothing there but guest state.
 */
#ifndef VMM_RINGCOMP_MONVIEW_H
#define VMM_RINGCOMP_MONVIEW_H

#include "kern/types.h"
#include "kern/mmu.h"

/**
 * @brief The page directory entry, at PDX(MONBASE), that every guest
 * address space carries: one page table mapping the world switch
 * (kern/kernel.ld's .monview, read-only) and world_frame's page
 * (.monframe, writable), the translator's .montc (read-only) and .monbt
 * (writable), and nothing else of the monitor's 4 MB at
 * MONBASE.  The table is built on the first call and shared by every
 * directory.
 * @return the entry, or 0 if there was no page for the table
 */
pde_t monview_pde(void);

#endif
