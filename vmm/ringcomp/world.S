/*
 * world.S - the world switch: from the host into the guest and back.
 *
 * A deprivileged guest (Adams & Agesen, section 2) needs two worlds on
 * one CPU.  In the host's, the kernel runs at ring 0 on its own GDT, IDT,
 * TSS and page directory.  In the guest's, the guest runs deprivileged
 * (its kernel at ring 1, its user code at ring 3) on shadows: the shadow
 * GDT, the monitor's IDT and TSS (vmm/ringcomp/shadowdt.c) and the shadow
 * page tables, or while guest paging is off the physical-mode page
 * directory (vmm/gmem.c).  Every one of
 * those shadows maps or describes the monitor too, so the few
 * instructions that change worlds can run in either.
 *
 * world_switch() is a function call from the monitor's point of view: it
 * goes into the guest and "returns" when the guest next traps.  The
 * guest's registers travel in one struct trapframe, world_frame
 * (vmm/ringcomp/world.h), in the kernel's usual layout (kern/trap.h).
 */
#include "kern/memlayout.h"
#include "kern/gdt.h"
#include "vmm/ringcomp/shadowdt.h"

/* Offsets into struct trapframe (kern/trap.h). */
#define TF_TRAPNO	48
#define TF_EIP		56

/*
 * The host's side of the switch, saved on the way out and restored on
 * the way back.  It is read on the guest's page directory, where it is
 * mapped read-only (vmm/ringcomp/monview.h): a guest that could write host_cr3
 * would choose the monitor's address space.
 */
	.section .monview.data, "aw"
	.p2align 2
host_esp:	.long 0
host_cr3:	.long 0
	.p2align 2
	.word 0			/* so that the base below is aligned */
host_gdt_pd:	.word 0
		.long 0
	.word 0
host_idt_pd:	.word 0
		.long 0
/* Set when a trap hit the monitor itself inside this file (world_switch
 * returns -1); the vector and EIP say where.  Written back on the host's
 * page directory, so they need not be in the guest's. */
	.data
	.p2align 2
	.globl world_fault_trapno, world_fault_eip
world_fault_trapno:	.long 0
world_fault_eip:	.long 0

	/* All the code below runs on the guest's page directory too. */
	.section .monview.text, "ax"
/*
 * int world_switch(uint32_t guest_cr3)
 *
 * In: interrupts off, world_frame holding the guest's registers with
 * selectors and EFLAGS as the CPU must have them (ringcomp.c makes
 * sure every selector names a usable shadow descriptor).  Out: 0 with world_frame
 * holding the guest as it was when it trapped, or -1 if the monitor
 * itself faulted on the way in.
 */
	.globl world_switch
world_switch:
	/*
	 * The C calling convention lets us clobber eax, ecx and edx; the
	 * rest, and the host's flags, wait on the host stack, whose top we
	 * remember: that is the only thing the way back needs to find.
	 */
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	pushfl
	movl	%esp, host_esp
	movl	24(%esp), %edi		/* guest_cr3 */
	movl	%cr3, %eax
	movl	%eax, host_cr3
	sgdt	host_gdt_pd
	sidt	host_idt_pd

	/*
	 * Into the shadow GDT.  The host's selectors name nothing useful
	 * there, so reload every segment register at once from the
	 * monitor's own slots (flat, ring 0: the same addresses as before).
	 */
	lgdt	shadow_gdt_pd
	ljmp	$SDT_MON_CS, $1f
1:	movw	$SDT_MON_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	/*
	 * From here on a trap goes to the monitor's IDT.  The TSS: ltr
	 * refuses a descriptor marked busy, and the last ltr of this one
	 * marked it, so clear the bit first (type 0xB back to 0x9).
	 */
	lidt	mon_idt_pd
	andb	$~0x02, shadow_gdt + SDT_MON_TSS + 5
	movw	$SDT_MON_TSS, %ax
	ltr	%ax
	/*
	 * The guest's address space.  The world switch's pages are
	 * mapped in it at the same addresses (vmm/ringcomp/monview.h), so
	 * this very code, its tables and world_frame are still there after
	 * the switch.
	 */
	movl	%edi, %cr3

	/*
	 * Now pop the guest's registers off world_frame as if it were a
	 * stack, and iret: the iret leaves ring 0 for the guest's CS (RPL
	 * 1 or 3), switching to its SS:ESP, and loads its EFLAGS, where
	 * IF is the guest's virtual IF.  Unlike an iret at ring 1, an iret
	 * at ring 0 may set IF.
	 */
	movl	$world_frame, %esp
	popal
	popl	%gs
	popl	%fs
	popl	%es
	popl	%ds
	addl	$8, %esp		/* trapno and err */
	iret

/*
 * The monitor's IDT points each vector at one of these.  Like the
 * kernel's (kern/trapentry.S) they push a 0 where the CPU pushes no error
 * code, then the vector.  Coming from ring 1 or 3, the CPU has already
 * switched to the monitor TSS's esp0, which is the top of world_frame, and
 * pushed SS, ESP, EFLAGS, CS, EIP (and the error code) into it: the trap
 * saves the guest straight into the frame the switch in came from.
 */
.macro mvector n, ec=0
	.section .monview.text, "ax"
	.p2align 2
mvector\n:
	.if \ec == 0
	pushl	$0
	.endif
	pushl	$\n
	jmp	world_exit
	.section .rodata
	.long	mvector\n
.endm

	.section .rodata
	.p2align 2
	.globl world_vectors
world_vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7
	mvector \n
	.endr
	mvector 8, 1
	mvector 9
	.irp n, 10, 11, 12, 13, 14
	mvector \n, 1
	.endr
	mvector 15
	mvector 16
	mvector 17, 1
	.irp n, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	mvector \n
	.endr
	/* Host interrupts: the 8259s deliver them here while the guest's
	 * (and so the real) IF is set. */
	.irp n, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48
	mvector \n
	.endr
	/* The binary translator's exits (vmm/bt/bt.h): an int at ring 1. */
	mvector 49

	.section .monview.text, "ax"
world_exit:
	pushl	%ds
	pushl	%es
	pushl	%fs
	pushl	%gs
	pushal
	/*
	 * A trap from the guest has filled world_frame exactly, leaving
	 * ESP at its start.  Anywhere else, the trap hit ring 0 itself:
	 * this file, between the lidt above and the iret (a guest
	 * selector the checks missed), and the CPU pushed onto whatever
	 * stack it was on.  Note where, and go home all the same.
	 * (No memory operand yet: DS still holds the guest's selector,
	 * whose segment ends below the monitor.)
	 */
	cmpl	$world_frame, %esp
	je	2f
	movl	%ss:TF_TRAPNO(%esp), %edx
	movl	%ss:TF_EIP(%esp), %ebx
	movl	$-1, %ecx
	jmp	3f
2:	xorl	%ecx, %ecx
3:	movw	$SDT_MON_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es

	/* The same steps as on the way in, undone in reverse order. */
	movl	host_cr3, %eax
	movl	%eax, %cr3
	lgdt	host_gdt_pd
	ljmp	$GD_KT, $4f
4:	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	lidt	host_idt_pd
	movl	host_gdt_pd + 2, %eax
	andb	$~0x02, GD_TSS + 5(%eax)
	movw	$GD_TSS, %ax
	ltr	%ax

	/* Where the monitor faulted, now that it may be written down. */
	testl	%ecx, %ecx
	jz	5f
	movl	%edx, world_fault_trapno
	movl	%ebx, world_fault_eip
5:
	/* Back on the host stack, as if world_switch had just returned. */
	movl	host_esp, %esp
	movl	%ecx, %eax
	popfl
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
