/*
 * types.h - the integer names every guest file uses.
 *
 * The guest is built freestanding, so it names its own sizes instead of
 * pulling in a C library's headers.
 */
#ifndef GX_TYPES_H
#define GX_TYPES_H

typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
typedef unsigned int uint32;
typedef unsigned long long uint64;
typedef uint pde_t;
typedef uint pte_t;

#ifndef NULL
#define NULL ((void *)0)
#endif

#endif
