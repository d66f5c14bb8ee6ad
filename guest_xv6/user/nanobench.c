/*
 * nanobench.c - the paper's seven nanobenchmarks (Adams & Agesen, Figure
 * 4), each reported as the median over REPS runs of its cost in cycles
 * per operation, with the cost of an empty loop subtracted:
 *
 *	syscall  a system call (getpid)                       user loop
 *	in       inb from port 0x80                           kernel loop
 *	cr8wr    a LAPIC TPR write (CR8 on a 64-bit kernel)   kernel loop
 *	call/ret a call and return of an empty function       kernel loop
 *	pgfault  a true page fault the kernel resolves (lazy sbrk page)
 *	divzero  a divide error the kernel delivers and skips
 *	ptemod   a store to a page-table entry                kernel loop
 *
 * Kernel loops run through the bench() system call so that a monitor
 * sees them as guest kernel code.  Output: a line saying what the figures
 * are, then one line per test,
 *	nanobench <name> cycles/op=<n> iters=<n>
 * where iters is the operations of one run.  A cycle is what rdtsc counts:
 * one instruction under QEMU -icount shift=0, a host TSC cycle without it.
 * A result below the clock's resolution is reported as 1 cycle.
 */
#include "user/user.h"
#include "kernel/bench.h"

#define REPS		7
#define PGSIZE		4096
#define FAULT_PAGES	128

static void
sort(uint64 *v, int n)
{
	int i, j;
	uint64 t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void
report(const char *name, uint64 *per_op, int iters)
{
	uint64 m;

	sort(per_op, REPS);
	m = per_op[REPS / 2];
	printf("nanobench %s cycles/op=%llu iters=%d\n", name, m ? m : 1, iters);
}

/* (with - without) / n, never below zero. */
static uint64
per_op(uint64 with, uint64 without, int n)
{
	return with > without ? (with - without + n / 2) / n : 0;
}

static void
kernel_test(const char *name, int op, int n)
{
	uint64 v[REPS], c, empty;
	int r;

	for (r = 0; r < REPS; r++) {
		if (bench(BENCH_EMPTY, n, &empty) < 0 || bench(op, n, &c) < 0) {
			printf("nanobench %s: bench failed\n", name);
			return;
		}
		v[r] = per_op(c, empty, n);
	}
	report(name, v, n);
}

static uint64
empty_loop(int n)
{
	uint64 t0 = rdtsc();
	int i;

	for (i = 0; i < n; i++)
		asm volatile("");
	return rdtsc() - t0;
}

static void
syscall_test(int n)
{
	uint64 v[REPS], t0, c;
	int r, i;

	for (r = 0; r < REPS; r++) {
		t0 = rdtsc();
		for (i = 0; i < n; i++)
			getpid();
		c = rdtsc() - t0;
		v[r] = per_op(c, empty_loop(n), n);
	}
	report("syscall", v, n);
}

static void
divzero_test(int n)
{
	uint64 v[REPS], t0, c;
	uint a, d;
	int r, i;

	divskip(2);	/* divl %ecx is two bytes: f7 f1 */
	for (r = 0; r < REPS; r++) {
		t0 = rdtsc();
		for (i = 0; i < n; i++) {
			a = 1;
			d = 0;
			asm volatile("divl %%ecx" : "+a"(a), "+d"(d) : "c"(0));
		}
		c = rdtsc() - t0;
		v[r] = per_op(c, empty_loop(n), n);
	}
	divskip(0);
	report("divzero", v, n);
}

/* First touches of fresh sbrk pages, less second touches of the same. */
static void
pgfault_test(void)
{
	uint64 v[REPS], t0, first, second;
	volatile char *p;
	int r, i;

	for (r = 0; r < REPS; r++) {
		p = sbrk(FAULT_PAGES * PGSIZE);
		if (p == (char *)-1) {
			printf("nanobench pgfault: sbrk failed\n");
			return;
		}
		t0 = rdtsc();
		for (i = 0; i < FAULT_PAGES; i++)
			p[i * PGSIZE] = 1;
		first = rdtsc() - t0;
		t0 = rdtsc();
		for (i = 0; i < FAULT_PAGES; i++)
			p[i * PGSIZE] = 2;
		second = rdtsc() - t0;
		sbrk(-FAULT_PAGES * PGSIZE);
		v[r] = per_op(first, second, FAULT_PAGES);
	}
	report("pgfault", v, FAULT_PAGES);
}

int
main(int argc, char **argv)
{
	printf("nanobench: cycles/op is rdtsc cycles per operation, the median "
	       "of %d runs, an empty loop's cost subtracted (under QEMU -icount "
	       "shift=0 a cycle is one instruction)\n", REPS);
	syscall_test(1000);
	kernel_test("in", BENCH_IN, 1000);
	kernel_test("cr8wr", BENCH_CR8WR, 1000);
	kernel_test("call/ret", BENCH_CALLRET, 10000);
	pgfault_test();
	divzero_test(1000);
	kernel_test("ptemod", BENCH_PTEMOD, 1000);
	return 0;
}
