/*
 * start.S - where every user program begins.  exec leaves a fake return
 * address, argc and argv on the stack; drop the first so that main sees
 * the other two as its arguments, and exit with what main returns.
 */
.text
.globl _start
_start:
	addl	$4, %esp
	call	main
	pushl	%eax
	call	exit
