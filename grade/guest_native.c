/*
 * guest_native.c - guest_xv6 on bare QEMU: the "native" column every
 * engine of labs 4-9 is compared against.  Suite `guest`, worth no lab's
 * points: these tests say whether the guest itself is sound before a
 * monitor is judged by running it.
 *
 * Each test boots obj/guest_xv6/kernel with its own copy of the file
 * system image (tests may run in parallel and the guest writes to it) and
 * either types at the shell or names a program on the kernel command
 * line (run="..."), which ends the run with the program's exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "grade/harness.h"

/* The guest kernel, and a private copy of its disk for this test. */
static void
guest_files(char *kernel, size_t klen, char *img, size_t ilen)
{
	char src[PATH_MAX], chunk[65536];
	int in, out;
	ssize_t n;

	snprintf(kernel, klen, "%s/guest_xv6/kernel", grade_env("OBJDIR"));
	snprintf(src, sizeof(src), "%s/guest_xv6/fs.img", grade_env("OBJDIR"));
	cr_assert(access(kernel, R_OK) == 0 && access(src, R_OK) == 0,
		  "%s or %s is missing: build the guest with `make guest`",
		  kernel, src);
	snprintf(img, ilen, "%s", grade_test_path("img", ".img"));
	in = open(src, O_RDONLY);
	out = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(in >= 0 && out >= 0, "cannot copy %s to %s: %s", src, img,
		  strerror(errno));
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		cr_assert(write(out, chunk, n) == n, "cannot write %s", img);
	close(in);
	close(out);
}

/* Boot the guest with cmdline (may be NULL) and input typed at "$ ". */
static void
boot_guest(const char *cmdline, const char *input, double timeout,
	   struct boot_result *r)
{
	static char kernel[PATH_MAX], img[PATH_MAX];
	static const char *drives[2];

	guest_files(kernel, sizeof(kernel), img, sizeof(img));
	drives[0] = img;
	drives[1] = NULL;
	boot(&(struct boot_opts) {
		.kernel = kernel,
		.cmdline = cmdline,
		.drives = drives,
		.input = input,
		.input_after = "\\$ ",
		.timeout = timeout,
	}, r);
}

GRADE_TEST(guest, boots_to_shell, 0, "guest_xv6 boots natively to its shell")
{
	struct boot_result r;

	boot_guest(NULL, "echo guest says hi | wc\npoweroff 7\n", 20, &r);
	expect_exit(&r, 7);
	expect_line(&r, "^guest_xv6: 224 MB, [0-9]+ free pages");
	expect_line(&r, "^init: starting sh$");
	expect_line(&r, "^1 3 14 $");
	expect_no_line(&r, "guest panic");
}

GRADE_TEST(guest, selftest, 0, "guest_xv6's selftest passes natively")
{
	struct boot_result r;

	boot_guest("run=selftest", NULL, 120, &r);
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

	boot_guest("run=nanobench", NULL, 120, &r);
	expect_exit(&r, 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(re, sizeof(re),
			 "^nanobench %s cycles=[1-9][0-9]* iters=[1-9][0-9]*$",
			 names[i]);
		expect_line(&r, re);
	}
}

GRADE_TEST(guest, forkwait, 0, "forkwait 1000 completes")
{
	struct boot_result r;

	boot_guest("run=\"forkwait 1000\"", NULL, 60, &r);
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

	boot_guest("run=faultdemo", NULL, 30, &r);
	expect_exit(&r, 0);
	expect_lines_in_order(&r, order);
}
