/*
 * gtry.S - run a piece of guest code and catch whatever exception it
 * raises (grade/guests/guest.h: gtry).
 *
 * The probes of the conformance guests ask "what does the CPU do with
 * this?": an instruction, a segment load, a delivery.  gtry() saves the
 * callee-saved registers and the stack, calls the probe, and returns -1
 * if it returns (gtry_run; lib.c's gtry() wraps it).  Every exception vector of gtry_idt leads to one common
 * stub that notes the vector, the error code (or 0), the faulting EIP and
 * CR2, reloads the guest's own data segments (the probe may have broken
 * them) and resumes as if the saved call had returned the vector.
 */
/* grade/guests/guest.h's data selector, reloaded after a fault. */
#define KDATA	0x10

	.data
	.p2align 2
	.globl	gtry_fault
gtry_fault:	.long 0, 0, 0, 0	/* vector, err, eip, cr2 */
saved_esp:	.long 0
saved_ebp:	.long 0
saved_ebx:	.long 0
saved_esi:	.long 0
saved_edi:	.long 0

	.text
/* int gtry_run(void (*fn)(void *), void *arg): the vector, or -1 */
	.globl	gtry_run
gtry_run:
	movl	%ebp, saved_ebp
	movl	%ebx, saved_ebx
	movl	%esi, saved_esi
	movl	%edi, saved_edi
	movl	%esp, saved_esp
	pushl	8(%esp)
	call	*8(%esp)		/* fn(arg): esp moved by the push */
	addl	$4, %esp
	movl	$-1, %eax
	ret

/* The stubs: vectors with an error code push none of their own. */
.macro stub n, ec=0
	.p2align 2
gtry_stub\n:
	.if \ec == 0
	pushl	$0
	.endif
	pushl	$\n
	jmp	gtry_common
.endm
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7
	stub \n
	.endr
	stub 8, 1
	stub 9
	.irp n, 10, 11, 12, 13, 14
	stub \n, 1
	.endr
	stub 15
	stub 16
	stub 17, 1
	.irp n, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stub \n
	.endr

/*
 * void gtry_abort(int vector): end the probe in flight from anywhere (a
 * task of its own, a fresh stack), as if it had raised vector with no
 * error code.  A double-fault task's way home.
 */
	.globl	gtry_abort
gtry_abort:
	movl	4(%esp), %eax
	movl	%eax, gtry_fault
	movl	$0, gtry_fault + 4
	movl	$0, gtry_fault + 8
	movl	$0, gtry_fault + 12
	jmp	gtry_return

gtry_common:
	movw	$KDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	popl	gtry_fault		/* vector */
	popl	gtry_fault + 4		/* error code */
	popl	gtry_fault + 8		/* EIP */
	movl	%cr2, %eax
	movl	%eax, gtry_fault + 12
gtry_return:
	/* Back in gtry's frame, its caller's registers as they were. */
	movw	$KDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	saved_esp, %esp
	movl	saved_ebp, %ebp
	movl	saved_ebx, %ebx
	movl	saved_esi, %esi
	movl	saved_edi, %edi
	movl	gtry_fault, %eax
	ret

	.section .rodata
	.p2align 2
	.globl	gtry_stubs
gtry_stubs:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.long	gtry_stub\n
	.endr
