/*
 * init.c - kmain, where the kernel starts in C.
 *
 * entry.S has turned on paging and set up a stack; from here the kernel
 * brings up its console, reads what the loader told it, and either runs
 * the test the command line names or hands the console to the monitor.
 * Each lab adds its initialisation here, in order.
 */
#include "kern/types.h"
#include "kern/printf.h"
#include "kern/console.h"
#include "kern/bootinfo.h"
#include "kern/monitor.h"
#include "kern/ktest.h"

void kmain(uint32_t magic, physaddr_t mbinfo) __attribute__((noreturn));

void
kmain(uint32_t magic, physaddr_t mbinfo)
{
	char test[32];

	cons_init();
	cprintf("\nvmlab kernel booting\n");
	bootinfo_init(magic, mbinfo);
	cprintf("boot loader: %s\n", boot_loader_name());
	cprintf("command line: '%s'\n", boot_cmdline());

	if (cmdline_option("test", test, sizeof(test)))
		ktest_run(test);
	monitor();
}
