/*
 * string_test.c - the kernel's string routines against the C library's.
 *
 * Where the C standard fixes only the sign of a result (strcmp, memcmp),
 * only the sign is compared.  strlcpy is not in this C library, so its
 * expected results are written out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "grade/unit/kern.h"

static const char *const words[] = {
	"", "a", "ab", "abc", "abd", "b", "hello, world", "\x80high", "\xff",
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

Test(string, strlen_strnlen)
{
	size_t i, max;

	for (i = 0; i < NWORDS; i++) {
		cr_expect_eq(kern_strlen(words[i]), strlen(words[i]),
			     "strlen(\"%s\")", words[i]);
		for (max = 0; max < 16; max++)
			cr_expect_eq(kern_strnlen(words[i], max),
				     strnlen(words[i], max),
				     "strnlen(\"%s\", %zu)", words[i], max);
	}
}

Test(string, strcmp_strncmp, .description = "compare as unsigned bytes, like the C library")
{
	size_t i, j, n;

	for (i = 0; i < NWORDS; i++) {
		for (j = 0; j < NWORDS; j++) {
			cr_expect_eq(sign(kern_strcmp(words[i], words[j])),
				     sign(strcmp(words[i], words[j])),
				     "strcmp(\"%s\", \"%s\")", words[i], words[j]);
			for (n = 0; n < 5; n++)
				cr_expect_eq(sign(kern_strncmp(words[i], words[j], n)),
					     sign(strncmp(words[i], words[j], n)),
					     "strncmp(\"%s\", \"%s\", %zu)",
					     words[i], words[j], n);
		}
	}
}

Test(string, strchr, .description = "including the terminating NUL")
{
	const char *s = "hello, world";
	int c;

	for (c = 0; c < 256; c++)
		cr_expect_eq(kern_strchr(s, c), strchr(s, c), "strchr(s, %d)", c);
}

Test(string, strlcpy, .description = "truncates, always terminates, returns strlen(src)")
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	cr_expect_eq(kern_strlcpy(buf, "hello, world", sizeof(buf)), 12);
	cr_expect_str_eq(buf, "hello, ");
	cr_expect_eq(kern_strlcpy(buf, "abc", sizeof(buf)), 3);
	cr_expect_str_eq(buf, "abc");
	buf[0] = 'x';
	cr_expect_eq(kern_strlcpy(buf, "abc", 0), 3);
	cr_expect_eq(buf[0], 'x', "strlcpy with size 0 must not write");
}

Test(string, strtol, .description = "bases 0, 8, 10, 16, signs, and where parsing stops")
{
	static const char *const inputs[] = {
		"0", "42", "-42", "+17", "  12x", "0x1f", "0X1F", "017", "09",
		"ff", "-0x10", "zz", "", "2147483647", "-2147483648", "\t-7 ",
	};
	static const int bases[] = { 0, 8, 10, 16 };
	char *kend, *hend;
	size_t i, b;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		for (b = 0; b < 4; b++) {
			long k = kern_strtol(inputs[i], &kend, bases[b]);
			long h = strtol(inputs[i], &hend, bases[b]);

			/* On no digits the C library rewinds endptr to the
			 * start; the kernel's says where the digits would be. */
			if (h == 0 && hend == inputs[i])
				continue;
			cr_expect_eq(k, h, "strtol(\"%s\", base %d)", inputs[i], bases[b]);
			cr_expect_eq(kend - inputs[i], hend - inputs[i],
				     "strtol(\"%s\", base %d) stopped at %td, the "
				     "C library at %td", inputs[i], bases[b],
				     kend - inputs[i], hend - inputs[i]);
		}
	}
}

Test(string, memset_memcpy)
{
	unsigned char a[64], b[64], src[64];
	size_t i, off, n;

	for (i = 0; i < sizeof(src); i++)
		src[i] = rand();
	for (off = 0; off < 8; off++) {
		for (n = 0; n + off <= 40; n += 3) {
			memset(a, 0x55, sizeof(a));
			memset(b, 0x55, sizeof(b));
			kern_memset(a + off, 0xa5, n);
			memset(b + off, 0xa5, n);
			cr_expect_arr_eq(a, b, sizeof(a), "memset(+%zu, 0xa5, %zu)", off, n);
			kern_memcpy(a + off, src, n);
			memcpy(b + off, src, n);
			cr_expect_arr_eq(a, b, sizeof(a), "memcpy(+%zu, src, %zu)", off, n);
		}
	}
}

Test(string, memmove_overlap, .description = "overlapping moves in both directions")
{
	unsigned char a[64], b[64];
	size_t i, dst, src, n;

	for (dst = 0; dst < 16; dst++) {
		for (src = 0; src < 16; src++) {
			for (n = 0; n + (dst > src ? dst : src) <= 40; n += 5) {
				for (i = 0; i < sizeof(a); i++)
					a[i] = b[i] = i;
				kern_memmove(a + dst, a + src, n);
				memmove(b + dst, b + src, n);
				cr_expect_arr_eq(a, b, sizeof(a),
						 "memmove(+%zu, +%zu, %zu)", dst, src, n);
			}
		}
	}
}

Test(string, memcmp, .description = "the sign, as unsigned bytes")
{
	static const unsigned char x[] = { 1, 2, 3, 0x80, 5 }, y[] = { 1, 2, 3, 0x7f, 6 };
	size_t n;

	for (n = 0; n <= sizeof(x); n++) {
		cr_expect_eq(sign(kern_memcmp(x, y, n)), sign(memcmp(x, y, n)),
			     "memcmp(x, y, %zu)", n);
		cr_expect_eq(sign(kern_memcmp(y, x, n)), sign(memcmp(y, x, n)),
			     "memcmp(y, x, %zu)", n);
		cr_expect_eq(kern_memcmp(x, x, n), 0);
	}
}
