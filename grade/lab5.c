/*
 * lab5.c - lab 5's tests: the shadow MMU, judged by the guests it runs.
 *
 * Every test boots a guest that turns paging on under the monitor (engine
 * te unless `make grade ENGINE=...` says otherwise), so every one needs
 * the students' code in vmm/shadow_fault.c: the true/hidden
 * decision (shadow_fault, exercise 1), the entry a fill makes
 * (shadow_entry, exercise 2), and the propagation of traced writes
 * (propagate_table, exercise 3).  On the handout the first page fault
 * with guest paging on reaches a stub and panics.
 *
 * Two guests.  grade/guests/shadowsuite checks its own paging against a
 * bare PC, one line per check; with "tables=fixed" it writes no live
 * page-table entry, so its first three tests need exercises 1 and 2 only.
 * guest_xv6 is the real thing: its shell, its selftest compared line by
 * line with the native run, and the programs of the lab's measurements,
 * whose counters (the monitor's `vmm:` and `shadow:` lines) are checked
 * against what the guest itself did.  Its native runs are suite `guest`
 * (grade/guest_native.c); shadowsuite's is in suite `vmm`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"
#include "grade/xv6.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* What each test needs, for its failure message. */
#define EX1	"the true/hidden decision in shadow_fault() (exercise 1)"
#define EX2	"the entry a fill makes, shadow_entry() (exercise 2)"
#define EX3	"the propagation of traced writes, propagate_table() (exercise 3)"
#define EX12	EX1 " and " EX2
#define EX123	EX1 ", " EX2 ", and " EX3 ", which guest_xv6 reaches as " \
		"soon as it changes a page table it runs on"

/* shadowsuite reads the LAPIC ID this many times (grade/guests/shadowsuite.c). */
#define LAPIC_READS	100000

/* ------------------------------------------------------------------------
 * Explaining a failure.
 * ------------------------------------------------------------------------ */

#define SHADOW_CLASS(name)	"^shadow:   " name " +([0-9]+)$"

/* ------------------------------------------------------------------------
 * shadowsuite.
 * ------------------------------------------------------------------------ */

static void
run_shadowsuite(struct boot_result *r, bool fixed)
{
	boot_guest(&(struct guest_opts) {
		.image = "grade/guests/shadowsuite",
		.args = fixed ? "tables=fixed" : NULL, .timeout = 30 }, r);
}

GRADE_TEST(lab5, shadowsuite_fill, 10, "under the monitor, a guest's mappings work on first use, with the accessed and dirty bits a bare PC sets, 4 MB pages and CR0.WP (exercises 1, 2)")
{
	static const char *const checks[] = {
		"paging-on", "fill-read", "accessed-bit", "dirty-bit", "alias",
		"big-page-read", "big-page-write", "read-only-read", "wp0-write",
	};
	struct boot_result r;

	run_shadowsuite(&r, true);
	expect_checks(&r, "shadowsuite", checks, NELEM(checks),
		      EX12 ": a fill maps a page read-only until the guest's "
		      "dirty bit is set, so that the first write faults and "
		      "the monitor can set it", "");
}

GRADE_TEST(lab5, shadowsuite_true, 15, "under the monitor, what the guest's tables forbid reaches the guest as its own #PF, with its error code and CR2, from its kernel and from user mode (exercises 1, 2)")
{
	static const char *const checks[] = {
		"wp1-write-fault", "wp1-write-blocked", "true-read-not-present",
		"true-write-not-present", "true-write-read-only", "true-no-pde",
		"true-monitor-read", "true-monitor-write",
		"user-read", "user-write", "user-write-read-only",
		"user-read-supervisor-page", "user-read-not-present",
		"user-supervisor-pde", "user-table-two-rights", "user-read-again",
	};
	struct boot_result r;

	run_shadowsuite(&r, true);
	expect_checks(&r, "shadowsuite", checks, NELEM(checks),
		      EX12 ": a true fault carries the error code of the "
		      "GUEST's walk (the shadow's may say not-present where "
		      "the guest's says read-only), and a shadow entry is a "
		      "user entry only if both of the guest's levels allow "
		      "user mode", "");
}

/*
 * The LAPIC mirror (vmm/mirror.c): the first read of the LAPIC page is a
 * hidden MMIO fault, after which the shadow maps a read-only copy of its
 * registers.  shadowsuite reads the ID LAPIC_READS times: the monitor
 * must have seen only a handful of them, and the copy must follow writes.
 */
GRADE_TEST(lab5, shadowsuite_lapic, 5, "under the monitor, 100000 reads of the LAPIC ID cost a handful of exits (the read-only mirror), and a TPR write is read back (exercises 1, 2)")
{
	static const char *const checks[] = {
		"lapic-id", "lapic-tpr", "lapic-tpr-clear",
	};
	struct boot_result r;
	unsigned long long mmio, exits, refresh;
	const char *needs = EX12 ": a read of the LAPIC's page is a hidden "
		"fault (the guest maps it), which classify() turns into a "
		"read-only mapping of the monitor's mirror page";

	run_shadowsuite(&r, true);
	expect_checks(&r, "shadowsuite", checks, NELEM(checks), needs, "");
	need_line(&r, "^shadowsuite: 100000 LAPIC ID reads$",
		  "shadowsuite says how many times it read the LAPIC ID", needs);
	expect_guest_end(&r, -1, needs);
	mmio = log_counter(&r, SHADOW_CLASS("hidden: MMIO"), needs);
	exits = log_counter(&r, "^vmm: ([0-9]+) exits in ", needs);
	refresh = log_counter(&r, "; ([0-9]+) LAPIC mirror refreshes$", needs);
	if (mmio > 100 || exits > LAPIC_READS / 10 || refresh == 0)
		expect_fail(&r, "expected: %d LAPIC ID reads, nearly all of them "
			    "from the mirror page: at most 100 MMIO faults, fewer "
			    "than %d exits in all, and the mirror written at least "
			    "once\ngot: %llu MMIO faults, %llu exits, %llu mirror "
			    "refreshes\nThis test needs %s.", LAPIC_READS,
			    LAPIC_READS / 10, mmio, exits, refresh, needs);
}

GRADE_TEST(lab5, shadowsuite_coherence, 10, "under the monitor, page-table entries the guest rewrites take effect after a CR3 reload or invlpg, in every address space that shares the table (exercise 3)")
{
	static const char *const checks[] = {
		"map-after-fault", "remap-cr3", "remap-accessed", "remap-invlpg",
		"remap-preset-ad", "unmap", "write-protect", "write-protect-blocked",
		"remap-user-supervisor-pde", "retrace",
		"pde-remap", "pde-restore", "shared-table", "switch-back",
		"switch-again", "rewrite-table", "rewrite-again",
	};
	struct boot_result r;
	const char *needs = EX3 ", after " EX12 ": a guest write to a traced "
		"table must reach every shadow table that copies it, and a "
		"page table must never be mapped writable while it is traced";

	/* (The checks of the tests above count there, not here: the run's
	 * status, which sums them all, is not judged.) */
	run_shadowsuite(&r, false);
	expect_checks(&r, "shadowsuite", checks, NELEM(checks), needs, "");
	expect_guest_end(&r, -1, needs);
	if (log_counter(&r, SHADOW_CLASS("hidden: traced write"), needs) == 0 ||
	    log_counter(&r, "([0-9]+) entries propagated", needs) == 0)
		expect_fail(&r, "expected: shadowsuite's writes to its page "
			    "tables counted as traced writes and propagated\n"
			    "got: none (the `shadow:` lines below)\nThis test "
			    "needs %s.", needs);
}

/* ------------------------------------------------------------------------
 * guest_xv6.
 * ------------------------------------------------------------------------ */

GRADE_TEST(lab5, xv6_shell, 10, "under te, guest_xv6 boots to its shell, runs a pipeline typed on the serial line, and powers off with a status (exercises 1-3)")
{
	struct boot_result r;

	xv6_run(&r, NULL, NULL, "echo shadow paging | wc\npoweroff 7\n", 90);
	need_line(&r, "^guest_xv6: 224 MB, [0-9]+ free pages",
		  "guest_xv6's greeting", EX123);
	need_line(&r, "^init: starting sh$", "init starting the shell", EX123);
	need_line(&r, "^1 2 14 $", "wc's count of the line echo printed, "
		  "through a pipe", EX123);
	expect_guest_end(&r, 7, EX123);
	expect_no_line(&r, "guest panic");
	need_line(&r, "^vmm: the guest exited with status 7$",
		  "the monitor reporting the guest's status", EX123);
}

/*
 * Equivalence, on a whole operating system: the selftest's result lines,
 * and the lines the guest kernel prints when it kills a process for a
 * fault (address, error code, EIP: true faults delivered exactly), are
 * the same under the monitor as natively.  Only pids and the tick count may vary.
 */
GRADE_TEST(lab5, xv6_selftest, 20, "under te, guest_xv6's selftest prints the same results, and kills its bad processes for the same faults, as natively (exercises 1-3)")
{
	xv6_selftest_same(NULL, EX123);
}

/*
 * faultdemo counts the page faults it sees itself (pfcount()): step by
 * step they must be the native counts, however many hidden faults the
 * monitor took.  And the monitor's counters must show each class the
 * steps cause: step 1's first writes to 16 clean pages are dirty-bit
 * faults, its PTE rewrite a traced write, and every fault the guest saw
 * a true fault the monitor passed on.
 */
GRADE_TEST(lab5, xv6_faultdemo, 10, "under te, faultdemo sees exactly its native page faults, while the monitor counts the hidden ones: fills, dirty bits, traced writes (exercises 1-3)")
{
	static const char *const re =
		"^faultdemo: (  the guest saw [0-9]+ page faults|  child exit "
		"status .*|[0-9]\\. .*|done)$";
	struct boot_result nat, te;
	char *want, *got, dn[256], dt[256];
	unsigned long long seen = 0, truef, fill, dirty, traced;
	regmatch_t m[2];
	size_t pos = 0;
	char *s;

	xv6_run_native(&nat, "run=faultdemo", 30);
	want = log_lines(&nat, re, false);
	xv6_run(&te, NULL, "run=faultdemo", NULL, 90);
	if (te.how != BOOT_EXITED)
		expect_guest_end(&te, 0, EX123);
	got = log_lines(&te, re, false);
	if (strcmp(want, got) != 0) {
		log_first_difference(want, got, dn, dt, sizeof(dn));
		expect_fail(&te, "expected: faultdemo sees the page faults it "
			    "sees natively, step by step\ngot: natively '%s', "
			    "under the monitor '%s'\nrun ended: %s\nThis test needs %s.",
			    dn, dt, grade_outcome_text(&te),
			    EX123);
	}
	expect_guest_end(&te, 0, EX123);
	while (log_find(&te, &pos, "^faultdemo:   the guest saw ([0-9]+) page "
			"faults$", m, 2)) {
		s = log_match_str(&te, &m[1]);
		seen += strtoull(s, NULL, 10);
		free(s);
	}
	truef = log_counter(&te, SHADOW_CLASS("true"), EX123);
	fill = log_counter(&te, SHADOW_CLASS("hidden: shadow fill"), EX123);
	dirty = log_counter(&te, SHADOW_CLASS("hidden: dirty bit"), EX123);
	traced = log_counter(&te, SHADOW_CLASS("hidden: traced write"), EX123);
	if (truef < seen || fill == 0 || dirty < 16 || traced == 0)
		expect_fail(&te, "expected: at least %llu true faults (the guest "
			    "saw that many), some fills, at least 16 dirty-bit "
			    "faults (step 1 writes 16 clean pages it has only "
			    "read) and some traced writes (step 1 rewrites a "
			    "PTE)\ngot: %llu true, %llu fills, %llu dirty-bit, "
			    "%llu traced writes\nThis test needs %s.", seen,
			    truef, fill, dirty, traced, EX123);
}

/*
 * forkwait: an address space made and destroyed per iteration.  The
 * guest switches back to the parent after each child, so the root cache
 * must hit at least once per fork.  And every popcli reads the LAPIC ID
 * through mycpu(), the one that ends the outermost pushcli before its sti
 * (emulated under every software engine, where a cli may not be: bt does
 * cli in line): those reads must come from the mirror, not be MMIO
 * faults, or the run would take minutes.
 */
GRADE_TEST(lab5, xv6_forkwait, 10, "under te, forkwait 200 completes; context switches hit the root cache; LAPIC ID reads come from the mirror (exercises 1-3)")
{
	struct boot_result r;
	unsigned long long hits, mmio, sti;

	xv6_run(&r, NULL, "run=\"forkwait 200\"", NULL, 120);
	need_line(&r, "^forkwait n=200 cycles=[1-9][0-9]* ms=[0-9]+$",
		  "forkwait's result line", EX123);
	expect_guest_end(&r, 0, EX123);
	hits = log_counter(&r, "^shadow: roots ([0-9]+) hits", EX123);
	mmio = log_counter(&r, SHADOW_CLASS("hidden: MMIO"), EX123);
	sti = log_counter(&r, "^vmm: emulated: .*sti ([0-9]+)", EX123);
	if (hits < 200)
		expect_fail(&r, "expected: at least one root-cache hit per fork "
			    "(the parent's address space, switched back to)\n"
			    "got: %llu hits for 200 forks\nThis test needs %s.",
			    hits, EX123);
	if (mmio * 10 > sti)
		expect_fail(&r, "expected: far fewer MMIO faults than LAPIC ID "
			    "reads (at least one per outermost popcli, so at least "
			    "the %llu emulated sti)\ngot: %llu MMIO faults\nThis "
			    "test needs %s.", sti, mmio, EX123);
}

/*
 * nanobench's pgfault test takes 128 true faults per repetition, 7
 * repetitions: each must have reached the guest through the monitor.
 */
GRADE_TEST(lab5, xv6_nanobench, 10, "under te, nanobench measures the paper's seven operations, its pgfault test by true faults the monitor passes on (exercises 1-3)")
{
	static const char *const names[] = {
		"syscall", "in", "cr8wr", "call/ret", "pgfault", "divzero",
		"ptemod",
	};
	struct boot_result r;
	unsigned long long truef;
	char re[128];
	size_t i;

	xv6_run(&r, NULL, "run=nanobench", NULL, 120);
	for (i = 0; i < NELEM(names); i++) {
		snprintf(re, sizeof(re),
			 "^nanobench %s cycles/op=[1-9][0-9]* iters=[1-9][0-9]*$",
			 names[i]);
		need_line(&r, re, "a result line for each of the seven tests",
			  EX123);
	}
	expect_guest_end(&r, 0, EX123);
	truef = log_counter(&r, SHADOW_CLASS("true"), EX123);
	if (truef < 7 * 128)
		expect_fail(&r, "expected: at least 896 true faults (pgfault: "
			    "128 pages, 7 times)\ngot: %llu\nThis test needs %s.",
			    truef, EX123);
}
