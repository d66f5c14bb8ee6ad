/*
 * types.h - the fixed-width types every kernel file speaks in.
 *
 * The kernel is freestanding: no libc headers, so the sizes an i386
 * programmer relies on are spelled out here once.
 */
#ifndef KERN_TYPES_H
#define KERN_TYPES_H

#ifndef NULL
#define NULL ((void *) 0)
#endif

typedef _Bool bool;
enum { false = 0, true = 1 };

typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;

typedef int32_t intptr_t;
typedef uint32_t uintptr_t;
typedef uint32_t physaddr_t;	/* a physical address: never dereference it */

typedef uint32_t size_t;
typedef int32_t ssize_t;
typedef int32_t off_t;

/* Round down/up to a multiple of n (n need not be a power of two). */
#define ROUNDDOWN(a, n)	((typeof(a)) ((uint32_t) (a) - (uint32_t) (a) % (n)))
#define ROUNDUP(a, n)	ROUNDDOWN((uint32_t) (a) + (n) - 1, (n))

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Byte offset of a member inside its struct. */
#define offsetof(type, member)	__builtin_offsetof(type, member)

typedef __builtin_va_list va_list;
#define va_start(ap, last)	__builtin_va_start(ap, last)
#define va_arg(ap, type)	__builtin_va_arg(ap, type)
#define va_end(ap)		__builtin_va_end(ap)
#define va_copy(d, s)		__builtin_va_copy(d, s)

#endif
