/*
 * shadowdesc.h - one guest segment descriptor, as the CPU may be given it.
 *
 * The rule the shadow GDT (vmm/ringcomp/shadowdt.h) applies to every guest
 * descriptor, kept pure so host unit tests can check it bit by bit:
 * ring compression (DPL 0 becomes 1, because the guest kernel runs at
 * ring 1) and segment truncation below the monitor (Adams & Agesen,
 * section 3.2), with whatever cannot be truncated made not present so
 * that using it traps into the monitor instead.
 */
#ifndef VMM_RINGCOMP_SHADOWDESC_H
#define VMM_RINGCOMP_SHADOWDESC_H

#include "kern/types.h"
#include "vmm/desc.h"

/**
 * @brief The descriptor to put in the shadow GDT for guest descriptor @p d.
 *
 * Code and data: DPL 0 becomes 1, the limit is clipped so that no byte at
 * @p monbase or above is inside the segment; a segment that starts at or
 * above monbase becomes not present, and an expand-down one covers no
 * byte and is read-only (every access traps; SS cannot load it).  With
 * @p hide_user_code, DPL-3 code is made not present: the monitor's way of
 * catching every return to guest user mode.  System descriptors (TSS, LDT,
 * gates) become 0: the guest's TR and LDTR are virtual, so the CPU never
 * loads them from the shadow, and a call gate must not lead anywhere.
 */
uint64_t desc_shadow(uint64_t d, uint32_t monbase, bool hide_user_code);

#endif
