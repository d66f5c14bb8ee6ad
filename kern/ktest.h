/*
 * ktest.h - checks the kernel runs on itself when the grader asks.
 */
#ifndef KERN_KTEST_H
#define KERN_KTEST_H

/**
 * @brief Mark that the kernel has finished bringing up lab @p stage.
 *
 * kmain calls this after each lab's initialisation, in order.  If the
 * command line names a test of this stage (`test=NAME`), the test runs now
 * and the run ends with its status; if it says `stage=N` for this stage,
 * the monitor starts now.  So a lab's tests never depend on later labs'
 * code, which in a student's handout is still a stub.
 */
void boot_stage(int stage);

#endif
