/*
 * printf.h - formatted output for the kernel.
 *
 * Conversions: %d %i %u %x %o %s %c %p %%, a field width, `0` padding,
 * `-` left alignment, and the `l` and `ll` length modifiers.
 */
#ifndef KERN_PRINTF_H
#define KERN_PRINTF_H

#include "kern/types.h"

/**
 * @brief The formatting engine every printf-like function shares.
 * @param putch called once per output character, with @p arg
 */
void vprintfmt(void (*putch)(int ch, void *arg), void *arg,
	       const char *fmt, va_list ap);
/** @brief Print to the console; returns the number of characters. */
int cprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** @brief cprintf with a va_list. */
int vcprintf(const char *fmt, va_list ap);
/**
 * @brief Format into buf, at most n bytes including the NUL.
 * @return the length the whole output would have had
 */
int snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** @brief snprintf with a va_list. */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

#endif
