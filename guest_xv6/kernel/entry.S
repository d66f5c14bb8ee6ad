/*
 * entry.S - where the boot loader (QEMU -kernel, or a monitor) enters the
 * kernel: 32-bit protected mode, paging off, EBX pointing at the Multiboot
 * information block.
 *
 * The image is linked at KERNLINK but runs at its load address until
 * paging is on, so everything here before the jump to main uses physical
 * addresses (V2P_WO).  The entry page directory maps the first 16 MB both
 * at 0 and at KERNBASE with 4 MB pages, enough to run main until it builds
 * the real page table.
 */
#include "kernel/mmu.h"
#include "kernel/memlayout.h"
#include "kernel/param.h"

#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0	/* ask for nothing: the loader reads our ELF headers */

.section .multiboot
.p2align 2
multiboot_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

.text
/* The ELF entry point must be physical: paging is off at entry. */
.globl _start
_start = V2P_WO(entry)

.globl entry
entry:
	movl	%eax, V2P_WO(mb_magic)
	movl	%ebx, V2P_WO(mb_info)

	movl	%cr4, %eax
	orl	$(CR4_PSE), %eax
	movl	%eax, %cr4
	movl	$(V2P_WO(entrypgdir)), %eax
	movl	%eax, %cr3
	/* WP so that copy-on-write pages are read-only for the kernel too. */
	movl	%cr0, %eax
	orl	$(CR0_PG|CR0_WP), %eax
	movl	%eax, %cr0

	movl	$(bootstack + KSTACKSIZE), %esp
	xorl	%ebp, %ebp
	movl	$main, %eax
	jmp	*%eax

.data
.globl mb_magic, mb_info
mb_magic:
	.long 0
mb_info:
	.long 0

.bss
.p2align 12
.globl bootstack
bootstack:
	.space KSTACKSIZE
