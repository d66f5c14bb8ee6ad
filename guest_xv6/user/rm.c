/*
 * rm.c - remove files (and empty directories).
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(2, "usage: rm file...\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (unlink(argv[i]) < 0) {
			fprintf(2, "rm: %s failed\n", argv[i]);
			return 1;
		}
	}
	return 0;
}
