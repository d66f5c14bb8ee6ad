/*
 * guest_native.c - guest_xv6 on bare QEMU: the "native" column every
 * engine of labs 4-9 is compared against.  Suite `guest`, worth no lab's
 * points: these tests say whether the guest itself is sound before a
 * monitor is judged by running it.
 *
 * Each test boots obj/guest_xv6/kernel with its own copy of the file
 * system image (boot_guest makes one: tests may run in parallel and the
 * guest writes to it) and
 * either types at the shell or names a program on the kernel command
 * line (run="..."), which ends the run with the program's exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"

/* Boot the guest natively with cmdline (may be NULL) and input typed at "$ ". */
static void
boot_xv6(const char *cmdline, const char *input, double timeout,
	 struct boot_result *r)
{
	boot_guest(&(struct guest_opts) {
		.engine = "native", .image = "guest_xv6/kernel", .args = cmdline,
		.disk = "guest_xv6/fs.img", .input = input,
		.input_after = "\\$ ", .timeout = timeout }, r);
}

GRADE_TEST(guest, boots_to_shell, 0, "guest_xv6 boots natively to its shell")
{
	struct boot_result r;

	boot_xv6(NULL, "echo guest says hi | wc\npoweroff 7\n", 20, &r);
	expect_exit(&r, 7);
	expect_line(&r, "^guest_xv6: 224 MB, [0-9]+ free pages");
	expect_line(&r, "^init: starting sh$");
	expect_line(&r, "^1 3 14 $");
	expect_no_line(&r, "guest panic");
}

GRADE_TEST(guest, selftest, 0, "guest_xv6's selftest passes natively")
{
	struct boot_result r;

	boot_xv6("run=selftest", NULL, 120, &r);
	expect_line(&r, "^selftest: [0-9]+ passed, 0 failed$");
	expect_no_line(&r, "FAILED");
	expect_no_line(&r, "guest panic");
	expect_exit(&r, 0);
}

GRADE_TEST(guest, nanobench, 0, "nanobench prints the paper's seven tests")
{
	static const char *const names[] = {
		"syscall", "in", "cr8wr", "call/ret", "pgfault", "divzero",
		"ptemod",
	};
	struct boot_result r;
	char re[128];
	size_t i;

	boot_xv6("run=nanobench", NULL, 120, &r);
	expect_exit(&r, 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(re, sizeof(re),
			 "^nanobench %s cycles/op=[1-9][0-9]* iters=[1-9][0-9]*$",
			 names[i]);
		expect_line(&r, re);
	}
}

GRADE_TEST(guest, forkwait, 0, "forkwait 1000 completes")
{
	struct boot_result r;

	boot_xv6("run=\"forkwait 1000\"", NULL, 60, &r);
	expect_exit(&r, 0);
	expect_line(&r, "^forkwait n=1000 cycles=[1-9][0-9]* ms=[0-9]+$");
}

GRADE_TEST(guest, faultdemo, 0, "faultdemo shows true faults in order")
{
	static const char *const order[] = {
		"^faultdemo: 1\\. hidden faults",
		"^faultdemo:   the guest saw 0 page faults$",
		"^faultdemo: 2\\. lazy sbrk",
		"^faultdemo:   the guest saw 4 page faults$",
		"^faultdemo: 3\\. copy-on-write",
		"^faultdemo: 4\\. bad access",
		"page fault at 0x80100000 \\(err 5\\).*killed$",
		"^faultdemo:   child exit status -1$",
		"^faultdemo: done$",
		NULL,
	};
	struct boot_result r;

	boot_xv6("run=faultdemo", NULL, 30, &r);
	expect_exit(&r, 0);
	expect_lines_in_order(&r, order);
}
