/*
 * error.c - the kernel's error numbers in words, for messages.
 */
#include "kern/error.h"

static const char *const error_names[MAXERROR] = {
	[E_UNSPECIFIED] = "unspecified error",
	[E_INVAL] = "invalid argument",
	[E_NO_MEM] = "out of memory",
	[E_FAULT] = "bad address",
	[E_NOSYS] = "no such system call",
	[E_NO_FREE_ENV] = "no free environment",
	[E_BAD_ELF] = "not a usable ELF image",
	[E_NOT_FOUND] = "not found",
};

const char *
error_string(int err)
{
	if (err < 0)
		err = -err;
	if (err > 0 && err < MAXERROR && error_names[err])
		return error_names[err];
	return "unknown error";
}
