/*
 * vkbd.h - the PS/2 keyboard controller (8042: data 0x60, status and
 * command 0x64, IRQ 1).
 */
#ifndef VMM_DEV_KBD_H
#define VMM_DEV_KBD_H

#include "kern/types.h"
#include "vmm/dev/virq.h"

#define VKBD_DATA	0x60
#define VKBD_STATUS	0x64
#define VKBD_IRQ	1
#define VKBD_QUEUE	64

struct vkbd {
	uint8_t q[VKBD_QUEUE];	/* bytes waiting for the output buffer */
	unsigned head, count;
	uint8_t cmdbyte;	/* controller configuration byte */
	uint8_t pending;	/* controller command awaiting its data byte, or 0 */
	uint8_t kbd_pending;	/* keyboard command awaiting its argument, or 0 */
	uint8_t outport;
	struct virq irq;
	int level;
	uint64_t dropped;
};

/** @brief Reset the controller as a BIOS leaves it: keyboard and IRQ 1 enabled, translation on. */
void vkbd_init(struct vkbd *k, struct virq irq);
/** @brief Guest read of port 0x60 or 0x64. */
uint8_t vkbd_read(struct vkbd *k, uint16_t port);
/** @brief Guest write of @p val to port 0x60 or 0x64. */
void vkbd_write(struct vkbd *k, uint16_t port, uint8_t val);
/** @brief A scancode (set 1) arrives from the keyboard; false if the queue is full. */
bool vkbd_input(struct vkbd *k, uint8_t scancode);

#endif
