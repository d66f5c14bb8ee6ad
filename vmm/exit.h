/*
 * exit.h - what the monitor does for the guest at an exit, whatever the
 * engine: emulate the instruction in hand, give the guest an event.
 *
 * The run loop (vmm/run.c) and the shadow MMU's page-fault entry
 * (shadow_page_fault, vmm/shadow.h) are built from these two.
 */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include "kern/types.h"
#include "vmm/engine.h"

struct vm;

/**
 * @brief Fetch, decode and emulate the instruction at the guest's CS:EIP,
 * then finish it as the CPU would have: carry on, or raise through the
 * guest's IDT what the instruction raised.
 *
 * @p traced_gfn is the guest frame of a traced page table (or a watched
 * page: shadow_watch) the instruction writes, or NO_GFN.  Any instruction may write any page, and a frame that
 * was a page table once may be a kernel stack now: if the emulator does
 * not know the instruction, the frame stops being shadowed and watched
 * (shadow_unshadow) and the guest retries the instruction directly.
 * @return 0, or -1 after vm_kill()
 */
int vm_emulate(struct vm *vm, uint32_t traced_gfn);

/**
 * @brief Give the guest @p ev through the engine (struct engine's
 * inject), counting it.
 * @return 0, or -1 after vm_kill() (a triple fault)
 */
int vm_inject(struct vm *vm, const struct vm_event *ev);

/** @brief vm_inject() of exception @p vector (with @p err if @p has_err). */
int vm_raise(struct vm *vm, unsigned vector, bool has_err, uint32_t err);

#endif
