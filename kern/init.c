/*
 * init.c - kmain, where the kernel starts in C.
 *
 * entry.S has turned on paging and set up a stack; from here the kernel
 * brings itself up one lab at a time.  After each lab's part, boot_stage()
 * gives the grader its chance: a test of that lab runs right there, before
 * any later lab's code (a stub in a student's handout) is reached.
 */
#include "kern/types.h"
#include "kern/printf.h"
#include "kern/console.h"
#include "kern/bootinfo.h"
#include "kern/monitor.h"
#include "kern/ktest.h"
#include "kern/pmap.h"
#include "kern/gdt.h"
#include "kern/trap.h"
#include "kern/pic.h"
#include "kern/pit.h"
#include "kern/env.h"
#include "kern/sched.h"
#include "vmm/vmm.h"

void kmain(uint32_t magic, physaddr_t mbinfo) __attribute__((noreturn));

void
kmain(uint32_t magic, physaddr_t mbinfo)
{
	/* Lab 1: the console, the boot information, the monitor. */
	cons_init();
	cprintf("\nvmlab kernel booting\n");
	bootinfo_init(magic, mbinfo);
	cprintf("boot loader: %s\n", boot_loader_name());
	cprintf("command line: '%s'\n", boot_cmdline());
	boot_stage(1);

	/* Lab 2: physical memory, the page allocator, the kernel's page tables. */
	mem_init();
	boot_stage(2);

	/* Lab 3: segments, traps, the timer, user environments. */
	gdt_init();
	trap_init();
	pic_init();
	pit_init(TIMER_HZ);
	env_init();
	boot_stage(3);
	sched_autorun();

	/* Lab 4: the monitor, and a guest if the command line names an engine. */
	vmm_init();
	boot_stage(4);
	vmm_autorun();

	monitor();
}
