/*
 * uart.c - the 16550 UART, COM1.
 *
 * guest_xv6's console and the grader's only line to the guest: output goes
 * out through the THR, input arrives by interrupt (IRQ 4).  The paper's
 * section 2: a VMM emulates every device the guest touches; this one is
 * touched for every byte the guest prints.
 *
 * Transmission is instantaneous: THR and the shift register are always
 * empty again by the time the guest looks, so LSR always shows THRE and
 * TEMT.  Received bytes wait in a queue the engine fills (vuart_input);
 * the head of the queue is the RBR.  Interrupts follow the 16550
 * datasheet's priorities: line status, received data, THR empty, modem
 * status.  A THR-empty interrupt is raised when ETBEI is enabled with the
 * THR empty and after each transmitted byte, and cleared by writing THR or
 * by reading IIR while it is the reported cause.
 *
 * On a PC board MCR's OUT2 gates INTR onto the IRQ line; QEMU's pc machine
 * does not (measured: IRQ 4 rises with OUT2 clear), and kernels written
 * for QEMU that never set OUT2 still get their interrupts, so neither does
 * this model.  A guest finds the UART as QEMU leaves it: OUT2 set (QEMU's
 * reset), FIFOs off unless its BIOS used the port as a console, 9600 baud.
 */
#include "vmm/dev/vuart.h"
#include "kern/string.h"

#define RBR	0	/* read; THR on write; DLL with DLAB */
#define IER	1	/* DLM with DLAB */
#define IIR	2	/* read; FCR on write */
#define LCR	3
#define MCR	4
#define LSR	5
#define MSR	6
#define SCR	7

#define IER_ERBFI	0x01	/* received data */
#define IER_ETBEI	0x02	/* THR empty */
#define IER_ELSI	0x04	/* line status */
#define IER_EDSSI	0x08	/* modem status */
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08	/* gates INTR on a PC board, not on QEMU */
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define FCR_ENABLE	0x01

#define IIR_NONE	0x01
#define IIR_MSR		0x00
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_RLS		0x06

static uint8_t
lsr(const struct vuart *u)
{
	return (u->rx_count ? LSR_DR : 0) | u->lsr_err | LSR_THRE | LSR_TEMT;
}

/* The interrupt the 16550 would report now, by its priority. */
static uint8_t
cause(const struct vuart *u)
{
	if ((u->ier & IER_ELSI) && u->lsr_err)
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return IIR_RDA;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & 0x0F))
		return IIR_MSR;
	return IIR_NONE;
}

/* Drive IRQ 4 from the current cause; pulse it if the guest asked to see a new edge. */
static void
update(struct vuart *u, bool new_edge)
{
	int level = cause(u) != IIR_NONE;

	if (new_edge && level && u->level) {
		virq_set(&u->irq, 0);
		u->level = 0;
	}
	if (level != u->level) {
		u->level = level;
		virq_set(&u->irq, level);
	}
}

static bool
enqueue(struct vuart *u, uint8_t c)
{
	if (u->rx_count == VUART_RXQ) {
		u->lsr_err |= LSR_OE;
		u->rx_dropped++;
		return false;
	}
	u->rxq[(u->rx_head + u->rx_count++) % VUART_RXQ] = c;
	return true;
}

void
vuart_init(struct vuart *u, void (*out)(void *arg, uint8_t c), void *arg, struct virq irq)
{
	memset(u, 0, sizeof(*u));
	u->out = out;
	u->out_arg = arg;
	u->irq = irq;
	u->dll = 12;		/* 9600 baud, what a BIOS leaves */
	u->lcr = 0x03;
	u->mcr = MCR_OUT2;
	u->msr = 0xB0;		/* DCD, DSR, CTS: a terminal is attached */
}

uint8_t
vuart_read(struct vuart *u, unsigned reg)
{
	uint8_t v;

	switch (reg & 7) {
	case RBR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_count)
			return 0;
		v = u->rxq[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART_RXQ;
		u->rx_count--;
		u->rx_bytes++;
		/* The next byte "arrives" after this one: a fresh edge for it. */
		update(u, true);
		return v;
	case IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR:
		v = cause(u);
		if (v == IIR_THRE) {
			u->thre_pending = false;
			update(u, false);
		}
		return v | ((u->fcr & FCR_ENABLE) ? 0xC0 : 0);
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		v = lsr(u);
		u->lsr_err = 0;
		update(u, false);
		return v;
	case MSR:
		v = u->msr;
		if (u->mcr & MCR_LOOP)	/* the outputs come back as the inputs */
			v = (v & 0x0F) | (u->mcr & MCR_RTS) << 3 |
			    (u->mcr & MCR_DTR) << 5 | (u->mcr & MCR_OUT1) << 4 |
			    (u->mcr & MCR_OUT2) << 4;
		u->msr &= 0xF0;	/* delta bits clear on read */
		update(u, false);
		return v;
	default:
		return u->scr;
	}
}

void
vuart_write(struct vuart *u, unsigned reg, uint8_t val)
{
	switch (reg & 7) {
	case RBR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			return;
		}
		if (u->mcr & MCR_LOOP)
			enqueue(u, val);
		else if (u->out)
			u->out(u->out_arg, val);
		u->tx_bytes++;
		/* Sent at once: THR is empty again, and says so by interrupt. */
		u->thre_pending = true;
		update(u, true);
		return;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			return;
		}
		/* Enabling ETBEI with THR empty interrupts at once. */
		if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_pending = true;
		u->ier = val & 0x0F;
		update(u, false);
		return;
	case IIR:
		u->fcr = val & 0xC9;
		if ((val & FCR_ENABLE) && (val & 0x02)) {	/* clear the receive FIFO */
			u->rx_head = u->rx_count = 0;
		}
		update(u, false);
		return;
	case LCR:
		u->lcr = val;
		return;
	case MCR:
		u->mcr = val & 0x1F;
		update(u, false);
		return;
	case LSR:
	case MSR:
		return;		/* read-only on the 16550 */
	default:
		u->scr = val;
	}
}

bool
vuart_input(struct vuart *u, uint8_t c)
{
	bool ok = enqueue(u, c);

	update(u, false);
	return ok;
}
