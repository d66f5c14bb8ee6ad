/*
 * poweroff.c - end the run: poweroff [status] (default 0).
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	halt(argc > 1 ? atoi(argv[1]) : 0);
}
