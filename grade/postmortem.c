/*
 * postmortem.c - where a run that went wrong had got to.
 *
 * "TIMEOUT after 30 s" tells a student nothing; "stuck in shadow_fault
 * (vmm/shadow_fault.c:212), not halted" tells them where to look.  The
 * harness gives every QEMU a monitor on a socket, and asks it for the
 * CPU's registers when a run is quiet for long, or at its timeout; the
 * address becomes a function and a source line with the host's own nm
 * and addr2line (kernsyms.h), in the kernel or in the guest that ran.
 * After a triple fault the run is repeated once with QEMU's interrupt log,
 * whose last entries name the exceptions that led to the reset.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "grade/harness.h"
#include "grade/grade.h"
#include "grade/kernsyms.h"
#include "grade/postmortem.h"

/* Where the host kernel is linked: above it, addresses are the kernel's. */
#define KERNEL_LINK_BASE	0xFC000000u

/* Read from fd until the monitor's prompt ends what arrived, or timeout. */
static bool
read_to_prompt(int fd, struct strbuf *b, double seconds)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char chunk[4096];
	ssize_t n;
	int left = (int) (seconds * 1000);

	while (left > 0) {
		if (poll(&p, 1, 50) > 0) {
			n = read(fd, chunk, sizeof(chunk));
			if (n <= 0)
				return false;
			strbuf_add(b, chunk, n);
			if (b->len >= 8 && strstr(b->s, "(qemu) ") &&
			    b->s[b->len - 1] == ' ' && b->s[b->len - 2] == ')')
				return true;
		}
		left -= 50;
	}
	return false;
}

bool
qemu_cpu_state(const char *socket_path, struct cpu_state *st)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct strbuf b = { 0 };
	const char *p;
	unsigned eip, cs, cpl, hlt;
	bool ok = false;
	int fd;

	memset(st, 0, sizeof(*st));
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", socket_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	if (connect(fd, (struct sockaddr *) &a, sizeof(a)) < 0 ||
	    !read_to_prompt(fd, &b, 2.0))
		goto out;
	free(b.s);
	b = (struct strbuf) { 0 };
	if (write(fd, "info registers\n", 15) != 15 || !read_to_prompt(fd, &b, 2.0))
		goto out;
	if (!(p = strstr(b.s, "CPU#0")) || !(p = strstr(p, "EIP=")) ||
	    sscanf(p, "EIP=%x", &eip) != 1)
		goto out;
	if (strstr(p, "CPL=") && sscanf(strstr(p, "CPL="), "CPL=%u", &cpl) == 1)
		st->cpl = cpl;
	if (strstr(p, "HLT=") && sscanf(strstr(p, "HLT="), "HLT=%u", &hlt) == 1)
		st->halted = hlt != 0;
	if (strstr(p, "CS =") && sscanf(strstr(p, "CS ="), "CS =%x", &cs) == 1)
		st->cs = cs;
	st->eip = eip;
	ok = st->valid = true;
out:
	free(b.s);
	close(fd);
	return ok;
}

/* Which ELF file's symbols describe eip: the kernel's, or the guest's. */
static const char *
image_of(uint32_t eip, const char *kernel, const char *guest)
{
	if (guest && eip < KERNEL_LINK_BASE)
		return guest;
	return kernel;
}

void
where_is(uint32_t eip, const char *kernel, const char *guest, char *buf,
	 size_t size)
{
	const char *image = image_of(eip, kernel, guest);
	const struct ksym *f;
	struct ksyms syms;
	char **line;

	ksyms_load(&syms, image);
	f = ksyms_function_at(&syms, eip);
	if (f == NULL) {
		snprintf(buf, size, "%08x, in no function of %s", eip, image);
		return;
	}
	line = addr2line_lines(image, &eip, 1);
	snprintf(buf, size, "%s+%u (%s%s%s)", f->name, eip - f->addr,
		 line[0], image == guest ? ", in the guest " : "",
		 image == guest ? guest : "");
}

bool
same_function(uint32_t a, uint32_t b, const char *kernel, const char *guest)
{
	static struct ksyms cache[2];
	static char names[2][PATH_MAX];
	const char *image = image_of(a, kernel, guest);
	const struct ksym *fa, *fb;
	int k = image == guest;

	if (image != image_of(b, kernel, guest))
		return false;
	if (strcmp(names[k], image) != 0) {
		ksyms_load(&cache[k], image);
		snprintf(names[k], sizeof(names[k]), "%s", image);
	}
	fa = ksyms_function_at(&cache[k], a);
	fb = ksyms_function_at(&cache[k], b);
	return fa && fa == fb;
}

/* ------------------------------------------------------------------------
 * Triple faults
 * ------------------------------------------------------------------------ */

static const char *const vector_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP int3", "#OF into",
	"#BR bound", "#UD invalid opcode", "#NM no FPU", "#DF double fault",
	"coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault",
	"vector 15", "#MF FPU error", "#AC alignment", "#MC machine check",
	"#XM SIMD",
};

/* What an exception's error code names, when it names a descriptor. */
static void
error_code_text(struct strbuf *b, unsigned v, unsigned e)
{
	if (v == 14) {
		strbuf_printf(b, " error %x (%s, %s, %s)", e,
			      e & 1 ? "protection" : "not present",
			      e & 2 ? "write" : "read", e & 4 ? "user" : "kernel");
	} else if ((v >= 10 && v <= 13) || v == 8) {
		if (e == 0)
			strbuf_printf(b, " error 0");
		else if (e & 2)
			strbuf_printf(b, " error %x (IDT entry %u)", e, e >> 3);
		else
			strbuf_printf(b, " error %x (%s selector %x)", e,
				      e & 4 ? "LDT" : "GDT", e & ~7u);
	}
}

void
triple_fault_story(char *const argv[], double timeout, const char *kernel,
		   char *buf, size_t size)
{
	char logpath[PATH_MAX], where[256], limit[16];
	const char *argv2[80];
	struct strbuf b = { 0 };
	unsigned v[3], e[3], ip[3], n = 0, i, k;
	char line[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(logpath, sizeof(logpath), "%s", grade_test_path("logs", "-int.log"));
	unlink(logpath);
	/* The same run again, bounded: a triple fault comes early. */
	snprintf(limit, sizeof(limit), "%.0f", timeout < 20 ? timeout : 20);
	k = 0;
	argv2[k++] = "timeout";
	argv2[k++] = "-k";
	argv2[k++] = "1";
	argv2[k++] = limit;
	for (i = 0; argv[i] && k < 72; i++)
		argv2[k++] = argv[i];
	argv2[k++] = "-d";
	argv2[k++] = "int";
	argv2[k++] = "-D";
	argv2[k++] = logpath;
	argv2[k] = NULL;
	run_command(argv2, NULL, NULL);
	if ((f = fopen(logpath, "r")) == NULL)
		return;
	/* "   N: v=0d e=001a i=0 cpl=0 IP=0008:fc101a11 ..." */
	while (fgets(line, sizeof(line), f)) {
		unsigned vv, ee, ii, cs, eip;
		char *p = strstr(line, ": v=");

		if (!p || sscanf(p, ": v=%x e=%x i=%u cpl=%*u IP=%x:%x", &vv, &ee,
				 &ii, &cs, &eip) != 5)
			continue;
		if (vv >= 32)
			continue;	/* a device interrupt: not the story */
		v[n % 3] = vv | (ii ? 0x100 : 0);
		e[n % 3] = ee;
		ip[n % 3] = eip;
		n++;
	}
	fclose(f);
	if (n == 0)
		return;
	strbuf_printf(&b, "the last exceptions before the reset:");
	for (i = n > 3 ? n - 3 : 0; i < n; i++) {
		unsigned vv = v[i % 3] & 0xff;

		strbuf_printf(&b, "%s %s%s", i > (n > 3 ? n - 3 : 0) ? ", then" : "",
			      vector_names[vv] ? vector_names[vv] : "?",
			      v[i % 3] & 0x100 ? " (an int instruction)" : "");
		error_code_text(&b, vv, e[i % 3]);
		if (i == (n > 3 ? n - 3 : 0)) {
			where_is(ip[i % 3], kernel, NULL, where, sizeof(where));
			strbuf_printf(&b, " at %s", where);
		}
	}
	strbuf_printf(&b, ", then the CPU gave up (the full interrupt log: %s)",
		      logpath);
	snprintf(buf, size, "%s", b.s);
	free(b.s);
}
