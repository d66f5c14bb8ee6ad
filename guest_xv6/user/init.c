/*
 * init.c - the first process.  It opens the console as fds 0, 1 and 2,
 * then either runs the program the kernel command line named
 * (run="forkwait 1000" or init=/selftest) and ends the run with its exit
 * status, or keeps a shell running on the console.
 */
#include "user/user.h"

#define CONSOLE_MAJOR	1	/* kernel/file.h */

static char *sh_argv[] = { "sh", 0 };

/* Wait for pid, reaping orphans on the way; its status. */
static int
reap(int pid)
{
	int w, status = -1;

	while ((w = wait(&status)) >= 0)
		if (w == pid)
			return status;
	return -1;
}

int
main(int argc, char **argv)
{
	int pid, status;

	if (open("/console", O_RDWR) < 0) {
		mknod("/console", CONSOLE_MAJOR, 0);
		open("/console", O_RDWR);
	}
	dup(0);
	dup(0);

	if (argc > 1) {
		if ((pid = fork()) == 0) {
			exec(argv[1], argv + 1);
			fprintf(2, "init: cannot run %s\n", argv[1]);
			exit(127);
		}
		status = reap(pid);
		printf("init: %s exited with status %d\n", argv[1], status);
		halt(status);
	}

	for (;;) {
		printf("init: starting sh\n");
		if ((pid = fork()) < 0) {
			printf("init: fork failed\n");
			halt(1);
		}
		if (pid == 0) {
			exec("/sh", sh_argv);
			printf("init: cannot run /sh\n");
			exit(1);
		}
		reap(pid);
	}
}
