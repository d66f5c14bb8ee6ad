/*
 * vcga.h - the colour display's CRT controller (index 0x3D4, data 0x3D5)
 * and status port 0x3DA.  The text memory at 0xB8000 is plain guest RAM.
 */
#ifndef VMM_DEV_CGA_H
#define VMM_DEV_CGA_H

#include "kern/types.h"

#define VCGA_CRTC_INDEX	0x3D4
#define VCGA_CRTC_DATA	0x3D5
#define VCGA_STATUS	0x3DA
#define VCGA_TEXT	0xB8000
#define VCGA_COLS	80
#define VCGA_ROWS	25

struct vcga {
	uint8_t index;		/* all 8 bits are kept */
	uint8_t crtc[256];	/* every index stores what is written */
	uint8_t status;		/* toggles so retrace loops end */
};

/** @brief Reset the CRTC registers to the 80x25 text mode a BIOS leaves. */
void vcga_init(struct vcga *c);
/** @brief Guest read of CGA port @p port. */
uint8_t vcga_read(struct vcga *c, uint16_t port);
/** @brief Guest write of @p val to CGA port @p port. */
void vcga_write(struct vcga *c, uint16_t port, uint8_t val);
/** @brief The cursor position (row * 80 + column) the guest programmed. */
unsigned vcga_cursor(const struct vcga *c);
/** @brief The screen's start offset in characters (CRTC registers 12-13). */
unsigned vcga_start(const struct vcga *c);

#endif
