/*
 * lab2.c - lab 2's tests: physical memory, the page allocator, page
 * tables, and the kernel's address space.
 *
 * The kernel checks itself (kern/memcheck.c, one ktest per part, each
 * printing "FAIL: why" at the first thing wrong); these tests boot each
 * check on its own and judge the result.  The amount of RAM is the one
 * fact from outside: the -m of the QEMU command line.
 * 100 points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"

/* Boot test=NAME at stage 2 and require "NAME: ok" and exit 0. */
static void
run_check(struct boot_result *r, const char *name, bool disk)
{
	char cmdline[64], ok[64];

	snprintf(cmdline, sizeof(cmdline), "test=%s", name);
	boot(&(struct boot_opts) { .cmdline = cmdline, .disk_boot = disk }, r);
	expect_check_passed(r, name);
	expect_exit(r, 0);
	expect_no_line(r, "^FAIL: ");
	snprintf(ok, sizeof(ok), "^%s: ok$", name);
	expect_line(r, ok);
}

/* The MB of RAM QEMU is given (-m), or 0 if the options do not say. */
static unsigned
qemu_megabytes(void)
{
	const char *opts = grade_env("QEMUOPTS"), *m;

	if (opts == NULL || (m = strstr(opts, "-m ")) == NULL)
		return 0;
	return strtoul(m + 3, NULL, 10);
}

/*
 * The kernel's count of managed RAM against QEMU's -m: the top of RAM
 * is a little below the size (the BIOS keeps a few KB up there).
 */
static void
check_ram_size(const struct boot_result *r)
{
	unsigned want = qemu_megabytes(), pages, mb;
	regmatch_t m[3];
	size_t pos = 0;
	char *s;

	if (!log_find(r, &pos, "^memmap: ([0-9]+) pages \\(([0-9]+) MB\\) managed", m, 3))
		expect_fail(r, "expected: a line \"memmap: N pages (M MB) managed, ...\"\n"
			    "got: none");
	s = log_match_str(r, &m[1]);
	pages = strtoul(s, NULL, 10);
	free(s);
	mb = pages / 256;
	if (want != 0 && (mb > want || mb + 4 < want))
		expect_fail(r, "expected: about %u MB of RAM (QEMU runs with -m %u)\n"
			    "got: %u pages, %u MB", want, want, pages, mb);
	if (!log_find(r, &(size_t) { 0 }, "^  [0-9a-f]{16}-[0-9a-f]{16}  usable$", NULL, 0) &&
	    !log_find(r, &(size_t) { 0 }, "no map from the boot loader", NULL, 0))
		expect_fail(r, "expected: the memory map printed, with usable ranges\n"
			    "got: no line \"  START-END  usable\"");
}

GRADE_TEST(lab2, memmap, 10, "physical memory: the loader's map, reserved pages kept off the free list (exercise 1)")
{
	struct boot_result r;

	run_check(&r, "memmap", false);
	check_ram_size(&r);
}

GRADE_TEST(lab2, memmap_disk, 5, "physical memory through the project's boot sector (BIOS E820) (exercise 1)")
{
	struct boot_result r;

	run_check(&r, "memmap", true);
	expect_line(&r, "^boot loader: vmlab boot sector$");
	check_ram_size(&r);
}

GRADE_TEST(lab2, page_alloc, 20, "page_alloc/page_free: the free list, ALLOC_ZERO, every page once, exhaustion, refcounts (exercise 1)")
{
	struct boot_result r;

	run_check(&r, "page_alloc", false);
	expect_line(&r, "^page_alloc: took and gave back all [0-9]+ free pages$");
}

/* Boot test=NAME, which frees a page wrongly: page_free must panic and
 * say which page (the one NAME's line announces). */
static void
expect_free_refused(const char *name, const char *bug)
{
	struct boot_result r;
	char cmdline[64], re[96], *pa;
	regmatch_t m[2];
	size_t pos = 0;

	snprintf(cmdline, sizeof(cmdline), "test=%s", name);
	boot(&(struct boot_opts) { .cmdline = cmdline }, &r);
	snprintf(re, sizeof(re), "^%s: freeing page ([0-9a-f]{8})", name);
	if (!log_find(&r, &pos, re, m, 2))
		expect_fail(&r, "expected: a line \"%s: freeing page ...\" (the "
			    "test starts by freeing a page it took)\ngot: %s",
			    name, grade_outcome_text(&r));
	pa = log_match_str(&r, &m[1]);
	pos = 0;
	if (r.how != BOOT_PANIC && log_find(&r, &pos, "^FAIL: .*$", m, 1))
		expect_fail(&r, "expected: page_free panics when %s, naming "
			    "page %s\ngot: %.*s", bug, pa,
			    (int) (m[0].rm_eo - m[0].rm_so - 6), r.log + m[0].rm_so + 6);
	if (r.how != BOOT_PANIC)
		expect_fail(&r, "expected: page_free panics when %s, naming "
			    "page %s\ngot: %s", bug, pa, grade_outcome_text(&r));
	if (!strstr(r.why, pa))
		expect_fail(&r, "expected: page_free's panic names page %s, "
			    "which %s\ngot: %s", pa, bug, r.why);
	free(pa);
}

GRADE_TEST(lab2, page_free_checks, 5, "page_free panics on a page already free and on one with references, naming the page (exercise 1)")
{
	expect_free_refused("page_double_free", "it is freed a second time");
	expect_free_refused("page_free_busy", "it still has a reference");
}

GRADE_TEST(lab2, page_table, 35, "pgdir_walk, page_insert, page_lookup, page_remove, and the TLB through the MMU (exercises 1-3)")
{
	struct boot_result r;

	run_check(&r, "page_table", false);
}

GRADE_TEST(lab2, kern_pgdir, 25, "the kernel's address space: direct map, kernel image, its page tables, nothing for ring 3 (exercises 1-3)")
{
	struct boot_result r;

	run_check(&r, "kern_pgdir", false);
}
