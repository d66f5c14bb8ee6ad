/*
 * vmm.c - the monitor's provided machinery (suite `vmm`, worth no lab's
 * points): it loads a guest, refuses bad images, and the test guests are
 * sound on a bare PC.  Lab 4's students write none of this code, so these
 * tests pass on their handout too; they say whether the loader and the
 * guests can be trusted before a student's trap-and-emulate is judged by
 * running them (grade/lab4.c).
 *
 * The guest image reaches the kernel as QEMU passes a Multiboot module
 * (-initrd); test=vmload is a stage-4 ktest (vmm/vmm.c) that loads it and
 * reads back, through the monitor's own guest-memory accessors, what the
 * guest will find.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grade/harness.h"

/* Boot the kernel with a file as its guest module and a command line:
 * the loader's own tests (test=vmload), and images it must refuse. */
static void
boot_with_guest(struct boot_result *r, const char *image, const char *cmdline,
		const char *input)
{
	const char *mods[] = { image, NULL };

	boot(&(struct boot_opts) { .cmdline = cmdline, .modules = mods,
				   .input = input }, r);
}

#define PGDETECT	"obj/grade/guests/pgdetect"

GRADE_TEST(vmm, vmload, 0, "a Multiboot guest is loaded at its physical addresses with EAX, EBX and the information block a loader gives")
{
	struct boot_result r;

	boot_with_guest(&r, PGDETECT, "test=vmload", NULL);
	expect_exit(&r, 0);
	expect_line(&r, "^vmm: loaded obj/grade/guests/pgdetect: 1 segment at "
		    "\\[00100000, [0-9a-f]{8}\\), entry 0010000c, 256 MB of guest memory$");
	/* boot.S starts with mov %eax, gboot_state: opcode a3. */
	expect_line(&r, "^vmload: entry 0010000c: a3 ");
	/* What QEMU's -kernel gives (grade/guests/conf_boot.c checks it too). */
	expect_line(&r, "^vmload: eax 2badb002 ebx 00009500 cr0 00000011 eflags 00000006$");
	expect_line(&r, "^vmload: mbi flags 0000024f mem_lower 639 mem_upper 260992$");
	expect_line(&r, "^vmload: guest command line 'obj/grade/guests/pgdetect'$");
	expect_line(&r, "^vmload: loader name 'vmlab monitor'$");
	expect_line(&r, "^vmload: ok$");
}

GRADE_TEST(vmm, guestmem, 0, "guestmem= sets the guest's memory and the memory map says so")
{
	struct boot_result r;

	boot_with_guest(&r, PGDETECT, "test=vmload guestmem=64", NULL);
	expect_exit(&r, 0);
	expect_line(&r, ", 64 MB of guest memory");
	expect_line(&r, "^vmload: mbi flags 0000024f mem_lower 639 mem_upper 64384$");
}

GRADE_TEST(vmm, notelf, 0, "a file that is not ELF is refused with a message, and the kernel goes on")
{
	struct boot_result r;

	boot_with_guest(&r, "README.md", "engine=te", "exit 0\n");
	expect_exit(&r, 0);
	expect_line(&r, "^vmm: README.md refused: the guest image is not an ELF file");
	expect_line(&r, "^Welcome to the kernel monitor");
}

GRADE_TEST(vmm, notmultiboot, 0, "an i386 ELF with no Multiboot header is refused, naming the fix")
{
	struct boot_result r;

	boot_with_guest(&r, "obj/user/hello", "test=vmload", NULL);
	expect_exit(&r, 1);
	expect_line(&r, "^vmm: obj/user/hello refused: the guest image has no "
		    "Multiboot header in its first 8192 bytes: add one");
}

GRADE_TEST(vmm, elf64, 0, "a 64-bit ELF is refused, naming the fix")
{
	struct boot_result r;

	boot_with_guest(&r, "obj/grade/grade", "test=vmload", NULL);
	expect_exit(&r, 1);
	expect_line(&r, "^vmm: obj/grade/grade refused: the guest image is a "
		    "64-bit ELF file; .*-m32");
}

GRADE_TEST(vmm, pgdetect_native, 0, "natively, at ring 0, pgdetect detects nothing")
{
	static const char *const names[] = {
		"popf-if", "pushf-if", "pushf-iopl", "sgdt", "sidt", "sldt",
		"str", "smsw", "mov-cs", "mov-ss", "lar", "lsl", "verr", "verw",
	};
	struct boot_result r;
	char re[64];
	size_t i;

	boot_guest(&(struct guest_opts) { .engine = "native",
					  .image = "grade/guests/pgdetect" }, &r);
	expect_exit(&r, 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(re, sizeof(re), "^pgdetect: %s: clean ", names[i]);
		expect_line(&r, re);
	}
	expect_no_line(&r, "DETECTED");
	expect_line(&r, "^pgdetect: 0 of 14 instructions detect deprivileging$");
}

GRADE_TEST(vmm, privsuite_native, 0, "natively, privsuite's privileged instructions all give a bare PC's results")
{
	struct boot_result r;

	boot_guest(&(struct guest_opts) {
		.engine = "native", .image = "grade/guests/privsuite",
		.disk = "grade/guests/privdisk.img", .input = "x",
		.input_after = "type a key" }, &r);
	expect_exit(&r, 0);
	expect_no_line(&r, "FAIL");
	expect_all_checks(&r, "privsuite");
}

/*
 * Lab 5's test guest: its paging checks hold on a bare PC, whole and
 * with tables=fixed (the part lab 5's first tests run).  If these fail,
 * grade/guests/shadowsuite.c is wrong, not the shadow MMU it judges.
 */
GRADE_TEST(vmm, shadowsuite_native, 0, "natively, shadowsuite's paging checks all give a bare PC's results, whole and with tables=fixed")
{
	struct boot_result r;

	boot_guest(&(struct guest_opts) { .engine = "native",
					  .image = "grade/guests/shadowsuite" }, &r);
	expect_exit(&r, 0);
	expect_no_line(&r, "FAIL");
	expect_all_checks(&r, "shadowsuite");
	expect_line(&r, "^shadowsuite: 100000 LAPIC ID reads$");
	boot_free(&r);
	boot_guest(&(struct guest_opts) { .engine = "native",
					  .image = "grade/guests/shadowsuite",
					  .args = "tables=fixed" }, &r);
	expect_exit(&r, 0);
	expect_no_line(&r, "FAIL");
	expect_line(&r, "^shadowsuite: start \\(tables=fixed\\)$");
	expect_all_checks(&r, "shadowsuite");
}
