/*
 * bio.c - the buffer cache: a fixed set of block buffers, most recently
 * used first, so that the file system reads each block from disk once
 * and only one process at a time uses a given block.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/buf.h"
#include "kernel/defs.h"

static struct {
	struct spinlock lock;
	struct buf buf[NBUF];
	struct buf head;	/* head.next is the most recently used */
} bcache;

void
binit(void)
{
	struct buf *b;

	initlock(&bcache.lock, "bcache");
	bcache.head.prev = &bcache.head;
	bcache.head.next = &bcache.head;
	for (b = bcache.buf; b < bcache.buf + NBUF; b++) {
		b->next = bcache.head.next;
		b->prev = &bcache.head;
		initsleeplock(&b->lock, "buffer");
		bcache.head.next->prev = b;
		bcache.head.next = b;
	}
}

/* The buffer for (dev, blockno), locked, possibly without its data yet. */
static struct buf *
bget(uint dev, uint blockno)
{
	struct buf *b;

	acquire(&bcache.lock);
	for (b = bcache.head.next; b != &bcache.head; b = b->next) {
		if (b->dev == dev && b->blockno == blockno) {
			b->refcnt++;
			release(&bcache.lock);
			acquiresleep(&b->lock);
			return b;
		}
	}
	/* Not cached: recycle the least recently used unused clean buffer. */
	for (b = bcache.head.prev; b != &bcache.head; b = b->prev) {
		if (b->refcnt == 0 && (b->flags & B_DIRTY) == 0) {
			b->dev = dev;
			b->blockno = blockno;
			b->flags = 0;
			b->refcnt = 1;
			release(&bcache.lock);
			acquiresleep(&b->lock);
			return b;
		}
	}
	panic("bget: no buffers");
}

struct buf *
bread(uint dev, uint blockno)
{
	struct buf *b = bget(dev, blockno);

	if ((b->flags & B_VALID) == 0)
		iderw(b);
	return b;
}

/* Write through: there is no log, so each write goes to disk at once. */
void
bwrite(struct buf *b)
{
	if (!holdingsleep(&b->lock))
		panic("bwrite: buf not locked");
	b->flags |= B_DIRTY;
	iderw(b);
}

void
brelse(struct buf *b)
{
	if (!holdingsleep(&b->lock))
		panic("brelse: buf not locked");
	releasesleep(&b->lock);

	acquire(&bcache.lock);
	if (--b->refcnt == 0) {
		/* Move to the front: most recently used. */
		b->next->prev = b->prev;
		b->prev->next = b->next;
		b->next = bcache.head.next;
		b->prev = &bcache.head;
		bcache.head.next->prev = b;
		bcache.head.next = b;
	}
	release(&bcache.lock);
}
