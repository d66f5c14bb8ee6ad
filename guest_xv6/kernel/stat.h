/*
 * stat.h - what fstat reports, shared by the kernel and user programs.
 */
#ifndef GX_STAT_H
#define GX_STAT_H

#include "kernel/fs.h"	/* T_DIR, T_FILE, T_DEV */

struct stat {
	short type;
	int dev;
	uint ino;
	short nlink;
	uint size;
};

#endif
