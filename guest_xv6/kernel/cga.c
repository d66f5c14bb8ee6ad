/*
 * cga.c - console output on the CGA text screen (memory at 0xB8000, cursor
 * through the CRTC at 0x3D4/0x3D5).
 */
#include "kernel/types.h"
#include "kernel/memlayout.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

#define CRTPORT	0x3D4
#define COLS	80
#define ROWS	25
#define ATTR	0x0700	/* grey on black */

static ushort *crt = (ushort *)P2V(0xB8000);

static int
getcursor(void)
{
	int pos;

	outb(CRTPORT, 14);
	pos = inb(CRTPORT + 1) << 8;
	outb(CRTPORT, 15);
	pos |= inb(CRTPORT + 1);
	return pos;
}

static void
setcursor(int pos)
{
	outb(CRTPORT, 14);
	outb(CRTPORT + 1, pos >> 8);
	outb(CRTPORT, 15);
	outb(CRTPORT + 1, pos);
}

void
cgainit(void)
{
	int i;

	for (i = 0; i < COLS * ROWS; i++)
		crt[i] = ' ' | ATTR;
	setcursor(0);
}

void
cgaputc(int c)
{
	int pos = getcursor();

	if (c == '\n')
		pos += COLS - pos % COLS;
	else if (c == 0x100 || c == '\b') {
		if (pos > 0)
			--pos;
	} else
		crt[pos++] = (c & 0xff) | ATTR;

	if (pos < 0 || pos > COLS * ROWS)
		pos = 0;
	if (pos / COLS >= ROWS - 1) {
		/* Scroll one line, keeping the last row free for typing. */
		memmove(crt, crt + COLS, sizeof(crt[0]) * (ROWS - 2) * COLS);
		pos -= COLS;
		memset(crt + pos, 0, sizeof(crt[0]) * (COLS * ROWS - pos));
	}
	setcursor(pos);
	crt[pos] = ' ' | ATTR;
}
