/*
 * sched.c - round-robin scheduling, and what to do when nothing is left.
 *
 * The kernel is not preemptible and has one stack: every trap from ring 3
 * starts afresh at the top of it (the TSS's esp0), and the kernel leaves
 * for ring 3 only through env_run().  So the scheduler never returns:
 * it picks an environment and runs it.  When every environment has
 * finished, it starts the monitor again on a fresh stack, or ends the run
 * when the command line asked for programs (`run=`).
 *
 * A time slice lasts until the second timer tick after the environment
 * got the CPU, so at least one whole tick (10 ms).  Preempting at the
 * first tick would be unfair: a tick that arrived while the kernel ran,
 * with interrupts off, is delivered the moment the next environment
 * starts, and would take the CPU from it before it ran an instruction.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/error.h"
#include "kern/power.h"
#include "kern/bootinfo.h"
#include "kern/monitor.h"
#include "kern/pmap.h"
#include "kern/trap.h"
#include "kern/env.h"
#include "kern/sched.h"

/* Ticks per time slice, counting the one already under way. */
#define SLICE_TICKS	2

static bool exit_when_done;

void
sched_exit_when_done(void)
{
	exit_when_done = true;
}

/* Nothing to run. */
static void __attribute__((noreturn))
sched_idle(void)
{
	extern char bootstacktop[];

	curenv = NULL;
	pgdir_load(kern_pgdir);
	cprintf("no runnable environments: all user programs have finished\n");
	if (exit_when_done)
		machine_exit(EXIT_SUCCESS);
	/* Whatever is on the stack belongs to runs that are over. */
	asm volatile("movl %0, %%esp\n\t"
		     "xorl %%ebp, %%ebp\n\t"
		     "call monitor"
		     : : "r" (bootstacktop) : "memory");
	__builtin_unreachable();
}

/* Start e on a new time slice. */
static void __attribute__((noreturn))
run_slice(struct env *e)
{
	e->slice_start = ticks;
	env_run(e);
}

void
sched_yield(void)
{
	int start = curenv ? (curenv - envs) + 1 : 0;
	int i;

	for (i = 0; i < NENV; i++) {
		struct env *e = &envs[(start + i) % NENV];

		if (e->status == ENV_RUNNABLE)
			run_slice(e);
	}
	if (curenv && curenv->status == ENV_RUNNING)
		run_slice(curenv);
	sched_idle();
}

void
sched_timer_tick(void)
{
	if (curenv && ticks - curenv->slice_start >= SLICE_TICKS)
		sched_yield();
}

void
sched_autorun(void)
{
	char list[128], *name, *next;
	envid_t id;

	if (!cmdline_option("run", list, sizeof(list)))
		return;
	for (name = list; name && *name; name = next) {
		if ((next = strchr(name, ',')) != NULL)
			*next++ = '\0';
		if ((id = env_create(name)) < 0) {
			cprintf("run: cannot start '%s': %s; the programs are: ",
				name, error_string(id));
			user_program_list();
			machine_exit(EXIT_FAILURE);
		}
	}
	sched_exit_when_done();
	sched_yield();
}
