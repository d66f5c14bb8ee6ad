/*
 * lab1.c - lab 1's tests: printf, the backtrace, the monitor, booting.
 *
 * Every expectation comes from outside the kernel: printf's from the host
 * C library formatting the same cases, the backtrace's and kerninfo's from
 * nm, addr2line and the ELF headers of the very kernel that ran.
 * 100 points.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"
#include "grade/backtrace.h"
#include "grade/kernsyms.h"

/* ------------------------------------------------------------------------
 * printf
 * ------------------------------------------------------------------------ */

/* The kinds of case, one test each. */
enum kind { DECIMAL, UNSIGNED, WIDTH, LONG, TEXT, POINTER };

struct pcase {
	int n;
	enum kind kind;
	const char *prefix;	/* "printf-case" or "printf-ptr" */
	char call[160];		/* the call, as C, for messages */
	char want[160];
};

static struct pcase cases[64];
static size_t ncases;

/*
 * Which test a format belongs to, by its most demanding conversion: any
 * `l` makes it a long case, any width or flag a width case.
 */
static enum kind
classify(const char *fmt)
{
	bool width = false, longs = false, dec = false, uns = false;

	while ((fmt = strchr(fmt, '%')) != NULL) {
		fmt++;
		while (strchr("-0123456789*", *fmt) && *fmt)
			width = true, fmt++;
		while (*fmt == 'l')
			longs = true, fmt++;
		dec |= *fmt == 'd' || *fmt == 'i';
		uns |= *fmt == 'u' || *fmt == 'x' || *fmt == 'o';
		if (*fmt)
			fmt++;
	}
	return longs ? LONG : width ? WIDTH : dec ? DECIMAL : uns ? UNSIGNED : TEXT;
}

static struct pcase *
new_case(int n, const char *prefix)
{
	struct pcase *c = &cases[ncases++];

	cr_assert(ncases <= sizeof(cases) / sizeof(cases[0]),
		  "kern/printf_cases.h has more cases than grade/lab1.c holds");
	c->n = n;
	c->prefix = prefix;
	return c;
}

static void __attribute__((format(printf, 3, 4)))
add_case(int n, const char *args, const char *fmt, ...)
{
	struct pcase *c = new_case(n, "printf-case");
	va_list ap;

	c->kind = classify(fmt);
	snprintf(c->call, sizeof(c->call), "cprintf(\"%s\"%s%s)", fmt,
		 *args ? ", " : "", args);
	va_start(ap, fmt);
	vsnprintf(c->want, sizeof(c->want), fmt, ap);
	va_end(ap);
}

static void
add_ptr_case(int n, const char *value, const char *expected)
{
	struct pcase *c = new_case(n, "printf-ptr");

	c->kind = POINTER;
	snprintf(c->call, sizeof(c->call), "cprintf(\"%%p\", (void *) %s)", value);
	snprintf(c->want, sizeof(c->want), "%s", expected);
}

/* The host's own printf is the oracle for every case but %p. */
static void
load_cases(void)
{
	ncases = 0;
#define PRINTF_CASE(n, fmt, ...)	add_case(n, #__VA_ARGS__, fmt, ##__VA_ARGS__);
#define PRINTF_PTR_CASE(n, value, expected) add_ptr_case(n, #value, expected);
#include "kern/printf_cases.h"
#undef PRINTF_CASE
#undef PRINTF_PTR_CASE
}

/* The text between the brackets of "PREFIX N: [text]", or NULL. */
static char *
printed(const struct boot_result *r, const struct pcase *c)
{
	char re[64];
	regmatch_t m[2];
	size_t pos = 0;

	snprintf(re, sizeof(re), "^%s %d: \\[(.*)\\]$", c->prefix, c->n);
	if (!log_find(r, &pos, re, m, 2))
		return NULL;
	return log_match_str(r, &m[1]);
}

/*
 * The kernel prints the cases in order, so when a case's numbered line is
 * missing (a broken %d garbles every number), its line is still the k-th
 * of its prefix.  Returns that whole line, or NULL.
 */
static char *
printed_at(const struct boot_result *r, const struct pcase *c)
{
	char re[64];
	regmatch_t m[1];
	size_t pos = 0, i;
	int k = 0;

	for (i = 0; &cases[i] != c; i++)
		k += strcmp(cases[i].prefix, c->prefix) == 0;
	snprintf(re, sizeof(re), "^%s .*$", c->prefix);
	do {
		if (!log_find(r, &pos, re, m, 1))
			return NULL;
	} while (k-- > 0);
	return log_match_str(r, &m[0]);
}

/* Boot test=printf and compare every case of one kind with the host's. */
static void
check_printf(enum kind kind)
{
	struct boot_result r;
	char *bad = NULL, *got;
	size_t i, total = 0, wrong = 0, len = 0;
	FILE *msg = open_memstream(&bad, &len);

	load_cases();
	boot(&(struct boot_opts) { .cmdline = "test=printf" }, &r);
	expect_exit(&r, 0);
	for (i = 0; i < ncases; i++) {
		const struct pcase *c = &cases[i];

		if (c->kind != kind)
			continue;
		total++;
		got = printed(&r, c);
		if (got && strcmp(got, c->want) == 0) {
			free(got);
			continue;
		}
		wrong++;
		fprintf(msg, "  %s %d: %s\n      expected: [%s]\n", c->prefix,
			c->n, c->call, c->want);
		if (got)
			fprintf(msg, "      got:      [%s]\n", got);
		else if ((got = printed_at(&r, c)))
			fprintf(msg, "      got:      no line \"%s %d: [...]\"; in "
				"its place: \"%s\"\n", c->prefix, c->n, got);
		else
			fprintf(msg, "      got:      no line \"%s %d: [...]\"\n",
				c->prefix, c->n);
		free(got);
	}
	fclose(msg);
	cr_assert(total > 0, "kern/printf_cases.h has no cases of this kind");
	if (wrong)
		expect_fail(&r, "printf: %zu of %zu cases wrong (expected: what "
			    "the host C library prints for the same call; for "
			    "%%p, the text kern/printf_cases.h gives):\n%s",
			    wrong, total, bad);
	free(bad);
}

GRADE_TEST(lab1, printf_decimal, 8, "printf %d and %i, negative numbers and the extremes (exercise 2)")
{
	check_printf(DECIMAL);
}

GRADE_TEST(lab1, printf_unsigned, 8, "printf %u %x %o (exercise 2)")
{
	check_printf(UNSIGNED);
}

GRADE_TEST(lab1, printf_width, 8, "printf field widths: padding with spaces and zeros, - and * (exercise 2)")
{
	check_printf(WIDTH);
}

GRADE_TEST(lab1, printf_long, 8, "printf l and ll: 64-bit numbers in every base (exercise 2)")
{
	check_printf(LONG);
}

GRADE_TEST(lab1, printf_text, 4, "printf %s %c %% (exercise 2)")
{
	check_printf(TEXT);
}

GRADE_TEST(lab1, printf_pointer, 4, "printf %p: 0x and eight hex digits (exercise 2)")
{
	check_printf(POINTER);
}

/* ------------------------------------------------------------------------
 * The backtrace
 * ------------------------------------------------------------------------ */

#define DEPTH	5	/* ktest.c: backtrace_depth(5, 0, 1) */

/* Boot test=backtrace and parse what it printed. */
static size_t
backtrace_run(struct boot_result *r, struct frame **f)
{
	size_t pos = 0;

	boot(&(struct boot_opts) { .cmdline = "test=backtrace" }, r);
	expect_exit(r, 0);
	return backtrace_parse(r, &pos, f);
}

/*
 * backtrace_depth(d) calls itself down to d = 0, which prints: the first
 * DEPTH frames return into backtrace_depth, the next into test_backtrace,
 * and the chain ends in entry.S's frame (ebp 0 beyond it).
 */
GRADE_TEST(lab1, backtrace_frames, 8, "backtrace: every frame from the innermost out to entry.S (exercises 2, 3)")
{
	struct boot_result r;
	struct frame *f;
	size_t n = backtrace_run(&r, &f), i;

	if (n < DEPTH + 4)
		expect_fail(&r, "expected: at least %d frames (%d of "
			    "backtrace_depth, test_backtrace, ..., kmain, "
			    "relocated)\ngot: %zu frames", DEPTH + 4, DEPTH + 1, n);
	for (i = 1; i < n; i++)
		if (f[i].ebp <= f[i - 1].ebp)
			expect_fail(&r, "expected: ebp to grow from frame to frame "
				    "(the stack grows down, callers are above)\n"
				    "got: frame %zu ebp %08x, frame %zu ebp %08x",
				    i - 1, f[i - 1].ebp, i, f[i].ebp);
	for (i = 0; i < DEPTH; i++)
		if (strcmp(f[i].fn, "backtrace_depth") != 0)
			expect_fail(&r, "expected: frames 0 to %d to return into "
				    "backtrace_depth (it calls itself %d times)\n"
				    "got: frame %zu in %s", DEPTH - 1, DEPTH, i,
				    f[i].fn);
	if (strcmp(f[DEPTH].fn, "test_backtrace") != 0)
		expect_fail(&r, "expected: frame %d to return into test_backtrace"
			    "\ngot: %s", DEPTH, f[DEPTH].fn);
	for (i = DEPTH + 1; i < n && strcmp(f[i].fn, "kmain") != 0; i++)
		;
	if (i == n)
		expect_fail(&r, "expected: a frame returning into kmain\ngot: none");
	if (strcmp(f[n - 1].fn, "relocated") != 0)
		expect_fail(&r, "expected: the last frame to be entry.S's "
			    "(returning into relocated), where ebp was set to 0"
			    "\ngot: %s", f[n - 1].fn);
}

GRADE_TEST(lab1, backtrace_lines, 8, "backtrace: FILE:LINE of each eip agrees with addr2line (exercises 2, 3)")
{
	struct boot_result r;
	struct frame *f;
	size_t n = backtrace_run(&r, &f);

	backtrace_check_lines(&r, f, n);
}

/*
 * test=backtrace also looks up the very addresses where a few functions
 * start ("lookup ADDR: FILE:LINE: FUNCTION+OFFSET"): each must name that
 * function, at offset 0.  No return address is ever such an address.
 */
static void
check_lookups(struct boot_result *r)
{
	const struct ksym *sym;
	struct ksyms syms;
	regmatch_t m[4];
	size_t pos = 0, n = 0;
	char *addr, *fn, *off;
	uint32_t a;

	ksyms_load(&syms, grade_env("KERNEL"));
	while (log_find(r, &pos, "^lookup ([0-9a-f]{8}): .*: ([^ ]+)\\+(-?[0-9]+)$",
			m, 4)) {
		n++;
		addr = log_match_str(r, &m[1]);
		fn = log_match_str(r, &m[2]);
		off = log_match_str(r, &m[3]);
		a = strtoul(addr, NULL, 16);
		sym = ksyms_function_at(&syms, a);
		if (!sym || sym->addr != a || strcmp(sym->name, fn) != 0 ||
		    atoi(off) != 0)
			expect_fail(r, "expected: the lookup of %08x, where %s "
				    "starts (nm), to give %s+0: the last entry "
				    "at or below the address is the one that "
				    "starts there\ngot: %s+%s", a,
				    sym ? sym->name : "no function",
				    sym ? sym->name : "<unknown>", fn, off);
		free(addr);
		free(fn);
		free(off);
	}
	if (n == 0)
		expect_fail(r, "expected: lines \"lookup ADDR: FILE:LINE: "
			    "FUNCTION+0\" after the backtrace\ngot: none");
}

GRADE_TEST(lab1, backtrace_functions, 8, "backtrace: FUNCTION+OFFSET of each eip agrees with nm, and so does a lookup where a function starts (exercises 2, 3)")
{
	struct boot_result r;
	struct frame *f;
	size_t n = backtrace_run(&r, &f);

	backtrace_check_functions(&r, f, n);
	check_lookups(&r);
}

GRADE_TEST(lab1, backtrace_args, 6, "backtrace: the five words above each return address are its arguments (exercises 2, 3)")
{
	struct boot_result r;
	struct frame *f;
	size_t n = backtrace_run(&r, &f);
	uint32_t d;

	if (n < DEPTH + 1)
		expect_fail(&r, "expected: %d frames of backtrace_depth\n"
			    "got: %zu frames in all", DEPTH + 1, n);
	/* Frame d belongs to backtrace_depth(d, DEPTH - d, 1 << (DEPTH - d)). */
	for (d = 0; d <= DEPTH; d++) {
		const uint32_t *a = f[d].args;

		if (a[0] != d || a[1] != DEPTH - d || a[2] != 1u << (DEPTH - d))
			expect_fail(&r, "expected: frame %u to show the arguments "
				    "of backtrace_depth(%u, %u, %u): args %08x "
				    "%08x %08x ...\ngot: args %08x %08x %08x",
				    d, d, DEPTH - d, 1u << (DEPTH - d), d,
				    DEPTH - d, 1u << (DEPTH - d), a[0], a[1], a[2]);
	}
}

/* ------------------------------------------------------------------------
 * The monitor
 * ------------------------------------------------------------------------ */

/*
 * stage=1 starts the monitor as soon as lab 1's part of the boot is done,
 * before any later lab's code (a stub, in a lab 1 handout) runs.
 */
#define MONITOR_CMDLINE	"stage=1"

/* Type one command, then `exit 7`, at the monitor's prompt. */
static void
monitor_run(struct boot_result *r, const char *command)
{
	char input[128];

	snprintf(input, sizeof(input), "%s\nexit 7\n", command);
	boot(&(struct boot_opts) { .cmdline = MONITOR_CMDLINE, .input = input }, r);
	expect_exit(r, 7);
}

GRADE_TEST(lab1, monitor_commands, 6, "monitor: help, an unknown command, and exit 7 with its status line (exercise 2)")
{
	struct boot_result r;
	const char *const help[] = {
		"^help - ", "^kerninfo - ", "^backtrace - ", "^exit - ", NULL,
	};

	boot(&(struct boot_opts) { .cmdline = MONITOR_CMDLINE,
				   .input = "help\nfrobnicate\nexit 7\n" }, &r);
	expect_exit(&r, 7);
	expect_lines_in_order(&r, help);
	expect_line(&r, "[Uu]nknown command.*frobnicate");
	expect_line(&r, "^exit status 7$");
}

/* Where the kernel says symbol is, by the line kerninfo printed. */
static void
check_kerninfo_symbol(const struct boot_result *r, const struct ksyms *syms,
		      const char *name)
{
	const struct ksym *sym = ksyms_by_name(syms, name);
	char re[128], *virt, *phys;
	regmatch_t m[3];
	uint32_t want_phys;
	size_t pos = 0;

	if (!sym)
		expect_fail(r, "the kernel has no symbol %s (nm cannot find it)", name);
	if (strcmp(name, "_start") == 0) {
		/* _start is the ELF entry point: already a physical address. */
		snprintf(re, sizeof(re), "^ +_start +([0-9a-f]{8}) +\\(phys\\)$");
		if (!log_find(r, &pos, re, m, 2))
			expect_fail(r, "expected: a line \"  _start %08x (phys)\"\n"
				    "got: no line \"  _start XXXXXXXX (phys)\"",
				    sym->addr);
		phys = log_match_str(r, &m[1]);
		if (strtoul(phys, NULL, 16) != sym->addr)
			expect_fail(r, "expected: _start %08x (phys), as nm says\n"
				    "got: _start %s", sym->addr, phys);
		return;
	}
	if (!elf_virt_to_phys(grade_env("KERNEL"), sym->addr, &want_phys))
		expect_fail(r, "%s at %08x is in no loadable segment of %s",
			    name, sym->addr, grade_env("KERNEL"));
	snprintf(re, sizeof(re), "^ +%s +([0-9a-f]{8}) +\\(virt\\) +([0-9a-f]{8}) "
		 "+\\(phys\\)$", name);
	if (!log_find(r, &pos, re, m, 3))
		expect_fail(r, "expected: a line \"  %-6s %08x (virt)  %08x (phys)\""
			    "\ngot: no such line for %s", name, sym->addr,
			    want_phys, name);
	virt = log_match_str(r, &m[1]);
	phys = log_match_str(r, &m[2]);
	if (strtoul(virt, NULL, 16) != sym->addr ||
	    strtoul(phys, NULL, 16) != want_phys)
		expect_fail(r, "expected: %s %08x (virt) %08x (phys), from nm and "
			    "the ELF program headers\ngot: %s %s (virt) %s (phys)",
			    name, sym->addr, want_phys, name, virt, phys);
}

GRADE_TEST(lab1, monitor_kerninfo, 10, "monitor: kerninfo's addresses and footprint agree with nm and the ELF headers (exercises 2, 4)")
{
	static const char *const names[] = {
		"_start", "entry", "etext", "edata", "end", NULL,
	};
	const struct ksym *entry, *end;
	struct boot_result r;
	struct ksyms syms;
	regmatch_t m[2];
	size_t pos = 0;
	unsigned want;
	char *kb;
	int i;

	monitor_run(&r, "kerninfo");
	ksyms_load(&syms, grade_env("KERNEL"));
	for (i = 0; names[i]; i++)
		check_kerninfo_symbol(&r, &syms, names[i]);
	entry = ksyms_by_name(&syms, "entry");
	end = ksyms_by_name(&syms, "end");
	want = (end->addr - entry->addr + 1023) / 1024;
	if (!log_find(&r, &pos, "^Kernel executable memory footprint: ([0-9]+)KB$",
		      m, 2))
		expect_fail(&r, "expected: \"Kernel executable memory footprint: "
			    "%uKB\"\ngot: no such line", want);
	kb = log_match_str(&r, &m[1]);
	if ((unsigned) atoi(kb) != want)
		expect_fail(&r, "expected: a footprint of %uKB (end - entry, "
			    "rounded up to a KB)\ngot: %sKB", want, kb);
}

GRADE_TEST(lab1, monitor_backtrace, 4, "monitor: backtrace from the prompt shows monitor_run, monitor, kmain (exercises 2, 3)")
{
	const char *const chain[] = { "monitor_run", "monitor", "kmain", NULL };
	struct boot_result r;
	struct frame *f;
	size_t n, i, k = 0;
	size_t pos = 0;

	monitor_run(&r, "backtrace");
	n = backtrace_parse(&r, &pos, &f);
	for (i = 0; i < n && chain[k]; i++)
		if (strcmp(f[i].fn, chain[k]) == 0)
			k++;
	if (chain[k])
		expect_fail(&r, "expected: frames returning into monitor_run, "
			    "monitor and kmain, in that order\ngot: none into "
			    "%s after them", chain[k]);
	backtrace_check_functions(&r, f, n);
}

/* ------------------------------------------------------------------------
 * Boot paths: the same kernel, three ways in.
 * ------------------------------------------------------------------------ */

/* The run printed the loader's name, the command line, and a right case. */
static void
check_boot(const struct boot_opts *o, const char *loader)
{
	struct boot_result r;
	char re[128], *got;

	load_cases();
	boot(o, &r);
	expect_exit(&r, 0);
	snprintf(re, sizeof(re), "^boot loader: %s$", loader);
	expect_line(&r, re);
	expect_line(&r, "^command line: '(.* )?test=printf( .*)?'$");
	got = printed(&r, &cases[0]);
	if (!got || strcmp(got, cases[0].want) != 0)
		expect_fail(&r, "expected: printf-case %d: [%s]\ngot: %s%s%s",
			    cases[0].n, cases[0].want, got ? "[" : "no such line",
			    got ? got : "", got ? "]" : "");
}

GRADE_TEST(lab1, boot_qemu_kernel, 4, "boot: QEMU -kernel (Multiboot), command line passed (exercise 2)")
{
	check_boot(&(struct boot_opts) { .cmdline = "test=printf" }, "qemu");
}

GRADE_TEST(lab1, boot_qemu_disk, 3, "boot: QEMU from the disk image through the boot sector (exercise 2)")
{
	check_boot(&(struct boot_opts) { .cmdline = "test=printf",
				       .disk_boot = true }, "vmlab boot sector");
}

GRADE_TEST(lab1, boot_bochs_disk, 3, "boot: Bochs from the disk image through the boot sector (exercise 2)")
{
	check_boot(&(struct boot_opts) { .emulator = "bochs",
				       .cmdline = "test=printf",
				       .timeout = 30 }, "vmlab boot sector");
}
