/*
 * bt.c - the binary translator's own tests (suite bt): what bt shows that
 * the other suites, which it passes with every engine, do not.
 *
 * Each boots under bt whatever `make grade ENGINE=` says.  pgdetect is
 * lab 4's lesson turned round: under te it finds the i386's sensitive
 * instructions that do not trap; under bt the guest kernel never runs
 * one of them, only its translation, so it finds none (Adams & Agesen,
 * section 3.2: translation makes the x86 virtualizable).  guest_xv6's
 * forkwait then shows the translator at work: a cache that is reused,
 * chains, and rets that find their targets in line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define NEEDS	"the bt engine (vmm/bt/)"

GRADE_TEST(bt, pgdetect, 0, "under bt, pgdetect finds none of the leaks te has: the guest kernel runs only translated code")
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
	expect_exit(&r, 0);
	expect_line(&r, "^vmm: running .*/grade/guests/pgdetect under bt ");
	for (i = 0; i < NELEM(insns); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: clean ", insns[i]);
		expect_line(&r, re);
	}
	expect_line(&r, "^pgdetect: 0 of 14 instructions detect deprivileging$");
	expect_line(&r, "^vmm: the guest exited with status 0$");
}

/*
 * forkwait 200 switches address spaces about a thousand times: the
 * cache must survive the switches (the kernel is mapped alike in every
 * process), nearly every ret, call * and jmp * must find its target in
 * line, and the
 * privileged instructions done in line must not exit.
 */
GRADE_TEST(bt, xv6_forkwait_counters, 0, "under bt, guest_xv6's forkwait keeps its translations across context switches and its indirect branches in the translation cache")
{
	struct boot_result r;
	unsigned long long translations, lookups, misses, changes, remaps;
	unsigned long long tc_exits, emulated_cli;

	boot_guest(&(struct guest_opts) { .engine = "bt",
		.image = "guest_xv6/kernel", .args = "run=\"forkwait 200\"",
		.disk = "guest_xv6/fs.img", .timeout = 120 }, &r);
	expect_exit(&r, 0);
	expect_line(&r, "^forkwait n=200 cycles=[1-9][0-9]* ms=[0-9]+$");
	translations = log_counter(&r, "^bt: ([0-9]+) translations of ", NEEDS);
	lookups = log_counter(&r, "; indirect lookups ([0-9]+), ", NEEDS);
	misses = log_counter(&r, "; indirect lookups [0-9]+, of which ([0-9]+) "
			     "missed$", NEEDS);
	changes = log_counter(&r, "^bt: [0-9]+ chains made; ([0-9]+) paging "
			      "changes", NEEDS);
	remaps = log_counter(&r, " paging changes, ([0-9]+) of which moved ",
			     NEEDS);
	tc_exits = log_counter(&r, "translated-code exit ([0-9]+)", NEEDS);
	if (changes < 400 || remaps * 100 > changes)
		expect_fail(&r, "expected: hundreds of paging changes (two "
			    "per fork at least), nearly none of which moved "
			    "translated code\ngot: %llu changes, %llu that moved "
			    "code", changes, remaps);
	if (translations > 10000)
		expect_fail(&r, "expected: the kernel's code translated a few "
			    "thousand times at most (it is reused)\ngot: %llu "
			    "translations", translations);
	if (lookups < 100000 || misses * 20 > lookups)
		expect_fail(&r, "expected: hundreds of thousands of inline "
			    "lookups (ret, call *, jmp *), fewer than one in "
			    "20 missing\ngot: %llu lookups, %llu misses",
			    lookups, misses);
	if (tc_exits * 10 > lookups)
		expect_fail(&r, "expected: far fewer exits from translated code "
			    "than indirect branches run in it\ngot: %llu exits, "
			    "%llu branches",
			    tc_exits, lookups);
	/* cli is a store in the translation: the emulator never sees one. */
	emulated_cli = log_count(&r, "^vmm: emulated: .* cli [0-9]+");
	if (emulated_cli != 0)
		expect_fail(&r, "expected: no cli emulated (bt does it in line)\n"
			    "got: a count of emulated cli on the `vmm: emulated:` "
			    "line");
}
