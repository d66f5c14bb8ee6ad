/*
 * ulib.h - the user library: what a user program can call.
 *
 * A user program defines umain(); returning from it exits with its value
 * as the status.  Output goes through the kernel (sys_cputs), one
 * printf() call at a time, so lines from several programs do not mix.
 */
#ifndef USER_LIB_ULIB_H
#define USER_LIB_ULIB_H

#include "kern/types.h"
#include "kern/abi.h"
#include "kern/error.h"
#include "kern/memlayout.h"
#include "kern/mmu.h"
#include "kern/string.h"
#include "kern/printf.h"

/** @brief The program's main function, which each program defines. */
int umain(void);

/** @brief Raw system call @p num (kern/abi.h) with five arguments. */
int32_t syscall(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3,
		uint32_t a4, uint32_t a5);

/** @brief Print @p len bytes at @p s on the console. */
int32_t sys_cputs(const char *s, size_t len);
/** @brief The next character typed, or 0 if none is waiting. */
int32_t sys_cgetc(void);
/** @brief This environment's id. */
int32_t sys_getenvid(void);
/** @brief Let the other environments run first; returns 0. */
int32_t sys_yield(void);
/** @brief End this environment with @p status. */
void sys_exit(int status) __attribute__((noreturn));
/** @brief Where the next exception goes instead of ending us (kern/abi.h). */
int32_t sys_set_trap_handler(void (*entry)(void));

/** @brief Formatted output, as the kernel's cprintf (kern/printf.h). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** @brief What utry() learnt about a trap. */
struct utrap {
	uint32_t trapno;	/* the exception's vector */
	uint32_t err;		/* its error code */
	uint32_t eip;		/* where it happened */
	uint32_t cr2;		/* for a page fault: the address */
};

/**
 * @brief Call fn(arg), surviving any exception it raises.
 * @return 0 if fn returned; 1 if it raised an exception, described in *t
 * (fn's work is then abandoned where the exception hit)
 */
int utry(void (*fn)(void *), void *arg, struct utrap *t);

#endif
