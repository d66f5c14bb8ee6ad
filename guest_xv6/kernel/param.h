/*
 * param.h - the kernel's fixed sizes, in one place so they are easy to tune.
 */
#ifndef GX_PARAM_H
#define GX_PARAM_H

#define NPROC		64	/* process table slots */
#define KSTACKSIZE	4096	/* per-process kernel stack */
#define NCPU		8	/* CPUs the MP table may list (only one runs) */
#define NOFILE		16	/* open files per process */
#define NFILE		100	/* open files in the system */
#define NINODE		50	/* in-memory inodes */
#define NDEV		10	/* device major numbers */
#define ROOTDEV		1	/* disk holding the root file system */
#define MAXARG		32	/* exec arguments */
#define NBUF		30	/* buffer cache blocks */
#define FSSIZE		4096	/* file system size in blocks (mkfs default) */
#define MAXPATH		128
#define CMDLINE_MAX	256	/* kernel command line kept from Multiboot */
#define HZ		100	/* timer interrupts per second */

#endif
