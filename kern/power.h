/*
 * power.h - ending a run of the machine with a status.
 */
#ifndef KERN_POWER_H
#define KERN_POWER_H

/* Exit statuses the grader understands. */
#define EXIT_SUCCESS	0
#define EXIT_FAILURE	1
#define EXIT_PANIC	3

/**
 * @brief Stop the machine and report status to whoever runs it.
 *
 * Under QEMU the isa-debug-exit device makes qemu-system-i386 exit with
 * (status << 1) | 1; under Bochs the shutdown port ends the simulation
 * after the console line "exit status N".  On real hardware it halts.
 */
void machine_exit(int status) __attribute__((noreturn));

#endif
