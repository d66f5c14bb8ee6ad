/*
 * faulthlt.c - a privileged instruction at ring 3: hlt raises #GP.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	printf("faulthlt: halting the machine\n");
	asm volatile("hlt");
	printf("faulthlt: hlt did not fault!\n");
	return 1;
}
