/*
 * xv6.h - guest_xv6 in the grader: booted under an engine or natively,
 * and its selftest held to the native run (grade/xv6.c).  Labs 5 and 6
 * grade the same guest, under te and under bt.
 */
#ifndef GRADE_XV6_H
#define GRADE_XV6_H

#include "grade/harness.h"

/**
 * @brief guest_xv6 under the monitor's @p engine (NULL: the grade's),
 * with its command line @p cmdline (NULL: its shell), @p input typed at
 * its shell prompts.  Its disk is a Multiboot module, which QEMU copies
 * into memory: the file itself is never written.
 */
void xv6_run(struct boot_result *r, const char *engine, const char *cmdline,
	     const char *input, double timeout);

/** @brief The same guest on bare QEMU, for the lines to compare with;
 * fails, blaming the guest, unless it exits with status 0. */
void xv6_run_native(struct boot_result *r, const char *cmdline,
		    double timeout);

/**
 * @brief Equivalence on a whole operating system: selftest's result
 * lines, and the lines the guest kernel prints when it kills a process
 * for a fault (address, error code, EIP: true faults delivered exactly),
 * are the same under @p engine as natively.  Only pids and the tick
 * count may vary.  A failure says the test needs @p needs.
 */
void xv6_selftest_same(const char *engine, const char *needs);

#endif
