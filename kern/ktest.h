/*
 * ktest.h - checks the kernel runs on itself when the grader asks.
 */
#ifndef KERN_KTEST_H
#define KERN_KTEST_H

/**
 * @brief Run the kernel test named on the command line (`test=NAME`),
 * then end the run with its status.  Unknown names list the known ones.
 */
void ktest_run(const char *name) __attribute__((noreturn));

#endif
