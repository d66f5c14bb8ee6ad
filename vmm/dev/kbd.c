/*
 * kbd.c - the 8042 PS/2 keyboard controller.
 *
 * guest_xv6 takes IRQ 1, checks the status port's output-buffer-full bit
 * and reads scan codes (set 1) from the data port; BIOS-era guests also
 * send controller commands (self-test, the configuration byte, A20
 * through the output port) and keyboard commands, which want an ACK.
 * The paper's section 2: a VMM emulates every device the guest touches.
 *
 * Scan codes arrive through vkbd_input; the output buffer holds the head
 * of a queue, and each byte read makes the next one arrive with a fresh
 * IRQ 1 edge, as a keyboard sends one byte at a time.
 *
 * The status port and the bytes a guest reads back are QEMU's (measured):
 * the keyboard is never inhibited, the system flag is set, and the
 * command/data flag stays set once the controller has had a command,
 * whatever is written to the data port after.  There is no mouse, but its
 * port can be tested, enabled and disabled, which only moves bit 5 of the
 * configuration byte.
 */
#include "vmm/dev/vkbd.h"
#include "kern/string.h"

#define ST_OBF		0x01	/* output buffer full */
#define ST_SYS		0x04	/* passed self-test */
#define ST_CMD		0x08	/* a command was written */
#define ST_UNLOCKED	0x10	/* keyboard not inhibited */
#define CB_INT		0x01	/* IRQ 1 on output-buffer full */
#define CB_DISABLE	0x10	/* keyboard clock off */
#define CB_AUX_DISABLE	0x20	/* mouse clock off */
#define CB_XLATE	0x40
#define OUT_RESET	0x01	/* output port: CPU not held in reset */

#define KBD_ACK		0xFA

static void
update(struct vkbd *k, bool new_edge)
{
	int level = k->count && (k->cmdbyte & CB_INT);

	if (new_edge && level && k->level) {
		virq_set(&k->irq, 0);
		k->level = 0;
	}
	if (level != k->level) {
		k->level = level;
		virq_set(&k->irq, level);
	}
}

/* Replies from the controller go ahead of keystrokes not yet read. */
static void
push(struct vkbd *k, uint8_t b, bool front)
{
	if (k->count == VKBD_QUEUE) {
		k->dropped++;
		return;
	}
	if (front) {
		k->head = (k->head + VKBD_QUEUE - 1) % VKBD_QUEUE;
		k->q[k->head] = b;
	} else {
		k->q[(k->head + k->count) % VKBD_QUEUE] = b;
	}
	k->count++;
}

void
vkbd_init(struct vkbd *k, struct virq irq)
{
	memset(k, 0, sizeof(*k));
	k->irq = irq;
	/* As QEMU's BIOS leaves them: the mouse off; A20 on, clock and data high. */
	k->cmdbyte = CB_INT | CB_AUX_DISABLE | CB_XLATE;
	k->outport = 0xCF;
}

uint8_t
vkbd_read(struct vkbd *k, uint16_t port)
{
	uint8_t b;

	if (port == VKBD_STATUS)
		return (k->count ? ST_OBF : 0) | ST_SYS | ST_CMD | ST_UNLOCKED;
	if (!k->count)
		return k->q[(k->head + VKBD_QUEUE - 1) % VKBD_QUEUE];	/* the old byte stays */
	b = k->q[k->head];
	k->head = (k->head + 1) % VKBD_QUEUE;
	k->count--;
	update(k, true);
	return b;
}

static void
controller_cmd(struct vkbd *k, uint8_t cmd)
{
	switch (cmd) {
	case 0x20:		/* read configuration byte */
		push(k, k->cmdbyte, true);
		break;
	case 0x60:		/* write configuration byte: data follows */
	case 0xD1:		/* write output port: data follows */
	case 0xD2:		/* write keyboard output buffer: data follows */
		k->pending = cmd;
		break;
	case 0xAA:		/* controller self-test */
		push(k, 0x55, true);
		break;
	case 0xA7:		/* disable the mouse port */
		k->cmdbyte |= CB_AUX_DISABLE;
		break;
	case 0xA8:		/* enable the mouse port */
		k->cmdbyte &= ~CB_AUX_DISABLE;
		break;
	case 0xA9:		/* mouse interface test */
	case 0xAB:		/* keyboard interface test */
		push(k, 0x00, true);	/* no error */
		break;
	case 0xAD:
		k->cmdbyte |= CB_DISABLE;
		break;
	case 0xAE:
		k->cmdbyte &= ~CB_DISABLE;
		break;
	case 0xD0:		/* read output port */
		push(k, k->outport, true);
		break;
	default:		/* mouse, reset pulse (0xFE), ...: ignored */
		break;
	}
}

static void
keyboard_cmd(struct vkbd *k, uint8_t b)
{
	if (k->kbd_pending) {	/* the argument of LEDs, typematic, scan set */
		k->kbd_pending = 0;
		push(k, KBD_ACK, false);
		return;
	}
	switch (b) {
	case 0xED: case 0xF3: case 0xF0:
		k->kbd_pending = b;
		push(k, KBD_ACK, false);
		break;
	case 0xEE:		/* echo */
		push(k, 0xEE, false);
		break;
	case 0xF2:		/* identify: an MF2 keyboard */
		push(k, KBD_ACK, false);
		push(k, 0xAB, false);
		push(k, 0x41, false);
		break;
	case 0xFF:		/* reset and self-test */
		push(k, KBD_ACK, false);
		push(k, 0xAA, false);
		break;
	default:
		push(k, KBD_ACK, false);
	}
}

void
vkbd_write(struct vkbd *k, uint16_t port, uint8_t val)
{
	if (port == VKBD_STATUS) {
		controller_cmd(k, val);
	} else {
		switch (k->pending) {
		case 0x60:
			k->cmdbyte = val;
			break;
		case 0xD1:
			k->outport = val | OUT_RESET;	/* never hold the CPU in reset */
			break;
		case 0xD2:
			push(k, val, false);
			break;
		default:
			keyboard_cmd(k, val);
		}
		k->pending = 0;
	}
	update(k, false);
}

bool
vkbd_input(struct vkbd *k, uint8_t scancode)
{
	if (k->count == VKBD_QUEUE || (k->cmdbyte & CB_DISABLE)) {
		k->dropped++;
		return false;
	}
	push(k, scancode, false);
	update(k, false);
	return true;
}
