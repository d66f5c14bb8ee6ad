/*
 * utry.S - run a function and survive the exceptions it raises.
 *
 * int utry(void (*fn)(void *), void *arg, struct utrap *t)
 *
 * utry registers utrap_entry with SYS_set_trap_handler and calls fn.  If
 * fn returns, utry unregisters it and returns 0.  If fn raises an
 * exception, the kernel resumes us at utrap_entry with the trap in EAX,
 * EDX, ECX and EBX (kern/abi.h) and the stack wherever fn left it; we go
 * back to the stack utry was called on, store the trap in *t, and return
 * 1 from utry.  (setjmp and longjmp, with the kernel doing the longjmp.)
 */
	.text
	.globl utry
utry:
	pushl	%ebp
	movl	%esp, %ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	%esp, saved_esp
	movl	16(%ebp), %eax
	movl	%eax, saved_out

	pushl	$utrap_entry
	call	sys_set_trap_handler
	addl	$4, %esp
	pushl	12(%ebp)
	call	*8(%ebp)
	addl	$4, %esp
	/* fn returned: no exception, and no handler wanted any more. */
	pushl	$0
	call	sys_set_trap_handler
	addl	$4, %esp
	xorl	%eax, %eax
	jmp	1f

utrap_entry:
	movl	saved_esp, %esp
	movl	saved_out, %esi
	movl	%eax, 0(%esi)		/* trapno */
	movl	%edx, 4(%esi)		/* err */
	movl	%ecx, 8(%esi)		/* eip */
	movl	%ebx, 12(%esi)		/* cr2 */
	/* EFLAGS are as the exception left them: DF must be clear for C. */
	cld
	movl	$1, %eax
1:	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret

	.bss
	.p2align 2
saved_esp:
	.space	4
saved_out:
	.space	4
