/*
 * vuart.h - the 16550 UART model (COM1, 0x3F8, IRQ 4).
 */
#ifndef VMM_DEV_UART_H
#define VMM_DEV_UART_H

#include "kern/types.h"
#include "vmm/dev/virq.h"

#define VUART_BASE	0x3F8
#define VUART_IRQ	4
#define VUART_RXQ	256	/* bytes the engine may queue ahead of the guest */

struct vuart {
	uint8_t ier, lcr, mcr, msr, scr, fcr;
	uint8_t dll, dlm;	/* divisor latch */
	uint8_t lsr_err;	/* overrun etc., cleared by reading LSR */
	bool thre_pending;	/* THR-empty interrupt not yet cleared */
	uint8_t rxq[VUART_RXQ];
	unsigned rx_head, rx_count;
	void (*out)(void *arg, uint8_t c);
	void *out_arg;
	struct virq irq;
	int level;		/* what we last drove the line to */
	uint64_t tx_bytes, rx_bytes, rx_dropped;
};

/** @brief Reset the UART; transmitted bytes go to @p out(@p arg, byte). */
void vuart_init(struct vuart *u, void (*out)(void *arg, uint8_t c), void *arg,
    struct virq irq);
/** @brief Guest read of register @p reg (0-7, offset from 0x3F8). */
uint8_t vuart_read(struct vuart *u, unsigned reg);
/** @brief Guest write of @p val to register @p reg (0-7). */
void vuart_write(struct vuart *u, unsigned reg, uint8_t val);
/** @brief A byte arrives on the wire for the guest; false if the queue is full. */
bool vuart_input(struct vuart *u, uint8_t c);

#endif
