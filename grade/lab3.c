/*
 * lab3.c - lab 3's tests: the IDT, exceptions, the timer, user programs,
 * system calls, and the kernel surviving programs that misbehave.
 *
 * Kernel-side checks are ktests of stage 3 (kern/trapcheck.c); user-side
 * ones boot `run=PROGRAM,...`, which starts the programs right after
 * lab 3's bring-up and ends the run when the last one is done.  Where a
 * fault's EIP is reported, nm on the user program (obj/user/NAME) says
 * which function it must be in.
 * 100 points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"
#include "grade/kernsyms.h"

/* The first environment's id: generation 1, slot 0. */
#define FIRST_ENV	"00001000"

/* Boot with the given command line and require a clean exit. */
static void
run_kernel(struct boot_result *r, const char *cmdline)
{
	boot(&(struct boot_opts) { .cmdline = cmdline }, r);
	expect_exit(r, 0);
}

/* Boot `run=PROGRAMS`; all must finish and the kernel must say so. */
static void
run_programs(struct boot_result *r, const char *programs)
{
	char cmdline[128];

	snprintf(cmdline, sizeof(cmdline), "run=%s", programs);
	run_kernel(r, cmdline);
	expect_line(r, "^no runnable environments: all user programs have finished$");
}

/*
 * The EIP in the first line matching re (its last submatch) must lie in
 * function fn of user program prog, by nm.
 */
static void
check_user_eip(const struct boot_result *r, const char *re, const char *prog,
	       const char *fn)
{
	char path[512], *s;
	const struct ksym *sym;
	struct ksyms syms;
	regmatch_t m[2];
	size_t pos = 0;
	uint32_t eip;

	if (!log_find(r, &pos, re, m, 2))
		expect_fail(r, "expected: a line matching /%s/\ngot: none", re);
	s = log_match_str(r, &m[1]);
	eip = strtoul(s, NULL, 16);
	free(s);
	snprintf(path, sizeof(path), "%s/user/%s", grade_env("OBJDIR"), prog);
	ksyms_load(&syms, path);
	sym = ksyms_function_at(&syms, eip);
	if (sym == NULL || strcmp(sym->name, fn) != 0)
		expect_fail(r, "expected: the fault's eip %08x inside %s() of %s\n"
			    "got: it is in %s, says nm", eip, fn, path,
			    sym ? sym->name : "no function");
}

/* ------------------------------------------------------------------------
 * The kernel side
 * ------------------------------------------------------------------------ */

GRADE_TEST(lab3, idt, 10, "IDT: a gate per vector, interrupt gates, DPL 3 only for int3 and syscalls; GDT and TSS loaded (exercise 1)")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "test=idt" }, &r);
	expect_check_passed(&r, "idt");
	expect_exit(&r, 0);
	expect_no_line(&r, "^FAIL: ");
	expect_line(&r, "^idt: ok$");
}

GRADE_TEST(lab3, traps, 15, "each exception the kernel raises reaches its vector with the right error code, CR2 and EIP (exercises 1, 2)")
{
	static const int vectors[] = { 0, 1, 3, 4, 5, 6, 7, 13, 14, 2, 9, 15, 16, 18, 19, 20, 31 };
	struct boot_result r;
	char re[64];
	size_t i;

	boot(&(struct boot_opts) { .cmdline = "test=traps" }, &r);
	expect_check_passed(&r, "traps");
	expect_exit(&r, 0);
	expect_no_line(&r, "^FAIL: ");
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		snprintf(re, sizeof(re), "^traps: vector +%d .* ok \\(", vectors[i]);
		expect_line(&r, re);
	}
	expect_line(&r, "^traps: ok$");
}

GRADE_TEST(lab3, timer, 5, "the 8253 ticks through the remapped 8259 (IRQ 0 at vector 32) (exercises 1, 2)")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "test=timer" }, &r);
	expect_check_passed(&r, "timer");
	expect_exit(&r, 0);
	expect_line(&r, "^timer: ticks went from [0-9]+ to [0-9]+$");
	expect_line(&r, "^timer: ok$");
}

/* ------------------------------------------------------------------------
 * User programs and system calls
 * ------------------------------------------------------------------------ */

GRADE_TEST(lab3, hello, 5, "a user program at ring 3 prints and exits (exercises 1-3)")
{
	struct boot_result r;
	const char *const order[] = {
		"^\\[" FIRST_ENV "\\] new env 'hello'$",
		"^hello, world from env " FIRST_ENV "$",
		"^\\[" FIRST_ENV "\\] exited with status 0$",
		NULL,
	};

	run_programs(&r, "hello");
	expect_lines_in_order(&r, order);
}

GRADE_TEST(lab3, syscalls, 10, "every system call returns what it should, and cgetc reads a key (exercises 1-3)")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "run=syscalls", .input = "x\n",
				   .input_after = "syscalls: type a key" }, &r);
	expect_exit(&r, 0);
	expect_line(&r, "^syscalls: getenvid -> " FIRST_ENV "$");
	expect_no_line(&r, "WRONG");
	expect_line(&r, "^syscalls: cgetc -> 120 'x'$");
	expect_line(&r, "^syscalls: all results as expected$");
	expect_line(&r, "^\\[" FIRST_ENV "\\] exited with status 0$");
}

GRADE_TEST(lab3, faultread, 5, "reading kernel memory: page fault, error 5, the program stopped (exercises 1-3)")
{
	struct boot_result r;
	const char *re = "^\\[" FIRST_ENV "\\] user fault: page fault at va fc100000 "
		"\\(error 5: user read, protection\\) eip ([0-9a-f]{8})$";

	run_programs(&r, "faultread");
	expect_no_line(&r, "not protected");
	check_user_eip(&r, re, "faultread", "umain");
}

GRADE_TEST(lab3, faultwrite, 5, "writing kernel memory: page fault, error 7, the program stopped (exercises 1-3)")
{
	struct boot_result r;
	const char *re = "^\\[" FIRST_ENV "\\] user fault: page fault at va c0000000 "
		"\\(error 7: user write, protection\\) eip ([0-9a-f]{8})$";

	run_programs(&r, "faultwrite");
	expect_no_line(&r, "not protected");
	check_user_eip(&r, re, "faultwrite", "umain");
}

GRADE_TEST(lab3, faultnull, 3, "a NULL pointer: page fault, error 4 (not present) (exercises 1-3)")
{
	struct boot_result r;
	const char *re = "^\\[" FIRST_ENV "\\] user fault: page fault at va 00000000 "
		"\\(error 4: user read, not present\\) eip ([0-9a-f]{8})$";

	run_programs(&r, "faultnull");
	expect_no_line(&r, "page 0 is mapped");
	check_user_eip(&r, re, "faultnull", "umain");
}

GRADE_TEST(lab3, faulthlt, 4, "a privileged instruction (hlt) at ring 3: general protection (exercises 1-3)")
{
	struct boot_result r;
	const char *re = "^\\[" FIRST_ENV "\\] user fault: general protection "
		"\\(trap 13, error 0\\) eip ([0-9a-f]{8})$";

	run_programs(&r, "faulthlt");
	expect_no_line(&r, "did not fault");
	check_user_eip(&r, re, "faulthlt", "umain");
}

GRADE_TEST(lab3, faultdiv, 4, "division by zero at ring 3: divide error (exercises 1-3)")
{
	struct boot_result r;
	const char *re = "^\\[" FIRST_ENV "\\] user fault: divide error "
		"\\(trap 0, error 0\\) eip ([0-9a-f]{8})$";

	run_programs(&r, "faultdiv");
	expect_no_line(&r, "1 / 0 =");
	check_user_eip(&r, re, "faultdiv", "umain");
}

GRADE_TEST(lab3, faultbadptr, 4, "a system call given a kernel pointer: the program stopped, nothing printed (exercises 1-3)")
{
	struct boot_result r;

	run_programs(&r, "faultbadptr");
	expect_line(&r, "^\\[" FIRST_ENV "\\] user fault: sys_cputs given bad "
		    "address fc100000 ");
	expect_no_line(&r, "printed its own memory");
}

GRADE_TEST(lab3, survive, 5, "after programs fault, the kernel runs the next one (exercises 1-3)")
{
	struct boot_result r;

	/* No order between the programs: the timer may interleave them. */
	run_programs(&r, "faultread,faultdiv,hello");
	expect_line(&r, "^\\[00001000\\] user fault: page fault at va fc100000");
	expect_line(&r, "^\\[00001001\\] user fault: divide error");
	expect_line(&r, "^hello, world from env 00001002$");
	expect_line(&r, "^\\[00001002\\] exited with status 0$");
}

GRADE_TEST(lab3, breakpoint, 3, "int3 at ring 3 is a trap: reported, and the program goes on (exercises 1-3)")
{
	struct boot_result r;
	const char *const order[] = {
		"^\\[" FIRST_ENV "\\] breakpoint at eip [0-9a-f]{8}: continuing$",
		"^breakpoint: still running after int3$",
		"^\\[" FIRST_ENV "\\] exited with status 0$",
		NULL,
	};

	run_programs(&r, "breakpoint");
	expect_lines_in_order(&r, order);
}

GRADE_TEST(lab3, yield, 7, "three programs that yield take turns, and each finishes (exercises 1-3)")
{
	static const char *const ids[] = { "00001000", "00001001", "00001002" };
	struct boot_result r;
	char re[6][80];
	const char *order[7];
	size_t pos0 = 0, pos1 = 0;
	int e, i;

	run_programs(&r, "yield,yield,yield");
	/* Each program's own lines in order. */
	for (e = 0; e < 3; e++) {
		for (i = 0; i < 5; i++) {
			snprintf(re[i], sizeof(re[i]), "^\\[%s\\] yield: iteration %d$",
				 ids[e], i);
			order[i] = re[i];
		}
		snprintf(re[5], sizeof(re[5]), "^\\[%s\\] exited with status 0$", ids[e]);
		order[5] = re[5];
		order[6] = NULL;
		expect_lines_in_order(&r, order);
	}
	/* Turns: the third program starts before the first one is done. */
	if (!log_find(&r, &pos0, "^\\[00001002\\] yield: iteration 0$", NULL, 0) ||
	    !log_find(&r, &pos1, "^\\[00001000\\] yield: iteration 4$", NULL, 0) ||
	    pos0 > pos1)
		expect_fail(&r, "expected: env 00001002's iteration 0 before env "
			    "00001000's iteration 4 (sys_yield gives the others "
			    "a turn)\ngot: the programs ran one after another");
}

GRADE_TEST(lab3, preempt, 7, "the timer takes the CPU from a program that never yields (exercises 1-3)")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "run=spin,hello",
				   .stop_on = "^hello, world from env 00001001$" }, &r);
	expect_ok(&r);
	expect_line(&r, "^spin: spinning forever");
}

GRADE_TEST(lab3, sensitive, 5, "the sensitive program: which instructions trap at ring 3 and which do not (exercises 1-3)")
{
	struct boot_result r;
	static const char *const trapped[] = {
		"cli", "sti", "lgdt", "hlt", "in \\$0x60", "mov %cr0, %eax",
	};
	static const char *const silent[] = {
		"popf \\(clear IF\\) +no trap: IF was 1, popf cleared it, IF is now 1",
		"popf \\(IOPL=3\\) +no trap: IOPL was 0, popf set 3, IOPL is now 0",
		"pushf +no trap: EFLAGS [0-9a-f]{8}: the real IF=1 and IOPL=0",
		"sgdt +no trap: base f[c-f][0-9a-f]{6} ",
		"sidt +no trap: base f[c-f][0-9a-f]{6} ",
		"smsw +no trap: ",
		"str +no trap: 0028$",
		"mov %cs, %ax +no trap: CS 001b",
	};
	char re[128];
	size_t i;

	run_programs(&r, "sensitive");
	for (i = 0; i < sizeof(trapped) / sizeof(trapped[0]); i++) {
		snprintf(re, sizeof(re), "^sensitive: %s +trapped: #GP \\(trap 13\\)",
			 trapped[i]);
		expect_line(&r, re);
	}
	for (i = 0; i < sizeof(silent) / sizeof(silent[0]); i++) {
		snprintf(re, sizeof(re), "^sensitive: %s", silent[i]);
		expect_line(&r, re);
	}
	expect_line(&r, "^\\[" FIRST_ENV "\\] user trap: general protection "
		    "\\(trap 13, error 0\\) at eip [0-9a-f]{8}: passed to the program's handler$");
	expect_line(&r, "^\\[" FIRST_ENV "\\] exited with status 0$");
}

GRADE_TEST(lab3, monitor_run, 3, "the monitor's run command, and the monitor back afterwards (exercises 1-3)")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "stage=3",
				   .input = "run hello\nexit 5\n" }, &r);
	expect_exit(&r, 5);
	expect_line(&r, "^hello, world from env " FIRST_ENV "$");
	expect_line(&r, "^no runnable environments: all user programs have finished$");
}
