/*
 * serial.h - the 16550 UART on COM1, the kernel's main console line.
 */
#ifndef KERN_SERIAL_H
#define KERN_SERIAL_H

#include "kern/types.h"

/** @brief Program COM1 for 115200 8N1 with FIFOs; remembers whether it exists. */
void serial_init(void);
/** @brief Send one byte, waiting (boundedly) for the transmitter. */
void serial_putc(int c);
/** @brief Wait (boundedly) until every byte sent has left the UART. */
void serial_flush(void);
/** @brief Return the next received byte, or -1 when none is waiting. */
int serial_getc(void);
/** @brief Whether serial_init found a UART. */
bool serial_present(void);

#endif
