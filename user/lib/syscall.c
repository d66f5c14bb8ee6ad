/*
 * syscall.c - the user side of the system calls: `int $T_SYSCALL`.
 */
#include "user/lib/ulib.h"

int32_t
syscall(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5)
{
	int32_t ret;

	/* The kernel may read memory we wrote: "memory" keeps the stores
	 * before the trap. */
	asm volatile("int %1"
		     : "=a" (ret)
		     : "i" (T_SYSCALL), "a" (num), "b" (a1), "c" (a2), "d" (a3),
		       "S" (a4), "D" (a5)
		     : "cc", "memory");
	return ret;
}

int32_t
sys_cputs(const char *s, size_t len)
{
	return syscall(SYS_cputs, (uint32_t) s, len, 0, 0, 0);
}

int32_t
sys_cgetc(void)
{
	return syscall(SYS_cgetc, 0, 0, 0, 0, 0);
}

int32_t
sys_getenvid(void)
{
	return syscall(SYS_getenvid, 0, 0, 0, 0, 0);
}

int32_t
sys_yield(void)
{
	return syscall(SYS_yield, 0, 0, 0, 0, 0);
}

void
sys_exit(int status)
{
	syscall(SYS_exit, status, 0, 0, 0, 0);
	for (;;)
		;
}

int32_t
sys_set_trap_handler(void (*entry)(void))
{
	return syscall(SYS_set_trap_handler, (uint32_t) entry, 0, 0, 0, 0);
}
