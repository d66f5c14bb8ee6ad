/*
 * linear.h - guest-linear memory: the guest's addresses, its page tables.
 *
 * When the monitor acts for the guest - an emulated instruction's
 * operand, the frame an interrupt pushes, a gate read from the guest's
 * IDT - it must see memory as the guest's CPU would: through the guest's
 * own page tables (vmm/ptwalk.h), never through the shadow, setting the
 * accessed and dirty bits the CPU would set, and raising the page fault
 * the guest's tables call for.  With guest paging off, linear is
 * guest-physical.  Writes that land on a traced guest page table keep the
 * shadow MMU in step (vmm/shadow.h).
 */
#ifndef VMM_LINEAR_H
#define VMM_LINEAR_H

#include "kern/types.h"
#include "vmm/ptwalk.h"
#include "vmm/emulate.h"

struct vm;

/* Returned by linear_read/write when an address is not guest RAM. */
#define LINEAR_NOT_RAM	(-2)
/* Returned when the guest's page tables themselves are not in its RAM:
 * no CPU would say what happens next, so an engine stops the run. */
#define LINEAR_BAD_TABLE (-3)

/**
 * @brief Translate guest-linear @p la for an access of kind @p access
 * (PTW_WRITE, PTW_USER; accessed and dirty bits are set as the CPU would).
 * @return 0 with *@p gpa set, or -1 with @p f holding the guest's \#PF,
 * or LINEAR_BAD_TABLE (@p f filled as for -1)
 */
int linear_translate(struct vm *vm, uint32_t la, unsigned access,
		     uint32_t *gpa, struct emu_fault *f);

/**
 * @brief Read @p len bytes of guest RAM at guest-linear @p la.
 * @return 0; -1 with @p f holding the guest's \#PF (nothing read); or
 * LINEAR_NOT_RAM if some byte is not guest RAM
 */
int linear_read(struct vm *vm, uint32_t la, void *buf, size_t len,
		unsigned access, struct emu_fault *f);

/**
 * @brief Write @p len bytes to guest RAM at guest-linear @p la, telling
 * the shadow MMU if a traced page table changed.  Translates every two
 * pages before writing either, so a fault in an instruction's operand
 * leaves memory as it was (LINEAR_NOT_RAM may come after a RAM part).
 * @return as linear_read()
 */
int linear_write(struct vm *vm, uint32_t la, const void *buf, size_t len,
		 unsigned access, struct emu_fault *f);

#endif
