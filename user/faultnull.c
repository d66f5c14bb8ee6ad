/*
 * faultnull.c - follow a NULL pointer: a page fault on a page that is not
 * there (error 4: user read, not present).
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	volatile uint32_t *p = NULL;

	printf("faultnull: reading address 0\n");
	printf("faultnull: read %08x: page 0 is mapped!\n", *p);
	return 1;
}
