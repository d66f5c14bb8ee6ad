/*
 * usys.S - the system call stubs: number in %eax, arguments left where
 * the C caller pushed them, then int $T_SYSCALL.
 */
#include "kernel/syscall.h"
#include "kernel/traps.h"

#define SYSCALL(name) \
	.globl name; \
	name: \
		movl	$SYS_ ## name, %eax; \
		int	$T_SYSCALL; \
		ret

SYSCALL(fork)
SYSCALL(exit)
SYSCALL(wait)
SYSCALL(pipe)
SYSCALL(read)
SYSCALL(write)
SYSCALL(close)
SYSCALL(kill)
SYSCALL(exec)
SYSCALL(open)
SYSCALL(mknod)
SYSCALL(unlink)
SYSCALL(fstat)
SYSCALL(link)
SYSCALL(mkdir)
SYSCALL(chdir)
SYSCALL(dup)
SYSCALL(getpid)
SYSCALL(sbrk)
SYSCALL(sleep)
SYSCALL(uptime)
SYSCALL(halt)
SYSCALL(bench)
SYSCALL(divskip)
SYSCALL(pfcount)
