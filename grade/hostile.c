/*
 * hostile.c - the hostile guest, natively and under the monitor (suite
 * `hostile`, worth no lab's points; grade/guests/hostile.c has the
 * attempts).
 *
 * Each test is one area of attack in a run of its own.  Where the
 * monitor can give the guest what a PC gives it, the lines must be the
 * native ones and the guest must reach its end (conformance.h).  Where
 * it cannot (its own range, segments reaching into it, a shutdown), the
 * guest must get no wrong answer before the monitor stops it, the
 * monitor must say why in one line, and it must keep running: its
 * statistics, then its own prompt.  No test passes on a run where the
 * guest printed a line the native run did not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/conformance.h"

#define IMAGE	"grade/guests/hostile"

/* The area runs under the monitor as on bare QEMU, to its end. */
static void
same(const char *area, double timeout, struct boot_result *under)
{
	conformance_check(&(struct guest_opts) {
		.image = IMAGE, .args = area, .timeout = timeout,
	}, "hostile", under);
}

/* Every line of @p sub appears in @p all, in the same order. */
static bool
lines_within(const char *sub, const char *all, char *first, size_t size)
{
	const char *s = sub, *a = all, *nl;
	size_t n;

	while (*s) {
		nl = strchr(s, '\n');
		n = nl ? (size_t) (nl - s + 1) : strlen(s);
		while (*a && strncmp(a, s, n) != 0)
			a = (a = strchr(a, '\n')) ? a + 1 : "";
		if (!*a) {
			snprintf(first, size, "%.*s", (int) (n && s[n - 1] == '\n' ?
				 n - 1 : n), s);
			return false;
		}
		a += n;
		s += n;
	}
	return true;
}

/*
 * The area ends natively as @p native_how says (every check it reached
 * passing); under the monitor the guest is stopped with a reason
 * matching @p why, having printed only lines of the native run, and the
 * monitor goes on to its prompt.
 */
static void
stopped(const char *area, enum boot_outcome native_how, const char *why,
	double timeout)
{
	struct guest_opts o = { .image = IMAGE, .args = area, .timeout = timeout };
	struct boot_result nat, mon;
	char re[256], bad[256], *want, *got;

	o.engine = "native";
	boot_guest(&o, &nat);
	if (nat.how != native_how)
		expect_fail(&nat, "expected: the area '%s' ends on bare QEMU as "
			    "'%s'\ngot: %s\nThe guest itself is wrong, not the "
			    "monitor.", area, boot_outcome_name(native_how),
			    grade_outcome_text(&nat));
	expect_no_line(&nat, "FAIL");
	if (native_how == BOOT_EXITED)
		expect_all_checks(&nat, "hostile");

	o.engine = NULL;
	boot_guest(&o, &mon);
	expect_no_line(&mon, "^hostile: .*FAIL");
	expect_no_line(&mon, "checks passed");
	snprintf(re, sizeof(re), "^vmm: stopped the guest at [0-9a-f]{4}:"
		 "[0-9a-f]{8}: %s$", why);
	expect_line(&mon, re);
	want = log_lines(&nat, "^hostile: .*$", false);
	got = log_lines(&mon, "^hostile: .*$", false);
	if (!lines_within(got, want, bad, sizeof(bad)))
		expect_fail(&mon, "expected: under %s, only lines the native run "
			    "printed (its log: %s)\ngot: '%s'", guest_engine(&o),
			    nat.logpath, bad);
	/* The monitor outlived the guest: its counters, then its prompt. */
	expect_lines_in_order(&mon, ((const char *const[]) {
		re, "^vmm: [0-9]+ exits in", GUEST_GAVE_UP, NULL }));
	expect_outcome(&mon, BOOT_STOPPED);
	free(want);
	free(got);
	boot_free(&nat);
	boot_free(&mon);
}

GRADE_TEST(hostile, memory, 0, "beyond RAM, the RAM's edge, self-mapping and data-holding directories, table floods: as on bare QEMU")
{
	same("memory", 60, NULL);
}

GRADE_TEST(hostile, outside, 0, "page tables outside RAM read as zeros: the guest's own not-present #PF, and the monitor counts them")
{
	struct boot_result r;

	same("outside", 30, &r);
	expect_line(&r, "^shadow: 2 accesses through page tables outside guest "
		    "RAM, refused as not present$");
	boot_free(&r);
}

GRADE_TEST(hostile, cr3, 0, "CR3 outside RAM with paging on: a shutdown natively; the monitor stops the guest as a triple fault and keeps running")
{
	stopped("cr3", BOOT_TRIPLE_FAULT, "triple fault: vector 14 .*", 30);
}

GRADE_TEST(hostile, monitor, 0, "the monitor's linear range mapped to the guest's RAM: reads, writes, a segment and a stack there reach the guest's frames")
{
	same("monitor", 60, NULL);
}

GRADE_TEST(hostile, world_switch, 0, "the guest maps its RAM over the world switch's pages: stopped before it reads one, the page named")
{
	stopped("world-switch", BOOT_EXITED, "the guest maps its own page at "
		"fc1[0-9a-f]{5}, where the monitor keeps its world switch: te "
		"cannot give the guest that page", 60);
}

GRADE_TEST(hostile, monitor_exec, 0, "code in the monitor's range: run as natively where the engine translates it (bt), else the guest is stopped, never run on the monitor's bytes")
{
	/* bt runs the guest kernel's code from its translation cache, read
	 * through the guest's own tables: code anywhere is the same to it.
	 * te runs the guest's bytes where they are, and cannot there. */
	if (strcmp(guest_engine(&(struct guest_opts) { 0 }), "bt") == 0) {
		same("monitor-exec", 60, NULL);
		return;
	}
	stopped("monitor-exec", BOOT_EXITED, "the guest runs code at fc000040, "
		"in the range the monitor reserves for itself: te cannot run it "
		"there", 60);
}

GRADE_TEST(hostile, tables, 0, "GDT, LDT and IDT attacks: the monitor's selectors, DPL and conforming tricks, call gates, odd and 16-bit gates, the reserved segment registers")
{
	same("tables", 60, NULL);
}

GRADE_TEST(hostile, segments, 0, "descriptors te follows: an unmapped or moved GDT, one written after lgdt, the LDT, user code in %ds, an expand-down data segment and stack")
{
	static const char *const names[] = {
		"seg:lgdt-unmapped", "seg:written-after-lgdt", "seg:ldt-data",
		"seg:gdt-moved", "seg:user-code-in-ds", "seg:expand-down",
		"seg:expand-down-stack",
	};
	char args[256] = "";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		strcat(args, i ? " " : "");
		strcat(args, names[i]);
	}
	same(args, 60, NULL);
}

GRADE_TEST(hostile, segment_in_monitor, 0, "data segments based above or in the monitor's range: stopped with the register named")
{
	static const char *const names[] = {
		"seg:base-above", "seg:base-in",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		stopped(names[i], BOOT_EXITED, "the guest's %fs = 0060 names a "
			"segment in the monitor's range, which the CPU cannot "
			"be given", 30);
}

GRADE_TEST(hostile, io, 0, "unowned ports, port 0x80, an 8253 storm, a long spin with interrupts off and sti's window: as on bare QEMU")
{
	same("io", 120, NULL);
}

GRADE_TEST(hostile, smc, 0, "self-modifying code on plain pages, an alias and a page that is also a page table")
{
	same("smc", 60, NULL);
}

GRADE_TEST(hostile, exceptions, 0, "delivery on unmapped, half-mapped and past-RAM stacks, and through an IDT whose limit cuts a gate")
{
	same("exceptions", 60, NULL);
}
