/*
 * monitor.h - the kernel monitor: a command line on the console.
 */
#ifndef KERN_MONITOR_H
#define KERN_MONITOR_H

/**
 * @brief Read and run commands until `exit`; never returns.
 */
void monitor(void) __attribute__((noreturn));

/**
 * @brief Run one command line as if typed at the prompt.
 * @return the command's result: 0 for success
 */
int monitor_run(char *line);

#endif
