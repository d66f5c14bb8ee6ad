/*
 * entry.S - where every user program starts.
 *
 * The kernel enters at ring 3 with ESP at USTACKTOP and every other
 * register 0 (EBP = 0 ends a backtrace).  Returning from umain exits.
 */
	.text
	.globl _start
_start:
	call	umain
	pushl	%eax
	call	sys_exit
1:	jmp	1b
