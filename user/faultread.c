/*
 * faultread.c - read the kernel's memory: must end in a page fault.
 *
 * The kernel's pages are mapped in every address space (a trap needs
 * them), but without PTE_U, so ring 3 gets a protection fault: error 5,
 * user read of a present page.
 */
#include "user/lib/ulib.h"

int
umain(void)
{
	volatile uint32_t *p = (volatile uint32_t *) KERNLINK;

	printf("faultread: reading the kernel at %p\n", p);
	printf("faultread: read %08x: the kernel is not protected!\n", *p);
	return 1;
}
