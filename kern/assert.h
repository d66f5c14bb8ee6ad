/*
 * assert.h - panic, warn and assert, which say where they came from.
 */
#ifndef KERN_ASSERT_H
#define KERN_ASSERT_H

/**
 * @brief Print "kernel panic at FILE:LINE: message", a backtrace, and stop
 * the machine with EXIT_PANIC.  Use the panic() macro.
 */
void _panic(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
/** @brief Print "kernel warning at FILE:LINE: message".  Use warn(). */
void _warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define panic(...)	_panic(__FILE__, __LINE__, __VA_ARGS__)
#define warn(...)	_warn(__FILE__, __LINE__, __VA_ARGS__)

#define assert(x)							\
	do {								\
		if (!(x))						\
			panic("assertion failed: %s", #x);		\
	} while (0)

/* A compile-time assertion. */
#define static_assert(x)	_Static_assert(x, #x)

#endif
