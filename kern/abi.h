/*
 * abi.h - what user programs and the kernel agree on.
 *
 * A system call is `int $T_SYSCALL` with the call's number in EAX and up
 * to five arguments in EBX, ECX, EDX, ESI and EDI; the result comes back
 * in EAX: non-negative on success, minus an E_* of kern/error.h on
 * failure.  User programs include this header (and kern/error.h and
 * kern/memlayout.h for UTOP and the stack); nothing else of the kernel.
 */
#ifndef KERN_ABI_H
#define KERN_ABI_H

/* The trap vector of system calls: the only one ring 3 may raise with `int` besides int3. */
#define T_SYSCALL	48

#ifndef ASSEMBLER
enum {
	SYS_cputs,		/* (const char *s, size_t len) -> 0 */
	SYS_cgetc,		/* () -> the next input character, 0 if none */
	SYS_getenvid,		/* () -> the caller's environment id */
	SYS_yield,		/* () -> 0, after the other programs had a turn */
	SYS_exit,		/* (int status): does not return */
	SYS_set_trap_handler,	/* (entry) -> 0: see below */
	NSYSCALLS
};
#endif

/*
 * SYS_set_trap_handler: the next exception the program raises (a fault
 * or int3: trap number below 32) does not kill it.  The kernel resumes it
 * at `entry` instead, with EAX = trap number, EDX = error code, ECX = the
 * EIP of the trap, EBX = CR2 (the faulting address, for a page fault),
 * and every other register, ESP included, as they were.  The handler is
 * used once: the kernel forgets it as it delivers the trap.  entry 0 only
 * forgets it.  The `sensitive` program uses this to survive the
 * instructions it tries.
 */

#endif
