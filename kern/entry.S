/*
 * entry.S - the first kernel instructions, for both boot paths.
 *
 * A Multiboot loader (QEMU's -kernel, or our boot sector) jumps here in
 * 32-bit protected mode with paging off, EAX holding the Multiboot magic
 * and EBX the physical address of the information block.  The kernel is
 * linked at MONBASE + 1 MB but loaded at 1 MB, so until paging is on every
 * address must be translated by hand (MON2PHYS).  We turn on paging with
 * a tiny page directory of 4 MB pages, jump to the linked addresses and
 * call kmain in C.
 */
#include "kern/memlayout.h"
#include "kern/mmu.h"
#include "kern/multiboot.h"

#define MB_FLAGS	(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

/* The Multiboot header must sit in the first 8 KB of the image. */
.section .multiboot, "a"
.p2align 2
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)

.text
/* The ELF entry point is the physical address of `entry`. */
.globl _start
_start = MON2PHYS(entry)

.globl entry
entry:
	cli
	cld
	/* 4 MB pages keep the boot page directory to one page. */
	movl	%cr4, %ecx
	orl	$CR4_PSE, %ecx
	movl	%ecx, %cr4
	movl	$(MON2PHYS(entry_pgdir)), %ecx
	movl	%ecx, %cr3
	movl	%cr0, %ecx
	orl	$(CR0_PE | CR0_PG | CR0_WP), %ecx
	movl	%ecx, %cr0

	/* Still running at low addresses: jump up to where we are linked. */
	movl	$relocated, %ecx
	jmp	*%ecx
relocated:
	/* Clear .bss; the loader should have, but a kernel checks. */
	movl	%eax, %edx
	xorl	%eax, %eax
	movl	$bss_start, %edi
	movl	$end, %ecx
	subl	%edi, %ecx
	rep stosb
	movl	%edx, %eax
	/* A zero frame pointer ends every backtrace. */
	movl	$0, %ebp
	movl	$(bootstack + KSTKSIZE), %esp
	pushl	%ebx			/* multiboot info (physical) */
	pushl	%eax			/* multiboot magic */
	call	kmain
1:	hlt
	jmp	1b

.bss
.p2align 12
.globl bootstack
bootstack:
	.space	KSTKSIZE
.globl bootstacktop
bootstacktop:
