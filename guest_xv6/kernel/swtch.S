/*
 * swtch.S - switch kernel stacks: save the callee-saved registers on the
 * current stack as a struct context, store its address in *old, and
 * resume the context new.
 *
 *	void swtch(struct context **old, struct context *new);
 */
.globl swtch
swtch:
	movl	4(%esp), %eax
	movl	8(%esp), %edx

	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi

	movl	%esp, (%eax)
	movl	%edx, %esp

	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
