/*
 * gdt.h - the kernel's segments: selectors and the GDT/TSS set-up.
 *
 * Every segment is flat (base 0, limit 4 GB): the kernel and its user
 * programs are kept apart by paging alone (PTE_U), as in most i386
 * kernels.  The monitor of lab 4 adds truncated segments for its guest,
 * whose kernel runs at ring 1 and so counts as a supervisor to the MMU.
 */
#ifndef KERN_GDT_H
#define KERN_GDT_H

/* Selectors: GDT index * 8, plus the requested privilege level. */
#define GD_KT		0x08	/* kernel code */
#define GD_KD		0x10	/* kernel data and stack */
#define GD_UT		0x18	/* user code (use with RPL 3) */
#define GD_UD		0x20	/* user data and stack (use with RPL 3) */
#define GD_TSS		0x28	/* the task state segment */
#define NGDT		6	/* entries, counting the null descriptor */

#ifndef ASSEMBLER
#include "kern/types.h"

/**
 * @brief Load the kernel's GDT, reload every segment register from it,
 * and load the task register with the TSS, whose ss0:esp0 is the stack
 * every trap from ring 3 starts on (the top of the boot stack).
 */
void gdt_init(void);
#endif

#endif
