/*
 * harness.h - the one way a grade test boots the kernel and judges it.
 *
 * A test fills a struct boot_opts, calls boot(), and checks the result with
 * the expect_* helpers.  boot() runs QEMU or Bochs with the serial console
 * captured to obj/grade/logs/<suite>/<test>.log, types the test's input at
 * the kernel's prompt, and always returns with the emulator dead and reaped.
 * The helpers fail the test with a message in the Pintos style: what was
 * expected, the end of what the kernel printed, and where the full log is.
 *
 *	GRADE_TEST(lab1, hello, 5, "the kernel greets us") {
 *		struct boot_result r;
 *
 *		boot(&(struct boot_opts) { .cmdline = "test=hello" }, &r);
 *		expect_exit(&r, 0);
 *		expect_line(&r, "^hello, world$");
 *	}
 *
 * Tests run in their own processes (Criterion forks one per test), so a
 * test may leak what boot() allocated; boot_free() exists for loops.
 */
#ifndef GRADE_HARNESS_H
#define GRADE_HARNESS_H

#include <limits.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <criterion/criterion.h>

/* ------------------------------------------------------------------------
 * Test definition
 * ------------------------------------------------------------------------ */

/** What the score table knows about a test beyond its Criterion name. */
struct grade_info {
	int points;		/* 0: a check of the grader itself, not scored */
};

/**
 * @brief Define a graded test worth @p points in suite @p suite (`lab1`,
 * `lab2`, ... or `harness`), with a one-line description shown in reports.
 * Expands to a Criterion Test; the body follows as for Test().
 */
#define GRADE_TEST(suite, name, pts, desc)				\
	static struct grade_info grade_info_##suite##_##name = { (pts) }; \
	Test(suite, name, .description = (desc),			\
	     .data = &grade_info_##suite##_##name, .init = grade_test_init)

/** Run before every GRADE_TEST: with --fail-fast, the tests that start
 * after one has failed are not run (NOT RUN, no points). */
void grade_test_init(void);

/* ------------------------------------------------------------------------
 * Booting
 * ------------------------------------------------------------------------ */

/** How a run ended. */
enum boot_outcome {
	BOOT_EXITED,		/* the kernel ended the run: see status */
	BOOT_STOPPED,		/* stop_on matched; the harness ended the run */
	BOOT_PANIC,		/* "kernel panic" on the console */
	BOOT_TRIPLE_FAULT,	/* QEMU exited 0 (-no-reboot), bochs-run.sh 120 */
	BOOT_TIMEOUT,		/* killed after the (scaled) timeout */
	BOOT_NOT_GRADABLE,	/* this host lacks what the run needs */
	BOOT_ERROR,		/* the emulator could not be run at all */
};

/** What to boot and how.  Zero fields take the defaults noted. */
struct boot_opts {
	const char *emulator;	/* "qemu" (default) or "bochs" */
	const char *kernel;	/* default $GRADE_KERNEL or obj/kern/kernel */
	const char *cmdline;	/* kernel command line, e.g. "test=printf" */
	bool disk_boot;		/* boot the disk image through the boot sector
				 * instead of QEMU -kernel (Bochs always does) */
	const char *const *drives; /* extra IDE disk images (primary slave
				 * first, at most 3 under Bochs),
				 * NULL-terminated; may be NULL */
	const char *input;	/* lines typed on the serial line, one per
				 * prompt; see input_after */
	const char *input_after; /* regex of the prompt each line waits for;
				 * default "K> " */
	const char *const *modules; /* Multiboot modules (QEMU -initrd), each
				 * "IMAGE ARGS..." (spaces kept), NULL-
				 * terminated: a guest for the monitor and
				 * its disk; QEMU's -kernel boot only */
	const char *extra_args;	/* more emulator arguments, split at spaces */
	double timeout;		/* seconds, default 10, times
				 * $GRADE_TIMEOUT_SCALE */
	const char *stop_on;	/* regex that ends the run early: BOOT_STOPPED */
	double idle_timeout;	/* seconds (times $GRADE_TIMEOUT_SCALE) the
				 * console may stay quiet before the run ends
				 * as BOOT_TIMEOUT; 0: only the timeout */
};

/** What a run produced.  boot() fills every field. */
struct boot_result {
	enum boot_outcome how;
	int status;		/* the kernel's exit status, -1 if none */
	char *log;		/* console output, CRs removed, NUL-terminated */
	size_t len;		/* strlen(log) */
	char logpath[PATH_MAX];	/* where the log was saved */
	double seconds;		/* wall time of the run */
	double timeout;		/* the scaled timeout that applied */
	char why[1536];		/* for NOT_GRADABLE and ERROR: the reason and
				 * the fix; for PANIC: the panic line */
	char command[1024];	/* the emulator command, to reproduce by hand */
	char *errlog;		/* the emulator's own stderr, NUL-terminated */
};

/**
 * @brief Boot the kernel as @p opts says and wait for the run to end.
 *
 * The console goes to res->logpath as it arrives.  The run ends when the
 * emulator exits, on a panic (after a short grace for the backtrace), on a
 * triple fault, when stop_on matches, or at the timeout; in every case the
 * emulator and its children are killed and reaped before boot() returns.
 * Never fails the test itself: the expect_* helpers judge the result.
 */
void boot(const struct boot_opts *opts, struct boot_result *res);

/**
 * A guest for the monitor, or for bare QEMU: the one way a test runs one.
 * Paths are relative to the build directory ($GRADE_OBJDIR).
 */
struct guest_opts {
	/* "te", "bt", "vtx": the kernel runs the guest under that engine
	 * (engine= on its command line); "native": QEMU runs the guest
	 * itself, the reference.  NULL: $GRADE_ENGINE (make grade
	 * ENGINE=...), else "te". */
	const char *engine;
	const char *image;	/* "grade/guests/privsuite", "guest_xv6/kernel" */
	const char *args;	/* the guest's command line, or NULL */
	const char *const *modules; /* the guest's own Multiboot modules,
				 * each "FILE ARGS", NULL-terminated, or NULL */
	const char *disk;	/* an image for the guest's primary slave, or
				 * NULL; natively the guest gets a copy of
				 * it, since it may write it */
	const char *input;	/* as struct boot_opts */
	const char *input_after;
	const char *stop_on;	/* as struct boot_opts; under the monitor,
				 * the run also stops when the monitor gives
				 * up and waits at its prompt */
	const char *extra_args;	/* more emulator arguments */
	const char *kernel_args; /* more of the kernel's command line under
				 * the monitor ("guestmem=16"), or NULL;
				 * ignored natively */
	double timeout;
	double idle_timeout;	/* as struct boot_opts */
	const char *needs;	/* conformance_check(): what a difference
				 * says the test needs ("exercise 3"), or NULL */
};

/** The kernel monitor's greeting, where a run the monitor gave up waits. */
#define GUEST_GAVE_UP	"^Welcome to the kernel monitor"

/**
 * @brief Boot the guest @p g describes and wait for the run to end, as
 * boot() does.  Under the monitor the guest is the kernel's first
 * Multiboot module ("IMAGE ARGS"), its disk the second, which disk= on
 * the kernel's command line names.
 */
void boot_guest(const struct guest_opts *g, struct boot_result *res);

/** @brief The engine boot_guest() uses for @p g ("te", "native", ...). */
const char *guest_engine(const struct guest_opts *g);

/** @brief Whether @p g runs natively (on bare QEMU). */
bool guest_native(const struct guest_opts *g);

/** @brief Free what boot() allocated in @p res. */
void boot_free(struct boot_result *res);

/** @brief A printable name for @p how ("exited", "panicked", ...). */
const char *boot_outcome_name(enum boot_outcome how);

/* ------------------------------------------------------------------------
 * Judging a run.  Each expect_* fails the test (and stops it) with the
 * standard explanation, or skips it as NOT GRADABLE when the run was not
 * gradable.  They are macros so the failure names the test's own line.
 * ------------------------------------------------------------------------ */

/** @brief The run ended by the kernel with exit status @p status. */
#define expect_exit(res, status) \
	grade_expect_exit(__FILE__, __LINE__, (res), (status))
/** @brief The run ended normally: exited with status 0, or stop_on matched. */
#define expect_ok(res) \
	grade_expect_ok(__FILE__, __LINE__, (res))
/** @brief The run ended exactly this way (e.g. BOOT_PANIC). */
#define expect_outcome(res, how) \
	grade_expect_outcome(__FILE__, __LINE__, (res), (how))
/** @brief Some line of the log matches the extended regex @p re. */
#define expect_line(res, re) \
	grade_expect_line(__FILE__, __LINE__, (res), (re))
/** @brief No line of the log matches the extended regex @p re. */
#define expect_no_line(res, re) \
	grade_expect_no_line(__FILE__, __LINE__, (res), (re))
/**
 * @brief Lines matching each regex of the NULL-terminated array @p regexes
 * appear in this order (other lines may come between).
 */
#define expect_lines_in_order(res, regexes) \
	grade_expect_lines_in_order(__FILE__, __LINE__, (res), (regexes))
/**
 * @brief A kernel self-check (test=@p name) that printed "FAIL: why"
 * fails the test with that line, and the one after it if it says where
 * the check is, before its exit status is judged: the line says more.
 */
#define expect_check_passed(res, name) \
	grade_expect_check_passed(__FILE__, __LINE__, (res), (name))
/**
 * @brief Fail the test with a message of your own (printf-style), followed
 * by the standard tail of the log and its path.  For checks the helpers
 * above do not cover.
 */
#define expect_fail(res, ...) \
	grade_fail(__FILE__, __LINE__, (res), __VA_ARGS__)

/**
 * @brief Every check in @p names (@p n of them) of test guest @p guest
 * printed "GUEST: NAME: ok".  The first that did not fails the test with
 * its FAIL line, or with how the run ended before reaching it, then
 * @p hint (may be ""), then "This check needs NEEDS."
 */
#define expect_checks(res, guest, names, n, needs, hint) \
	grade_expect_checks(__FILE__, __LINE__, (res), (guest), (names), (n), \
			    (needs), (hint))

/**
 * @brief How the run ended, as the failure messages say it ("the kernel
 * panicked: ...", "TIMEOUT after 30 s: ..."), for a test's own message.
 * The text lasts until the next call.
 */
const char *grade_outcome_text(const struct boot_result *res);

/**
 * @brief Test guest @p guest ended with "GUEST: N of N checks passed",
 * whatever N is today, and N is the number of its "NAME: ok" lines.
 */
#define expect_all_checks(res, guest) \
	grade_expect_all_checks(__FILE__, __LINE__, (res), (guest))

/**
 * @brief Skip the test as NOT GRADABLE on this host, saying why and what
 * would make it gradable.  It is never counted as passed.
 */
#define grade_not_gradable(...) \
	grade_skip(__VA_ARGS__)

/**
 * @brief Where an earlier test of this `make grade` found the kernel stuck
 * ("FUNC+OFF (FILE:LINE)..."), or NULL: a test that would only wait for
 * its own timeout may say so at once instead.
 */
const char *grade_session_hang(void);

/* ------------------------------------------------------------------------
 * Reading the log
 * ------------------------------------------------------------------------ */

/**
 * @brief Find the next line, from byte *pos of the log, that matches the
 * extended regex @p re (each line is matched on its own, so ^ and $ are
 * its ends).
 *
 * @param m     if not NULL, receives @p nm submatches, offsets into res->log
 * @param pos   where to start; on a match, set to the start of the next line
 * @return true on a match.  A bad regex is a bug in the test: it aborts.
 */
bool log_find(const struct boot_result *res, size_t *pos, const char *re,
	      regmatch_t *m, size_t nm);

/**
 * @brief The text of submatch @p m as a new string ("" if it did not
 * participate).  The caller frees it.
 */
char *log_match_str(const struct boot_result *res, const regmatch_t *m);

/** @brief Number of lines of the log matching @p re. */
size_t log_count(const struct boot_result *res, const char *re);

/**
 * @brief A number from the monitor's counters: the first line matching
 * @p re, whose first parenthesised group is the number.  If there is no
 * such line the test fails, saying it needs @p needs.
 */
unsigned long long log_counter(struct boot_result *res, const char *re,
			       const char *needs);

/** @brief Fail unless a line of the log matches @p re (@p what it is),
 * saying the test needs @p needs. */
void need_line(struct boot_result *res, const char *re, const char *what,
	       const char *needs);

/**
 * @brief Fail unless the guest ended its run itself (so the monitor
 * printed its counters), with @p status, or any status if it is < 0,
 * saying the test needs @p needs.
 */
void expect_guest_end(struct boot_result *res, int status, const char *needs);

/**
 * @brief The lines of the log matching @p re, as one new string (the caller
 * frees it), a newline after each; with @p strip, each without what the
 * regex's first group matched (a pid, say: what may differ between runs).
 */
char *log_lines(const struct boot_result *res, const char *re, bool strip);

/**
 * @brief The first line where the texts @p a and @p b (as log_lines()
 * makes them) differ, into @p da and @p db ("(nothing more)" past an end).
 */
void log_first_difference(const char *a, const char *b, char *da, char *db,
			  size_t size);

/* ------------------------------------------------------------------------
 * Host tools and paths
 * ------------------------------------------------------------------------ */

/**
 * @brief Run a host command (argv[0] looked up in PATH) and return what it
 * printed on stdout, NUL-terminated; the caller frees it.  Fails the test
 * if the command cannot run or exits non-zero, naming it.
 */
char *host_output(const char *const argv[]);

/**
 * @brief A tool or path the Makefile passes down, by its environment name:
 * "QEMU", "QEMUOPTS", "BOCHS", "NM", "ADDR2LINE", "KERNEL", "BOOTBLOCK",
 * "KERNIMG", "OBJDIR", "ENGINE"; the Makefile's default when unset.
 */
const char *grade_env(const char *name);

/**
 * @brief Path of a per-test file under obj/grade/ named after the running
 * test: grade_test_path("logs", ".log") is obj/grade/logs/SUITE/TEST.log.
 * Creates the directory.  Returns a static buffer.
 */
const char *grade_test_path(const char *dir, const char *suffix);

/**
 * @brief For a program that boots outside any test (grade/fuzzmain.c):
 * the suite and test names grade_test_path() uses instead of
 * "misc" and "boot".  The strings must last.
 */
void grade_name_runs(const char *suite, const char *test);

/* The functions behind the macros above. */
void grade_expect_exit(const char *file, int line,
		       const struct boot_result *res, int status);
void grade_expect_ok(const char *file, int line, const struct boot_result *res);
void grade_expect_outcome(const char *file, int line,
			  const struct boot_result *res, enum boot_outcome how);
void grade_expect_line(const char *file, int line,
		       const struct boot_result *res, const char *re);
void grade_expect_no_line(const char *file, int line,
			  const struct boot_result *res, const char *re);
void grade_expect_lines_in_order(const char *file, int line,
				 const struct boot_result *res,
				 const char *const *regexes);
void grade_expect_check_passed(const char *file, int line,
			       const struct boot_result *res, const char *name);
void grade_expect_checks(const char *file, int line,
			 const struct boot_result *res, const char *guest,
			 const char *const *names, size_t n, const char *needs,
			 const char *hint);
void grade_expect_all_checks(const char *file, int line,
			     const struct boot_result *res, const char *guest);
void grade_fail(const char *file, int line, const struct boot_result *res,
		const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
void grade_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#endif
