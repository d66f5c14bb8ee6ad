/*
 * uart.c - the 16550 serial port COM1 (0x3F8, IRQ 4): console output, and
 * input by interrupt.  The grader and `make run-native` talk to the guest
 * through this line.
 */
#include "kernel/types.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

#define COM1		0x3F8
#define UART_DATA	0	/* receive / transmit buffer */
#define UART_IER	1	/* interrupt enable */
#define UART_FCR	2	/* FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define LSR_RXREADY	0x01
#define LSR_TXEMPTY	0x20

static int uart_present;

void
uartinit(void)
{
	outb(COM1 + UART_FCR, 0);	/* no FIFO: one interrupt per byte */
	outb(COM1 + UART_LCR, 0x80);	/* divisor latch on */
	outb(COM1 + UART_DATA, 12);	/* 115200 / 12 = 9600 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03);	/* 8 bits, no parity, latch off */
	outb(COM1 + UART_MCR, 0x08);	/* OUT2: lets the IRQ reach the bus */
	outb(COM1 + UART_IER, 0x01);	/* interrupt on received data */

	/* No UART answers 0xFF on the status port. */
	if (inb(COM1 + UART_LSR) == 0xFF)
		return;
	uart_present = 1;
	/* Clear anything pending from before we were ready. */
	inb(COM1 + 2);
	inb(COM1 + UART_DATA);
}

void
uartputc(int c)
{
	int i;

	if (!uart_present)
		return;
	/* Bounded: a missing or stuck UART must not hang the kernel. */
	for (i = 0; i < 12800 && !(inb(COM1 + UART_LSR) & LSR_TXEMPTY); i++)
		;
	outb(COM1 + UART_DATA, c);
}

static int
uartgetc(void)
{
	if (!uart_present || !(inb(COM1 + UART_LSR) & LSR_RXREADY))
		return -1;
	return inb(COM1 + UART_DATA);
}

void
uartintr(void)
{
	consoleintr(uartgetc);
}
