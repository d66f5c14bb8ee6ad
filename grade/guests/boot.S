/*
 * boot.S - the first instructions of every test guest.
 *
 * A Multiboot header (magic, flags asking for nothing, checksum), then a
 * stack and a call to gmain(magic, info).  Natively QEMU's -kernel starts
 * us; under the monitor, vmm/loader.c does the same thing.  The state the
 * loader left is kept in gboot_state first (guest.h), for the guests that
 * check it.
 */
	.section .multiboot
	.p2align 2
	.long	0x1BADB002
	.long	0
	.long	-0x1BADB002

	.text
	.globl	_start
_start:
	movl	%eax, gboot_state + 0
	movl	%ebx, gboot_state + 4
	movl	%ecx, gboot_state + 8
	movl	%edx, gboot_state + 12
	movl	%esi, gboot_state + 16
	movl	%edi, gboot_state + 20
	movl	%ebp, gboot_state + 24
	movl	%esp, gboot_state + 28
	pushfl
	popl	gboot_state + 32
	movw	%cs, gboot_state + 36
	movw	%ds, gboot_state + 38
	movw	%es, gboot_state + 40
	movw	%fs, gboot_state + 42
	movw	%gs, gboot_state + 44
	movw	%ss, gboot_state + 46
	movl	%cr0, %eax
	movl	%eax, gboot_state + 48
	movl	gboot_state + 0, %eax
	movl	$stacktop, %esp
	pushl	%ebx
	pushl	%eax
	call	gmain
1:	hlt
	jmp	1b

	.data
	.p2align 2
	.globl	gboot_state
gboot_state:
	.space	52

	.bss
	.p2align 4
	.space	16384
stacktop:
