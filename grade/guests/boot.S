/*
 * boot.S - the first instructions of every test guest.
 *
 * A Multiboot header (magic, flags asking for nothing, checksum), then a
 * stack and a call to gmain(magic, info).  Natively QEMU's -kernel starts
 * us; under the monitor, vmm/loader.c does the same thing.
 */
	.section .multiboot
	.p2align 2
	.long	0x1BADB002
	.long	0
	.long	-0x1BADB002

	.text
	.globl	_start
_start:
	movl	$stacktop, %esp
	pushl	%ebx
	pushl	%eax
	call	gmain
1:	hlt
	jmp	1b

	.bss
	.p2align 4
	.space	16384
stacktop:
