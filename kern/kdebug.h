/*
 * kdebug.h - turning code addresses back into functions and source lines.
 */
#ifndef KERN_KDEBUG_H
#define KERN_KDEBUG_H

#include "kern/types.h"

/* What the symbol table knows about one code address. */
struct eipinfo {
	const char *file;	/* source file, "<unknown>" if not found */
	int line;		/* source line, 0 if not found */
	const char *fn_name;	/* enclosing function, "<unknown>" if none */
	uintptr_t fn_addr;	/* first address of that function */
};

/**
 * @brief Look eip up in the kernel's built-in symbol table.
 * @return 0 if both the function and the line were found, -1 otherwise
 * (info is filled in either way, with "<unknown>" for what is missing).
 */
int debuginfo_eip(uintptr_t eip, struct eipinfo *info);

/**
 * @brief Print the chain of stack frames starting at frame pointer ebp:
 * for each, its ebp, return eip, first five argument words, and
 * "file:line: function+offset".
 */
void print_backtrace(uint32_t ebp);

#endif
