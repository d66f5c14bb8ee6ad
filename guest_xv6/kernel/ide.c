/*
 * ide.c - the IDE disk by programmed I/O (ports 0x1F0-0x1F7, control
 * 0x3F6, IRQ 14).  The file system disk is the primary slave (drive 1),
 * by xv6 convention; the master may be absent (we boot with -kernel).
 *
 * Requests queue in order; the one at the head is on the disk, and the
 * interrupt handler finishes it (copying data in with rep insl) and
 * starts the next.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/traps.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/buf.h"
#include "kernel/defs.h"

#define IDE_DATA	0x1F0
#define IDE_NSECT	0x1F2
#define IDE_LBA0	0x1F3
#define IDE_LBA1	0x1F4
#define IDE_LBA2	0x1F5
#define IDE_DRIVE	0x1F6	/* drive select and LBA bits 24-27 */
#define IDE_CMD		0x1F7	/* command (write) / status (read) */
#define IDE_CTRL	0x3F6	/* device control: 0 enables interrupts */

#define IDE_BSY		0x80
#define IDE_DRDY	0x40
#define IDE_DF		0x20
#define IDE_ERR		0x01

#define IDE_CMD_READ	0x20
#define IDE_CMD_WRITE	0x30

#define SECTOR_SIZE	512

static struct spinlock idelock;
static struct buf *idequeue;
static int havedisk1;

/* Wait until the drive is not busy and ready; -1 on a drive error. */
static int
idewait(int checkerr)
{
	int r;

	while (((r = inb(IDE_CMD)) & (IDE_BSY | IDE_DRDY)) != IDE_DRDY)
		;
	if (checkerr && (r & (IDE_DF | IDE_ERR)) != 0)
		return -1;
	return 0;
}

void
ideinit(void)
{
	int i;

	initlock(&idelock, "ide");
	ioapicenable(IRQ_IDE, ncpu - 1);

	/* Select drive 1 and see whether it answers. */
	outb(IDE_DRIVE, 0xE0 | (1 << 4));
	for (i = 0; i < 1000; i++) {
		if (inb(IDE_CMD) != 0 && inb(IDE_CMD) != 0xFF) {
			havedisk1 = 1;
			break;
		}
	}
	/* Drive 1 stays selected: an absent drive 0 would answer nothing. */
	if (!havedisk1)
		panic("no file system disk (IDE primary slave, -drive index=1)");
	outb(IDE_CTRL, 0);
}

/* Send b's request to the disk.  idelock held. */
static void
idestart(struct buf *b)
{
	int sector = b->blockno * (BSIZE / SECTOR_SIZE);

	if (b->blockno >= FSSIZE * 64)
		panic("idestart: block out of range");
	/* Select the drive before waiting: only a selected drive answers
	 * status, and there may be no drive 0 to answer for it. */
	outb(IDE_DRIVE, 0xE0 | ((b->dev & 1) << 4) | ((sector >> 24) & 0x0F));
	idewait(0);
	outb(IDE_CTRL, 0);
	outb(IDE_NSECT, BSIZE / SECTOR_SIZE);
	outb(IDE_LBA0, sector & 0xFF);
	outb(IDE_LBA1, (sector >> 8) & 0xFF);
	outb(IDE_LBA2, (sector >> 16) & 0xFF);
	if (b->flags & B_DIRTY) {
		outb(IDE_CMD, IDE_CMD_WRITE);
		outsl(IDE_DATA, b->data, BSIZE / 4);
	} else {
		outb(IDE_CMD, IDE_CMD_READ);
	}
}

void
ideintr(void)
{
	struct buf *b;

	acquire(&idelock);
	if ((b = idequeue) == 0) {
		release(&idelock);
		return;
	}
	idequeue = b->qnext;

	if (!(b->flags & B_DIRTY) && idewait(1) >= 0)
		insl(IDE_DATA, b->data, BSIZE / 4);
	b->flags |= B_VALID;
	b->flags &= ~B_DIRTY;
	wakeup(b);

	if (idequeue != 0)
		idestart(idequeue);
	release(&idelock);
}

/*
 * Write b to disk if it is dirty, else read it; sleep until done.
 * The caller holds b's sleep lock.
 */
void
iderw(struct buf *b)
{
	struct buf **pp;

	if (!holdingsleep(&b->lock))
		panic("iderw: buf not locked");
	if ((b->flags & (B_VALID | B_DIRTY)) == B_VALID)
		panic("iderw: nothing to do");
	if (b->dev != 1 || !havedisk1)
		panic("iderw: no such disk");

	acquire(&idelock);
	b->qnext = 0;
	for (pp = &idequeue; *pp; pp = &(*pp)->qnext)
		;
	*pp = b;
	if (idequeue == b)
		idestart(b);
	while ((b->flags & (B_VALID | B_DIRTY)) != B_VALID)
		sleep(b, &idelock);
	release(&idelock);
}
