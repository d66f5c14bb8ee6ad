/*
 * string.h - the few C string and memory routines the kernel needs.
 */
#ifndef KERN_STRING_H
#define KERN_STRING_H

#include "kern/types.h"

/** @brief Length of a NUL-terminated string. */
size_t strlen(const char *s);
/** @brief Length of s, but at most max. */
size_t strnlen(const char *s, size_t max);
/** @brief Compare two strings as unsigned bytes: <0, 0 or >0. */
int strcmp(const char *a, const char *b);
/** @brief Compare at most n bytes of two strings. */
int strncmp(const char *a, const char *b, size_t n);
/** @brief Copy src to dst, at most n bytes, always NUL-terminating if n > 0. */
size_t strlcpy(char *dst, const char *src, size_t n);
/** @brief First occurrence of c in s, or NULL. */
char *strchr(const char *s, int c);
/** @brief Parse an integer in base 0 (auto: 0x, 0), 8, 10 or 16. */
long strtol(const char *s, char **endptr, int base);
/** @brief Fill n bytes at dst with c. */
void *memset(void *dst, int c, size_t n);
/** @brief Copy n bytes; the areas must not overlap. */
void *memcpy(void *dst, const void *src, size_t n);
/** @brief Copy n bytes; the areas may overlap. */
void *memmove(void *dst, const void *src, size_t n);
/** @brief Compare n bytes: <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n);

#endif
