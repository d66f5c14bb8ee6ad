/*
 * unit_shadowdesc.c - ring compression and truncation of guest descriptors
 * (vmm/ringcomp/shadowdesc.c), bit by bit, on the host.
 */
#include <stdint.h>
#include <stdbool.h>
#include <criterion/criterion.h>

#undef static_assert
#undef MIN
#undef MAX
#define desc_base	kern_desc_base
#define desc_limit	kern_desc_limit
#define desc_shadow	kern_desc_shadow
#include "vmm/ringcomp/shadowdesc.h"

#define MON	0xFC000000u

static uint64_t
mk(uint32_t base, uint32_t lim20, uint8_t access, uint8_t flags)
{
	return (lim20 & 0xffff) | (uint64_t) (base & 0xffffff) << 16 |
		(uint64_t) access << 40 | (uint64_t) ((lim20 >> 16) & 0xf) << 48 |
		(uint64_t) (flags & 0xf) << 52 | (uint64_t) (base >> 24) << 56;
}

static unsigned dpl(uint64_t d) { return (d >> DESC_DPL_SHIFT) & 3; }

Test(shadowdesc, flat_kernel_code)
{
	uint64_t s = desc_shadow(mk(0, 0xfffff, 0x9a, 0xc), MON, true);

	cr_assert_eq(dpl(s), 1);
	cr_assert(s & DESC_P);
	cr_assert_eq(desc_base(s), 0);
	cr_assert_eq(desc_limit(s), MON - 1);
	/* Type, D/B and G survive; the accessed bit is set already, since
	 * the CPU cannot set it in a shadow GDT mapped read-only. */
	cr_assert_eq((s >> 40) & 0xf, 0xb);
	cr_assert((s >> 54) & 1);
}

Test(shadowdesc, flat_kernel_data)
{
	uint64_t s = desc_shadow(mk(0, 0xfffff, 0x92, 0xc), MON, false);

	cr_assert_eq(dpl(s), 1);
	cr_assert_eq(desc_limit(s), MON - 1);
	cr_assert_eq((s >> 40) & 0xf, 0x3, "a writable data segment, accessed");
}

Test(shadowdesc, user_code_hidden_or_shown)
{
	uint64_t g = mk(0, 0xfffff, 0xfa, 0xc);

	cr_assert_not(desc_shadow(g, MON, true) & DESC_P);
	cr_assert(desc_shadow(g, MON, false) & DESC_P);
	cr_assert_eq(dpl(desc_shadow(g, MON, false)), 3);
	cr_assert_eq(desc_limit(desc_shadow(g, MON, false)), MON - 1);
}

Test(shadowdesc, user_data_stays)
{
	uint64_t s = desc_shadow(mk(0, 0xfffff, 0xf2, 0xc), MON, true);

	cr_assert(s & DESC_P);
	cr_assert_eq(dpl(s), 3);
}

Test(shadowdesc, small_segment_unclipped)
{
	uint64_t s = desc_shadow(mk(0x100000, 0xffff, 0x92, 0x4), MON, true);

	cr_assert_eq(desc_base(s), 0x100000);
	cr_assert_eq(desc_limit(s), 0xffff);
	cr_assert_not(s & DESC_G);
}

Test(shadowdesc, based_segment_clipped)
{
	uint64_t s = desc_shadow(mk(0x80000000, 0xfffff, 0x92, 0xc), MON, true);

	cr_assert_eq(desc_base(s), 0x80000000);
	cr_assert_eq(desc_limit(s), MON - 1 - 0x80000000);
}

Test(shadowdesc, byte_granular_crossing)
{
	/* Byte granularity, base just below the monitor: the clip keeps bytes. */
	uint64_t s = desc_shadow(mk(MON - 0x100, 0xfff, 0x92, 0x4), MON, true);

	cr_assert_eq(desc_limit(s), 0xff);
}

Test(shadowdesc, inside_monitor_not_present)
{
	cr_assert_not(desc_shadow(mk(MON, 0xfff, 0x92, 0x4), MON, true) & DESC_P);
	cr_assert_not(desc_shadow(mk(0xFEE00000, 0, 0x92, 0x4), MON, true) & DESC_P);
}

Test(shadowdesc, expand_down_covers_nothing)
{
	uint64_t s = desc_shadow(mk(0, 0x10, 0x96, 0xc), MON, true);

	/* present as the guest's, writable as the guest's (SS loads it),
	 * accessed, DPL 0 -> 1, the largest limit: no offset is inside an
	 * expand-down segment */
	cr_assert(s & DESC_P);
	cr_assert_eq(((s >> DESC_TYPE_SHIFT) & 0xf), 0x7);
	cr_assert_eq(((desc_shadow(mk(0, 0x10, 0x94, 0xc), MON, true) >>
		       DESC_TYPE_SHIFT) & 0xf), 0x5);
	cr_assert_eq(dpl(s), 1);
	cr_assert_eq(desc_limit(s), 0xffffffff);
	cr_assert(s & DESC_DB);
	cr_assert_not(desc_shadow(mk(0, 0x10, 0x16, 0xc), MON, true) & DESC_P);
}

Test(shadowdesc, system_descriptors_dropped)
{
	cr_assert_eq(desc_shadow(mk(0x1000, 0x67, 0x89, 0), MON, true), 0);	/* TSS */
	cr_assert_eq(desc_shadow(mk(0x2000, 0xf, 0x82, 0), MON, true), 0);	/* LDT */
	cr_assert_eq(desc_shadow(0, MON, true), 0);				/* null */
}

Test(shadowdesc, not_present_stays_not_present)
{
	cr_assert_not(desc_shadow(mk(0, 0xfffff, 0x12, 0xc), MON, true) & DESC_P);
}

Test(shadowdesc, ring2_untouched)
{
	cr_assert_eq(dpl(desc_shadow(mk(0, 0xfff, 0xd2, 0x4), MON, true)), 2);
}
