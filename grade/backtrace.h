/*
 * backtrace.h - reading the kernel's stack backtraces and checking them.
 *
 * Lab 1 prints, for each frame,
 *
 *	  ebp %08x  eip %08x  args %08x %08x %08x %08x %08x
 *	         FILE:LINE: FUNCTION+OFFSET
 *
 * and later labs print the same on every panic, so any test can parse a
 * backtrace and check it against nm and addr2line.
 */
#ifndef GRADE_BACKTRACE_H
#define GRADE_BACKTRACE_H

#include <stdint.h>
#include "grade/harness.h"

/** One frame, as the kernel printed it. */
struct frame {
	uint32_t ebp, eip, args[5];
	char file[128];
	int line;
	char fn[64];
	int offset;
	int logline;		/* where in the log it was, for messages */
};

/**
 * @brief Parse the next backtrace at or after byte *pos of the log (a
 * "Stack backtrace:" line and the frames under it).  Fails the test if
 * there is none or a frame is not in the expected format.
 * @return the number of frames, with the frames in a new array *out;
 *	   *pos moves past the backtrace
 */
size_t backtrace_parse(const struct boot_result *res, size_t *pos,
		       struct frame **out);

/**
 * @brief Check each frame's FILE:LINE against addr2line of eip - 1 (the
 * call instruction, which is where the function was when it called).
 */
void backtrace_check_lines(const struct boot_result *res,
			   const struct frame *f, size_t n);

/**
 * @brief Check each frame's FUNCTION+OFFSET against nm: the function that
 * holds eip - 1, and eip's distance from its start.
 */
void backtrace_check_functions(const struct boot_result *res,
			       const struct frame *f, size_t n);

#endif
