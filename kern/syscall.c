/*
 * syscall.c - the system calls: what a user program may ask of the kernel.
 *
 * Arguments come straight from the caller's registers, so they are
 * untrusted: a pointer must be checked against the caller's own page
 * tables before the kernel touches what it points to.  The kernel could
 * otherwise be made to read (and print) its own memory, because the
 * kernel itself may read every page.
 */
#include "kern/types.h"
#include "kern/console.h"
#include "kern/printf.h"
#include "kern/error.h"
#include "kern/abi.h"
#include "kern/pmap.h"
#include "kern/env.h"
#include "kern/sched.h"
#include "kern/syscall.h"

/* Print len bytes at user address s. */
static int32_t
sys_cputs(const char *s, size_t len)
{
	uintptr_t bad;
	size_t i;

	if (env_check_user_mem(curenv, (uintptr_t) s, len, 0, &bad) < 0) {
		cprintf("[%08x] user fault: sys_cputs given bad address %08x "
			"(string %08x, length %u)\n", curenv->id, bad,
			(uintptr_t) s, (unsigned) len);
		env_destroy(curenv);
	}
	for (i = 0; i < len; i++)
		cons_putc(s[i]);
	return 0;
}

/* The next character typed, or 0: never waits. */
static int32_t
sys_cgetc(void)
{
	int c = cons_getc();

	return c < 0 ? 0 : c;
}

static int32_t
sys_getenvid(void)
{
	return curenv->id;
}

static void __attribute__((noreturn))
sys_yield(void)
{
	/* sched_yield() does not come back here to return a value. */
	curenv->tf.regs.eax = 0;
	sched_yield();
}

static void __attribute__((noreturn))
sys_exit(int status)
{
	cprintf("[%08x] exited with status %d\n", curenv->id, status);
	env_destroy(curenv);
	__builtin_unreachable();
}

static int32_t
sys_set_trap_handler(uint32_t entry)
{
	if (entry >= UTOP)
		return -E_INVAL;
	curenv->trap_handler = entry;
	return 0;
}

int32_t
syscall(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5)
{
#if SOL >= 3
	switch (num) {
	case SYS_cputs:
		return sys_cputs((const char *) a1, a2);
	case SYS_cgetc:
		return sys_cgetc();
	case SYS_getenvid:
		return sys_getenvid();
	case SYS_yield:
		sys_yield();
	case SYS_exit:
		sys_exit(a1);
	case SYS_set_trap_handler:
		return sys_set_trap_handler(a1);
	default:
		return -E_NOSYS;
	}
#else
	/* LAB 3: your code here.
	 * Call the sys_ function that num (kern/abi.h) names, with the
	 * arguments it takes, and return its result; a number you do not
	 * know gets -E_NOSYS. */
	(void) sys_cputs;
	(void) sys_cgetc;
	(void) sys_getenvid;
	(void) sys_yield;
	(void) sys_exit;
	(void) sys_set_trap_handler;
	panic("syscall: not implemented (lab 3, exercise 3)");
#endif
}
