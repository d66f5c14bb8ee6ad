/*
 * error.h - the error numbers kernel functions and system calls return.
 *
 * Functions that can fail return 0 (or a non-negative result) on success
 * and the negative of one of these on failure.  User programs see the same
 * numbers from system calls, so this header is shared with user/.
 */
#ifndef KERN_ERROR_H
#define KERN_ERROR_H

enum {
	E_UNSPECIFIED = 1,	/* something went wrong */
	E_INVAL,		/* an argument makes no sense */
	E_NO_MEM,		/* out of physical memory */
	E_FAULT,		/* a pointer the caller may not use */
	E_NOSYS,		/* no such system call */
	E_NO_FREE_ENV,		/* every environment slot is taken */
	E_BAD_ELF,		/* a program image is not a usable ELF file */
	E_NOT_FOUND,		/* no such thing (e.g. user program) */
	MAXERROR
};

/** @brief A few words for error @p err, negative or not (kern/error.c). */
const char *error_string(int err);

#endif
