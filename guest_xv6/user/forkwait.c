/*
 * forkwait.c - the paper's process-creation benchmark: N fork/wait pairs
 * (default 40000), the child exiting at once.  Copy-on-write fork makes
 * this mostly page-table work, which is what a monitor finds expensive.
 *
 *	forkwait [N]  ->  forkwait n=N cycles=C ms=M
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 40000;
	uint64 t0, t1;
	int i, pid, status, tick0, tick1;

	if (n <= 0) {
		fprintf(2, "usage: forkwait [N]\n");
		return 1;
	}
	tick0 = uptime();
	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		if ((pid = fork()) < 0) {
			fprintf(2, "forkwait: fork failed at %d\n", i);
			return 1;
		}
		if (pid == 0)
			exit(0);
		if (wait(&status) != pid || status != 0) {
			fprintf(2, "forkwait: wait failed at %d\n", i);
			return 1;
		}
	}
	t1 = rdtsc();
	tick1 = uptime();
	printf("forkwait n=%d cycles=%llu ms=%d\n", n, t1 - t0,
	       (tick1 - tick0) * (1000 / HZ));
	return 0;
}
