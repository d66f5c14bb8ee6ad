/*
 * sched.h - choosing the next environment to run.
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

/**
 * @brief Give the CPU to the next runnable environment after curenv
 * (round robin), or back to curenv if it is the only one.  When none is
 * left, the kernel goes back to its monitor, or ends the run if
 * sched_exit_when_done() was called.  Never returns.
 */
void sched_yield(void) __attribute__((noreturn));

/**
 * @brief A timer tick interrupted curenv at ring 3: give the CPU to the
 * next environment if curenv's time slice is over (a slice is at least
 * one whole tick; see kern/sched.c).  Returns if it is not.
 */
void sched_timer_tick(void);

/**
 * @brief Make the run end (exit status 0) when the last environment has
 * finished, instead of going back to the monitor: for `run=` boots.
 */
void sched_exit_when_done(void);

/**
 * @brief Start the programs the command line names (`run=a,b,...`), all
 * at once, and schedule them.  Returns only if there is no `run=`.
 */
void sched_autorun(void);

#endif
