/*
 * ide.c - the primary ATA channel, programmed I/O only.
 *
 * guest_xv6's file system lives on the primary slave: it probes the slave
 * by selecting it and reading status, issues READ SECTORS and WRITE
 * SECTORS with LBA28 addresses, waits for IRQ 14 and moves the data with
 * `rep insl` / `rep outsl` on the data port.  The paper's section 2: a
 * VMM emulates every device the guest touches; the disk is where a trap
 * per dword of data makes the cost of trap-and-emulate plain.
 *
 * Taskfile and status bits are the ATA-2 standard's.  The drives are
 * memory buffers, so every command completes at once: status never shows
 * BSY to the guest, DRQ is set as soon as data may move, and the
 * interrupt is raised when the standard says it is (each sector of data
 * ready to read; each sector written but the first; command done).
 * Reading the status register clears the interrupt, the alternate status
 * (0x3F6) does not; nIEN in the device control register gates the line.
 */
#include "vmm/dev/vide.h"
#include "kern/string.h"

#define REG_DATA	0
#define REG_ERROR	1	/* read; FEATURES on write */
#define REG_NSECT	2
#define REG_LBA0	3
#define REG_LBA1	4
#define REG_LBA2	5
#define REG_SELECT	6
#define REG_STATUS	7	/* read; COMMAND on write */

#define ST_ERR		0x01
#define ST_DRQ		0x08
#define ST_DSC		0x10
#define ST_DRDY		0x40
#define ST_BSY		0x80
#define ERR_ABRT	0x04
#define ERR_IDNF	0x10
#define SEL_LBA		0x40
#define SEL_SLAVE	0x10
#define CTRL_NIEN	0x02
#define CTRL_SRST	0x04

/* The geometry IDENTIFY reports and CHS addresses are translated with. */
#define HEADS		16
#define SPT		63

#define CMD_READ	0x20
#define CMD_READ_NR	0x21
#define CMD_WRITE	0x30
#define CMD_WRITE_NR	0x31
#define CMD_VERIFY	0x40
#define CMD_VERIFY_NR	0x41
#define CMD_DIAG	0x90
#define CMD_INITPARAM	0x91
#define CMD_POWER	0xE5
#define CMD_FLUSH	0xE7
#define CMD_IDENTIFY	0xEC
#define CMD_FEATURES	0xEF

static struct vide_drive *
selected(struct vide *d)
{
	return &d->drive[(d->select & SEL_SLAVE) ? 1 : 0];
}

static void
update(struct vide *d)
{
	int level = d->intrq && !(d->ctrl & CTRL_NIEN);

	if (level != d->level) {
		d->level = level;
		virq_set(&d->irq, level);
	}
}

static void
interrupt(struct vide *d)
{
	d->intrq = true;
	update(d);
}

/* After reset, or EXECUTE DEVICE DIAGNOSTIC: the ATA signature in the taskfile. */
static void
signature(struct vide *d)
{
	d->nsect = 1;
	d->lba0 = 1;
	d->lba1 = d->lba2 = 0;
	d->error = 0x01;	/* no error detected */
	d->status = ST_DRDY | ST_DSC;
	d->xfer = VIDE_IDLE;
}

void
vide_init(struct vide *d, struct virq irq)
{
	memset(d, 0, sizeof(*d));
	d->irq = irq;
	d->select = 0xA0;
	signature(d);
}

void
vide_attach(struct vide *d, int n, uint8_t *data, uint32_t bytes, bool readonly)
{
	struct vide_drive *dr = &d->drive[n & 1];

	dr->data = data;
	dr->sectors = bytes / VIDE_SECTOR;
	dr->present = data != NULL;
	dr->readonly = readonly;
}

static uint32_t
address(const struct vide *d)
{
	uint32_t cyl = (uint32_t) d->lba2 << 8 | d->lba1;

	if (d->select & SEL_LBA)
		return (uint32_t) (d->select & 0x0F) << 24 | (uint32_t) d->lba2 << 16 |
		    (uint32_t) d->lba1 << 8 | d->lba0;
	if (d->lba0 == 0)
		return 0xFFFFFFFF;	/* sector 0 does not exist in CHS */
	return (cyl * HEADS + (d->select & 0x0F)) * SPT + d->lba0 - 1;
}

static void
abort_cmd(struct vide *d, uint8_t err)
{
	d->error = err;
	d->status = ST_DRDY | ST_DSC | ST_ERR;
	d->xfer = VIDE_IDLE;
	interrupt(d);
}

/* An ATA string: two characters per word, the first in the high byte, space padded. */
static void
id_string(uint8_t *buf, int word, int nwords, const char *s)
{
	int i;
	char c;

	for (i = 0; i < 2 * nwords; i++) {
		c = *s ? *s++ : ' ';
		buf[2 * word + (i ^ 1)] = c;
	}
}

static void
id_word(uint8_t *buf, int word, uint16_t v)
{
	buf[2 * word] = v & 0xFF;
	buf[2 * word + 1] = v >> 8;
}

static void
identify(struct vide *d, const struct vide_drive *dr)
{
	uint32_t cyls = dr->sectors / (HEADS * SPT);

	memset(d->buf, 0, sizeof(d->buf));
	id_word(d->buf, 0, 0x0040);		/* fixed disk */
	id_word(d->buf, 1, cyls > 16383 ? 16383 : cyls);
	id_word(d->buf, 3, HEADS);
	id_word(d->buf, 6, SPT);
	id_string(d->buf, 10, 10, "VMM-DISK-0001");
	id_string(d->buf, 23, 4, "1.0");
	id_string(d->buf, 27, 20, "Teaching VMM IDE disk");
	id_word(d->buf, 47, 0x8001);		/* READ/WRITE MULTIPLE: 1 sector */
	id_word(d->buf, 49, 0x0200);		/* LBA supported */
	id_word(d->buf, 53, 0x0001);		/* words 54-58 valid */
	id_word(d->buf, 54, cyls > 16383 ? 16383 : cyls);
	id_word(d->buf, 55, HEADS);
	id_word(d->buf, 56, SPT);
	id_word(d->buf, 60, dr->sectors & 0xFFFF);	/* LBA28 capacity */
	id_word(d->buf, 61, (dr->sectors >> 16) & 0x0FFF);
	id_word(d->buf, 80, 0x001E);		/* ATA-1 to ATA-4 */
	d->pos = 0;
	d->left = 1;
	d->write_cmd = false;
	d->xfer = VIDE_PIO_IN;
	d->status = ST_DRDY | ST_DSC | ST_DRQ;
	interrupt(d);
}

/* Put sector d->lba in the buffer for the guest to read, and say so. */
static void
next_read(struct vide *d)
{
	const struct vide_drive *dr = selected(d);

	memcpy(d->buf, dr->data + (size_t) d->lba * VIDE_SECTOR, VIDE_SECTOR);
	d->pos = 0;
	d->xfer = VIDE_PIO_IN;
	d->status = ST_DRDY | ST_DSC | ST_DRQ;
	d->sectors_read++;
	interrupt(d);
}

static void
command(struct vide *d, uint8_t cmd)
{
	struct vide_drive *dr = selected(d);
	uint32_t n = d->nsect ? d->nsect : 256;

	if (!dr->present)
		return;		/* nobody listens: the absent drive's status stays 0 */
	d->intrq = false;
	update(d);
	d->error = 0;
	switch (cmd) {
	case CMD_READ:
	case CMD_READ_NR:
	case CMD_WRITE:
	case CMD_WRITE_NR:
	case CMD_VERIFY:
	case CMD_VERIFY_NR:
		d->lba = address(d);
		if (d->lba >= dr->sectors || n > dr->sectors - d->lba) {
			abort_cmd(d, ERR_IDNF);
			return;
		}
		if ((cmd & 0xF0) == CMD_VERIFY) {
			d->status = ST_DRDY | ST_DSC;
			interrupt(d);
			return;
		}
		d->left = n;
		if (cmd == CMD_READ || cmd == CMD_READ_NR) {
			d->write_cmd = false;
			next_read(d);
			return;
		}
		if (dr->readonly) {
			abort_cmd(d, ERR_ABRT);
			return;
		}
		/* PIO out: DRQ at once, no interrupt before the first sector. */
		d->write_cmd = true;
		d->pos = 0;
		d->xfer = VIDE_PIO_OUT;
		d->status = ST_DRDY | ST_DSC | ST_DRQ;
		return;
	case CMD_IDENTIFY:
		identify(d, dr);
		return;
	case CMD_DIAG:
		signature(d);
		interrupt(d);
		return;
	case CMD_POWER:
		d->nsect = 0xFF;	/* active */
		/* fall through */
	case CMD_INITPARAM:
	case CMD_FLUSH:
	case CMD_FEATURES:
		d->status = ST_DRDY | ST_DSC;
		interrupt(d);
		return;
	default:
		if ((cmd & 0xF0) == 0x10) {	/* RECALIBRATE */
			d->status = ST_DRDY | ST_DSC;
			interrupt(d);
			return;
		}
		abort_cmd(d, ERR_ABRT);
	}
}

/* A full sector has moved through the data port. */
static void
sector_done(struct vide *d)
{
	struct vide_drive *dr = selected(d);

	if (d->write_cmd) {
		memcpy(dr->data + (size_t) d->lba * VIDE_SECTOR, d->buf, VIDE_SECTOR);
		d->sectors_written++;
	}
	d->lba++;
	d->left--;
	d->nsect--;
	if (d->left == 0) {
		d->xfer = VIDE_IDLE;
		d->status = ST_DRDY | ST_DSC;
		if (d->write_cmd)
			interrupt(d);
		return;
	}
	if (d->write_cmd) {
		d->pos = 0;
		d->status = ST_DRDY | ST_DSC | ST_DRQ;
		interrupt(d);
	} else {
		next_read(d);
	}
}

static uint32_t
data_in(struct vide *d, int size)
{
	uint32_t v = 0;
	int i;

	if (d->xfer != VIDE_PIO_IN)
		return size == 4 ? 0xFFFFFFFF : 0xFFFF;
	for (i = 0; i < size && d->pos < VIDE_SECTOR; i++)
		v |= (uint32_t) d->buf[d->pos++] << (8 * i);
	if (d->pos == VIDE_SECTOR)
		sector_done(d);
	return v;
}

static void
data_out(struct vide *d, int size, uint32_t v)
{
	int i;

	if (d->xfer != VIDE_PIO_OUT)
		return;
	for (i = 0; i < size && d->pos < VIDE_SECTOR; i++)
		d->buf[d->pos++] = v >> (8 * i);
	if (d->pos == VIDE_SECTOR)
		sector_done(d);
}

static bool
any_drive(const struct vide *d)
{
	return d->drive[0].present || d->drive[1].present;
}

uint32_t
vide_read(struct vide *d, uint16_t port, int size)
{
	if (!any_drive(d))
		return size == 4 ? 0xFFFFFFFF : size == 2 ? 0xFFFF : 0xFF;	/* floating bus */
	if (port == VIDE_CTRL)
		return selected(d)->present ? d->status : 0;
	switch (port - VIDE_BASE) {
	case REG_DATA:
		return data_in(d, size);
	case REG_ERROR:
		return d->error;
	case REG_NSECT:
		return d->nsect;
	case REG_LBA0:
		return d->lba0;
	case REG_LBA1:
		return d->lba1;
	case REG_LBA2:
		return d->lba2;
	case REG_SELECT:
		return d->select;
	case REG_STATUS:
		if (!selected(d)->present)
			return 0;
		d->intrq = false;
		update(d);
		return d->status;
	}
	return 0xFF;
}

void
vide_write(struct vide *d, uint16_t port, int size, uint32_t val)
{
	uint8_t v = val;

	if (port == VIDE_CTRL) {
		if ((v & CTRL_SRST) && !(d->ctrl & CTRL_SRST)) {
			d->status = ST_BSY;
			d->xfer = VIDE_IDLE;
		} else if (!(v & CTRL_SRST) && (d->ctrl & CTRL_SRST)) {
			d->select = 0xA0;
			signature(d);
		}
		d->ctrl = v;
		update(d);
		return;
	}
	/* Both drives latch every taskfile write; only the selected one acts. */
	switch (port - VIDE_BASE) {
	case REG_DATA:
		data_out(d, size, val);
		break;
	case REG_ERROR:
		d->feature = v;
		break;
	case REG_NSECT:
		d->nsect = v;
		break;
	case REG_LBA0:
		d->lba0 = v;
		break;
	case REG_LBA1:
		d->lba1 = v;
		break;
	case REG_LBA2:
		d->lba2 = v;
		break;
	case REG_SELECT:
		d->select = v | 0xA0;	/* bits 5 and 7 read as one on old drives */
		break;
	case REG_STATUS:
		command(d, v);
		break;
	}
}
