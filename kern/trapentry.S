/*
 * trapentry.S - the first instructions of every trap, and the way back.
 *
 * The IDT points each vector at a stub here.  A stub makes the stack look
 * the same whatever the vector: for the exceptions where the CPU pushes no
 * error code it pushes a 0 in its place, then it pushes its vector number
 * and joins alltraps, which saves the rest of the state as a struct
 * trapframe (kern/trap.h) and calls trap().  The stubs' addresses are
 * gathered in trap_vectors[], in vector order, for trap_init().
 */
#include "kern/gdt.h"
#include "kern/trap.h"

/* Offset of cs in struct trapframe: 8 registers, 4 segments, trapno,
 * err, eip.  trap.c checks it against the struct. */
#define TF_CS	60

/* A stub for vector n; ec = 1 when the CPU pushes an error code. */
.macro vector n, ec=0
	.text
	.p2align 2
	.globl vector\n
vector\n:
	.if \ec == 0
	pushl	$0
	.endif
	pushl	$\n
	jmp	alltraps
	.section .rodata
	.long	vector\n
.endm

	.section .rodata
	.p2align 2
	.globl trap_vectors
trap_vectors:
	/* Exceptions.  Error codes: #DF, #TS, #NP, #SS, #GP, #PF, #AC. */
	vector 0
	vector 1
	vector 2
	vector 3
	vector 4
	vector 5
	vector 6
	vector 7
	vector 8, 1
	vector 9
	vector 10, 1
	vector 11, 1
	vector 12, 1
	vector 13, 1
	vector 14, 1
	vector 15
	vector 16
	vector 17, 1
	.irp n, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	vector \n
	.endr
	/* The 16 IRQs of the two 8259s. */
	.irp n, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47
	vector \n
	.endr
	/* System calls. */
	vector T_SYSCALL

	.text
/* Save the rest of the trap frame and call trap(tf). */
alltraps:
	pushl	%ds
	pushl	%es
	pushl	%fs
	pushl	%gs
	pushal
	/* The CPU loaded CS and SS from the IDT and TSS; the data segments
	 * still hold whatever the interrupted code had. */
	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	/* From ring 3, %ebp points into the user's stack: a backtrace must
	 * stop at the trap.  From the kernel, let it go on. */
	testb	$3, TF_CS(%esp)
	jz	1f
	xorl	%ebp, %ebp
1:	pushl	%esp
	call	trap
	addl	$4, %esp
	/* trap() returned: back to the kernel code the trap interrupted. */

/* Pop a struct trapframe at %esp and iret to it. */
	.globl trapret
trapret:
	popal
	popl	%gs
	popl	%fs
	popl	%es
	popl	%ds
	addl	$8, %esp		/* trapno and err */
	iret

/* void trapframe_pop(const struct trapframe *tf): never returns. */
	.globl trapframe_pop
trapframe_pop:
	movl	4(%esp), %esp
	jmp	trapret
