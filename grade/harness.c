/*
 * harness.c - boot(): run the kernel in an emulator and watch its console.
 *
 * The emulator runs as a child in a process group of its own, with its
 * serial line on pipes.  One loop reads the console as it comes, saves it
 * to the test's log, types the test's input at each prompt, and notices
 * the ways a run can end.  Whatever happens, the whole group is killed and
 * reaped before boot() returns: a grader that leaves QEMUs behind on a
 * shared machine is worse than no grader.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "grade/harness.h"
#include "grade/grade.h"
#include "grade/postmortem.h"

#define DEFAULT_TIMEOUT	10.0
#define DEFAULT_PROMPT	"K> "
/* What the host kernel and the guest OS print when they panic. */
static const char *const panic_texts[] = { "kernel panic", "guest panic" };
#define PANIC_TEXT_MAX	12	/* the longest of panic_texts */
#define PANIC_GRACE	2.0	/* seconds to let a panic print its backtrace */
#define MAX_ARGS	64
#define BOCHS_RUN	"kern/boot/bochs-run.sh"
#define MKIMAGE		"kern/boot/mkimage.sh"

/* bochs-run.sh's exit codes beyond the kernel's own statuses (0-119). */
#define BOCHS_MAX_STATUS	119
#define BOCHS_TRIPLE		120

/* How long a run may take to clean up after SIGTERM before SIGKILL. */
#define TERM_GRACE	1.0

/*
 * A kernel that prints nothing for HANG_QUIET seconds is asked where it
 * is; if HANG_SAMPLES answers, HANG_EVERY seconds apart, find the CPU
 * running (not halted) in one and the same function, the run is stuck
 * there and ends at once, with that function named, rather than at its
 * timeout.  Once a test of this `make grade` was found stuck, the others
 * are given HANG_QUIET_AFTER: one mistake must not cost minutes per test.
 */
#define HANG_QUIET	20.0
#define HANG_QUIET_AFTER 5.0
#define HANG_SAMPLES	5
#define HANG_EVERY	0.5

/* Everything one run needs while it is in flight. */
struct run {
	const struct boot_opts *opts;
	struct boot_result *res;
	bool bochs;
	pid_t pid;
	int in, out, err;		/* our ends of its stdin/stdout/stderr */
	FILE *logf;
	struct strbuf log, errlog;
	double start, deadline;
	bool exited;			/* the emulator exited by itself */
	int wstatus;
	bool panicked, stopped;
	bool compiled;			/* the regexes below are live */
	size_t panic_pos, stop_pos, prompt_pos;
	regex_t stop_re, prompt_re;
	const char *next_input;		/* the next line to type, or NULL */
	/* Where the CPU is, for runs that stop answering (postmortem.h). */
	char monitor[108];		/* QEMU's monitor socket, or "" */
	const char *kernel, *guest;	/* whose symbols name an address */
	double quiet, last_output, next_probe;
	int samples;			/* answers since the last output */
	struct cpu_state looks[HANG_SAMPLES];
	bool stuck;
	bool idle;			/* quiet for opts->idle_timeout */
	char where[1024];		/* the stuck functions, or the last EIP */
	char guest_buf[PATH_MAX];
	bool cut;			/* --fail-fast: another test failed */
	double next_cut_look;
};

/* The process group being run, for the signal handler. */
static volatile sig_atomic_t running_group;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Ctrl-C or a kill of the grader must not leave the emulator running:
 * it sits in its own process group, out of reach of the terminal's signals.
 */
static void
on_fatal_signal(int sig)
{
	if (running_group > 0)
		kill(-running_group, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

const char *
boot_outcome_name(enum boot_outcome how)
{
	switch (how) {
	case BOOT_EXITED:	return "exited";
	case BOOT_STOPPED:	return "stopped by the grader";
	case BOOT_PANIC:	return "panicked";
	case BOOT_TRIPLE_FAULT:	return "triple-faulted";
	case BOOT_TIMEOUT:	return "timed out";
	case BOOT_NOT_GRADABLE:	return "not gradable";
	case BOOT_ERROR:	return "could not run";
	}
	return "?";
}

/* The names of runs outside a Criterion test (grade_name_runs). */
static const char *runs_suite = "misc", *runs_test = "boot";

void
grade_name_runs(const char *suite, const char *test)
{
	runs_suite = suite;
	runs_test = test;
}

const char *
grade_test_path(const char *dir, const char *suffix)
{
	static char path[PATH_MAX];
	const char *suite = runs_suite, *test = runs_test;
	char d[PATH_MAX / 2];

	if (criterion_current_test) {
		suite = criterion_current_test->category;
		test = criterion_current_test->name;
	}
	snprintf(d, sizeof(d), "%s/grade/%s/%s", grade_env("OBJDIR"), dir, suite);
	if (make_dirs(d) < 0)
		fprintf(stderr, "grade: cannot create %s: %s\n", d, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s%s", d, test, suffix);
	return path;
}

/* Split s at spaces into argv[*argc...]; returns false if there are too many. */
static bool
split_args(char *s, char **argv, int *argc)
{
	char *tok, *save;

	for (tok = strtok_r(s, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (*argc >= MAX_ARGS - 1)
			return false;
		argv[(*argc)++] = tok;
	}
	return true;
}

static void
set_why(struct boot_result *res, enum boot_outcome how, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_why(struct boot_result *res, enum boot_outcome how, const char *fmt, ...)
{
	va_list ap;

	res->how = how;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
}

/*
 * Build the disk image the boot sector loads, with the command line baked
 * in.  Returns false with res->how and res->why set if it cannot.
 */
static bool
make_image(const struct boot_opts *o, struct boot_result *res, char *img,
	   size_t size, int nth)
{
	const char *bootblock = grade_env("BOOTBLOCK");
	const char *kernel = o->kernel ? o->kernel : grade_env("KERNEL");
	char suffix[32], *err = NULL;
	int rc;

	if (access(MKIMAGE, R_OK) != 0) {
		set_why(res, BOOT_NOT_GRADABLE, "%s is missing, so there is no "
			"disk image to boot: the boot sector is not part of "
			"this tree yet", MKIMAGE);
		return false;
	}
	if (access(bootblock, R_OK) != 0) {
		set_why(res, BOOT_ERROR, "%s not found: build it with `make`",
			bootblock);
		return false;
	}
	snprintf(suffix, sizeof(suffix), nth > 1 ? "-%d.img" : ".img", nth);
	snprintf(img, size, "%s", grade_test_path("images", suffix));
	rc = run_command((const char *const[]) { "sh", MKIMAGE, bootblock,
			 kernel, o->cmdline ? o->cmdline : "", img, NULL },
			 NULL, &err);
	if (rc != 0) {
		set_why(res, BOOT_ERROR, "`sh %s %s %s \"%s\" %s` failed "
			"(status %d): %.300s", MKIMAGE, bootblock, kernel,
			o->cmdline ? o->cmdline : "", img, rc, err ? err : "");
		free(err);
		return false;
	}
	free(err);
	return true;
}

/*
 * QEMU's -initrd value for a module list: the modules joined by commas,
 * a comma inside one doubled (QEMU's escape).  Each module's string is
 * its Multiboot command line, the image's path up to the first space.
 * Returns false if it does not fit in buf.
 */
static bool
modules_arg(const char *const *mods, char *buf, size_t size)
{
	size_t n = 0;
	const char *s;
	int i;

	for (i = 0; mods[i]; i++) {
		if (i > 0 && n + 1 < size)
			buf[n++] = ',';
		for (s = mods[i]; *s && n + 2 < size; s++) {
			if (*s == ',')
				buf[n++] = ',';
			buf[n++] = *s;
		}
		if (*s)
			return false;
	}
	buf[n] = '\0';
	return n + 1 < size;
}

/*
 * Fill argv with the emulator command for opts.  Returns false with
 * res->how and res->why set when the run cannot happen on this host.
 */
static bool
build_command(struct run *r, char **argv, char *strings, size_t size, int nth)
{
	const struct boot_opts *o = r->opts;
	struct boot_result *res = r->res;
	const char *kernel = o->kernel ? o->kernel : grade_env("KERNEL");
	char path[PATH_MAX], img[PATH_MAX], tmpdir[PATH_MAX / 2];
	char *p = strings, *end = strings + size;
	int argc = 0, i;

/* Keep a copy of s in strings[] and make it the next argument. */
#define ARG(s) do {							\
		int n_ = snprintf(p, end - p, "%s", (s));		\
		argv[argc++] = p;					\
		p += n_ + 1;						\
	} while (0)

	r->kernel = kernel;
	/* A guest for the monitor is the first module's first word. */
	if (o->modules && o->modules[0]) {
		snprintf(r->guest_buf, sizeof(r->guest_buf), "%.*s",
			 (int) strcspn(o->modules[0], " "), o->modules[0]);
		if (access(r->guest_buf, R_OK) == 0)
			r->guest = r->guest_buf;
	}
	if (access(kernel, R_OK) != 0) {
		set_why(res, BOOT_ERROR, "%s not found: build the kernel with `make`",
			kernel);
		return false;
	}
	if (o->modules && o->modules[0] && (r->bochs || o->disk_boot)) {
		set_why(res, BOOT_ERROR, "Multiboot modules need QEMU's -kernel "
			"boot: the boot sector loads none");
		return false;
	}
	if (r->bochs) {
		if (!find_program(grade_env("BOCHS"), path, sizeof(path))) {
			set_why(res, BOOT_NOT_GRADABLE, "%s not found: install it "
				"with `sudo apt-get install bochs bochsbios "
				"vgabios` or run `make deps` as root",
				grade_env("BOCHS"));
			return false;
		}
		if (access(BOCHS_RUN, R_OK) != 0) {
			set_why(res, BOOT_NOT_GRADABLE, "%s is missing: this tree "
				"cannot run Bochs yet", BOCHS_RUN);
			return false;
		}
		if (!make_image(o, res, img, sizeof(img), nth))
			return false;
		/* The script runs $BOCHS, as `make bochs` tells it to, and
		 * keeps the files of a failed run under obj/, not /tmp. */
		setenv("BOCHS", grade_env("BOCHS"), 1);
		snprintf(tmpdir, sizeof(tmpdir), "%s/grade/tmp", grade_env("OBJDIR"));
		make_dirs(tmpdir);
		if (realpath(tmpdir, path))
			setenv("TMPDIR", path, 1);
		ARG("sh");
		ARG(BOCHS_RUN);
		ARG(img);
		for (i = 0; o->drives && o->drives[i]; i++)
			ARG(o->drives[i]);
	} else {
		char opts[1024], buf[PATH_MAX + 64];

		if (!find_program(grade_env("QEMU"), path, sizeof(path))) {
			set_why(res, BOOT_ERROR, "%s not found: install it with "
				"`sudo apt-get install qemu-system-x86` or run "
				"`make deps` as root", grade_env("QEMU"));
			return false;
		}
		ARG(grade_env("QEMU"));
		snprintf(opts, sizeof(opts), "%s", grade_env("QEMUOPTS"));
		/* Split a copy kept in strings[], so argv outlives opts. */
		ARG(opts);
		argc--;
		if (!split_args(argv[argc], argv, &argc))
			goto too_many;
		ARG("-serial");
		ARG("stdio");
		ARG("-display");
		ARG("none");
		/* The monitor answers on a socket of its own (postmortem.c). */
		snprintf(r->monitor, sizeof(r->monitor), "/tmp/vmlab-grade-%d-%d.mon",
			 (int) getpid(), nth);
		unlink(r->monitor);
		snprintf(buf, sizeof(buf), "unix:%s,server=on,wait=off", r->monitor);
		ARG("-monitor");
		ARG(buf);
		if (o->disk_boot) {
			if (!make_image(o, res, img, sizeof(img), nth))
				return false;
			snprintf(buf, sizeof(buf),
				 "file=%s,format=raw,index=0,media=disk", img);
			ARG("-drive");
			ARG(buf);
		} else {
			ARG("-kernel");
			ARG(kernel);
			ARG("-append");
			ARG(o->cmdline ? o->cmdline : "");
		}
		for (i = 0; o->drives && o->drives[i]; i++) {
			snprintf(buf, sizeof(buf),
				 "file=%s,format=raw,index=%d,media=disk",
				 o->drives[i], i + 1);
			ARG("-drive");
			ARG(buf);
		}
		if (o->modules && o->modules[0]) {
			if (!modules_arg(o->modules, buf, sizeof(buf))) {
				set_why(res, BOOT_ERROR, "the Multiboot modules "
					"are too long for one -initrd argument");
				return false;
			}
			ARG("-initrd");
			ARG(buf);
		}
	}
	if (o->extra_args) {
		ARG(o->extra_args);
		argc--;
		if (!split_args(argv[argc], argv, &argc))
			goto too_many;
	}
	argv[argc] = NULL;
	if (p > end) {
		set_why(res, BOOT_ERROR, "the emulator command is too long");
		return false;
	}

	/* Quote what needs it, so the command can be pasted into a shell. */
	p = res->command;
	for (i = 0; argv[i] && p < res->command + sizeof(res->command); i++) {
		bool quote;

		/* The grader's monitor socket is no part of the run. */
		if (strcmp(argv[i], "-monitor") == 0 && argv[i + 1]) {
			i++;
			continue;
		}
		quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"$");

		p += snprintf(p, res->command + sizeof(res->command) - p,
			      quote ? "%s'%s'" : "%s%s", i ? " " : "", argv[i]);
	}
	return true;
#undef ARG

too_many:
	set_why(res, BOOT_ERROR, "too many emulator arguments (at most %d)",
		MAX_ARGS);
	return false;
}

/*
 * Start argv with its stdio on pipes, in a new process group, set to die
 * with us.  Returns false with res->why set if it cannot be started.
 */
static bool
spawn(struct run *r, char *const argv[])
{
	int pin[2], pout[2], perr[2], pexec[2], child_errno;
	pid_t parent = getpid();
	ssize_t n;

	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 ||
	    pipe2(perr, O_CLOEXEC) < 0 || pipe2(pexec, O_CLOEXEC) < 0) {
		set_why(r->res, BOOT_ERROR, "pipe: %s", strerror(errno));
		return false;
	}
	fflush(NULL);
	r->pid = fork();
	if (r->pid < 0) {
		set_why(r->res, BOOT_ERROR, "fork: %s", strerror(errno));
		return false;
	}
	if (r->pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		execvp(argv[0], argv);
		child_errno = errno;
		n = write(pexec[1], &child_errno, sizeof(child_errno));
		(void) n;
		_exit(127);
	}
	/* Both sides set the group, so neither order of events loses it. */
	setpgid(r->pid, r->pid);
	running_group = r->pid;
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	close(pexec[1]);
	r->in = pin[1];
	r->out = pout[0];
	r->err = perr[0];
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	fcntl(r->err, F_SETFL, O_NONBLOCK);

	/* The exec pipe closes on a successful exec and carries errno if not. */
	n = read(pexec[0], &child_errno, sizeof(child_errno));
	close(pexec[0]);
	if (n == sizeof(child_errno)) {
		set_why(r->res, BOOT_ERROR, "cannot run %s: %s", argv[0],
			strerror(child_errno));
		return false;
	}
	return true;
}

/* Match re against the log from *pos on; on a match move *pos past it. */
/* The first panic line's start in s, from either kernel, or NULL. */
static const char *
find_panic(const char *s)
{
	const char *first = NULL, *hit;
	size_t i;

	for (i = 0; i < sizeof(panic_texts) / sizeof(panic_texts[0]); i++)
		if ((hit = strstr(s, panic_texts[i])) && (!first || hit < first))
			first = hit;
	return first;
}

static bool
scan(struct run *r, const regex_t *re, size_t *pos)
{
	const char *s = r->log.s;
	regmatch_t m;
	int flags = 0;

	if (*pos > 0 && s[*pos - 1] != '\n')
		flags |= REG_NOTBOL;
	/* A line still arriving has no end yet. */
	if (r->log.len > 0 && s[r->log.len - 1] != '\n')
		flags |= REG_NOTEOL;
	if (regexec(re, s + *pos, 1, &m, flags) != 0)
		return false;
	*pos += m.rm_eo > m.rm_so ? m.rm_eo : m.rm_eo + 1;
	if (*pos > r->log.len)
		*pos = r->log.len;
	return true;
}

/* Type the next line of input, keeping the rest for the next prompt. */
static void
type_line(struct run *r)
{
	const char *nl = strchr(r->next_input, '\n');
	size_t n = nl ? (size_t) (nl - r->next_input) : strlen(r->next_input);
	ssize_t w;

	/* A blocking write of a short line into a pipe does not stall. */
	w = write(r->in, r->next_input, n);
	w = write(r->in, "\n", 1);
	(void) w;
	r->next_input = nl && nl[1] ? nl + 1 : NULL;
}

/* React to what the console just said. */
static void
watch_console(struct run *r)
{
	const char *hit;
	double t = now();

	if (!r->panicked && (hit = find_panic(r->log.s + r->panic_pos))) {
		r->panicked = true;
		r->panic_pos = hit - r->log.s;
		if (r->deadline > t + PANIC_GRACE * grade_timeout_scale())
			r->deadline = t + PANIC_GRACE * grade_timeout_scale();
	} else if (!r->panicked && r->log.len >= PANIC_TEXT_MAX) {
		r->panic_pos = r->log.len - PANIC_TEXT_MAX + 1;
	}
	if (r->opts->stop_on && !r->stopped && scan(r, &r->stop_re, &r->stop_pos))
		r->stopped = true;
	while (r->next_input && scan(r, &r->prompt_re, &r->prompt_pos))
		type_line(r);
}

/*
 * Read what is there on fd into the console log or the stderr log.
 * Returns what read() did: >0 bytes, 0 at the end, -1 (EAGAIN) if none yet.
 */
static ssize_t
read_some(struct run *r, int fd)
{
	char chunk[4096], clean[4096];
	size_t i, k = 0;
	ssize_t n;

	do
		n = read(fd, chunk, sizeof(chunk));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	if (fd == r->err) {
		strbuf_add(&r->errlog, chunk, n);
		return n;
	}
	/* The serial line says \r\n; NULs would end the log's string early. */
	for (i = 0; i < (size_t) n; i++)
		if (chunk[i] != '\r' && chunk[i] != '\0')
			clean[k++] = chunk[i];
	strbuf_add(&r->log, clean, k);
	if (k > 0) {
		r->last_output = now();
		r->samples = 0;
	}
	if (r->logf) {
		fwrite(clean, 1, k, r->logf);
		fflush(r->logf);
	}
	watch_console(r);
	return n;
}

/* Has the emulator exited?  WNOWAIT leaves it a zombie, so its process
 * group id stays ours to signal until finish() reaps it. */
static bool
has_exited(const struct run *r)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == r->pid;
}

/*
 * The run has been quiet for r->quiet seconds: ask where the CPU is.  A
 * run is stuck when HANG_SAMPLES answers in a row find the CPU running,
 * never halted, inside one function below the monitor's run loop (a
 * loop in the kernel, or a guest spinning: stuck_story()).  Halted, it
 * is only waiting; anywhere else, working.
 */
static void
probe(struct run *r, double t)
{
	struct cpu_state st;

	r->next_probe = t + HANG_EVERY;
	if (!qemu_cpu_state(r->monitor, &st))
		return;
	if (st.halted) {
		r->samples = 0;
		return;
	}
	r->looks[r->samples++] = st;
	if (r->samples < HANG_SAMPLES)
		return;
	if (stuck_story(r->looks, HANG_SAMPLES, r->kernel, r->guest, r->where,
			sizeof(r->where))) {
		r->stuck = true;
		return;
	}
	/* Working: look again later, from scratch. */
	r->samples = 0;
	r->next_probe = t + r->quiet;
}

/* At the timeout: where the CPU was, for the message. */
static void
locate(struct run *r)
{
	struct cpu_state st;

	if (qemu_cpu_state(r->monitor, &st))
		where_is(st.eip, r->kernel, r->guest, r->where, sizeof(r->where));
	if (st.valid && st.halted)
		snprintf(r->where + strlen(r->where),
			 sizeof(r->where) - strlen(r->where), ", halted");
}

const char *
grade_session_file(const char *name)
{
	static char path[PATH_MAX];
	const char *dir = getenv("GRADE_SESSION");

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

const char *
grade_session_hang(void)
{
	static char where[1024];
	const char *path = grade_session_file("hangs");
	FILE *f;

	if (!path || (f = fopen(path, "r")) == NULL)
		return NULL;
	if (!fgets(where, sizeof(where), f))
		where[0] = '\0';
	fclose(f);
	where[strcspn(where, "\n")] = '\0';
	return where[0] ? where : NULL;
}

/*
 * --fail-fast: once a test has failed (report.c notes which in the
 * session's "failed"), the tests that have not started are not run, and
 * the runs of those under way are cut short (watch()); both are NOT RUN.
 * Criterion's own --fail-fast would end the grader there, with no report.
 * Returns the test that failed first, or NULL while none has.
 */
static const char *
fail_fast_failed(void)
{
	static char first[256];
	const char *path = grade_session_file("failed");
	FILE *f;

	if (!getenv(GRADE_FAIL_FAST_ENV) || !path || (f = fopen(path, "r")) == NULL)
		return NULL;
	if (!fgets(first, sizeof(first), f))
		first[0] = '\0';
	fclose(f);
	first[strcspn(first, "\n")] = '\0';
	return first;
}

void
grade_test_init(void)
{
	const char *first = fail_fast_failed();

	if (first)
		criterion_skip_test(GRADE_NOT_RUN_PREFIX "%s failed first, and "
				    "--fail-fast runs no test after a failure",
				    first);
}

/* Whether an earlier test of this `make grade` was found stuck. */
static bool
session_had_hang(void)
{
	return grade_session_hang() != NULL;
}

/* Note for the tests still to come that this one was stuck. */
static void
session_note_hang(const char *where)
{
	const char *path = grade_session_file("hangs");
	FILE *f;

	if (path && (f = fopen(path, "a")) != NULL) {
		fprintf(f, "%s\n", where);
		fclose(f);
	}
}

/* Run the event loop until the emulator exits or the run must end. */
static void
watch(struct run *r)
{
	struct pollfd fds[2] = { { r->out, POLLIN, 0 }, { r->err, POLLIN, 0 } };
	double left;
	int i;

	while (!r->stopped && !r->stuck) {
		left = r->deadline - now();
		if (left <= 0)
			break;
		if (r->opts->idle_timeout > 0 && now() - r->last_output >=
		    r->opts->idle_timeout * grade_timeout_scale()) {
			r->idle = true;
			break;
		}
		if (r->monitor[0] && now() - r->last_output >= r->quiet &&
		    now() >= r->next_probe)
			probe(r, now());
		if (poll(fds, 2, left > 0.05 ? 50 : (int) (left * 1000) + 1) > 0) {
			for (i = 0; i < 2; i++)
				if ((fds[i].revents & (POLLIN | POLLHUP)) &&
				    read_some(r, fds[i].fd) == 0)
					fds[i].fd = -1;	/* closed: stop polling it */
		}
		if (has_exited(r)) {
			r->exited = true;
			break;
		}
		if (now() >= r->next_cut_look) {
			r->next_cut_look = now() + 0.2;
			/* Another test, running beside this one, was just
			 * found stuck: this one is given less time too. */
			if (r->quiet > HANG_QUIET_AFTER * grade_timeout_scale() &&
			    session_had_hang())
				r->quiet = HANG_QUIET_AFTER * grade_timeout_scale();
			if (fail_fast_failed()) {
				r->cut = true;
				break;
			}
		}
	}
}

/*
 * End the run: ask the whole group to stop (Bochs's runner then removes
 * its temporary files), insist after a grace period, reap everything and
 * collect the last of its output.
 */
static void
finish(struct run *r)
{
	double give_up = now() + TERM_GRACE;
	int status;

	if (!has_exited(r)) {
		kill(-r->pid, SIGTERM);
		while (!has_exited(r) && now() < give_up) {
			/* Keep reading: a full pipe would stall its clean-up. */
			while (read_some(r, r->out) > 0 || read_some(r, r->err) > 0)
				;
			usleep(10000);
		}
	}
	kill(-r->pid, SIGKILL);
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	r->wstatus = status;
	/* As subreaper we inherit the group's orphans: reap them too. */
	while (waitpid(-r->pid, &status, 0) > 0 || errno == EINTR)
		;
	running_group = 0;
	/* Every writer is dead now, so "nothing yet" means nothing more. */
	while (read_some(r, r->out) > 0)
		;
	while (read_some(r, r->err) > 0)
		;
	close(r->in);
	close(r->out);
	close(r->err);
}

/* The status in the last "exit status N" line, or -1. */
static int
console_status(const struct run *r)
{
	const char *p = r->log.s, *hit = NULL;
	int status = -1;

	while ((p = strstr(p, "exit status ")) != NULL)
		hit = p++;
	if (hit)
		sscanf(hit, "exit status %d", &status);
	return status;
}

/* Decide how the run ended from what the loop saw. */
static void
judge(struct run *r)
{
	struct boot_result *res = r->res;
	int code = WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) : -1;
	const char *line;
	size_t n;

	/* QEMU's isa-debug-exit exits with 2 * status + 1; bochs-run.sh
	 * passes on the kernel's "exit status N" line. */
	res->status = -1;
	if (r->exited && r->bochs && code >= 0 && code <= BOCHS_MAX_STATUS)
		res->status = console_status(r) >= 0 ? console_status(r) : code;
	else if (r->exited && !r->bochs && code > 0 && (code & 1))
		res->status = code >> 1;

	if (r->panicked) {
		line = r->log.s + r->panic_pos;
		n = strcspn(line, "\n");
		set_why(res, BOOT_PANIC, "%.*s", (int) n, line);
	} else if (r->stopped) {
		res->how = BOOT_STOPPED;
	} else if (r->stuck) {
		set_why(res, BOOT_TIMEOUT, "stuck in %s; the looks were %.1f s "
			"apart, after %.0f s with no output", r->where,
			HANG_EVERY, r->quiet);
		session_note_hang(r->where);
	} else if (r->idle) {
		set_why(res, BOOT_TIMEOUT, "no output for %.0f s%s%s",
			r->opts->idle_timeout * grade_timeout_scale(),
			r->where[0] ? "; the CPU was at " : "", r->where);
	} else if (!r->exited) {
		if (r->where[0])
			set_why(res, BOOT_TIMEOUT, "the CPU was at %s", r->where);
		else
			res->how = BOOT_TIMEOUT;
	} else if (res->status >= 0) {
		res->how = BOOT_EXITED;
	} else if (r->bochs ? code == BOCHS_TRIPLE : code == 0) {
		/* QEMU: -no-reboot turns the reset of a triple fault into exit 0. */
		res->how = BOOT_TRIPLE_FAULT;
	} else {
		set_why(res, BOOT_ERROR, "%s failed (%s %d)",
			r->bochs ? BOCHS_RUN : grade_env("QEMU"),
			code >= 0 ? "exit status" : "signal",
			code >= 0 ? code : WTERMSIG(r->wstatus));
	}
	if (res->how == BOOT_ERROR && r->errlog.len > 0) {
		struct strbuf b = { 0 };

		strbuf_printf(&b, "%s; it said:\n", res->why);
		strbuf_tail(&b, r->errlog.s, r->errlog.len, 5, "    ");
		snprintf(res->why, sizeof(res->why), "%s", b.s);
		free(b.s);
	}
}

static void
compile(regex_t *re, const char *pattern, const char *what)
{
	char msg[256];
	int rc;

	rc = regcomp(re, pattern, REG_EXTENDED | REG_NEWLINE);
	if (rc != 0) {
		regerror(rc, re, msg, sizeof(msg));
		grade_fail(__FILE__, __LINE__, NULL, "bad %s regex /%s/ in the "
			   "test: %s", what, pattern, msg);
	}
}

/* Run argv to its end, with the signals that could orphan it caught. */
static void
run(struct run *r, char *argv[], double timeout)
{
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { 0 }, old[3], old_pipe;
	int i;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sa.sa_handler = on_fatal_signal;
	for (i = 0; i < 3; i++)
		sigaction(fatal[i], &sa, &old[i]);
	/* A kernel that dies while we type must not take the grader with it. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);

	r->start = r->last_output = now();
	r->deadline = r->start + timeout;
	r->quiet = (session_had_hang() ? HANG_QUIET_AFTER : HANG_QUIET) *
		   grade_timeout_scale();
	if (spawn(r, argv)) {
		watch(r);
		if (!r->exited && !r->stopped && !r->stuck && !r->cut &&
		    r->monitor[0])
			locate(r);
		finish(r);
		judge(r);
		if (r->res->how == BOOT_TRIPLE_FAULT && r->monitor[0])
			triple_fault_story(argv, timeout, r->kernel, r->res->why,
					   sizeof(r->res->why));
	} else if (r->pid > 0) {
		finish(r);
	}
	if (r->monitor[0])
		unlink(r->monitor);
	r->res->seconds = now() - r->start;

	for (i = 0; i < 3; i++)
		sigaction(fatal[i], &old[i], NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
}

void
boot(const struct boot_opts *opts, struct boot_result *res)
{
	static const struct boot_opts none;
	static int boots;		/* in this test's process */
	char *argv[MAX_ARGS], strings[4096], suffix[32], errpath[PATH_MAX] = "";
	struct run r = { 0 };
	double timeout;

	if (!opts)
		opts = &none;
	memset(res, 0, sizeof(*res));
	res->status = -1;
	r.opts = opts;
	r.res = res;
	r.bochs = opts->emulator && strcmp(opts->emulator, "bochs") == 0;
	r.next_input = opts->input && *opts->input ? opts->input : NULL;
	strbuf_add(&r.log, "", 0);
	strbuf_add(&r.errlog, "", 0);
	timeout = (opts->timeout > 0 ? opts->timeout : DEFAULT_TIMEOUT) *
		  grade_timeout_scale();
	res->timeout = timeout;

	boots++;
	snprintf(suffix, sizeof(suffix), boots > 1 ? "-%d.log" : ".log", boots);
	snprintf(res->logpath, sizeof(res->logpath), "%s",
		 grade_test_path("logs", suffix));

	if (opts->emulator && !r.bochs && strcmp(opts->emulator, "qemu") != 0) {
		set_why(res, BOOT_ERROR, "unknown emulator '%s' in the test: "
			"use \"qemu\" or \"bochs\"", opts->emulator);
		goto out;
	}
	if (opts->stop_on)
		compile(&r.stop_re, opts->stop_on, "stop_on");
	compile(&r.prompt_re, opts->input_after ? opts->input_after : DEFAULT_PROMPT,
		"input_after");
	r.compiled = true;

	/* Logs left from an earlier run must not pass for this one's. */
	unlink(res->logpath);
	snprintf(suffix, sizeof(suffix), boots > 1 ? "-%d.err" : ".err", boots);
	snprintf(errpath, sizeof(errpath), "%s", grade_test_path("logs", suffix));
	unlink(errpath);
	if (!build_command(&r, argv, strings, sizeof(strings), boots))
		goto out;
	r.logf = fopen(res->logpath, "w");
	if (!r.logf)
		fprintf(stderr, "grade: cannot write %s: %s\n", res->logpath,
			strerror(errno));

	run(&r, argv, timeout);
out:
	if (r.logf)
		fclose(r.logf);
	if (r.errlog.len > 0 && errpath[0]) {
		FILE *f = fopen(errpath, "w");

		if (f) {
			fwrite(r.errlog.s, 1, r.errlog.len, f);
			fclose(f);
		}
	}
	if (r.compiled) {
		if (opts->stop_on)
			regfree(&r.stop_re);
		regfree(&r.prompt_re);
	}
	res->log = r.log.s;
	res->len = r.log.len;
	res->errlog = r.errlog.s;
	if (r.cut)
		criterion_skip_test(GRADE_NOT_RUN_PREFIX "cut short when %s failed "
				    "(--fail-fast)", fail_fast_failed());
}

void
boot_free(struct boot_result *res)
{
	free(res->log);
	free(res->errlog);
	res->log = res->errlog = NULL;
	res->len = 0;
}
