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

/*
 * The compiler's own names for the sizes, so these typedefs agree with a C
 * library's when host-side unit tests compile kernel files next to it.
 */
#define bool	_Bool
#define true	1
#define false	0

typedef __INT8_TYPE__ int8_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __INT16_TYPE__ int16_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __INT32_TYPE__ int32_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT64_TYPE__ uint64_t;

typedef __INTPTR_TYPE__ intptr_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef uint32_t physaddr_t;	/* a physical address: never dereference it */

typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ssize_t;

/* Round down/up to a multiple of n (n need not be a power of two). */
#define ROUNDDOWN(a, n)	((typeof(a)) ((uint32_t) (a) - (uint32_t) (a) % (n)))
#define ROUNDUP(a, n)	ROUNDDOWN((uint32_t) (a) + (n) - 1, (n))

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Byte offset of a member inside its struct. */
#ifndef offsetof
#define offsetof(type, member)	__builtin_offsetof(type, member)
#endif

typedef __builtin_va_list va_list;
#ifndef va_start		/* a host unit test may have <stdarg.h> already */
#define va_start(ap, last)	__builtin_va_start(ap, last)
#define va_arg(ap, type)	__builtin_va_arg(ap, type)
#define va_end(ap)		__builtin_va_end(ap)
#define va_copy(d, s)		__builtin_va_copy(d, s)
#endif

#endif
