/*
 * fuzz.h - the fuzz guest natively and under an engine, case by case.
 *
 * grade/guests/fuzz.c runs the cases of a seed range and prints one line
 * each ("fz SEED HOW HASH").  fuzz_range() boots it on bare QEMU and under
 * the engine for the same seeds and compares the lines.  A case fails in
 * one of two ways:
 *
 *   - a monitor failure: under the engine the case did not end as a guest
 *     does - the monitor stopped the guest ("vmm: stopped the guest ...",
 *     "cannot emulate" among them), the kernel panicked or triple-faulted,
 *     or the run went quiet - where natively it ended; the next run
 *     starts at the case after it.  A native triple fault (QEMU with
 *     -no-reboot exits) must be a reported one under the engine: the
 *     monitor's stop reason then starts "triple fault: ";
 *   - a difference: both ended, in a different state (another vector,
 *     EIP, register, memory...): the guest could tell, but the monitor
 *     kept running.
 *
 * Each failure is saved under obj/fuzz/failures/ (fuzz_failure_path()).
 *
 * Used by suite `fuzz`'s fixed sample (grade/fuzz.c) and by `make fuzz`
 * (grade/fuzzer/main.c), which runs batches of it in parallel.
 */
#ifndef GRADE_FUZZ_H
#define GRADE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How failures are judged and saved. */
struct fuzz_opts {
	const char *engine;	/* NULL: $GRADE_ENGINE, else te */
	int evidence;		/* full evidence (both runs of the case alone
				 * with dump=1, its disassembly) for the first
				 * this many failures of each class */
	bool quiet;		/* no line per failure on stderr */
};

/* One failing case. */
struct fuzz_failure {
	uint32_t seed;
	bool monitor;		/* a monitor failure, not a difference */
	char class[192];	/* what failed, without the case's numbers */
	char native[96];	/* the two lines, or how the run ended */
	char engine[256];
};

/* How cases end natively, the index of fuzz_tally.ends: an exception
 * vector, or one of these. */
#define FUZZ_END_DONE	256	/* ran to its end */
#define FUZZ_END_DONE3	257	/* ran to its end at ring 3 */
#define FUZZ_END_TRIPLE	258	/* a triple fault */
#define FUZZ_END_NONE	259	/* no native line (the reference hung) */
#define FUZZ_NENDS	260

/* What fuzz_range() ran, added up. */
struct fuzz_tally {
	uint64_t cases, native_cases, engine_cases;
	uint64_t same;			/* cases whose lines were the same */
	uint64_t monitor_failures, differences;
	uint64_t ends[FUZZ_NENDS];	/* natively, by how they ended */
	double native_s, engine_s;	/* wall time of the boots */
	unsigned native_boots, engine_boots;
	struct fuzz_failure *fail;
	size_t nfail, cap;
};

/**
 * @brief Run cases [seed, seed + n) natively and under the engine, compare
 * them, save each failure's evidence, and add it all to @p t.
 */
void fuzz_range(uint32_t seed, uint32_t n, const struct fuzz_opts *o,
		struct fuzz_tally *t);

/**
 * @brief fuzz_range(), leaving out the @p nskip seeds of @p skip (cases
 * known to fail, which a sample of passing cases does not run).
 */
void fuzz_range_except(uint32_t seed, uint32_t n, const uint32_t *skip,
		       size_t nskip, const struct fuzz_opts *o,
		       struct fuzz_tally *t);

/** @brief A name for fuzz_tally.ends[@p i]: "done", "#GP", "triple fault". */
const char *fuzz_end_name(unsigned i);

/** @brief Where the evidence of failing case @p seed is saved. */
const char *fuzz_failure_path(uint32_t seed);

/** @brief The directory failures are saved in (obj/fuzz/failures). */
const char *fuzz_failure_dir(void);

#endif
