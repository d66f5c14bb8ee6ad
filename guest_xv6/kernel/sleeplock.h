/*
 * sleeplock.h - a lock whose waiters sleep, for long holds across disk I/O.
 */
#ifndef GX_SLEEPLOCK_H
#define GX_SLEEPLOCK_H

#include "kernel/spinlock.h"

struct sleeplock {
	uint locked;
	struct spinlock lk;	/* guards locked */
	const char *name;
	int pid;
};

#endif
