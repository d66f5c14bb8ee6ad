/*
 * lab6.c - lab 6's tests: the binary translator, judged by the guests it
 * runs (every test boots under bt, whatever `make grade ENGINE=` says).
 *
 * Exercise 1 writes the direct control-flow rules (vmm/bt/translate.c's
 * translate_direct and translate_call), exercise 2 chaining
 * (vmm/bt/cache.c's bt_cache_chain), exercise 3 the map from a trap in
 * translated code back to the guest's EIP (vmm/bt/engine.c's
 * tc_guest_eip), exercise 4 cli in line (vmm/bt/inline.c's emit_cli),
 * exercise 5 the filling of the indirect lookup table (engine.c's
 * follow_indirect), exercise 6 invalidation on a write to translated
 * code (cache.c's bt_cache_wrote).  On the handout a branch is an exit to
 * the emulator (so the guest runs, slowly), nothing is chained, cli
 * traps, every indirect branch misses, a write to code is not seen, and
 * the first trap from translated code stops the run, naming exercise 3.
 *
 * pgdetect is lab 4's lesson turned round: under te it finds the i386's
 * sensitive instructions that do not trap; under bt the guest kernel never
 * runs one of them, only its translation, so it finds none (Adams &
 * Agesen, section 3.2: translation makes the x86 virtualizable).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"
#include "grade/conformance.h"
#include "grade/xv6.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define EX1	"the direct control-flow rules, translate_direct() and " \
		"translate_call() (exercise 1)"
#define EX2	"chaining, bt_cache_chain() (exercise 2)"
#define EX3	"the guest EIP of a trap in translated code, tc_guest_eip() " \
		"(exercise 3)"
#define EX123	EX1 ", " EX2 ", and " EX3
#define EX4	"cli in line, emit_cli() (exercise 4)"
#define EX5	"the lookup table's entries, follow_indirect() (exercise 5)"
#define EX6	"invalidation on a write to translated code, bt_cache_wrote() " \
		"(exercise 6)"
/* A guest_xv6 run that must get to its end: exercises 1-3 (and the
 * one the test is about). */
#define XV6_RUNS	"exercises 1-3 for guest_xv6 to run under bt at all"

GRADE_TEST(lab6, pgdetect, 10, "under bt, pgdetect finds none of the leaks te has: the guest kernel runs only translated code (exercise 3)")
{
	static const char *const insns[] = {
		"popf-if", "pushf-if", "pushf-iopl", "sgdt", "sidt", "sldt",
		"str", "smsw", "mov-cs", "mov-ss", "lar", "lsl", "verr", "verw",
	};
	struct boot_result r;
	char re[64];
	size_t i;

	boot_guest(&(struct guest_opts) { .engine = "bt",
					  .image = "grade/guests/pgdetect" }, &r);
	expect_guest_end(&r, 0, EX3);
	for (i = 0; i < NELEM(insns); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: clean ", insns[i]);
		need_line(&r, re, "pgdetect's line for the instruction, clean",
			  EX3);
	}
	need_line(&r, "^pgdetect: 0 of 14 instructions detect deprivileging$",
		  "pgdetect's summary: nothing detected", EX3);
}

/*
 * Faults and interrupts in the middle of a unit: the conformance guests
 * take page faults, #GP, #UD and interrupts at every kind of instruction,
 * and print what they saw.  A trap reported at the wrong guest EIP
 * re-runs or skips instructions, and the lines differ from bare QEMU's.
 */
GRADE_TEST(lab6, precise, 20, "under bt, the conformance guests' faults and interrupts come at the guest EIPs a bare PC gives: conf_emul, conf_intr, conf_desc, conf_pae (exercise 3)")
{
	static const char *const guests[] = {
		"conf_emul", "conf_intr", "conf_desc", "conf_pae",
	};
	char image[64];
	size_t i;

	for (i = 0; i < NELEM(guests); i++) {
		snprintf(image, sizeof(image), "grade/guests/%s", guests[i]);
		conformance_check(&(struct guest_opts) { .engine = "bt",
			.image = image, .needs = EX3 }, guests[i], NULL);
	}
}

/*
 * forkwait 200 runs the guest kernel's branches millions of times: with
 * the rules of exercise 1, none of them is the emulator's.
 */
GRADE_TEST(lab6, direct_rules, 15, "under bt, guest_xv6's forkwait runs its kernel's jmp, jcc and call in the translation cache: the emulator sees none (exercises 1, 3)")
{
	struct boot_result r;
	size_t pos = 0;
	regmatch_t m[2];

	xv6_run(&r, "bt", "run=\"forkwait 200\"", NULL, 120);
	need_line(&r, "^forkwait n=200 cycles=[1-9][0-9]* ms=[0-9]+$",
		  "forkwait's result line", EX123);
	expect_guest_end(&r, 0, EX123);
	if (log_find(&r, &pos, "^vmm: emulated: .*[:,] ((jmp|jcc|call) [0-9]+)",
		     m, 2))
		expect_fail(&r, "expected: no direct branch emulated (each is "
			    "a direct exit of its unit)\ngot: %s on the `vmm: "
			    "emulated:` line\nThis test needs %s.",
			    log_match_str(&r, &m[1]), EX1);
}

/*
 * Chained, the kernel's units run one after the other without the
 * monitor: the direct exits that reach it are each unit's first.
 */
GRADE_TEST(lab6, chaining, 15, "under bt, guest_xv6's forkwait goes from unit to unit without the monitor (exercise 2)")
{
	struct boot_result r;
	unsigned long long chains, direct, entries;

	xv6_run(&r, "bt", "run=\"forkwait 200\"", NULL, 120);
	expect_guest_end(&r, 0, EX123);
	chains = log_counter(&r, "^bt: ([0-9]+) chains made", EX2);
	entries = log_counter(&r, "^bt: ([0-9]+) entries to translated code",
			      EX2);
	direct = log_counter(&r, "entries to translated code, left by ([0-9]+) "
			     "direct exits", EX2);
	if (chains == 0 || direct * 10 > entries)
		expect_fail(&r, "expected: direct exits chained, so that few "
			    "reach the monitor (under a tenth of the entries "
			    "into translated code)\ngot: %llu chains made, %llu "
			    "direct exits in %llu entries\nThis test needs %s.",
			    chains, direct, entries, EX2);
}

/* xv6's pushcli runs cli thousands of times in forkwait 200. */
GRADE_TEST(lab6, inline_cli, 10, "under bt, guest_xv6's forkwait clears IF without an exit: the emulator sees no cli (exercise 4)")
{
	struct boot_result r;

	xv6_run(&r, "bt", "run=\"forkwait 200\"", NULL, 120);
	expect_guest_end(&r, 0, XV6_RUNS ", and " EX4);
	need_line(&r, "^bt: in line: cli [1-9]", "cli translated in line", EX4);
	if (log_count(&r, "^vmm: emulated: .* cli [0-9]+") != 0)
		expect_fail(&r, "expected: no cli emulated (the translation "
			    "stores to the virtual IF)\ngot: a count of emulated "
			    "cli on the `vmm: emulated:` line\nThis test needs %s.",
			    EX4);
}

/*
 * Nearly every ret, call * and jmp * of forkwait's kernel finds its
 * target in the table: the lookups that miss are a target's first.
 */
GRADE_TEST(lab6, lookups, 10, "under bt, guest_xv6's forkwait finds its indirect branches' targets in line: fewer than one lookup in 20 misses (exercise 5)")
{
	struct boot_result r;
	unsigned long long lookups, misses;

	xv6_run(&r, "bt", "run=\"forkwait 200\"", NULL, 120);
	expect_guest_end(&r, 0, XV6_RUNS ", and " EX5);
	lookups = log_counter(&r, "; indirect lookups ([0-9]+), ", EX5);
	misses = log_counter(&r, "; indirect lookups [0-9]+, of which ([0-9]+) "
			     "missed$", EX5);
	if (lookups < 100000 || misses * 20 > lookups)
		expect_fail(&r, "expected: hundreds of thousands of inline "
			    "lookups (ret, call *, jmp *), fewer than one in "
			    "20 missing\ngot: %llu lookups, %llu misses\nThis "
			    "test needs %s.", lookups, misses, EX5);
}

/*
 * hostile smc rewrites its own code: the next instruction, a callee, code
 * through an alias, code in a page that is also a page table.  Each write
 * must reach the translations of what it overwrote; and code it writes
 * again and again, compared at each entry instead, must never be chained
 * to.
 */
GRADE_TEST(lab6, smc, 10, "under bt, self-modifying code runs as natively: hostile smc's lines are bare QEMU's (exercises 2, 6)")
{
	conformance_check(&(struct guest_opts) { .engine = "bt",
		.image = "grade/guests/hostile", .args = "smc",
		.needs = EX6 ", and chaining only units that may be chained: "
			 "a unit of a frame written too often is compared at "
			 "each entry, bt_cache_chain() (exercise 2)" },
		"hostile", NULL);
}

GRADE_TEST(lab6, xv6_selftest, 10, "under bt, guest_xv6's selftest prints the same results, and kills its bad processes for the same faults, as natively (exercises 1-3)")
{
	xv6_selftest_same("bt", EX123);
}

/*
 * The translator at work, for no points: a cache that survives context
 * switches (the kernel is mapped alike in every process), and few exits.
 */
GRADE_TEST(lab6, xv6_forkwait_counters, 0, "under bt, guest_xv6's forkwait keeps its translations across context switches, and leaves the translation cache far less often than it branches indirectly (exercises 1-5)")
{
	struct boot_result r;
	unsigned long long translations, lookups, changes, remaps, tc_exits;

	xv6_run(&r, "bt", "run=\"forkwait 200\"", NULL, 120);
	expect_guest_end(&r, 0, EX123);
	translations = log_counter(&r, "^bt: ([0-9]+) translations of ", EX123);
	lookups = log_counter(&r, "; indirect lookups ([0-9]+), ", EX123);
	changes = log_counter(&r, "^bt: [0-9]+ chains made; ([0-9]+) paging "
			      "changes", EX123);
	remaps = log_counter(&r, " paging changes, ([0-9]+) of which moved ",
			     EX123);
	tc_exits = log_counter(&r, "translated-code exit ([0-9]+)", EX123);
	if (changes < 400 || remaps * 100 > changes)
		expect_fail(&r, "expected: hundreds of paging changes (two "
			    "per fork at least), nearly none of which moved "
			    "translated code\ngot: %llu changes, %llu that moved "
			    "code", changes, remaps);
	if (translations > 10000)
		expect_fail(&r, "expected: the kernel's code translated a few "
			    "thousand times at most (it is reused)\ngot: %llu "
			    "translations", translations);
	if (tc_exits * 10 > lookups)
		expect_fail(&r, "expected: far fewer exits from translated code "
			    "than indirect branches run in it\ngot: %llu exits, "
			    "%llu branches", tc_exits, lookups);
}
