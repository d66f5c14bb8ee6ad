/*
 * trapasm.S - the common path of every trap, interrupt and system call:
 * build a struct trapframe on the kernel stack, call trap(), and return
 * through trapret (which is also how a new process first reaches user
 * mode).
 */
#include "kernel/mmu.h"

.globl alltraps
alltraps:
	pushl	%ds
	pushl	%es
	pushl	%fs
	pushl	%gs
	pushal

	movw	$(SEG_KDATA << 3), %ax
	movw	%ax, %ds
	movw	%ax, %es

	pushl	%esp		/* the trapframe is trap()'s argument */
	call	trap
	addl	$4, %esp

.globl trapret
trapret:
	popal
	popl	%gs
	popl	%fs
	popl	%es
	popl	%ds
	addl	$8, %esp	/* trapno and error code */
	iret
