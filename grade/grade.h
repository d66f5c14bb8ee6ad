/*
 * grade.h - what the grader's own files share and tests need not see.
 *
 * Tests include grade/harness.h only; this header joins the pieces behind
 * it: the environment, host commands, and the score report.
 */
#ifndef GRADE_GRADE_H
#define GRADE_GRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <criterion/criterion.h>

/* How the message of a test skipped as not gradable begins. */
#define GRADE_NG_PREFIX	"NOT GRADABLE on this host: "
/* How the message of a test --fail-fast did not run begins. */
#define GRADE_NOT_RUN_PREFIX	"NOT RUN: "

/* Set (to "1") by the grader's --fail-fast for its test processes. */
#define GRADE_FAIL_FAST_ENV	"GRADE_FAIL_FAST"

/** @brief $GRADE_SESSION/@p name, the tests' shared notes, or NULL. */
const char *grade_session_file(const char *name);

/** A growable, always NUL-terminated byte buffer. */
struct strbuf {
	char *s;
	size_t len, cap;
};

/** @brief Append n bytes of p to b (aborts if memory runs out). */
void strbuf_add(struct strbuf *b, const char *p, size_t n);
/** @brief Append printf-style text to b. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** @brief Append the last @p nlines lines of @p text, each indented. */
void strbuf_tail(struct strbuf *b, const char *text, size_t len, int nlines,
		 const char *indent);

/**
 * @brief Look @p prog up in PATH (or take it as a path if it has a slash).
 * @return true, with the full path in @p path, if it is executable.
 */
bool find_program(const char *prog, char *path, size_t size);

/** @brief mkdir -p; returns -1 with errno set on failure. */
int make_dirs(const char *dir);

/** @brief $GRADE_TIMEOUT_SCALE as a number (1 if unset); exits if bad. */
double grade_timeout_scale(void);

/**
 * @brief Run argv (argv[0] looked up in PATH), wait for it, and collect
 * its stdout in *out and its stderr in *err (either may be NULL).
 * @return its exit status, 128+signal if killed, or -1 if it could not run
 */
int run_command(const char *const argv[], char **out, char **err);
/**
 * @brief run_command, but give_up() is asked every 200 ms while it runs;
 * once it says yes, the command's whole process group is killed.
 */
int run_command_until(const char *const argv[], char **out, char **err,
		      bool (*give_up)(void));

/** @brief The points GRADE_TEST gave a test, or 0 for a plain Test. */
int grade_points(const struct criterion_test *test);

/** @brief Add @p test to the tests the report covers. */
void report_add_selected(const struct criterion_test *test);
/** @brief Start collecting results for the tests added so far. */
void report_begin(void);
/** @brief Print the tests added so far, their points and descriptions. */
void report_list(void);
/**
 * @brief Print the score table, write results.json and the JUnit XML.
 * @param expect_fail invert the verdict (GRADE_EXPECT=fail)
 * @param seconds     wall time of the whole run
 * @return the grader's exit status
 */
int report_finish(bool expect_fail, double seconds);

#endif
