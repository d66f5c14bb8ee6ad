/*
 * vectors.S - one entry stub per interrupt vector, 16 bytes apart so that
 * tvinit() can compute their addresses.  Each pushes a zero error code
 * where the CPU pushes none, so every trapframe has the same shape, then
 * its vector number.
 */
.text
.p2align 4
.globl vectors
vectors:
.set vec, 0
.rept 256
	.p2align 4
	/* The CPU pushes an error code for 8, 10-14 and 17. */
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17)
	.else
	pushl	$0
	.endif
	pushl	$vec
	jmp	alltraps
	.set vec, vec + 1
.endr
