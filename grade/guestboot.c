/*
 * guestboot.c - booting a guest: under one of the monitor's engines, or
 * natively on bare QEMU (harness.h, struct guest_opts).
 *
 * Every lab from 4 on runs the same test guests and guest_xv6; the engine
 * is a parameter of the run, not of the test, so a suite written for te
 * runs unchanged under bt and vtx (`make grade LAB=4 ENGINE=bt`), and
 * the native run it is compared with comes from the same helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "grade/harness.h"

const char *
guest_engine(const struct guest_opts *g)
{
	return g->engine ? g->engine : grade_env("ENGINE");
}

bool
guest_native(const struct guest_opts *g)
{
	return strcmp(guest_engine(g), "native") == 0;
}

/* A private copy of the disk image, for a native run that writes it. */
static void
copy_disk(const char *src, char *dst, size_t size)
{
	char chunk[65536];
	ssize_t n;
	int in, out;

	snprintf(dst, size, "%s", grade_test_path("img", "-disk.img"));
	in = open(src, O_RDONLY);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(in >= 0 && out >= 0, "cannot copy %s to %s: %s (build it "
		  "with `make`)", src, dst, strerror(errno));
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		cr_assert(write(out, chunk, n) == n, "cannot write %s", dst);
	close(in);
	close(out);
}

/* "OBJDIR/FILE ARGS": a module of the guest's, as QEMU takes it. */
static const char *
module_path(const char *objdir, const char *m)
{
	static char buf[8][PATH_MAX];
	static int next;
	char *b = buf[next++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", objdir, m);
	return b;
}

void
boot_guest(const struct guest_opts *g, struct boot_result *res)
{
	static char image[PATH_MAX], module[PATH_MAX + 256], disk[PATH_MAX],
		copy[PATH_MAX], cmdline[PATH_MAX + 64], stop[512];
	static const char *list[12];
	const char *objdir = grade_env("OBJDIR");
	struct boot_opts o = {
		.input = g->input, .input_after = g->input_after,
		.extra_args = g->extra_args, .timeout = g->timeout,
		.stop_on = g->stop_on,
	};
	int n = 0, i;

	snprintf(image, sizeof(image), "%s/%s", objdir, g->image);
	cr_assert(access(image, R_OK) == 0, "the guest %s is missing: build "
		  "it with `make`", image);
	if (g->disk)
		snprintf(disk, sizeof(disk), "%s/%s", objdir, g->disk);
	if (guest_native(g)) {
		o.kernel = image;
		o.cmdline = g->args;
		if (g->disk) {
			copy_disk(disk, copy, sizeof(copy));
			list[n++] = copy;
			list[n++] = NULL;
			o.drives = list;
		}
		for (i = 0; g->modules && g->modules[i] && n < 10; i++)
			list[n + i] = module_path(objdir, g->modules[i]);
		list[n + i] = NULL;
		if (i > 0)
			o.modules = &list[n];
		boot(&o, res);
		return;
	}
	snprintf(cmdline, sizeof(cmdline), "engine=%s%s%s", guest_engine(g),
		 g->disk ? " disk=" : "", g->disk ? disk : "");
	snprintf(module, sizeof(module), "%s%s%s", image, g->args ? " " : "",
		 g->args ? g->args : "");
	list[n++] = module;
	for (i = 0; g->modules && g->modules[i] && n < 10; i++)
		list[n++] = module_path(objdir, g->modules[i]);
	if (g->disk)
		list[n++] = disk;
	list[n] = NULL;
	o.cmdline = cmdline;
	o.modules = list;
	/* A run the monitor gives up waits at the kernel monitor: stop
	 * there, the monitor's counters and its reason already printed. */
	if (g->stop_on)
		snprintf(stop, sizeof(stop), "%s|%s", g->stop_on, GUEST_GAVE_UP);
	else
		snprintf(stop, sizeof(stop), "%s", GUEST_GAVE_UP);
	o.stop_on = stop;
	boot(&o, res);
}
