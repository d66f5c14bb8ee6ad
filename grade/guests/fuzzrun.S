/*
 * fuzzrun.S - into a fuzz case and back out of it, whichever way it ends
 * (fuzz.h; grade/guests/fuzz.c drives it).
 *
 * fz_enter loads the registers of fz_in and jumps to FZ_CODE.  A case
 * ends at fz_done, its last instruction's jump target, or in an exception
 * or interrupt whose gate leads to one of fz_vectors.  Either way every
 * register goes to fz_out first, through %ss (SS is flat whatever the
 * case did; DS may not be), then the guest's own segments, stack and
 * debug registers come back and fz_enter returns to its C caller.  Like
 * gtry (gtry.S), but keeping the whole state, which the hash needs.
 *
 * Ring 3 cannot reach fz_done's clean-up: a case that ends there calls
 * int $V_USERDONE, whose DPL 3 gate leads to the catcher.
 */
#include "grade/guests/fuzz.h"

	.data
	.p2align 2
	.globl	fz_in, fz_out
fz_in:		.space	R_SIZE
fz_out:		.space	R_SIZE
host_esp:	.long	0

/* Every register but EAX (saved first, as the scratch) into fz_out. */
.macro save_gprs
	movl	%ecx, %ss:fz_out + R_ECX
	movl	%edx, %ss:fz_out + R_EDX
	movl	%ebx, %ss:fz_out + R_EBX
	movl	%ebp, %ss:fz_out + R_EBP
	movl	%esi, %ss:fz_out + R_ESI
	movl	%edi, %ss:fz_out + R_EDI
.endm

	.text
/*
 * void fz_enter(void): run the code at fz_in.eip with fz_in's registers.
 * EFLAGS come last, by iret: popf cannot set IF or IOPL at ring 1 (the
 * leak pgdetect shows), and the case must start the same everywhere.
 * NT first cleared, or that iret would be a task return.
 */
	.globl	fz_enter
fz_enter:
	pushal
	movl	%esp, host_esp
	pushl	$0x2
	popfl
	movl	fz_in + R_ESP, %esp
	pushl	fz_in + R_EFLAGS
	pushl	$SEL_KCODE
	pushl	fz_in + R_EIP
	movl	fz_in + R_EAX, %eax
	movl	fz_in + R_ECX, %ecx
	movl	fz_in + R_EDX, %edx
	movl	fz_in + R_EBX, %ebx
	movl	fz_in + R_EBP, %ebp
	movl	fz_in + R_ESI, %esi
	movl	fz_in + R_EDI, %edi
	movw	%ss:fz_in + R_ES, %es
	movw	%ss:fz_in + R_FS, %fs
	movw	%ss:fz_in + R_GS, %gs
	movw	%ss:fz_in + R_DS, %ds
	iretl

/* The end of a case's code.  CS's RPL shows the ring (1 for the guest's
 * ring 0 under a monitor, so only "is it 3" is asked). */
	.globl	fz_done
fz_done:
	movl	%eax, %ss:fz_out + R_EAX
	movw	%cs, %ax
	andl	$3, %eax
	cmpl	$3, %eax
	je	1f
	pushfl
	popl	%ss:fz_out + R_EFLAGS
	save_gprs
	movl	%esp, %ss:fz_out + R_ESP
	movl	$FZ_DONE, %ss:fz_out + R_VEC
	movl	$fz_done, %ss:fz_out + R_EIP
	movw	%cs, %ax
	andw	$0xfffc, %ax
	movw	%ax, %ss:fz_out + R_CS
	movw	%ss, %ax
	andw	$0xfffc, %ax
	movw	%ax, %ss:fz_out + R_SS
	jmp	back
1:	movl	%ss:fz_out + R_EAX, %eax
	int	$V_USERDONE

/*
 * An exception or interrupt: the stub pushed its vector.  Whether the CPU
 * pushed an error code is read off the frame: the word after EIP is CS,
 * below 64 KB, while an EIP never is (all code is above 1 MB).
 */
catch:
	movl	%eax, %ss:fz_out + R_EAX
	save_gprs
	popl	%ss:fz_out + R_VEC
	cmpl	$0x10000, 4(%esp)
	jb	1f
	popl	%ss:fz_out + R_ERR
	movl	$1, %ss:fz_out + R_HASERR
1:	popl	%ss:fz_out + R_EIP
	popl	%ss:fz_out + R_CS
	popl	%ss:fz_out + R_EFLAGS
	testb	$3, %ss:fz_out + R_CS
	jz	kframe
	popl	%ss:fz_out + R_ESP	/* from ring 3: its stack */
	popl	%ss:fz_out + R_SS
	jmp	back
kframe:	movl	%esp, %ss:fz_out + R_ESP
	movw	%ss, %ax
	andw	$0xfffc, %ax
	movw	%ax, %ss:fz_out + R_SS

/* Both ways out: the data segments and debug registers, then ours back.
 * Interrupts off first: an IRQ 0 a case left armed must not tick in the
 * middle of the hashing. */
back:
	cli
	movw	%ds, %ss:fz_out + R_DS
	movw	%es, %ss:fz_out + R_ES
	movw	%fs, %ss:fz_out + R_FS
	movw	%gs, %ss:fz_out + R_GS
	movl	%dr0, %eax
	movl	%eax, %ss:fz_out + R_DR0
	movl	%dr1, %eax
	movl	%eax, %ss:fz_out + R_DR0 + 4
	movl	%dr2, %eax
	movl	%eax, %ss:fz_out + R_DR0 + 8
	movl	%dr3, %eax
	movl	%eax, %ss:fz_out + R_DR0 + 12
	movl	%dr6, %eax
	movl	%eax, %ss:fz_out + R_DR0 + 16
	movl	%dr7, %eax
	movl	%eax, %ss:fz_out + R_DR0 + 20
	movl	$0x400, %eax		/* no breakpoint in our own clean-up */
	movl	%eax, %dr7
	movl	%cr2, %eax
	movl	%eax, %ss:fz_out + R_CR2
	cld
	movw	$SEL_KDATA, %ax
	movw	%ax, %ss
	movw	%ax, %ds
	movw	%ax, %es
	movl	host_esp, %esp
	popal
	ret

/* One stub per vector that ends a case. */
.macro stub n
	.p2align 2
stub\n:
	pushl	$\n
	jmp	catch
.endm
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stub \n
	.endr
	.irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	stub \n
	.endr

/* Handlers a case goes on after: each counts in the scratch page. */
.macro counting n
	.p2align 2
ret\n:
	incl	%ss:FZ_SCRATCH + 4 * \n
	iret
.endm
	.irp n, 0, 1, 2, 3, 4, 5
	counting \n
	.endr

/* hlt's wake-up: IRQ 0 masked again, acknowledged; counted. */
	.globl	fz_timer
fz_timer:
	pushl	%eax
	movb	$0xff, %al
	outb	%al, $0x21
	movb	$0x20, %al
	outb	%al, $0x20
	popl	%eax
	incl	%ss:FZ_SCRATCH + 0x40
	iret

/*
 * A 16-bit gate pushes 16-bit IP, CS and FLAGS, so the case cannot go on;
 * this ends it like the catcher, reading the short frame.  Such a gate's
 * offset has 16 bits: it names this code in SEL_CODE16B, whose base is
 * its 64 KB block, and the first thing is back to SEL_KCODE.
 */
	.globl	fz_gate16
fz_gate16:
	ljmp	$SEL_KCODE, $1f
1:	movl	%eax, %ss:fz_out + R_EAX
	save_gprs
	movl	$V_GATE16, %ss:fz_out + R_VEC
	movzwl	(%esp), %eax
	movl	%eax, %ss:fz_out + R_EIP
	movzwl	2(%esp), %eax
	movl	%eax, %ss:fz_out + R_CS
	movzwl	4(%esp), %eax
	movl	%eax, %ss:fz_out + R_EFLAGS
	addl	$6, %esp
	jmp	kframe

/* Invalidate the fuzz pages (after a directory write or a CR3 load);
 * %ss: because DS may have any base. */
	.globl	fz_flush
fz_flush:
	.irp k, 0, 1, 2, 3, 4, 5, 6, 7
	invlpg	%ss:FZ_VA + \k * 0x1000
	.endr
	ret

	.globl	fz_ret_stub, fz_lret_stub
fz_ret_stub:
	ret
fz_lret_stub:
	lret

	.section .rodata
	.p2align 2
	.globl	fz_vectors, fz_ret_handlers
fz_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	stub\n
	.endr
	.irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	.long	stub\n
	.endr
fz_ret_handlers:
	.irp n, 0, 1, 2, 3, 4, 5
	.long	ret\n
	.endr
