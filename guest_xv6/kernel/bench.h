/*
 * bench.h - operations the benchmark system call runs in kernel mode,
 * shared by the kernel and user/nanobench.c.
 */
#ifndef GX_BENCH_H
#define GX_BENCH_H

#define BENCH_EMPTY	0	/* the bare loop, for calibration */
#define BENCH_IN	1	/* inb from port 0x80 */
#define BENCH_CR8WR	2	/* LAPIC TPR write (CR8 on 64-bit) */
#define BENCH_CALLRET	3	/* call and return of an empty function */
#define BENCH_PTEMOD	4	/* a store to a page-table entry */
#define BENCH_NOPS	5

#endif
