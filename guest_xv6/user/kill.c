/*
 * kill.c - kill processes by pid.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	int i, r = 0;

	if (argc < 2) {
		fprintf(2, "usage: kill pid...\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (kill(atoi(argv[i])) < 0) {
			fprintf(2, "kill: no process %s\n", argv[i]);
			r = 1;
		}
	}
	return r;
}
