/*
 * cga.c - the colour display's CRT controller.
 *
 * The text screen itself is guest RAM at 0xB8000: the guest writes
 * characters there directly and nothing traps.  What does trap are the
 * CRTC's index and data ports, which xv6-style consoles use to move the
 * cursor, reading it back before every character (so the registers must
 * remember what was written), and the status port that retrace loops
 * poll.  The paper's section 2: a VMM emulates every device the guest
 * touches.
 *
 * QEMU's pc machine has a VGA, not a 6845, behind these ports, and guests
 * written for it read what it shows (measured): the VGA's 25 registers
 * with the values of text mode 3, an index register that keeps all 8
 * bits, and storage at every other index too (reading 0 until written).
 * R11's bit 7 write-protects R0-R7, except R7's bit 4, as on a VGA.
 */
#include "vmm/dev/vcga.h"
#include "kern/string.h"

#define CRTC_OVERFLOW	0x07
#define CRTC_START_HI	0x0C
#define CRTC_START_LO	0x0D
#define CRTC_CURSOR_HI	0x0E
#define CRTC_CURSOR_LO	0x0F
#define CRTC_VSYNC_END	0x11
#define VSYNC_PROTECT	0x80	/* R11: R0-R7 read-only */
#define OVERFLOW_LC8	0x10	/* R7's bit the protection spares */
#define NREGS		25	/* R0-R24 on a VGA */

/* Text mode 3 as the BIOS programs it; the cursor at the top left. */
static const uint8_t text_mode[NREGS] = {
	0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F,
	0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
	0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
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
		return c->crtc[c->index];
	case VCGA_STATUS:
		/* Alternate display-enable and vertical retrace so both kinds of wait end. */
		c->status ^= 0x09;
		return c->status;
	default:
		return 0xFF;
	}
}

static void
write_data(struct vcga *c, uint8_t val)
{
	if (c->index <= CRTC_OVERFLOW && (c->crtc[CRTC_VSYNC_END] & VSYNC_PROTECT)) {
		if (c->index == CRTC_OVERFLOW)
			c->crtc[CRTC_OVERFLOW] = (c->crtc[CRTC_OVERFLOW] & ~OVERFLOW_LC8) |
			    (val & OVERFLOW_LC8);
		return;
	}
	c->crtc[c->index] = val;
}

void
vcga_write(struct vcga *c, uint16_t port, uint8_t val)
{
	if (port == VCGA_CRTC_INDEX)
		c->index = val;
	else if (port == VCGA_CRTC_DATA)
		write_data(c, val);
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
