/*
 * lab4.c - lab 4's tests: the monitor loads a guest, refuses bad ones, and
 * runs the test guests by trap-and-emulate as a bare PC would run them.
 *
 * The guest image reaches the kernel as QEMU passes a Multiboot module
 * (-initrd); test=vmload is a stage-4 ktest (vmm/vmm.c) that loads it and
 * reads back, through the monitor's own guest-memory accessors, what the
 * guest will find.  Then the test guests run natively and under engine=te:
 * the same results (privsuite), and exactly the i386's leaks (pgdetect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"

#define GUEST(name)	"obj/grade/guests/" name

/* Boot the kernel with a guest module and a command line. */
static void
boot_with_guest(struct boot_result *r, const char *image, const char *cmdline,
		const char *input)
{
	char args[256];

	snprintf(args, sizeof(args), "-initrd %s", image);
	boot(&(struct boot_opts) { .cmdline = cmdline, .extra_args = args,
				   .input = input }, r);
}

GRADE_TEST(lab4, vmload, 10, "a Multiboot guest is loaded at its physical addresses with EAX, EBX and the information block a loader gives")
{
	struct boot_result r;

	boot_with_guest(&r, GUEST("pgdetect"), "test=vmload", NULL);
	expect_exit(&r, 0);
	expect_line(&r, "^vmm: loaded obj/grade/guests/pgdetect: 1 segment at "
		    "\\[00100000, [0-9a-f]{8}\\), entry 0010000c, 256 MB of guest memory");
	/* boot.S starts with mov $stacktop, %esp: opcode bc. */
	expect_line(&r, "^vmload: entry 0010000c: bc ");
	expect_line(&r, "^vmload: eax 2badb002 ebx 00009000 cr0 00000011 eflags 00000002$");
	expect_line(&r, "^vmload: mbi flags 00000245 mem_lower 639 mem_upper 261120$");
	expect_line(&r, "^vmload: guest command line 'obj/grade/guests/pgdetect'$");
	expect_line(&r, "^vmload: loader name 'vmlab monitor'$");
	expect_line(&r, "^vmload: ok$");
}

GRADE_TEST(lab4, guestmem, 5, "guestmem= sets the guest's memory and the memory map says so")
{
	struct boot_result r;

	boot_with_guest(&r, GUEST("pgdetect"), "test=vmload guestmem=64", NULL);
	expect_exit(&r, 0);
	expect_line(&r, ", 64 MB of guest memory");
	expect_line(&r, "^vmload: mbi flags 00000245 mem_lower 639 mem_upper 64512$");
}

GRADE_TEST(lab4, notelf, 5, "a file that is not ELF is refused with a message, and the kernel goes on")
{
	struct boot_result r;

	boot_with_guest(&r, "README.md", "engine=te", "exit 0\n");
	expect_exit(&r, 0);
	expect_line(&r, "^vmm: README.md refused: the guest image is not an ELF file");
	expect_line(&r, "^Welcome to the kernel monitor");
}

GRADE_TEST(lab4, notmultiboot, 5, "an i386 ELF with no Multiboot header is refused, naming the fix")
{
	struct boot_result r;

	boot_with_guest(&r, "obj/user/hello", "test=vmload", NULL);
	expect_exit(&r, 1);
	expect_line(&r, "^vmm: obj/user/hello refused: the guest image has no "
		    "Multiboot header in its first 8192 bytes: add one");
}

GRADE_TEST(lab4, elf64, 5, "a 64-bit ELF is refused, naming the fix")
{
	struct boot_result r;

	boot_with_guest(&r, "obj/grade/grade", "test=vmload", NULL);
	expect_exit(&r, 1);
	expect_line(&r, "^vmm: obj/grade/grade refused: the guest image is a "
		    "64-bit ELF file; .*-m32");
}

GRADE_TEST(lab4, pgdetect_native, 5, "natively, at ring 0, pgdetect detects nothing")
{
	static const char *const names[] = {
		"popf-if", "pushf-if", "pushf-iopl", "sgdt", "sidt", "sldt",
		"str", "smsw", "mov-cs", "mov-ss", "lar", "lsl", "verr", "verw",
	};
	struct boot_result r;
	char re[64];
	size_t i;

	boot(&(struct boot_opts) { .kernel = GUEST("pgdetect") }, &r);
	expect_exit(&r, 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: clean ", names[i]);
		expect_line(&r, re);
	}
	expect_no_line(&r, "DETECTED");
	expect_line(&r, "^pgdetect: 0 of 14 instructions detect deprivileging$");
}

/*
 * Under trap-and-emulate the guest kernel runs at ring 1.  The lines that
 * say DETECTED are the i386's sensitive-but-unprivileged instructions
 * (Robin and Irvine; Adams & Agesen, section 2.4) - and only those: IF
 * is really the guest's (pushf-if clean), IOPL really 0, and verr/verw
 * answer the same at ring 1 for descriptors made DPL 1.
 */
GRADE_TEST(lab4, pgdetect_te, 20, "under te, pgdetect sees exactly the leaks the i386 has")
{
	static const char *const leaks[] = {
		"popf-if", "sgdt", "sidt", "sldt", "str", "mov-cs", "mov-ss",
		"lar", "lsl",
	};
	static const char *const clean[] = {
		"pushf-if", "pushf-iopl", "verr", "verw",
	};
	struct boot_result r;
	char re[64];
	size_t i;

	boot_with_guest(&r, GUEST("pgdetect"), "engine=te", NULL);
	expect_exit(&r, 0);
	expect_line(&r, "^te: running obj/grade/guests/pgdetect at ring 1$");
	for (i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: DETECTED ", leaks[i]);
		expect_line(&r, re);
	}
	for (i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: clean ", clean[i]);
		expect_line(&r, re);
	}
	/* The monitor's tables are in its own region, at or above MONBASE. */
	expect_line(&r, "^pgdetect: sgdt: DETECTED \\(GDTR base f[c-f][0-9a-f]{6},");
	expect_line(&r, "^pgdetect: lsl: DETECTED \\(data limit fbffffff,");
	expect_line(&r, "^pgdetect: (9|10) of 14 instructions detect deprivileging$");
	expect_line(&r, "^te: [0-9]+ exits in ");
	expect_line(&r, "^te: exits by cause: general protection [0-9]+");
	expect_line(&r, "^te: emulated: .*lgdt");
	expect_line(&r, "^vmm: the guest exited with status 0$");
}

GRADE_TEST(lab4, privsuite_native, 5, "natively, privsuite's privileged instructions all give a bare PC's results")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .kernel = GUEST("privsuite"), .input = "x",
				   .input_after = "type a key" }, &r);
	expect_exit(&r, 0);
	expect_no_line(&r, "FAIL");
	expect_line(&r, "^privsuite: 28 of 28 checks passed$");
}

/*
 * Popek and Goldberg's equivalence: under te the same guest kernel, at
 * ring 1, gets the same results, every privileged instruction emulated,
 * every interrupt and exception delivered through its own IDT with a
 * ring-0 frame.
 */
GRADE_TEST(lab4, privsuite_te, 25, "under te, privsuite's privileged instructions, interrupts and exceptions all behave as natively")
{
	struct boot_result r;

	boot(&(struct boot_opts) { .cmdline = "engine=te",
				   .extra_args = "-initrd " GUEST("privsuite"),
				   .input = "x", .input_after = "type a key" }, &r);
	expect_exit(&r, 0);
	expect_no_line(&r, "FAIL");
	expect_line(&r, "^privsuite: int-frame-cs: ok$");
	expect_line(&r, "^privsuite: hlt-timer: ok$");
	expect_line(&r, "^privsuite: lapic-version: ok$");
	expect_line(&r, "^privsuite: uart-input: ok$");
	/* DESIGN.md section 5's hard case: the return to user mode. */
	expect_line(&r, "^privsuite: user-iret-if: ok$");
	expect_line(&r, "^privsuite: user-int-frame-cs: ok$");
	expect_line(&r, "^privsuite: user-out-gp: ok$");
	expect_line(&r, "^te: exits by cause: .*segment not present [1-9]");
	expect_line(&r, "^privsuite: 28 of 28 checks passed$");
	expect_line(&r, "^te: emulated: .*iret [0-9]+.*hlt [0-9]+");
	expect_line(&r, "^te: delivered: [1-9][0-9]* interrupts, 3 exceptions, 3 int n");
	expect_line(&r, "^vmm: the guest exited with status 0$");
}
