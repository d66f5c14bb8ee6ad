/*
 * syscall.h - the kernel side of system calls (numbers in kern/abi.h).
 */
#ifndef KERN_SYSCALL_H
#define KERN_SYSCALL_H

#include "kern/types.h"

/**
 * @brief Carry out system call @p num for curenv with arguments a1..a5.
 * @return the value for the caller's EAX: >= 0, or -E_*.  Calls that end
 * or switch the environment (exit, yield, a bad pointer) do not return.
 */
int32_t syscall(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3,
		uint32_t a4, uint32_t a5);

#endif
