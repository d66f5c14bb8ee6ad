/*
 * printf_test.c - the kernel's printf engine against the C library's.
 *
 * The kernel's printf.c, compiled for the host, formats the lab's cases
 * and many thousands of random formats; the C library is the oracle.
 * Only what kern/printf.h promises is generated: %d %i %u %x %o %c %s %%,
 * a width (or *), the - and 0 flags, and l/ll.  %p has its own cases
 * because the kernel pads it to eight digits on purpose.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "grade/unit/kern.h"
#include "grade/unit/oracle.h"

#define RANDOM_FORMATS	20000
#define SEED		20240601u

/* What kern_cons_putc received: cprintf's output. */
static char console[256];
static size_t console_len;

void
kern_cons_putc(int c)
{
	if (console_len + 1 < sizeof(console))
		console[console_len++] = c;
	console[console_len] = '\0';
}

/* Cases that disagreed so far: the random test stops after a few. */
static int mismatches;

/* Both printfs on one case; the host's text and length are the truth. */
#define CHECK_BOTH(n, desc, fmt, ...)						\
	do {									\
		char kb_[256], hb_[256];					\
		int kn_ = kern_snprintf(kb_, sizeof(kb_), fmt, ##__VA_ARGS__);	\
		int hn_ = oracle_snprintf(hb_, sizeof(hb_), fmt, ##__VA_ARGS__);	\
		mismatches += kn_ != hn_ || strcmp(kb_, hb_) != 0;		\
		cr_expect_str_eq(kb_, hb_, "case %d: snprintf(\"%s\", %s) "	\
				 "printed [%s], the C library [%s]", (n), fmt,	\
				 desc, kb_, hb_);				\
		cr_expect_eq(kn_, hn_, "case %d: snprintf(\"%s\", %s) "		\
			     "returned %d, the C library %d", (n), fmt, desc,	\
			     kn_, hn_);						\
	} while (0)

Test(printf, lab_cases, .description = "every case of kern/printf_cases.h")
{
#define PRINTF_CASE(n, fmt, ...) CHECK_BOTH(n, #__VA_ARGS__, fmt, ##__VA_ARGS__);
#define PRINTF_PTR_CASE(n, value, expected)
#include "kern/printf_cases.h"
#undef PRINTF_CASE
#undef PRINTF_PTR_CASE
}

Test(printf, pointer_cases, .description = "%p: 0x and at least eight hex digits")
{
	char buf[64];

#define PRINTF_CASE(n, fmt, ...)
#define PRINTF_PTR_CASE(n, value, expected)					\
	kern_snprintf(buf, sizeof(buf), "%p", (void *) (uintptr_t) (value));	\
	cr_expect_str_eq(buf, expected, "ptr case %d: %%p of %s printed [%s]",	\
			 n, #value, buf);
#include "kern/printf_cases.h"
#undef PRINTF_CASE
#undef PRINTF_PTR_CASE
}

Test(printf, truncation, .description = "snprintf truncates, terminates, and returns the full length")
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	cr_expect_eq(kern_snprintf(buf, 5, "%d", 123456), 6);
	cr_expect_str_eq(buf, "1234");
	cr_expect_eq(kern_snprintf(buf, 1, "abc"), 3);
	cr_expect_str_eq(buf, "");
	buf[0] = 'x';
	cr_expect_eq(kern_snprintf(buf, 0, "abc"), 3);
	cr_expect_eq(buf[0], 'x', "snprintf with size 0 must not write");
}

Test(printf, null_string, .description = "%s of NULL prints (null), as the C library does")
{
	/* volatile: the compiler would warn about a NULL %s it can see. */
	const char *volatile nothing = NULL;

	CHECK_BOTH(0, "NULL", "[%s]", nothing);
	CHECK_BOTH(0, "NULL", "[%8s]", nothing);
}

Test(printf, unknown_conversion, .description = "an unknown conversion is printed as written")
{
	/* Through variables: the compiler rightly rejects these as literals. */
	const char *unknown = "a%qb", *trailing = "end%";
	char buf[64];

	kern_snprintf(buf, sizeof(buf), unknown, 0);
	cr_expect_str_eq(buf, "a%qb");
	kern_snprintf(buf, sizeof(buf), trailing, 0);
	cr_expect_str_eq(buf, "end%");
}

Test(printf, cprintf_console, .description = "cprintf writes through cons_putc and counts")
{
	console_len = 0;
	cr_expect_eq(kern_cprintf("%s=%d\n", "x", -3), 5);
	cr_expect_str_eq(console, "x=-3\n");
}

/* ------------------------------------------------------------------------
 * Random formats
 * ------------------------------------------------------------------------ */

enum argtype { T_INT, T_LONG, T_LLONG, T_UINT, T_ULONG, T_ULLONG, T_CHAR, T_STR, T_NONE };

static uint64_t
rand64(void)
{
	return (uint64_t) rand() << 62 ^ (uint64_t) rand() << 31 ^ rand();
}

/* Values at the edges are where number printing goes wrong. */
static uint64_t
random_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 7, 8, 9, 10, 15, 16, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
		0xffffffffffffffffull, (uint64_t) -1000,
	};

	if (rand() % 3 == 0)
		return edges[rand() % (sizeof(edges) / sizeof(edges[0]))];
	return rand64() >> (rand() % 64);
}

/*
 * Write one random conversion with literal text around it into fmt.
 * Returns the type its argument must be passed as; *star says a width
 * argument comes first.
 */
static enum argtype
random_format(char *fmt, size_t size, bool *star)
{
	static const char *const flags[] = { "", "", "-", "0", "-0", "0-" };
	static const char *const texts[] = { "", "", "x", "[", "] ", "%%", "ab%%c" };
	static const char convs[] = "diuxoXcs%";
	const char *lmod = "";
	char conv, width[8] = "";
	const char *fl;
	enum argtype t;
	int l;

	do
		conv = convs[rand() % (sizeof(convs) - 1)];
	while (conv == 'X');	/* not a kernel conversion */
	fl = flags[rand() % 6];
	*star = false;
	switch (rand() % 4) {
	case 0:
		break;
	case 1:
		*star = true;
		strcpy(width, "*");
		break;
	default:
		snprintf(width, sizeof(width), "%d", 1 + rand() % 24);
	}
	l = rand() % 3;
	switch (conv) {
	case 'd': case 'i':
		t = l == 0 ? T_INT : l == 1 ? T_LONG : T_LLONG;
		lmod = l == 0 ? "" : l == 1 ? "l" : "ll";
		break;
	case 'u': case 'x': case 'o':
		t = l == 0 ? T_UINT : l == 1 ? T_ULONG : T_ULLONG;
		lmod = l == 0 ? "" : l == 1 ? "l" : "ll";
		break;
	case 'c': case 's':
		/* The C library leaves 0 with %c and %s undefined. */
		if (strchr(fl, '0'))
			fl = "-";
		t = conv == 'c' ? T_CHAR : T_STR;
		break;
	default:	/* %%: no flags, no width */
		fl = "";
		width[0] = '\0';
		*star = false;
		t = T_NONE;
	}
	snprintf(fmt, size, "%s%%%s%s%s%c%s", texts[rand() % 7], fl, width, lmod,
		 conv, texts[rand() % 7]);
	return t;
}

Test(printf, random_formats, .description = "random formats and values agree with the C library")
{
	static const char *const strs[] = { "", "a", "vmlab", "a longer string here" };
	char fmt[64], desc[96];
	int i, w;
	enum argtype t;
	uint64_t v;
	bool star;

	srand(SEED);
	/* Ten wrong cases say enough; twenty thousand would bury them. */
	for (i = 0; i < RANDOM_FORMATS && mismatches < 10; i++) {
		t = random_format(fmt, sizeof(fmt), &star);
		v = random_value();
		w = rand() % 26;
		snprintf(desc, sizeof(desc), "%s0x%llx (format %d of seed %u)",
			 star ? "width, " : "", (unsigned long long) v, i, SEED);

/* Call both printfs with the width (if any) and v as the right type. */
#define BOTH(val)							\
		do {							\
			if (star)					\
				CHECK_BOTH(i, desc, fmt, w, val);	\
			else						\
				CHECK_BOTH(i, desc, fmt, val);		\
		} while (0)

		switch (t) {
		case T_INT:	BOTH((int) v); break;
		case T_LONG:	BOTH((long) v); break;
		case T_LLONG:	BOTH((long long) v); break;
		case T_UINT:	BOTH((unsigned) v); break;
		case T_ULONG:	BOTH((unsigned long) v); break;
		case T_ULLONG:	BOTH((unsigned long long) v); break;
		case T_CHAR:	BOTH(' ' + (int) (v % 95)); break;
		case T_STR:	BOTH(strs[v % 4]); break;
		case T_NONE:	CHECK_BOTH(i, desc, fmt, 0); break;
		}
#undef BOTH
	}
}
