/*
 * hello.c - the smallest user program: print, exit.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	printf("hello, world from env %08x\n", sys_getenvid());
	return 0;
}
