/*
 * main.c - `make fuzz`: random guest-kernel code natively and under the
 * engine, a long run in parallel batches (grade/fuzz.h).
 *
 *	obj/grade/fuzzer/fuzzer --seed=S --n=N [--jobs=J] [--batch=B]
 *
 * Workers (one per core by default, at most two: the course machines have
 * two) each take a batch of seeds, run it with fuzz_range() and report;
 * this process hands out the batches, keeps a progress line up to date and
 * ends with a summary: how the cases ended natively, how many ended the
 * same under the engine, how many differed and how many were monitor
 * failures (grade/fuzz.h), the rates, and each class of failure with how
 * many cases found it and the first of them.  Every failing case's
 * evidence is in obj/fuzz/failures/SEED.txt; the run's list, each with
 * the command that reruns it, in obj/fuzz/run-S-N.txt.  The exit status
 * is 0 if no case was a monitor failure, 1 if some were (or the run was
 * interrupted), 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "grade/harness.h"
#include "grade/grade.h"
#include "grade/fuzz.h"

#define MAX_JOBS	2
#define MAX_CLASSES	512

static const char usage[] =
	"usage: make fuzz [N=cases] [SEED=first] [JOBS=j]\n"
	"   or: obj/grade/fuzzer/fuzzer --n=N --seed=S [--jobs=J] [--batch=B]\n"
	"Runs cases S .. S+N-1 of the fuzz guest natively and under $ENGINE (te);\n"
	"a failing case is saved in obj/fuzz/failures/SEED.txt and can be run\n"
	"alone with `make fuzz SEED=seed N=1`.\n";

struct worker {
	pid_t pid;
	FILE *cmd;		/* batches to it */
	FILE *res;		/* results from it */
	bool busy;
};

/* The classes found, with their count and first seed. */
static struct class {
	char name[192];
	bool monitor;		/* monitor failures, not differences */
	uint64_t n;
	uint32_t first;
} classes[MAX_CLASSES];
static int nclasses;

static volatile sig_atomic_t interrupted;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
on_interrupt(int sig)
{
	(void) sig;
	interrupted = 1;
}

/* "1h02m", "3m05s", "12s" */
static const char *
duration(double s, char *buf, size_t size)
{
	long t = s < 0 ? 0 : (long) (s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, size, "%lds", t);
	return buf;
}

/* ------------------------------------------------------------------------
 * A worker: batches in, results out, one line each plus one per failure.
 * ------------------------------------------------------------------------ */

static void
worker_loop(int id, FILE *cmd, FILE *res)
{
	static char name[16];
	struct fuzz_opts o = { .evidence = 3, .quiet = true };
	unsigned long seed, n;
	size_t i;

	snprintf(name, sizeof(name), "w%d", id);
	grade_name_runs("fuzz", name);
	signal(SIGINT, SIG_DFL);
	while (fscanf(cmd, "%lu %lu", &seed, &n) == 2) {
		struct fuzz_tally t = { 0 };

		fuzz_range(seed, n, &o, &t);
		fprintf(res, "R %llu %llu %.3f %llu %.3f %llu %zu\n",
			(unsigned long long) t.cases,
			(unsigned long long) t.native_cases, t.native_s,
			(unsigned long long) t.engine_cases, t.engine_s,
			(unsigned long long) t.same, t.nfail);
		for (i = 0; i < FUZZ_NENDS; i++)
			if (t.ends[i])
				fprintf(res, "E %zu %llu\n", i,
					(unsigned long long) t.ends[i]);
		for (i = 0; i < t.nfail; i++)
			fprintf(res, "F %u %d\t%s\n", t.fail[i].seed,
				t.fail[i].monitor, t.fail[i].class);
		fprintf(res, "END\n");
		fflush(res);
		free(t.fail);
	}
	exit(0);
}

static void
start_worker(struct worker *w, int id)
{
	int down[2], up[2];

	if (pipe(down) < 0 || pipe(up) < 0) {
		perror("fuzz: pipe");
		exit(2);
	}
	fflush(NULL);
	if ((w->pid = fork()) < 0) {
		perror("fuzz: fork");
		exit(2);
	}
	if (w->pid == 0) {
		close(down[1]);
		close(up[0]);
		worker_loop(id, fdopen(down[0], "r"), fdopen(up[1], "w"));
	}
	close(down[0]);
	close(up[1]);
	w->cmd = fdopen(down[1], "w");
	w->res = fdopen(up[0], "r");
	w->busy = false;
}

/* ------------------------------------------------------------------------
 * The run
 * ------------------------------------------------------------------------ */

struct totals {
	uint64_t cases, failures, native_cases, engine_cases;
	uint64_t same, monitor, differences;
	uint64_t ends[FUZZ_NENDS];
	double native_s, engine_s;
};

static void
count_class(const char *name, bool monitor, uint32_t seed)
{
	int i;

	for (i = 0; i < nclasses && (strcmp(classes[i].name, name) != 0 ||
				     classes[i].monitor != monitor); i++)
		;
	if (i == nclasses) {
		if (nclasses == MAX_CLASSES)
			i = MAX_CLASSES - 1;	/* the last one collects the rest */
		else
			snprintf(classes[nclasses++].name, sizeof(classes[0].name),
				 "%s", name);
		classes[i].monitor = monitor;
		classes[i].first = seed;
	}
	if (seed < classes[i].first)
		classes[i].first = seed;
	classes[i].n++;
}

/* Read one worker's report of a batch; false at its end. */
static bool
read_report(struct worker *w, struct totals *tot, FILE *list)
{
	unsigned long long cases, nc, ec, same, k;
	double ns, es;
	size_t nfail;
	char line[512], *tab;
	unsigned seed, end;
	int monitor;

	if (!fgets(line, sizeof(line), w->res) ||
	    sscanf(line, "R %llu %llu %lf %llu %lf %llu %zu", &cases, &nc, &ns,
		   &ec, &es, &same, &nfail) != 7)
		return false;
	tot->cases += cases;
	tot->native_cases += nc;
	tot->native_s += ns;
	tot->engine_cases += ec;
	tot->engine_s += es;
	tot->same += same;
	while (fgets(line, sizeof(line), w->res) && strcmp(line, "END\n") != 0) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "E %u %llu", &end, &k) == 2 && end < FUZZ_NENDS) {
			tot->ends[end] += k;
			continue;
		}
		if (sscanf(line, "F %u %d", &seed, &monitor) != 2 ||
		    !(tab = strchr(line, '\t')))
			continue;
		tot->failures++;
		if (monitor)
			tot->monitor++;
		else
			tot->differences++;
		count_class(tab + 1, monitor, seed);
		if (list)
			fprintf(list, "%u\t%s\t%s\tmake fuzz SEED=%u N=1\n", seed,
				monitor ? "monitor failure" : "differs", tab + 1, seed);
	}
	w->busy = false;
	return true;
}

static void
progress(const struct totals *tot, uint64_t n, double start, bool tty, bool last)
{
	static double shown;
	static uint64_t shown_cases = ~0ull;
	double t = now(), rate = tot->cases / (t - start > 0 ? t - start : 1);
	char left[32];

	if ((!last && !tty && t - shown < 10) || (!tty && tot->cases == shown_cases))
		return;
	shown = t;
	shown_cases = tot->cases;
	fprintf(stderr, "%sfuzz: %llu/%llu cases, %llu monitor failures, %llu "
		"differences, %.0f cases/s, %s left%s",
		tty ? "\r" : "", (unsigned long long) tot->cases,
		(unsigned long long) n, (unsigned long long) tot->monitor,
		(unsigned long long) tot->differences, rate,
		duration(rate > 0 ? (n - tot->cases) / rate : 0, left, sizeof(left)),
		tty ? "   " : "\n");
	if (tty && last)
		fprintf(stderr, "\n");
}

static int
by_count(const void *a, const void *b)
{
	const struct class *x = a, *y = b;

	return x->n != y->n ? (x->n < y->n ? 1 : -1) : (x->first > y->first) - (x->first < y->first);
}

static void
summary(FILE *f, const struct totals *tot, uint32_t seed, double seconds,
	const char *engine, const char *listpath)
{
	char d[32];
	const char *sep = "";
	int i, pass;

	fprintf(f, "fuzz: %llu cases from seed %u in %s (wall time): %llu monitor "
		"failures, %llu differences from native, %llu the same\n",
		(unsigned long long) tot->cases, seed, duration(seconds, d, sizeof(d)),
		(unsigned long long) tot->monitor,
		(unsigned long long) tot->differences, (unsigned long long) tot->same);
	fprintf(f, "  natively they ended:");
	for (i = 0; i < FUZZ_NENDS; i++) {
		if (!tot->ends[i])
			continue;
		fprintf(f, "%s %s %llu", sep, fuzz_end_name(i),
			(unsigned long long) tot->ends[i]);
		sep = ",";
	}
	fprintf(f, "\n");
	fprintf(f, "  natively: %llu case lines in %.0f s of boots, %.0f cases/s\n",
		(unsigned long long) tot->native_cases, tot->native_s,
		tot->native_s > 0 ? tot->native_cases / tot->native_s : 0);
	fprintf(f, "  under %s: %llu case lines in %.0f s of boots, %.0f cases/s\n",
		engine, (unsigned long long) tot->engine_cases, tot->engine_s,
		tot->engine_s > 0 ? tot->engine_cases / tot->engine_s : 0);
	qsort(classes, nclasses, sizeof(classes[0]), by_count);
	for (pass = 1; pass >= 0; pass--) {
		if ((pass ? tot->monitor : tot->differences) == 0)
			continue;
		fprintf(f, "  %s, by class:\n", pass ? "monitor failures" :
			"differences from native");
		for (i = 0; i < nclasses; i++)
			if (classes[i].monitor == pass)
				fprintf(f, "  %7llu  %s\n           first: case %u, "
					"%s\n", (unsigned long long) classes[i].n,
					classes[i].name, classes[i].first,
					fuzz_failure_path(classes[i].first));
	}
	if (tot->failures)
		fprintf(f, "  every failing case, with the command that reruns it: "
			"%s\n", listpath);
}

static unsigned long
number_arg(const char *arg, const char *name)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end) {
		fprintf(stderr, "fuzz: %s=%s is not a number\n%s", name, arg, usage);
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	unsigned long seed = 1, n = 2000, batch = 500, jobs = MAX_JOBS, next;
	struct worker w[MAX_JOBS];
	struct pollfd fds[MAX_JOBS];
	struct totals tot = { 0 };
	char image[4096], listpath[4200], dir[4096];
	const char *engine = guest_engine(&(struct guest_opts) { 0 });
	bool tty = isatty(2);
	double start = now();
	FILE *list;
	int i, live;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--seed=", 7) == 0)
			seed = number_arg(argv[i] + 7, "SEED");
		else if (strncmp(argv[i], "--n=", 4) == 0)
			n = number_arg(argv[i] + 4, "N");
		else if (strncmp(argv[i], "--jobs=", 7) == 0)
			jobs = number_arg(argv[i] + 7, "JOBS");
		else if (strncmp(argv[i], "--batch=", 8) == 0)
			batch = number_arg(argv[i] + 8, "BATCH");
		else {
			fputs(usage, strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? 2 : 0;
		}
	}
	if (access("grade/Makefrag", R_OK) != 0) {
		fprintf(stderr, "fuzz: run it from the top of the tree: `make fuzz`\n");
		return 2;
	}
	if (seed + n > 0xffffffffUL || n == 0 || batch == 0) {
		fprintf(stderr, "fuzz: N must be at least 1 and SEED+N below 2^32\n");
		return 2;
	}
	snprintf(image, sizeof(image), "%s/grade/guests/fuzz", grade_env("OBJDIR"));
	if (access(image, R_OK) != 0 || access(grade_env("KERNEL"), R_OK) != 0) {
		fprintf(stderr, "fuzz: %s or %s is missing: build them with `make`\n",
			image, grade_env("KERNEL"));
		return 2;
	}
	jobs = jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : jobs;
	if (n < jobs * batch)
		batch = (n + jobs - 1) / jobs;
	snprintf(dir, sizeof(dir), "%s/fuzz", grade_env("OBJDIR"));
	make_dirs(fuzz_failure_dir());
	snprintf(listpath, sizeof(listpath), "%s/run-%lu-%lu.txt", dir, seed, n);
	list = fopen(listpath, "w");
	fprintf(stderr, "fuzz: cases %lu to %lu, natively and under %s, %lu jobs\n",
		seed, seed + n - 1, engine, jobs);

	for (i = 0; i < (int) jobs; i++)
		start_worker(&w[i], i);
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	next = seed;
	for (live = jobs; live > 0 && !interrupted; ) {
		for (i = 0; i < (int) jobs; i++) {
			if (w[i].busy || !w[i].cmd)
				continue;
			if (next < seed + n) {
				unsigned long k = seed + n - next < batch ? seed + n - next : batch;

				fprintf(w[i].cmd, "%lu %lu\n", next, k);
				fflush(w[i].cmd);
				next += k;
				w[i].busy = true;
			} else {
				fclose(w[i].cmd);	/* no more: it exits */
				w[i].cmd = NULL;
				live--;
			}
		}
		for (i = 0; i < (int) jobs; i++)
			fds[i] = (struct pollfd) { w[i].busy ? fileno(w[i].res) : -1, POLLIN, 0 };
		if (live == 0 || poll(fds, jobs, 1000) <= 0)
			continue;
		for (i = 0; i < (int) jobs; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (!read_report(&w[i], &tot, list)) {
				fprintf(stderr, "\nfuzz: worker %d died; its batch is lost\n", i);
				w[i].busy = false;
				if (w[i].cmd)
					fclose(w[i].cmd);
				w[i].cmd = NULL;
				live--;
			}
			progress(&tot, n, start, tty, false);
		}
	}
	if (interrupted) {
		fprintf(stderr, "\nfuzz: interrupted; the cases so far:\n");
		for (i = 0; i < (int) jobs; i++)
			if (w[i].pid > 0)
				kill(w[i].pid, SIGTERM);
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	progress(&tot, n, start, tty, true);
	summary(stdout, &tot, seed, now() - start, engine, listpath);
	if (list) {
		summary(list, &tot, seed, now() - start, engine, listpath);
		fclose(list);
	}
	return tot.monitor || interrupted ? 1 : 0;
}
