/*
 * kbd.c - the PS/2 keyboard (data 0x60, status 0x64, IRQ 1), scan code
 * set 1, translated to ASCII for the console.  Shift and control are
 * tracked; other keys without an ASCII meaning are ignored.
 */
#include "kernel/types.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

#define KBSTATP		0x64
#define KBS_DIB		0x01	/* data in buffer */
#define KBDATAP		0x60

#define SHIFT		0x1
#define CTL		0x2

static const char normalmap[128] = {
	0, 0x1b, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=',
	'\b', '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']',
	'\n', 0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0, '*',
	0, ' ',
};

static const char shiftmap[128] = {
	0, 0x1b, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+',
	'\b', '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}',
	'\n', 0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
	0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0, '*',
	0, ' ',
};

static int
modifier(uchar code)
{
	switch (code) {
	case 0x2A:
	case 0x36:
		return SHIFT;
	case 0x1D:
		return CTL;
	}
	return 0;
}

static int
kbdgetc(void)
{
	static uint shift;
	static int e0;
	uchar data;
	int c, m;

	if ((inb(KBSTATP) & KBS_DIB) == 0)
		return -1;
	data = inb(KBDATAP);
	if (data == 0xE0) {
		e0 = 1;
		return 0;
	}
	m = modifier(data & 0x7F);
	if (data & 0x80) {		/* key released */
		shift &= ~m;
		e0 = 0;
		return 0;
	}
	if (m) {
		shift |= m;
		return 0;
	}
	if (e0) {			/* arrows and friends: no ASCII */
		e0 = 0;
		return 0;
	}
	c = (shift & SHIFT) ? shiftmap[data] : normalmap[data];
	if ((shift & CTL) && c >= 'a' && c <= 'z')
		c -= 'a' - 1;
	else if ((shift & CTL) && c >= 'A' && c <= 'Z')
		c -= 'A' - 1;
	return c;
}

void
kbdintr(void)
{
	consoleintr(kbdgetc);
}
