/*
 * vbios.h - what a PC BIOS leaves in low memory that a guest looks for:
 * the BIOS data area and the MP floating pointer and configuration table.
 */
#ifndef VMM_DEV_BIOS_H
#define VMM_DEV_BIOS_H

#include "kern/types.h"

#define VBIOS_EBDA	0x9FC00		/* extended BIOS data area: the last KB of base memory */
#define VBIOS_MPFLOAT	(VBIOS_EBDA + 16)	/* the MP floating pointer, after the EBDA's size byte */
#define VBIOS_MPCONF	(VBIOS_EBDA + 32)	/* the configuration table after it */

/** @brief Write the BIOS data area, the MP floating pointer and the MP table
 *  (1 CPU, LAPIC id 0; 1 IOAPIC; ISA bus) into guest RAM @p ram of
 *  @p ram_bytes bytes (at least 640 KB).  Returns 0, or -1 if RAM is too small. */
int vbios_setup(uint8_t *ram, uint32_t ram_bytes);

#endif
