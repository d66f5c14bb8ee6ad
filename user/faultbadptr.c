/*
 * faultbadptr.c - ask the kernel to print its own memory.
 *
 * The kernel may read every page, so it must check the pointer against
 * the caller's page tables itself: this program must be stopped before
 * anything is printed.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	printf("faultbadptr: asking the kernel to print %08x\n", KERNLINK);
	sys_cputs((const char *) KERNLINK, 16);
	printf("\nfaultbadptr: the kernel printed its own memory!\n");
	return 1;
}
