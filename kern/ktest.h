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

/*
 * Test bodies that live beside the code they test.  Each prints what the
 * grader checks and returns EXIT_SUCCESS or EXIT_FAILURE.
 */
/* Lab 2 (kern/memcheck.c) */
/** @brief test=memmap: the loader's map and page_init's free list. */
int test_memmap(void);
/** @brief test=page_alloc: the free list, zeroing, exhaustion, refs. */
int test_page_alloc(void);
/** @brief test=page_table: walk/insert/lookup/remove, then through the MMU. */
int test_page_table(void);
/** @brief test=page_double_free: page_free panics on a page already free. */
int test_page_double_free(void);
/** @brief test=page_free_busy: page_free panics on a page with references. */
int test_page_free_busy(void);
/** @brief test=kern_pgdir: the kernel's address space as mem_init built it. */
int test_kern_pgdir(void);
/* Lab 3 (kern/trapcheck.c) */
/** @brief test=idt: the IDT, GDT and TSS as the CPU sees them. */
int test_idt(void);
/** @brief test=traps: each exception raised in the kernel reaches its vector. */
int test_traps(void);
/** @brief test=timer: ten ticks of the 8253 through the 8259. */
int test_timer(void);

#endif
