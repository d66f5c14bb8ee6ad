/*
 * faultdiv.c - divide by zero: #DE, the divide error.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	/* Both volatile: with a constant dividend the compiler may find
	 * the answer without dividing. */
	volatile int one = 1, zero = 0;

	printf("faultdiv: dividing by zero\n");
	printf("faultdiv: 1 / 0 = %d?\n", one / zero);
	return 1;
}
