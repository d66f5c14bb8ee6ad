/*
 * cga.c - output to the 80x25 CGA text screen.
 *
 * The screen is memory: each cell is a character byte and an attribute
 * byte at physical 0xB8000, reached through the direct map (which
 * entry_pgdir already has).
 * The CRTC at 0x3D4/0x3D5 holds the cursor position.
 */
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/memlayout.h"
#include "kern/cga.h"

#define CGA_PHYS	0xB8000
#define CRTC_INDEX	0x3D4
#define CRTC_DATA	0x3D5
#define CRTC_CURSOR_HI	0x0E
#define CRTC_CURSOR_LO	0x0F
#define COLS		80
#define ROWS		25
#define ATTR		0x0700	/* light grey on black */

static uint16_t *screen;
static unsigned pos;

static void
set_cursor(void)
{
	outb(CRTC_INDEX, CRTC_CURSOR_HI);
	outb(CRTC_DATA, pos >> 8);
	outb(CRTC_INDEX, CRTC_CURSOR_LO);
	outb(CRTC_DATA, pos & 0xFF);
}

void
cga_init(void)
{
	screen = PHYS2DMAP(CGA_PHYS);
	outb(CRTC_INDEX, CRTC_CURSOR_HI);
	pos = inb(CRTC_DATA) << 8;
	outb(CRTC_INDEX, CRTC_CURSOR_LO);
	pos |= inb(CRTC_DATA);
	if (pos >= COLS * ROWS)
		pos = 0;
}

void
cga_putc(int c)
{
	unsigned i;

	if (!screen)
		return;
	switch (c & 0xFF) {
	case '\n':
		pos += COLS - pos % COLS;
		break;
	case '\r':
		pos -= pos % COLS;
		break;
	case '\b':
		if (pos > 0)
			screen[--pos] = ATTR | ' ';
		break;
	case '\t':
		do
			screen[pos++] = ATTR | ' ';
		while (pos % 8 != 0);
		break;
	default:
		screen[pos++] = ATTR | (c & 0xFF);
		break;
	}
	if (pos >= COLS * ROWS) {
		memmove(screen, screen + COLS, (ROWS - 1) * COLS * 2);
		for (i = (ROWS - 1) * COLS; i < ROWS * COLS; i++)
			screen[i] = ATTR | ' ';
		pos -= COLS;
	}
	set_cursor();
}
