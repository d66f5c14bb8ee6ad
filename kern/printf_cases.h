/*
 * printf_cases.h - the printf conversions lab 1 is graded on.
 *
 * One list, two readers: the kernel's `test=printf` prints each case with
 * its own cprintf, and the grader (grade/lab1.c) formats the same case with
 * the host C library and compares.  %p is the one conversion whose host
 * output differs by design (glibc does not zero-pad it), so its cases are
 * listed separately with the text the kernel must print.
 *
 * A reader defines PRINTF_CASE(n, fmt, args...) and
 * PRINTF_PTR_CASE(n, value, expected) before including this file.
 *
 * Arguments fit in 32 bits wherever `l` is used, because long is 32 bits
 * in the kernel and 64 on the host.
 */
PRINTF_CASE(1, "%d", 42)
PRINTF_CASE(2, "%d", -42)
PRINTF_CASE(3, "%i", 2147483647)
PRINTF_CASE(4, "%d", -2147483647 - 1)
PRINTF_CASE(5, "%u", 4294967295u)
PRINTF_CASE(6, "%x", 0xdeadbeef)
PRINTF_CASE(7, "%o", 6828)
PRINTF_CASE(8, "%o", 0)
PRINTF_CASE(9, "%5d|%-5d|%05d", 42, 42, 42)
PRINTF_CASE(10, "%08x", 0xbeef)
PRINTF_CASE(11, "%-8x|", 0xbeef)
PRINTF_CASE(12, "%06d", -42)
PRINTF_CASE(13, "%ld %lu %lx", -7L, 3000000000UL, 0xcafeUL)
PRINTF_CASE(14, "%lld", -1234567890123LL)
PRINTF_CASE(15, "%llu", 18446744073709551615ULL)
PRINTF_CASE(16, "%llx", 0x123456789abcdefULL)
PRINTF_CASE(17, "%s|%10s|%-10s|", "vm", "lab", "one")
PRINTF_CASE(18, "%c%c%c", 'v', 'm', '!')
PRINTF_CASE(19, "100%%")
PRINTF_CASE(20, "%3c|%-3c|", 'a', 'b')
PRINTF_CASE(21, "%*d", 6, 17)
PRINTF_CASE(22, "%s", "no conversion")

PRINTF_PTR_CASE(1, 0xfc100000, "0xfc100000")
PRINTF_PTR_CASE(2, 0x1234, "0x00001234")
