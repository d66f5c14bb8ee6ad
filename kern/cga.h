/*
 * cga.h - the CGA text screen at physical 0xB8000.
 */
#ifndef KERN_CGA_H
#define KERN_CGA_H

/** @brief Find the hardware cursor and start writing there. */
void cga_init(void);
/** @brief Put one character on the screen, scrolling as needed. */
void cga_putc(int c);

#endif
