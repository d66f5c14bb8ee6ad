/*
 * faultwrite.c - write into the kernel's direct map: a page fault
 * (error 7: user write of a present page).
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	volatile uint32_t *p = (volatile uint32_t *) KERNBASE;

	printf("faultwrite: writing at %p\n", p);
	*p = 0xdeadbeef;
	printf("faultwrite: the write went through: the kernel is not protected!\n");
	return 1;
}
