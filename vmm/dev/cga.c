/*
 * cga.c - the CGA's 6845 CRT controller.
 *
 * The text screen itself is guest RAM at 0xB8000: the guest writes
 * characters there directly and nothing traps.  What does trap are the
 * CRTC's index and data ports, which xv6-style consoles use to move the
 * cursor, reading it back before every character (so the registers must
 * remember what was written), and the status port that retrace loops
 * poll.  The paper's section 2: a VMM emulates every device the guest
 * touches.
 */
#include "vmm/dev/vcga.h"
#include "kern/string.h"

#define CRTC_START_HI	12
#define CRTC_START_LO	13
#define CRTC_CURSOR_HI	14
#define CRTC_CURSOR_LO	15
#define NREGS		18	/* R0-R17 on the 6845 */

/* 80x25 text-mode timings as a BIOS sets them: read back, they look right. */
static const uint8_t text_mode[NREGS] = {
	0x71, 0x50, 0x5A, 0x0A, 0x1F, 0x06, 0x19, 0x1C,
	0x02, 0x07, 0x06, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

void
vcga_init(struct vcga *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->crtc, text_mode, sizeof(text_mode));
}

uint8_t
vcga_read(struct vcga *c, uint16_t port)
{
	switch (port) {
	case VCGA_CRTC_INDEX:
		return c->index;
	case VCGA_CRTC_DATA:
		return c->index < NREGS ? c->crtc[c->index] : 0xFF;
	case VCGA_STATUS:
		/* Alternate display-enable and vertical retrace so both kinds of wait end. */
		c->status ^= 0x09;
		return c->status;
	default:
		return 0xFF;
	}
}

void
vcga_write(struct vcga *c, uint16_t port, uint8_t val)
{
	if (port == VCGA_CRTC_INDEX)
		c->index = val & 0x1F;
	else if (port == VCGA_CRTC_DATA && c->index < NREGS)
		c->crtc[c->index] = val;
}

unsigned
vcga_cursor(const struct vcga *c)
{
	return (unsigned) c->crtc[CRTC_CURSOR_HI] << 8 | c->crtc[CRTC_CURSOR_LO];
}

unsigned
vcga_start(const struct vcga *c)
{
	return (unsigned) c->crtc[CRTC_START_HI] << 8 | c->crtc[CRTC_START_LO];
}
