/*
 * fs.h - the on-disk file system format, shared by the kernel and the
 * host's mkfs (so it uses only fixed-size standard types).
 *
 * Disk layout, in BSIZE blocks:
 *	[ boot | super | inodes ... | free bitmap ... | data ... ]
 * There is no log: a crash may leave the file system inconsistent, which
 * is acceptable for a guest whose disk image is rebuilt by make.
 */
#ifndef GX_FS_H
#define GX_FS_H

#include <stdint.h>

#define BSIZE		512	/* one IDE sector */
#define ROOTINO		1
#define FSMAGIC		0x78763666	/* "fv6x" */

struct superblock {
	uint32_t magic;
	uint32_t size;		/* blocks in the image */
	uint32_t nblocks;	/* data blocks */
	uint32_t ninodes;
	uint32_t inodestart;
	uint32_t bmapstart;
	uint32_t datastart;
};

/* Inode types, also what fstat reports. */
#define T_DIR		1
#define T_FILE		2
#define T_DEV		3

#define NDIRECT		12
#define NINDIRECT	(BSIZE / sizeof(uint32_t))
#define MAXFILE		(NDIRECT + NINDIRECT)

struct dinode {
	int16_t type;		/* T_DIR, T_FILE, T_DEV; 0 = free */
	int16_t major;
	int16_t minor;
	int16_t nlink;
	uint32_t size;
	uint32_t addrs[NDIRECT + 1];	/* the last one is the indirect block */
};

#define IPB		(BSIZE / sizeof(struct dinode))
#define IBLOCK(i, sb)	((i) / IPB + (sb).inodestart)
#define BPB		(BSIZE * 8)
#define BBLOCK(b, sb)	((b) / BPB + (sb).bmapstart)

#define DIRSIZ		14

struct dentry {
	uint16_t inum;
	char name[DIRSIZ];
};

#endif
