/*
 * vpit.h - the 8253/8254 interval timer (ports 0x40-0x43, IRQ 0) and the
 * bits of port 0x61 that gate and read its channel 2.
 */
#ifndef VMM_DEV_PIT_H
#define VMM_DEV_PIT_H

#include "kern/types.h"
#include "vmm/dev/virq.h"

#define VPIT_HZ		1193182ULL	/* the PC's PIT input clock */
#define VPIT_IRQ	0

struct vpit_chan {
	uint32_t reload;	/* 1-65536 (a written 0 means 65536) */
	uint8_t mode;		/* 0-5 */
	uint8_t access;		/* 1 lobyte, 2 hibyte, 3 lobyte then hibyte */
	bool bcd;		/* reported in the status; QEMU counts in binary */
	bool write_hi;		/* lo/hi: the next write is the high byte */
	bool read_hi;		/* lo/hi: the next read is the high byte */
	uint8_t write_lo;	/* the low byte, held until the high one */
	bool latched;		/* a counter latch is being read */
	uint16_t latch;
	bool latch_hi;		/* lo/hi: the latch's high byte is next */
	bool status_latched;
	uint8_t status;
	bool armed;		/* a count has been loaded */
	bool gate;		/* its rising edge restarts modes 1, 2, 3 and 5 */
	uint64_t start_ns;	/* when the count was loaded */
	uint64_t fired;		/* periods whose interrupt has been raised */
};

struct vpit {
	struct vpit_chan ch[3];
	struct virq irq;
	uint64_t now_ns;
	uint8_t port61;		/* bits 0-1 as written, bit 4 the refresh toggle */
	uint64_t irqs;		/* IRQ 0 edges raised */
};

/** @brief Reset the PIT at virtual time @p now_ns; channel 0 drives @p irq. */
void vpit_init(struct vpit *p, struct virq irq, uint64_t now_ns);
/** @brief Guest read of port 0x40-0x43 (or 0x61). */
uint8_t vpit_read(struct vpit *p, uint16_t port);
/** @brief Guest write of @p val to port 0x40-0x43 (or 0x61). */
void vpit_write(struct vpit *p, uint16_t port, uint8_t val);
/** @brief Bring the PIT to @p now_ns, raising IRQ 0 for every period that ended. */
void vpit_advance(struct vpit *p, uint64_t now_ns);
/** @brief The virtual time of channel 0's next interrupt, or UINT64_MAX. */
uint64_t vpit_deadline(const struct vpit *p);

#endif
