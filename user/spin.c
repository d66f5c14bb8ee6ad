/*
 * spin.c - never yield, never end.  Only the timer can take the CPU back:
 * `run spin hello` prints hello's greeting only if preemption works.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	printf("spin: spinning forever, without yielding\n");
	for (;;)
		;
}
