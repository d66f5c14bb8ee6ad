/*
 * vbios.h - what a PC BIOS leaves in low memory that a guest looks for:
 * the BIOS data area and the MP floating pointer and configuration table.
 */
#ifndef VMM_DEV_BIOS_H
#define VMM_DEV_BIOS_H

#include "kern/types.h"

#define VBIOS_EBDA	0x9FC00		/* extended BIOS data area: the last KB of base memory */
#define VBIOS_MPFLOAT	0xF0000		/* the MP floating pointer: the BIOS ROM's first paragraph */
#define VBIOS_MPCONF	(VBIOS_MPFLOAT + 16)	/* the configuration table right after it */
#define VBIOS_MPCONF_MAX	256	/* room for the table: header and 22 entries */

/*
 * Where vbios_setup's bytes go: write(ctx, gpa, buf, len) copies len
 * bytes of buf to guest-physical gpa (a NULL buf writes zeros) and
 * returns 0, or -1 if the range is not guest RAM.  gmem_write() has this
 * shape; the unit tests give a plain buffer.
 */
struct vbios_writer {
	int (*write)(void *ctx, uint32_t gpa, const void *buf, uint32_t len);
	void *ctx;
};

/** @brief Write the BIOS data area, an empty EBDA, and the MP floating
 *  pointer and table (1 CPU, LAPIC id 0; 1 IOAPIC; ISA bus) at 0xF0000
 *  through @p w into guest RAM of @p ram_bytes bytes (at least 1 MB).
 *  Returns 0, or -1 if RAM is too small or a write failed. */
int vbios_setup(const struct vbios_writer *w, uint32_t ram_bytes);

#endif
