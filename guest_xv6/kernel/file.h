/*
 * file.h - open files, in-memory inodes, and the device switch.
 */
#ifndef GX_FILE_H
#define GX_FILE_H

#include "kernel/sleeplock.h"
#include "kernel/fs.h"

struct file {
	enum { FD_NONE, FD_PIPE, FD_INODE } type;
	int ref;
	char readable;
	char writable;
	struct pipe *pipe;
	struct inode *ip;
	uint off;
};

struct inode {
	uint dev;
	uint inum;
	int ref;
	struct sleeplock lock;	/* guards everything below */
	int valid;		/* has been read from disk */

	short type;
	short major;
	short minor;
	short nlink;
	uint size;
	uint addrs[NDIRECT + 1];
};

/* Read and write functions of each device major number. */
struct devsw {
	int (*read)(struct inode *, char *, int);
	int (*write)(struct inode *, char *, int);
};

extern struct devsw devsw[];

#define CONSOLE	1

#endif
