/*
 * unit_desc.c - the one descriptor reader (vmm/desc.h): a descriptor
 * becomes a segment register's cache and back, bit for bit.  The shadow
 * GDT relies on the way back for a register the GDT no longer holds
 * (vmm/ringcomp/shadowdt.c's SDT_CACHED slots).
 */
#include <stdint.h>
#include <stdbool.h>
#include <criterion/criterion.h>

#undef static_assert
#undef MIN
#undef MAX
#include "vmm/desc.h"

/* A small deterministic generator: every run tests the same values. */
static uint64_t
next(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state;
}

Test(desc, vseg_round_trip,
     .description = "desc_from_vseg(vseg_from_desc(d)) == d for code and "
		    "data descriptors of every granularity, base and limit")
{
	uint64_t state = 1, d, back;
	struct vseg s;
	int i;

	for (i = 0; i < 200000; i++) {
		d = next(&state);
		vseg_from_desc(&s, 0x2b, d);
		back = desc_from_vseg(&s);
		cr_assert_eq(back, d, "descriptor %016llx came back as %016llx "
			     "(base %08x, limit %08x, attr %04x)",
			     (unsigned long long) d, (unsigned long long) back,
			     s.base, s.limit, s.attr);
	}
}

Test(desc, page_granular_limit,
     .description = "a G=1 descriptor's limit counts 4 KB pages, the low "
		    "12 bits all ones in the register")
{
	struct vseg s;

	vseg_from_desc(&s, 0x10, 0x00cf92000000ffffull);
	cr_assert_eq(s.limit, 0xffffffffu);
	cr_assert_eq(s.base, 0);
	cr_assert_eq(desc_from_vseg(&s), 0x00cf92000000ffffull);
	vseg_from_desc(&s, 0x10, 0x0040920012340fffull);
	cr_assert_eq(s.limit, 0xfff);
	cr_assert_eq(s.base, 0x1234);
}
