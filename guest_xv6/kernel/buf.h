/*
 * buf.h - one cached disk block.
 */
#ifndef GX_BUF_H
#define GX_BUF_H

#include "kernel/sleeplock.h"
#include "kernel/fs.h"

#define B_VALID	0x2	/* data holds the block's contents */
#define B_DIRTY	0x4	/* data must be written to disk */

struct buf {
	int flags;
	uint dev;
	uint blockno;
	struct sleeplock lock;
	uint refcnt;
	struct buf *prev, *next;	/* LRU list of the cache */
	struct buf *qnext;		/* IDE request queue */
	uchar data[BSIZE];
};

#endif
