/*
 * vide.h - the primary IDE channel (0x1F0-0x1F7, control 0x3F6, IRQ 14)
 * with a master and a slave disk, by programmed I/O.
 */
#ifndef VMM_DEV_IDE_H
#define VMM_DEV_IDE_H

#include "kern/types.h"
#include "vmm/dev/virq.h"

#define VIDE_BASE	0x1F0
#define VIDE_CTRL	0x3F6
#define VIDE_IRQ	14
#define VIDE_SECTOR	512
#define VIDE_HEADS	16	/* the geometry IDENTIFY reports */
#define VIDE_SPT	63

/* One drive: its image and its own copy of the taskfile. */
struct vide_drive {
	uint8_t *data;		/* the image, through the direct map */
	uint32_t sectors;
	bool present;
	bool readonly;
	uint8_t error, nsect, lba0, lba1, lba2, status;
	uint8_t hob_nsect, hob_lba0, hob_lba1, hob_lba2;	/* LBA48's high bytes */
	uint8_t heads, spt;	/* CHS translation (INITIALIZE DEVICE PARAMETERS) */
	uint8_t mult;		/* READ/WRITE MULTIPLE's block, 0 if disabled */
};

enum vide_xfer { VIDE_IDLE, VIDE_PIO_IN, VIDE_PIO_OUT };

struct vide {
	struct vide_drive drive[2];
	uint8_t feature, select, ctrl;
	enum vide_xfer xfer;
	int xfer_unit;		/* the drive moving data */
	uint8_t buf[VIDE_SECTOR];
	unsigned pos;		/* bytes of buf transferred */
	uint32_t lba;		/* the sector in buf */
	uint32_t left;		/* sectors still to move, buf's included */
	unsigned block;		/* sectors per DRQ block: 1, or the multiple */
	unsigned block_left;	/* sectors left in this block, buf's included */
	bool lba48;		/* the command's address is 48 bits */
	bool write_cmd;		/* buf is bound for the disk */
	bool identify;		/* buf holds IDENTIFY data, not a sector */
	struct virq irq;
	int level;
	uint64_t sectors_read, sectors_written;
};

/** @brief Reset the channel; drives come from vplat_init's config. */
void vide_init(struct vide *d, struct virq irq);
/** @brief Attach a @p bytes-byte image at @p data as drive @p n (0 master, 1 slave). */
void vide_attach(struct vide *d, int n, uint8_t *data, uint32_t bytes, bool readonly);
/** @brief Leave the channel as a PC BIOS's probe of its drives leaves it. */
void vide_after_bios(struct vide *d);
/** @brief The geometry a disk of @p sectors reports: cylinders, heads, sectors per track. */
void vide_geometry(uint32_t sectors, uint16_t *cyls, uint8_t *heads, uint8_t *spt);
/** @brief Guest read of @p size (1, 2 or 4) bytes at port 0x1F0-0x1F7 or 0x3F6. */
uint32_t vide_read(struct vide *d, uint16_t port, int size);
/** @brief Guest write of @p size bytes of @p val at port 0x1F0-0x1F7 or 0x3F6. */
void vide_write(struct vide *d, uint16_t port, int size, uint32_t val);

#endif
