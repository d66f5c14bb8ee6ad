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

/* One monitor command, its answer in *b (the prompt included). */
static bool
monitor_command(int fd, const char *cmd, struct strbuf *b)
{
	size_t n = strlen(cmd);

	free(b->s);
	*b = (struct strbuf) { 0 };
	return write(fd, cmd, n) == (ssize_t) n && read_to_prompt(fd, b, 2.0);
}

/* Follow the saved-EBP chain of kernel frames: x/2wx at each frame. */
static void
walk_frames(int fd, struct cpu_state *st)
{
	struct strbuf b = { 0 };
	uint32_t ebp = st->ebp;
	unsigned at, saved, ret;
	char cmd[64];
	const char *p;

	while (st->ncallers < 8 && ebp >= KERNEL_LINK_BASE && !(ebp & 3)) {
		snprintf(cmd, sizeof(cmd), "x/2wx 0x%08x\n", ebp);
		if (!monitor_command(fd, cmd, &b))
			break;
		for (p = b.s; (p = strchr(p, '\n')) != NULL; p++)
			if (sscanf(p + 1, "%x: 0x%x 0x%x", &at, &saved, &ret) == 3 &&
			    at == ebp)
				break;
		if (p == NULL || ret < KERNEL_LINK_BASE || saved <= ebp)
			break;
		st->callers[st->ncallers++] = ret;
		ebp = saved;
	}
	free(b.s);
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
	if (!monitor_command(fd, "info registers\n", &b))
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
	if ((p = strstr(b.s, "EBP=")) != NULL)
		sscanf(p, "EBP=%x", &st->ebp);
	st->eip = eip;
	ok = st->valid = true;
	if (st->cpl == 0 && eip >= KERNEL_LINK_BASE)
		walk_frames(fd, st);
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

/* The function eip lies in (where_is's choice of image), or NULL. */
static const struct ksym *
function_at(uint32_t eip, const char *kernel, const char *guest)
{
	static struct ksyms cache[2];
	static char names[2][PATH_MAX];
	const char *image = image_of(eip, kernel, guest);
	int k = image == guest;

	if (strcmp(names[k], image) != 0) {
		ksyms_load(&cache[k], image);
		snprintf(names[k], sizeof(names[k]), "%s", image);
	}
	return ksyms_function_at(&cache[k], eip);
}

/* Whether f is on look l's stack: the function it runs in, or a caller. */
static bool
on_stack(const struct cpu_state *l, const struct ksym *f, const char *kernel,
	 const char *guest)
{
	int i;

	if (function_at(l->eip, kernel, guest) == f)
		return true;
	for (i = 0; i < l->ncallers; i++)
		if (function_at(l->callers[i] - 1, kernel, NULL) == f)
			return true;
	return false;
}

/*
 * The run loop and what calls it are on every stack of a healthy run
 * under the monitor too: finding the CPU below them says nothing.
 */
static bool
is_loop(const struct ksym *f)
{
	static const char *const names[] = {
		"vm_run", "vmm_autorun", "kmain", "relocated", "_start",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(f->name, names[i]) == 0)
			return true;
	return false;
}

/* The function of frame i of look l: -1 is where the CPU runs. */
static const struct ksym *
frame_function(const struct cpu_state *l, int i, const char *kernel,
	       const char *guest)
{
	return i < 0 ? function_at(l->eip, kernel, guest) :
		function_at(l->callers[i] - 1, kernel, NULL);
}

static void
append(char *buf, size_t size, const char *fmt, const char *s)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, fmt, s);
}

bool
stuck_story(const struct cpu_state *looks, int n, const char *kernel,
	    const char *guest, char *buf, size_t size)
{
	const struct cpu_state *l0 = &looks[0];
	const struct ksym *g;
	char one[256], at[48];
	int i, j, ncommon = 0;

	/* The frames of the first look that every other look is inside
	 * too, innermost first, up to the run loop. */
	buf[0] = '\0';
	for (i = -1; i < l0->ncallers; i++) {
		if ((g = frame_function(l0, i, kernel, guest)) == NULL || is_loop(g))
			break;
		for (j = 1; j < n && on_stack(&looks[j], g, kernel, guest); j++)
			;
		if (j < n)
			continue;
		where_is(i < 0 ? l0->eip : l0->callers[i] - 1, kernel,
			 i < 0 ? guest : NULL, one, sizeof(one));
		append(buf, size, ncommon++ ? ", called from %s" : "%s", one);
	}
	if (ncommon == 0)
		return false;
	snprintf(at, sizeof(at), ": %d looks found the CPU inside ", n);
	append(buf, size, "%s", at);
	append(buf, size, "%s", ncommon > 1 ? "these, never halted (at" :
	       "it, never halted (at");
	for (i = 0; i < n; i++) {
		where_is(looks[i].eip, kernel, guest, one, sizeof(one));
		append(buf, size, i ? ", %s" : " %s", one);
	}
	append(buf, size, "%s", ")");
	return true;
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
