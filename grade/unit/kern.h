/*
 * kern.h - the kernel's printf and string functions, as unit tests see them.
 *
 * Declares them under their kern_ names (see kern_names.h) straight from
 * the kernel's own headers, so a changed prototype breaks the build rather
 * than the test, then gives the plain names back to the C library.
 * Include the C library's headers first.
 */
#ifndef GRADE_UNIT_KERN_H
#define GRADE_UNIT_KERN_H

#include "grade/unit/kern_names.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/console.h"

#undef vprintfmt
#undef cprintf
#undef vcprintf
#undef snprintf
#undef vsnprintf
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strlcpy
#undef strchr
#undef strtol
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef cons_putc

#endif
