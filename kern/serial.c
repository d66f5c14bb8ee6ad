/*
 * serial.c - polled driver for the 16550 UART at 0x3F8.
 *
 * The serial line is where the grader reads everything the kernel says and
 * where students type to the kernel monitor, so output never depends on
 * interrupts being set up.
 */
#include "kern/x86.h"
#include "kern/serial.h"

#define COM1		0x3F8
#define COM_RX		0	/* in: receive buffer (DLAB=0) */
#define COM_TX		0	/* out: transmit buffer (DLAB=0) */
#define COM_DLL		0	/* out: divisor latch low (DLAB=1) */
#define COM_DLM		1	/* out: divisor latch high (DLAB=1) */
#define COM_IER		1	/* out: interrupt enable */
#define COM_FCR		2	/* out: FIFO control */
#define COM_LCR		3	/* out: line control */
#define   COM_LCR_DLAB	0x80
#define   COM_LCR_8N1	0x03
#define COM_MCR		4	/* out: modem control */
#define   COM_MCR_DTR	0x01
#define   COM_MCR_RTS	0x02
#define   COM_MCR_OUT2	0x08
#define COM_LSR		5	/* in: line status */
#define   COM_LSR_DATA	0x01
#define   COM_LSR_TXRDY	0x20
#define   COM_LSR_TEMT	0x40	/* transmitter completely empty */

static bool uart_found;

void
serial_init(void)
{
	outb(COM1 + COM_LCR, COM_LCR_DLAB);
	outb(COM1 + COM_DLL, 1);		/* 115200 baud */
	outb(COM1 + COM_DLM, 0);
	outb(COM1 + COM_LCR, COM_LCR_8N1);
	outb(COM1 + COM_MCR, COM_MCR_DTR | COM_MCR_RTS | COM_MCR_OUT2);
	outb(COM1 + COM_IER, 0);		/* polled: no interrupts yet */
	/* FIFOs stay off: turning them on empties the receiver, losing
	 * bytes typed before the kernel was ready, and a polled console
	 * gains nothing from them. */
	outb(COM1 + COM_FCR, 0);

	/* A missing UART reads as all ones. */
	uart_found = inb(COM1 + COM_LSR) != 0xFF;
}

bool
serial_present(void)
{
	return uart_found;
}

void
serial_putc(int c)
{
	int i;

	if (!uart_found)
		return;
	/* Bounded: a wedged UART must not hang the kernel. */
	for (i = 0; i < 12800 && !(inb(COM1 + COM_LSR) & COM_LSR_TXRDY); i++)
		pause();
	outb(COM1 + COM_TX, c);
}

int
serial_getc(void)
{
	if (!uart_found || !(inb(COM1 + COM_LSR) & COM_LSR_DATA))
		return -1;
	return inb(COM1 + COM_RX);
}

void
serial_flush(void)
{
	int i;

	/* Bochs sends each byte after a delay; a run that ends at once
	 * would lose the last ones. */
	for (i = 0; uart_found && i < 128000 && !(inb(COM1 + COM_LSR) & COM_LSR_TEMT); i++)
		pause();
}
