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
 * Kernels written for QEMU's pc machine rely on more than xv6 does, so
 * the channel behaves as QEMU's does wherever a guest can tell (measured
 * on bare QEMU by grade/guests/conf_dev.c; the ATA standard where QEMU
 * agrees with it):
 *
 *   - Each drive has its own taskfile; both latch every register write,
 *     only the selected one runs a command, and reads show its copy.
 *     LBA48's high bytes are each register's previous value, read with
 *     HOB set in the device control register.
 *   - A master that is absent while a slave is present still answers: it
 *     refuses (ABRT) every command that needs a medium and completes the
 *     others.  An absent slave reads status 0 and ignores commands; a
 *     channel with no drive at all reads 0 everywhere.
 *   - Data commands update the address and count registers as each block
 *     reaches the buffer (reads) or leaves it (writes), and check the
 *     range sector by sector: an address past the end aborts when the
 *     transfer gets there.
 *   - A command written while the drive shows DRQ is ignored.
 *   - IRQ 14 is raised by an event (a block ready, a command done or
 *     refused) unless nIEN is set at that moment, and lowered only by a
 *     read of the status register: nIEN does not pull a raised line down.
 *
 * The drives are memory buffers, so every command completes at once:
 * status never shows BSY, and a block is ready as soon as it is asked for.
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
#define ST_READY	(ST_DRDY | ST_DSC)
#define ERR_ABRT	0x04
#define SEL_LBA		0x40
#define SEL_SLAVE	0x10
#define CTRL_NIEN	0x02
#define CTRL_SRST	0x04
#define CTRL_HOB	0x80

#define MAX_MULT	16	/* READ/WRITE MULTIPLE's largest block */
#define MAX_CYLS	16383
#define NO_SECTOR	0xFFFFFFFFu	/* an address that names no sector */

#define CMD_NOP		0x00
#define CMD_RECAL	0x10
#define CMD_READ	0x20
#define CMD_READ_NR	0x21
#define CMD_READ_EXT	0x24
#define CMD_MAX_EXT	0x27	/* READ NATIVE MAX ADDRESS EXT */
#define CMD_READ_MULT_EXT 0x29
#define CMD_WRITE	0x30
#define CMD_WRITE_NR	0x31
#define CMD_WRITE_EXT	0x34
#define CMD_WRITE_MULT_EXT 0x39
#define CMD_VERIFY	0x40
#define CMD_VERIFY_NR	0x41
#define CMD_VERIFY_EXT	0x42
#define CMD_SEEK	0x70
#define CMD_DIAG	0x90
#define CMD_INITPARAM	0x91
#define CMD_CHECK_OLD	0x98	/* CHECK POWER MODE's pre-ATA-4 code */
#define CMD_READ_MULT	0xC4
#define CMD_WRITE_MULT	0xC5
#define CMD_SET_MULT	0xC6
#define CMD_CHECK_POWER	0xE5
#define CMD_FLUSH	0xE7
#define CMD_FLUSH_EXT	0xEA
#define CMD_IDENTIFY	0xEC
#define CMD_FEATURES	0xEF
#define CMD_FREEZE	0xF5	/* SECURITY FREEZE LOCK */
#define CMD_MAX		0xF8	/* READ NATIVE MAX ADDRESS */

static int
unit(const struct vide *d)
{
	return (d->select & SEL_SLAVE) ? 1 : 0;
}

static struct vide_drive *
selected(struct vide *d)
{
	return &d->drive[unit(d)];
}

static bool
any_drive(const struct vide *d)
{
	return d->drive[0].present || d->drive[1].present;
}

/* An event interrupts unless nIEN holds it back at that moment. */
static void
raise_irq(struct vide *d)
{
	if ((d->ctrl & CTRL_NIEN) || d->level)
		return;
	d->level = 1;
	virq_set(&d->irq, 1);
}

static void
lower_irq(struct vide *d)
{
	if (!d->level)
		return;
	d->level = 0;
	virq_set(&d->irq, 0);
}

/* After a reset or EXECUTE DEVICE DIAGNOSTIC: the signature in the taskfile. */
static void
signature(struct vide_drive *dr)
{
	dr->nsect = 1;
	dr->lba0 = 1;
	/* An ATA disk's signature is 0, 0; QEMU's empty position gives all ones. */
	dr->lba1 = dr->lba2 = dr->present ? 0 : 0xFF;
	dr->hob_nsect = dr->hob_lba0 = dr->hob_lba1 = dr->hob_lba2 = 0;
	dr->error = 0x01;	/* no error detected */
	dr->status = ST_READY;
}

static void
drive_reset(struct vide_drive *dr)
{
	signature(dr);
	dr->mult = MAX_MULT;
}

void
vide_init(struct vide *d, struct virq irq)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->irq = irq;
	d->select = 0xA0;
	for (i = 0; i < 2; i++) {
		d->drive[i].heads = VIDE_HEADS;
		d->drive[i].spt = VIDE_SPT;
		drive_reset(&d->drive[i]);
	}
}

void
vide_attach(struct vide *d, int n, uint8_t *data, uint32_t bytes, bool readonly)
{
	struct vide_drive *dr = &d->drive[n & 1];

	dr->data = data;
	dr->sectors = bytes / VIDE_SECTOR;
	dr->present = data != NULL;
	dr->readonly = readonly;
	signature(dr);
}

/*
 * What a guest finds on QEMU: its BIOS has sent IDENTIFY to both
 * positions, last to the slave, so a present drive shows a clean
 * completion and an absent master the refusal (DRDY, ERR, ABRT).
 */
void
vide_after_bios(struct vide *d)
{
	struct vide_drive *dr;
	int i;

	if (!any_drive(d))
		return;
	for (i = 0; i < 2; i++) {
		dr = &d->drive[i];
		dr->nsect = dr->lba0 = dr->lba1 = dr->lba2 = 0;
		dr->error = dr->present ? 0 : ERR_ABRT;
		dr->status = dr->present ? ST_READY : ST_DRDY | ST_ERR;
	}
	d->select = 0xA0 | SEL_SLAVE;
}

void
vide_geometry(uint32_t sectors, uint16_t *cyls, uint8_t *heads, uint8_t *spt)
{
	uint32_t c = sectors / (VIDE_HEADS * VIDE_SPT);

	/* QEMU reports at least 2 cylinders, however small the disk. */
	*cyls = c < 2 ? 2 : c > MAX_CYLS ? MAX_CYLS : c;
	*heads = VIDE_HEADS;
	*spt = VIDE_SPT;
}

/* The command's first sector, or NO_SECTOR. */
static uint32_t
address(const struct vide *d, const struct vide_drive *dr)
{
	uint32_t cyl = (uint32_t) dr->lba2 << 8 | dr->lba1;

	if (d->lba48) {
		if (dr->hob_lba1 || dr->hob_lba2)
			return NO_SECTOR;	/* beyond 2^32 sectors: past any image */
		return (uint32_t) dr->hob_lba0 << 24 | (uint32_t) dr->lba2 << 16 |
		    (uint32_t) dr->lba1 << 8 | dr->lba0;
	}
	if (d->select & SEL_LBA)
		return (uint32_t) (d->select & 0x0F) << 24 | (uint32_t) dr->lba2 << 16 |
		    (uint32_t) dr->lba1 << 8 | dr->lba0;
	if (dr->lba0 == 0 || dr->lba0 > dr->spt || (d->select & 0x0F) >= dr->heads)
		return NO_SECTOR;	/* no such sector in CHS */
	return (cyl * dr->heads + (d->select & 0x0F)) * dr->spt + dr->lba0 - 1;
}

/* Write sector @lba back into the address registers, in the command's form. */
static void
set_address(struct vide *d, struct vide_drive *dr, uint32_t lba)
{
	uint32_t track, cyl;

	if (d->lba48) {
		dr->lba0 = lba;
		dr->lba1 = lba >> 8;
		dr->lba2 = lba >> 16;
		dr->hob_lba0 = lba >> 24;
		dr->hob_lba1 = dr->hob_lba2 = 0;
	} else if (d->select & SEL_LBA) {
		dr->lba0 = lba;
		dr->lba1 = lba >> 8;
		dr->lba2 = lba >> 16;
		d->select = (d->select & 0xF0) | ((lba >> 24) & 0x0F);
	} else if (dr->spt) {	/* a guest may have set 0 sectors per track */
		track = lba / dr->spt;
		cyl = track / dr->heads;
		dr->lba0 = lba % dr->spt + 1;
		dr->lba1 = cyl;
		dr->lba2 = cyl >> 8;
		d->select = (d->select & 0xF0) | (track % dr->heads);
	}
}

static void
set_count(struct vide *d, struct vide_drive *dr, uint32_t n)
{
	dr->nsect = n;
	if (d->lba48)
		dr->hob_nsect = n >> 8;
}

/* The command's sector count: 0 means the most the form allows. */
static uint32_t
count(const struct vide *d, const struct vide_drive *dr)
{
	uint32_t n = d->lba48 ? (uint32_t) dr->hob_nsect << 8 | dr->nsect : dr->nsect;

	return n ? n : d->lba48 ? 65536 : 256;
}

static void
finish(struct vide *d, struct vide_drive *dr, uint8_t status)
{
	if (dr == &d->drive[d->xfer_unit])
		d->xfer = VIDE_IDLE;
	dr->status = status;
	raise_irq(d);
}

static void
abort_cmd(struct vide *d, struct vide_drive *dr)
{
	dr->error = ERR_ABRT;
	finish(d, dr, ST_DRDY | ST_ERR);
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

/* IDENTIFY DEVICE: the words guests read, with the values QEMU reports. */
static void
identify(struct vide *d, struct vide_drive *dr)
{
	uint32_t lba28 = dr->sectors > 0x0FFFFFFF ? 0x0FFFFFFF : dr->sectors;
	uint16_t cyls;
	uint8_t heads, spt;

	vide_geometry(dr->sectors, &cyls, &heads, &spt);
	memset(d->buf, 0, sizeof(d->buf));
	id_word(d->buf, 0, 0x0040);		/* fixed disk */
	id_word(d->buf, 1, cyls);
	id_word(d->buf, 3, heads);
	id_word(d->buf, 6, spt);
	id_string(d->buf, 10, 10, "VMM-DISK-0001");
	id_string(d->buf, 23, 4, "1.0");
	id_string(d->buf, 27, 20, "Teaching VMM IDE disk");
	id_word(d->buf, 47, 0x8000 | MAX_MULT);	/* READ/WRITE MULTIPLE */
	id_word(d->buf, 49, 0x0200);		/* LBA; no DMA here */
	id_word(d->buf, 51, 0x0200);		/* PIO timing mode 2 */
	id_word(d->buf, 53, 0x0003);		/* words 54-58 and 64-70 valid */
	id_word(d->buf, 54, cyls);		/* current geometry */
	id_word(d->buf, 55, heads);
	id_word(d->buf, 56, spt);
	id_word(d->buf, 57, (uint32_t) cyls * heads * spt);
	id_word(d->buf, 58, ((uint32_t) cyls * heads * spt) >> 16);
	id_word(d->buf, 59, dr->mult ? 0x0100 | dr->mult : 0);
	id_word(d->buf, 60, lba28);		/* LBA28 capacity */
	id_word(d->buf, 61, lba28 >> 16);
	id_word(d->buf, 64, 0x0003);		/* PIO modes 3 and 4 */
	id_word(d->buf, 65, 120);		/* cycle times, ns */
	id_word(d->buf, 66, 120);
	id_word(d->buf, 67, 120);
	id_word(d->buf, 68, 120);
	id_word(d->buf, 80, 0x00F0);		/* ATA-4 to ATA-7 */
	id_word(d->buf, 82, 0x4020);		/* write cache */
	id_word(d->buf, 83, 0x7400);		/* LBA48, FLUSH CACHE (EXT) */
	id_word(d->buf, 84, 0x4000);
	id_word(d->buf, 85, 0x4020);		/* write cache enabled */
	id_word(d->buf, 86, 0x3400);		/* LBA48, FLUSH CACHE (EXT) enabled */
	id_word(d->buf, 87, 0x4000);
	id_word(d->buf, 100, dr->sectors);	/* LBA48 capacity */
	id_word(d->buf, 101, dr->sectors >> 16);
	d->identify = true;
	d->pos = 0;
	d->left = d->block = d->block_left = 1;
	d->xfer = VIDE_PIO_IN;
	dr->status = ST_READY | ST_DRQ;
	raise_irq(d);
}

/* Put sector d->lba in the buffer for the guest to read. */
static void
load_sector(struct vide *d, const struct vide_drive *dr)
{
	memcpy(d->buf, dr->data + (size_t) d->lba * VIDE_SECTOR, VIDE_SECTOR);
	d->pos = 0;
	d->sectors_read++;
}

/* The next block of a read reaches the buffer: checked, counted, announced. */
static void
read_block(struct vide *d, struct vide_drive *dr)
{
	uint32_t n = d->left < d->block ? d->left : d->block;

	if (d->lba >= dr->sectors || n > dr->sectors - d->lba) {
		abort_cmd(d, dr);
		return;
	}
	d->block_left = n;
	set_address(d, dr, d->lba + n);
	set_count(d, dr, d->left - n);
	load_sector(d, dr);
	d->xfer = VIDE_PIO_IN;
	dr->status = ST_READY | ST_DRQ;
	raise_irq(d);
}

static void
start_transfer(struct vide *d, struct vide_drive *dr, unsigned block, bool write)
{
	if (block == 0) {
		abort_cmd(d, dr);	/* MULTIPLE with the multiple disabled */
		return;
	}
	d->lba = address(d, dr);
	d->left = count(d, dr);
	d->block = block;
	d->write_cmd = write;
	d->xfer_unit = unit(d);
	if (!write) {
		read_block(d, dr);
		return;
	}
	if (dr->readonly) {
		abort_cmd(d, dr);
		return;
	}
	/* PIO out: DRQ at once, no interrupt before the first block. */
	d->block_left = d->left < block ? d->left : block;
	d->pos = 0;
	d->xfer = VIDE_PIO_OUT;
	dr->status = ST_READY | ST_DRQ;
}

/* A full sector has moved through the data port. */
static void
sector_done(struct vide *d)
{
	struct vide_drive *dr = &d->drive[d->xfer_unit];

	if (d->identify) {
		d->identify = false;
		d->xfer = VIDE_IDLE;
		dr->status = ST_READY;
		return;
	}
	if (d->write_cmd) {
		if (d->lba >= dr->sectors) {
			abort_cmd(d, dr);
			return;
		}
		memcpy(dr->data + (size_t) d->lba * VIDE_SECTOR, d->buf, VIDE_SECTOR);
		d->sectors_written++;
	}
	d->lba++;
	d->left--;
	d->block_left--;
	if (!d->write_cmd) {
		if (d->left == 0) {
			d->xfer = VIDE_IDLE;
			dr->status = ST_READY;
		} else if (d->block_left > 0) {
			load_sector(d, dr);
		} else {
			read_block(d, dr);
		}
		return;
	}
	d->pos = 0;
	if (d->block_left > 0)
		return;
	set_address(d, dr, d->lba);
	set_count(d, dr, d->left);
	if (d->left == 0) {
		finish(d, dr, ST_READY);
		return;
	}
	d->block_left = d->left < d->block ? d->left : d->block;
	dr->status = ST_READY | ST_DRQ;
	raise_irq(d);
}

/* SET FEATURES subcommands QEMU's disks accept; the rest are refused. */
static bool
feature_ok(uint8_t f)
{
	static const uint8_t ok[] = {
		0x02, 0x03, 0x05, 0x42, 0x55, 0x66, 0x67, 0x69,
		0x82, 0x85, 0x96, 0x9A, 0xAA, 0xC2, 0xCC,
	};
	unsigned i;

	for (i = 0; i < sizeof(ok); i++)
		if (ok[i] == f)
			return true;
	return false;
}

/* Commands that need no medium: an empty master position still runs them. */
static bool
no_medium_ok(uint8_t cmd)
{
	switch (cmd) {
	case CMD_RECAL: case CMD_VERIFY: case CMD_VERIFY_NR: case CMD_VERIFY_EXT:
	case CMD_SEEK: case CMD_DIAG: case CMD_CHECK_OLD: case CMD_SET_MULT:
	case CMD_CHECK_POWER: case CMD_FLUSH: case CMD_FLUSH_EXT: case CMD_FREEZE:
	case 0x94: case 0x95: case 0x96: case 0x97: case 0x99:
	case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE6:
		return true;
	}
	return false;
}

/* The standby and idle family: done, and the drive no longer claims DSC. */
static bool
power_cmd(uint8_t cmd)
{
	return (cmd >= 0x94 && cmd <= 0x97) || cmd == 0x99 ||
	    (cmd >= 0xE0 && cmd <= 0xE3) || cmd == 0xE6;
}

static void
command(struct vide *d, uint8_t cmd)
{
	struct vide_drive *dr = selected(d);

	if (!dr->present && (unit(d) == 1 || !any_drive(d)))
		return;		/* nobody answers at an empty slave position */
	if (dr->status & (ST_BSY | ST_DRQ))
		return;		/* busy with the last command: QEMU ignores this one */
	lower_irq(d);
	dr->error = 0;
	d->lba48 = cmd == CMD_READ_EXT || cmd == CMD_WRITE_EXT || cmd == CMD_MAX_EXT ||
	    cmd == CMD_READ_MULT_EXT || cmd == CMD_WRITE_MULT_EXT;
	if (!dr->present && !no_medium_ok(cmd)) {
		abort_cmd(d, dr);
		return;
	}
	if (power_cmd(cmd)) {
		finish(d, dr, ST_DRDY);
		return;
	}
	switch (cmd) {
	case CMD_READ: case CMD_READ_NR: case CMD_READ_EXT:
		start_transfer(d, dr, 1, false);
		return;
	case CMD_READ_MULT: case CMD_READ_MULT_EXT:
		start_transfer(d, dr, dr->mult, false);
		return;
	case CMD_WRITE: case CMD_WRITE_NR: case CMD_WRITE_EXT:
		start_transfer(d, dr, 1, true);
		return;
	case CMD_WRITE_MULT: case CMD_WRITE_MULT_EXT:
		start_transfer(d, dr, dr->mult, true);
		return;
	case CMD_IDENTIFY:
		d->xfer_unit = unit(d);
		identify(d, dr);
		return;
	case CMD_DIAG:
		signature(dr);
		finish(d, dr, ST_READY);
		return;
	case CMD_CHECK_POWER: case CMD_CHECK_OLD:
		dr->nsect = 0xFF;	/* active or idle */
		finish(d, dr, ST_READY);
		return;
	case CMD_INITPARAM:
		dr->heads = (d->select & 0x0F) + 1;
		dr->spt = dr->nsect;
		finish(d, dr, ST_READY);
		return;
	case CMD_SET_MULT:
		/* A power of two up to the maximum, or 0 to turn it off. */
		if (dr->nsect > MAX_MULT || (dr->nsect & (dr->nsect - 1))) {
			abort_cmd(d, dr);
			return;
		}
		dr->mult = dr->nsect;
		finish(d, dr, ST_READY);
		return;
	case CMD_FEATURES:
		if (!feature_ok(d->feature)) {
			abort_cmd(d, dr);
			return;
		}
		finish(d, dr, ST_READY);
		return;
	case CMD_MAX: case CMD_MAX_EXT:
		set_address(d, dr, dr->sectors ? dr->sectors - 1 : 0);
		finish(d, dr, ST_READY);
		return;
	case CMD_RECAL: case CMD_SEEK: case CMD_FLUSH: case CMD_FLUSH_EXT:
	case CMD_FREEZE: case CMD_VERIFY: case CMD_VERIFY_NR: case CMD_VERIFY_EXT:
		/* VERIFY reads nothing back here: no range check, registers kept. */
		finish(d, dr, ST_READY);
		return;
	default:
		abort_cmd(d, dr);	/* NOP among them: it always aborts */
	}
}

static uint32_t
data_in(struct vide *d, int size)
{
	uint32_t v = 0;
	int i;

	if (d->xfer != VIDE_PIO_IN || unit(d) != d->xfer_unit)
		return 0;	/* no data: QEMU's data port reads 0 */
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

	if (d->xfer != VIDE_PIO_OUT || unit(d) != d->xfer_unit)
		return;
	for (i = 0; i < size && d->pos < VIDE_SECTOR; i++)
		d->buf[d->pos++] = v >> (8 * i);
	if (d->pos == VIDE_SECTOR)
		sector_done(d);
}

/* The status a read sees: an empty slave position shows nothing at all. */
static uint8_t
status(struct vide *d)
{
	struct vide_drive *dr = selected(d);

	return !dr->present && unit(d) == 1 ? 0 : dr->status;
}

uint32_t
vide_read(struct vide *d, uint16_t port, int size)
{
	struct vide_drive *dr = selected(d);
	bool hob = d->ctrl & CTRL_HOB;

	if (!any_drive(d))
		return 0;	/* QEMU: a channel with no drive reads 0 */
	if (port == VIDE_CTRL)
		return status(d);
	switch (port - VIDE_BASE) {
	case REG_DATA:
		return data_in(d, size);
	case REG_ERROR:
		return dr->error;
	case REG_NSECT:
		return hob ? dr->hob_nsect : dr->nsect;
	case REG_LBA0:
		return hob ? dr->hob_lba0 : dr->lba0;
	case REG_LBA1:
		return hob ? dr->hob_lba1 : dr->lba1;
	case REG_LBA2:
		return hob ? dr->hob_lba2 : dr->lba2;
	case REG_SELECT:
		return d->select;
	case REG_STATUS:
		lower_irq(d);
		return status(d);
	}
	return 0;
}

/* Both drives latch a taskfile write; the old value becomes the HOB byte. */
static void
latch(struct vide *d, int reg, uint8_t v)
{
	struct vide_drive *dr;
	int i;

	for (i = 0; i < 2; i++) {
		dr = &d->drive[i];
		switch (reg) {
		case REG_NSECT:
			dr->hob_nsect = dr->nsect;
			dr->nsect = v;
			break;
		case REG_LBA0:
			dr->hob_lba0 = dr->lba0;
			dr->lba0 = v;
			break;
		case REG_LBA1:
			dr->hob_lba1 = dr->lba1;
			dr->lba1 = v;
			break;
		case REG_LBA2:
			dr->hob_lba2 = dr->lba2;
			dr->lba2 = v;
			break;
		}
	}
}

static void
control(struct vide *d, uint8_t v)
{
	int i;

	/* QEMU finishes a software reset as soon as it starts: no BSY shows. */
	if ((v & CTRL_SRST) && !(d->ctrl & CTRL_SRST)) {
		d->xfer = VIDE_IDLE;
		d->identify = false;
		d->select = 0xA0;
		for (i = 0; i < 2; i++)
			drive_reset(&d->drive[i]);
	}
	d->ctrl = v;
}

void
vide_write(struct vide *d, uint16_t port, int size, uint32_t val)
{
	uint8_t v = val;

	if (port == VIDE_CTRL) {
		control(d, v);
		return;
	}
	d->ctrl &= ~CTRL_HOB;	/* any taskfile write shows the current bytes again */
	switch (port - VIDE_BASE) {
	case REG_DATA:
		data_out(d, size, val);
		break;
	case REG_ERROR:
		d->feature = v;
		break;
	case REG_NSECT:
	case REG_LBA0:
	case REG_LBA1:
	case REG_LBA2:
		latch(d, port - VIDE_BASE, v);
		break;
	case REG_SELECT:
		d->select = v | 0xA0;	/* bits 5 and 7 read as one on old drives */
		break;
	case REG_STATUS:
		command(d, v);
		break;
	}
}
