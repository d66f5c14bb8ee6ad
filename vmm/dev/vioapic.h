/*
 * vioapic.h - the I/O APIC model (MMIO at 0xFEC00000), 24 pins.
 */
#ifndef VMM_DEV_IOAPIC_H
#define VMM_DEV_IOAPIC_H

#include "kern/types.h"
#include "vmm/dev/vlapic.h"

#define VIOAPIC_BASE	0xFEC00000u
#define VIOAPIC_ID	1		/* the MP table says the same */
#define VIOAPIC_PINS	24
#define VIOAPIC_VERSION	(((VIOAPIC_PINS - 1) << 16) | 0x20)

struct vioapic {
	uint32_t id;
	uint32_t sel;		/* IOREGSEL */
	uint64_t redir[VIOAPIC_PINS];
	uint32_t lines;		/* input levels, for edge detection */
	struct vlapic *lapic;	/* the one CPU messages go to */
	uint64_t delivered;
};

/** @brief Reset the IOAPIC (every pin masked), delivering to @p lapic. */
void vioapic_init(struct vioapic *io, struct vlapic *lapic);
/** @brief Guest 32-bit read at @p offset in the page (0x00 IOREGSEL, 0x10 IOWIN). */
uint32_t vioapic_read(struct vioapic *io, uint32_t offset);
/** @brief Guest 32-bit write at @p offset in the page. */
void vioapic_write(struct vioapic *io, uint32_t offset, uint32_t val);
/** @brief Input pin @p pin is now at @p level. */
void vioapic_set_irq(struct vioapic *io, int pin, int level);
/** @brief The LAPIC finished a level-triggered @p vector: rearm pins using it. */
void vioapic_eoi(struct vioapic *io, int vector);

#endif
