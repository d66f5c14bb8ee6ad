/*
 * yield.c - take turns: print, yield, five times.  Run several at once
 * (`run yield yield yield`) and their lines alternate.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	int32_t id = sys_getenvid();
	int i;

	for (i = 0; i < 5; i++) {
		printf("[%08x] yield: iteration %d\n", id, i);
		if (sys_yield() != 0)
			printf("[%08x] yield: sys_yield did not return 0\n", id);
	}
	printf("[%08x] yield: done\n", id);
	return 0;
}
