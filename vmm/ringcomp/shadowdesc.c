/*
 * shadowdesc.c - ring compression and truncation of one descriptor.
 *
 * Adams & Agesen, section 3.2: the monitor lives in the top of every
 * address space, and the guest kernel runs at ring 1, where paging alone
 * does not keep it out (rings 0-2 are all "supervisor" to the MMU).  So
 * the guest's segments are cut short below the monitor.  A guest that
 * never looks (every flat-segment OS) cannot tell, except by asking the
 * CPU with lsl: one of the leaks grade/guests/pgdetect.c measures.
 */
#include "kern/types.h"
#include "kern/mmu.h"
#include "vmm/ringcomp/shadowdesc.h"

/* Replace the limit of d with the byte limit lim (the last byte's offset). */
static uint64_t
set_limit(uint64_t d, uint32_t lim)
{
	d &= ~(0xffffull | 0xfull << 48 | DESC_G);
	if (lim > 0xfffff) {
		/* Pages: the last whole page that still ends at or below lim. */
		lim = ((lim + 1) >> 12) - 1;
		d |= DESC_G;
	}
	return d | (lim & 0xffff) | (uint64_t) ((lim >> 16) & 0xf) << 48;
}

uint64_t
desc_shadow(uint64_t d, uint32_t monbase, bool hide_user_code)
{
	unsigned type = (d >> DESC_TYPE_SHIFT) & 0xf;
	unsigned dpl = (d >> DESC_DPL_SHIFT) & 3;
	uint32_t base = desc_base(d), lim = desc_limit(d);

	if (!(d & DESC_S))
		return 0;
	/* Accessed, already: the CPU sets the bit on a segment load, and on
	 * the guest's page directory the shadow GDT is read-only to it
	 * (vmm/ringcomp/monview.h).  The guest's own descriptor keeps its own bit. */
	d |= (uint64_t) STA_A << DESC_TYPE_SHIFT;
	/* Ring compression: the guest kernel's ring 0 is our ring 1. */
	if (dpl == 0)
		d = (d & ~(3ull << DESC_DPL_SHIFT)) | 1ull << DESC_DPL_SHIFT;
	if (hide_user_code && (type & STA_X) && dpl == 3)
		d &= ~DESC_P;
	/*
	 * Expand-down data covers [limit + 1, 4 GB): its top cannot move
	 * below the monitor.  The CPU gets it with the largest limit, which
	 * covers no byte at all: every register loads it as it loads the
	 * guest's (SS too, if the guest's is writable), and every access
	 * through it faults, #GP or on the stack #SS, into the monitor,
	 * which emulates it with the guest's descriptor (the register keeps
	 * the guest's selector, so a guest that reads it back sees its own).
	 */
	if (!(type & STA_X) && (type & STA_E))
		return d | 0xffffull | 0xfull << 48 | DESC_G | DESC_DB;
	if (base >= monbase)
		return d & ~DESC_P;
	if ((uint64_t) base + lim >= monbase)
		d = set_limit(d, monbase - 1 - base);
	return d;
}
