/*
 * monitor.c - a small interactive shell inside the kernel.
 *
 * It reads a line from the console, splits it into words and runs the
 * command the first word names.  Later labs add commands that show the
 * state of the virtual machine monitor (counters, the vcpu, the shadow
 * tables); they all use the table below.
 */
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/console.h"
#include "kern/kdebug.h"
#include "kern/power.h"
#include "kern/memlayout.h"
#include "kern/error.h"
#include "kern/pmap.h"
#include "kern/env.h"
#include "kern/sched.h"
#include "kern/monitor.h"
#include "vmm/vmm.h"

#define MAXARGS	16
#define PROMPT	"K> "

struct command {
	const char *name;
	const char *desc;
	int (*func)(int argc, char **argv);
};

static int mon_help(int argc, char **argv);
static int mon_kerninfo(int argc, char **argv);
static int mon_backtrace(int argc, char **argv);
static int mon_exit(int argc, char **argv);
static int mon_vmstat(int argc, char **argv);
static int mon_showmap(int argc, char **argv);
static int mon_run(int argc, char **argv);

static const struct command commands[] = {
	{ "help", "List the commands", mon_help },
	{ "kerninfo", "Show where the kernel is in memory", mon_kerninfo },
	{ "backtrace", "Show the stack of calls that led here", mon_backtrace },
	{ "showmap", "Show the page mappings of [va, va + n pages): showmap va [n]", mon_showmap },
	{ "run", "Run user programs side by side: run name...", mon_run },
	{ "exit", "Stop the machine: exit [status]", mon_exit },
	{ "vmstat", "Show the last guest run's trap counters", mon_vmstat },
};

static int
mon_help(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		cprintf("%s - %s\n", commands[i].name, commands[i].desc);
	return 0;
}

static int
mon_kerninfo(int argc, char **argv)
{
#if SOL >= 1
	extern char _start[], entry[], etext[], edata[], end[];

	cprintf("Special kernel symbols:\n");
	cprintf("  _start %08x (phys)\n", (uintptr_t) _start);
	cprintf("  entry  %08x (virt)  %08x (phys)\n",
		(uintptr_t) entry, MON2PHYS(entry));
	cprintf("  etext  %08x (virt)  %08x (phys)\n",
		(uintptr_t) etext, MON2PHYS(etext));
	cprintf("  edata  %08x (virt)  %08x (phys)\n",
		(uintptr_t) edata, MON2PHYS(edata));
	cprintf("  end    %08x (virt)  %08x (phys)\n",
		(uintptr_t) end, MON2PHYS(end));
	cprintf("Kernel executable memory footprint: %dKB\n",
		(int) ROUNDUP(end - entry, 1024) / 1024);
#else
	/* LAB 1: your code here.
	 * Print the addresses of _start (physical), and of entry, etext,
	 * edata and end (virtual and physical), in the format the handout
	 * shows, then the image's footprint in KB rounded up. */
	cprintf("kerninfo: not implemented (lab 1, exercise 4)\n");
#endif
	return 0;
}

static int
mon_backtrace(int argc, char **argv)
{
	print_backtrace(read_ebp());
	return 0;
}

static int
mon_vmstat(int argc, char **argv)
{
	(void) argc;
	(void) argv;
	vmm_stats_print();
	return 0;
}

static int
mon_exit(int argc, char **argv)
{
	machine_exit(argc > 1 ? strtol(argv[1], NULL, 0) : EXIT_SUCCESS);
}

/*
 * Lab 2: what the loaded page directory maps, page by page, as the MMU
 * would see it (the permissions of directory and table entry combined).
 */
static int
mon_showmap(int argc, char **argv)
{
	uintptr_t va;
	long i, n;
	pde_t *pgdir, pde;
	pte_t *pt;

	if (kern_pgdir == NULL) {
		cprintf("showmap: no page tables yet (lab 2's mem_init has not run)\n");
		return -1;
	}
	if (argc < 2) {
		cprintf("usage: showmap va [pages]\n");
		return -1;
	}
	va = ROUNDDOWN((uintptr_t) strtol(argv[1], NULL, 16), PGSIZE);
	n = argc > 2 ? strtol(argv[2], NULL, 0) : 1;
	pgdir = pa2kva(PTE_ADDR(rcr3()));
	for (i = 0; i < n; i++, va += PGSIZE) {
		pde = pgdir[PDX(va)];
		if (!(pde & PTE_P)) {
			cprintf("%08x  no page table\n", va);
			continue;
		}
		pt = pa2kva(PTE_ADDR(pde));
		if (!(pt[PTX(va)] & PTE_P)) {
			cprintf("%08x  not mapped\n", va);
			continue;
		}
		cprintf("%08x  -> %08x  %s %s%s%s\n", va, PTE_ADDR(pt[PTX(va)]),
			pde & pt[PTX(va)] & PTE_U ? "user" : "kernel",
			pde & pt[PTX(va)] & PTE_W ? "read/write" : "read-only",
			pt[PTX(va)] & PTE_A ? " accessed" : "",
			pt[PTX(va)] & PTE_D ? " dirty" : "");
	}
	return 0;
}

/*
 * Lab 3: start the named programs and let them run; the monitor comes
 * back, on a fresh stack, when the last one has finished.
 */
static int
mon_run(int argc, char **argv)
{
	int i, started = 0;
	envid_t id;

	if (!env_ready()) {
		cprintf("run: no user environments yet (lab 3's bring-up has not run)\n");
		return -1;
	}
	if (argc < 2) {
		cprintf("usage: run name...; the programs are: ");
		user_program_list();
		return -1;
	}
	for (i = 1; i < argc; i++) {
		if ((id = env_create(argv[i])) < 0)
			cprintf("run: cannot start '%s': %s\n", argv[i],
				error_string(id));
		else
			started++;
	}
	if (started == 0)
		return -1;
	sched_yield();
}

/* Split line into words in place; returns the count, or -1 if too many. */
static int
split_words(char *line, char **argv)
{
	int argc = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (*line == '\0')
			break;
		if (argc == MAXARGS - 1)
			return -1;
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	argv[argc] = NULL;
	return argc;
}

int
monitor_run(char *line)
{
	char *argv[MAXARGS];
	int argc;
	size_t i;

	argc = split_words(line, argv);
	if (argc < 0) {
		cprintf("Too many arguments (at most %d)\n", MAXARGS - 1);
		return -1;
	}
	if (argc == 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].func(argc, argv);
	cprintf("Unknown command '%s' (try 'help')\n", argv[0]);
	return -1;
}

void
monitor(void)
{
	char *line;

	cprintf("Welcome to the kernel monitor. Type 'help' for a list of commands.\n");
	for (;;) {
		line = readline(PROMPT);
		if (line == NULL)
			machine_exit(EXIT_SUCCESS);
		monitor_run(line);
	}
}
