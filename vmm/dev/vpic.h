/*
 * vpic.h - the 8259A pair: master at 0x20/0x21, slave at 0xA0/0xA1,
 * cascaded on the master's IRQ 2; the edge/level control registers at
 * 0x4D0 (IRQ 0-7) and 0x4D1 (IRQ 8-15).
 */
#ifndef VMM_DEV_PIC_H
#define VMM_DEV_PIC_H

#include "kern/types.h"

#define VPIC_MASTER	0x20
#define VPIC_SLAVE	0xA0
#define VPIC_ELCR	0x4D0

struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t lines;		/* input levels, for edge detection */
	uint8_t elcr;		/* 1: the input is level-triggered */
	uint8_t elcr_mask;	/* the inputs that may be */
	uint8_t base;		/* ICW2: vector of IR0 */
	uint8_t icw1, icw3, icw4;
	uint8_t init_step;	/* 0: operating; 2, 3, 4: expecting that ICW */
	uint8_t prio_low;	/* the lowest-priority IR (rotation) */
	bool read_isr;		/* OCW3: port reads return ISR, not IRR */
	bool special_mask;
	bool rotate_aeoi;
	bool poll;
};

struct vpic {
	struct vpic_chip chip[2];	/* 0 master, 1 slave */
};

/** @brief Reset both chips to their power-on state (uninitialised, nothing masked, all edge). */
void vpic_init(struct vpic *p);
/** @brief Guest read of port 0x20, 0x21, 0xA0, 0xA1, 0x4D0 or 0x4D1. */
uint8_t vpic_read(struct vpic *p, uint16_t port);
/** @brief Guest write of @p val to port 0x20, 0x21, 0xA0, 0xA1, 0x4D0 or 0x4D1. */
void vpic_write(struct vpic *p, uint16_t port, uint8_t val);
/** @brief ISA line @p irq (0-15) is now at @p level. */
void vpic_set_irq(struct vpic *p, int irq, int level);
/** @brief The IR (0-7) chip @p n (0 master, 1 slave) would raise now, or -1. */
int vpic_pending_ir(const struct vpic *p, int n);
/** @brief True if the master's INTR output is asserted. */
bool vpic_intr(const struct vpic *p);
/** @brief The vector an INTA cycle would return now, or -1; changes nothing. */
int vpic_pending(const struct vpic *p);
/** @brief The CPU's INTA cycle: move the request to in-service and return its vector. */
int vpic_ack(struct vpic *p);

#endif
