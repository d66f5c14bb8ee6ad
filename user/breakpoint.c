/*
 * breakpoint.c - int3 at ring 3: a trap (not a fault) the kernel reports,
 * after which the program simply goes on.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	printf("breakpoint: int3\n");
	asm volatile("int3");
	printf("breakpoint: still running after int3\n");
	return 0;
}
