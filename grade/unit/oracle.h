/*
 * oracle.h - the host C library's printf, kept apart from the kernel's.
 *
 * oracle.c is the one file of the unit tests that formats with the C
 * library, so nothing there can be confused with the kernel's names.
 */
#ifndef GRADE_UNIT_ORACLE_H
#define GRADE_UNIT_ORACLE_H

#include <stddef.h>

/** @brief The C library's snprintf, the expected output of every case. */
int oracle_snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
