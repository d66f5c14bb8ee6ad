/*
 * env.c - the tools and paths the Makefile hands the grader.
 *
 * grade/Makefrag exports each Make variable the grader needs as GRADE_NAME,
 * so QEMU's options are written once, in the Makefile.  The defaults here
 * only matter when someone runs obj/grade/grade by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "grade/harness.h"
#include "grade/grade.h"

static const struct {
	const char *name;
	const char *fallback;
} defaults[] = {
	{ "QEMU", "qemu-system-i386" },
	{ "QEMUOPTS", "-m 512 -smp 1 -no-reboot -net none -accel tcg "
		      "-device isa-debug-exit,iobase=0xf4,iosize=0x04" },
	{ "BOCHS", "bochs" },
	{ "NM", "nm" },
	{ "ADDR2LINE", "addr2line" },
	{ "KERNEL", "obj/kern/kernel" },
	{ "BOOTBLOCK", "obj/kern/boot/bootblock" },
	{ "KERNIMG", "obj/kern/kernel.img" },
	{ "OBJDIR", "obj" },
	{ "ENGINE", "te" },
};

const char *
grade_env(const char *name)
{
	char var[64];
	const char *v;
	size_t i;

	snprintf(var, sizeof(var), "GRADE_%s", name);
	v = getenv(var);
	if (v && *v)
		return v;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strcmp(defaults[i].name, name) == 0)
			return defaults[i].fallback;
	fprintf(stderr, "grade: no setting named %s (a bug in the grader)\n", name);
	abort();
}

bool
find_program(const char *prog, char *path, size_t size)
{
	const char *dirs = getenv("PATH");
	const char *p, *end;

	if (strchr(prog, '/')) {
		snprintf(path, size, "%s", prog);
		return access(path, X_OK) == 0;
	}
	if (!dirs)
		dirs = "/usr/bin:/bin";
	for (p = dirs; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		snprintf(path, size, "%.*s/%s", (int) (end - p),
			 p == end ? "." : p, prog);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

int
make_dirs(const char *dir)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

double
grade_timeout_scale(void)
{
	const char *s = getenv("GRADE_TIMEOUT_SCALE");
	char *end;
	double v;

	if (!s || !*s)
		return 1.0;
	v = strtod(s, &end);
	if (*end != '\0' || !(v > 0)) {
		fprintf(stderr, "grade: GRADE_TIMEOUT_SCALE=%s is not a positive "
			"number; use e.g. GRADE_TIMEOUT_SCALE=3 on a slow machine\n", s);
		exit(2);
	}
	return v;
}
