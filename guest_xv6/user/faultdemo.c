/*
 * faultdemo.c - the lab 5 demonstration of true and hidden page faults.
 *
 * Each step says what it is about to do and how many page faults the
 * guest kernel took during it (pfcount()).  Step 1 causes none natively,
 * but under a shadow-paging monitor it causes hidden faults (shadow
 * misses, dirty-bit emulation, a traced page-table write) that the
 * monitor resolves without the guest seeing them: compare the guest's
 * count with the monitor's counters.  Steps 2-4 cause true faults: the
 * guest's own page tables raise them, natively and under any monitor,
 * and the guest handles them.
 */
#include "user/user.h"
#include "kernel/bench.h"

#define PGSIZE 4096

static char data[16 * PGSIZE];	/* mapped by exec: no faults to touch */

static int before;

static void
step(const char *what)
{
	before = pfcount();
	printf("faultdemo: %s\n", what);
}

static void
done(void)
{
	printf("faultdemo:   the guest saw %d page faults\n",
	       pfcount() - before);
}

int
main(int argc, char **argv)
{
	volatile char *p;
	uint64 cycles;
	int i, pid, status, sum = 0;

	/* First, before any fork makes data[] copy-on-write. */
	step("1. hidden faults only: read, then write, 16 already-mapped "
	     "pages; the kernel rewrites a PTE (natively: none)");
	for (i = 0; i < 16; i++)
		sum += data[i * PGSIZE];
	for (i = 0; i < 16; i++)
		data[i * PGSIZE] = sum;
	bench(BENCH_PTEMOD, 1, &cycles);
	done();

	step("2. lazy sbrk: touch 4 new pages (4 true faults, zero-filled)");
	p = sbrk(4 * PGSIZE);
	for (i = 0; i < 4; i++)
		p[i * PGSIZE] = i;
	done();

	step("3. copy-on-write: fork; the child writes 2 shared pages "
	     "(true faults, plus each side's first stack write)");
	if ((pid = fork()) == 0) {
		p[0] = 10;
		p[PGSIZE] = 11;
		exit(0);
	}
	wait(&status);
	done();

	step("4. bad access: a child reads kernel address 0x80100000 "
	     "(a true fault, error code 5; the child is killed)");
	if ((pid = fork()) == 0) {
		sum = *(volatile int *)0x80100000;
		exit(sum);
	}
	wait(&status);
	printf("faultdemo:   child exit status %d\n", status);
	done();

	printf("faultdemo: done\n");
	return 0;
}
