/*
 * linear.h - guest-linear memory: the guest's addresses, its page tables.
 *
 * When the monitor acts for the guest - an emulated instruction's
 * operand, the frame an interrupt pushes, a gate read from the guest's
 * IDT - it must see memory as the guest's CPU would: through the guest's
 * own page tables (vmm/ptwalk.h), never through the shadow, setting the
 * accessed and dirty bits the CPU would set, and raising the page fault
 * the guest's tables call for.  With guest paging off, linear is
 * guest-physical.  What lies behind a guest-physical address is the
 * guest's RAM, a device's registers (vmm/dev/platform.h), or nothing
 * (unassigned memory: reads give zeros, writes vanish), as on QEMU's pc
 * machine.  Writes that
 * land on a traced guest page table keep the shadow MMU in step
 * (vmm/shadow.h).  This is the only way the monitor reaches guest-linear
 * memory.
 */
#ifndef VMM_LINEAR_H
#define VMM_LINEAR_H

#include "kern/types.h"
#include "vmm/ptwalk.h"
#include "vmm/emulate.h"

struct vm;

/**
 * @brief Translate guest-linear @p la for an access of kind @p access
 * (PTW_WRITE, PTW_USER; accessed and dirty bits are set as the CPU would).
 * A guest page table outside guest RAM stops the guest (vm_kill): no
 * PC would say what such a walk finds.
 * @return 0 with *@p gpa set, or -1 with @p f holding the guest's \#PF
 */
int linear_translate(struct vm *vm, uint32_t la, unsigned access,
		     uint32_t *gpa, struct emu_fault *f);

/**
 * @brief Read @p len bytes at guest-linear @p la, at the privilege
 * @p access gives (PTW_USER or not).  Device registers answer accesses
 * of 1, 2 or 4 bytes; anything else that is not RAM reads as all ones.
 * @return 0, or -1 with @p f holding the guest's \#PF (nothing read)
 */
int linear_read(struct vm *vm, uint32_t la, void *buf, size_t len,
		unsigned access, struct emu_fault *f);

/**
 * @brief Write @p len bytes at guest-linear @p la, telling the shadow
 * MMU if a traced page table changed.  Translates every two pages before
 * writing either, so a fault in an instruction's operand leaves memory
 * as it was.
 * @return as linear_read()
 */
int linear_write(struct vm *vm, uint32_t la, const void *buf, size_t len,
		 unsigned access, struct emu_fault *f);

/**
 * @brief The 8-byte descriptor @p sel selects in the guest's GDT or LDT,
 * read as the CPU reads it: a supervisor access through the guest's
 * tables (the one reader of guest descriptors outside the emulator,
 * which reads them the same way through its callbacks).
 * @return 0, or -1 if @p sel points past the table or the table is not
 * mapped (null selectors are the caller's to refuse)
 */
int linear_read_desc(struct vm *vm, uint16_t sel, uint64_t *d);

#endif
