/*
 * bootasm.S - the first instructions of the machine that are ours.
 *
 * The BIOS reads sector 0 of the boot disk to 0x7C00 and jumps there with
 * the processor still pretending to be an 8086.  This file does the part
 * of booting that needs assembly or the BIOS: it asks the BIOS for the
 * memory map while the BIOS can still be called, opens the A20 gate, and
 * switches to 32-bit protected mode.  Then it calls bootmain
 * (bootmain.c), which loads the kernel.  Both files together must fit in
 * 510 bytes; kern/boot/boot.h has the map of the disk and of memory.
 */
#include "kern/mmu.h"
#include "kern/boot/boot.h"

.code16
.section .text.start, "ax"
.globl start
start:
	/*
	 * Real mode: 16-bit registers, and an address is segment * 16 +
	 * offset, which reaches just over 1 MB.  The BIOS promises nothing
	 * about the segment registers (only DL, the boot drive, which we do
	 * not need: the kernel is on the primary master by convention), so
	 * zero them.  Then an offset is a physical address, which is how the
	 * linker placed us.  Interrupts go off now and stay off until the
	 * kernel is ready for them, since no handler of the BIOS's would
	 * survive the switch below.  String instructions count upwards.
	 */
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	/* The stack grows down from us.  All of ESP: C will use it. */
	movl	$start, %esp

	/*
	 * Clear the Multiboot information block, which bootmain fills in,
	 * so that every field it leaves alone reads 0.  This also leaves DI
	 * where the first E820 record goes, 4 bytes into the memory map.
	 */
	movw	$BOOT_INFO, %di
	movw	$(BOOT_MMAP + 4 - BOOT_INFO) / 2, %cx
	rep stosw

	/*
	 * The A20 gate.  The 8086 had 20 address lines, so 0xFFFF:0x0010
	 * wrapped around to 0, and some DOS programs relied on it.  To keep
	 * them working, the PC/AT put a gate on address line 20, driven by a
	 * spare pin of the keyboard controller, and PCs still start with it
	 * closed: every odd megabyte is then an alias of the even one below,
	 * and a kernel loaded at 1 MB would land on the interrupt vectors.
	 * Later PCs added a quicker switch, bit 1 of "system control port A"
	 * (0x92).  Bit 0 of the same port resets the machine, so we change
	 * only bit 1.  QEMU and Bochs both implement it.
	 */
	inb	$0x92, %al
	orb	$0x02, %al
	outb	%al, $0x92

	/*
	 * The memory map, from int 0x15 function 0xE820: the one BIOS call
	 * that describes all of memory, holes included (the 640 KB - 1 MB
	 * hole, ACPI tables, the PCI window below 4 GB).  Each call writes
	 * one 20-byte record at ES:DI (base, length, type) and leaves in EBX
	 * a cookie for the next call, 0 after the last record.
	 *
	 * A Multiboot memory map is the same records, each after a 4-byte
	 * size; so we leave those 4 bytes before each record, put 20 there,
	 * and the buffer is ready for the kernel as it is.  DI always points
	 * at the BIOS's part of the next entry.
	 */
	xorl	%ebx, %ebx
e820:
	movl	$0xE820, %eax
	movl	$E820_ENTSIZE, %ecx
	movl	%ecx, -4(%di)
	movl	$E820_SMAP, %edx
	int	$0x15
	jc	e820_done		/* no more records (or no E820 at all) */
	addw	$4 + E820_ENTSIZE, %di
	testl	%ebx, %ebx
	jz	e820_done
	cmpw	$BOOT_MMAP_END - E820_ENTSIZE, %di	/* room for one more? */
	jbe	e820
e820_done:

	/*
	 * COM1, for the one message bootmain may have to print (boot_fail):
	 * 8-bit characters, and the FIFO on.  QEMU's UART needs neither,
	 * but Bochs's starts with 5-bit characters and, without its FIFO,
	 * keeps only the last of the bytes written back to back.  The value
	 * 3 means "on" to the FIFO control register and "8N1" to the line
	 * control register after it.
	 */
	movw	$COM1 + COM_FCR, %dx
	movb	$0x03, %al
	outb	%al, %dx
	incw	%dx			/* COM_LCR */
	outb	%al, %dx

	/*
	 * Protected mode.  A segment register now holds a selector, an
	 * index into the global descriptor table, and each descriptor gives
	 * a segment's base, limit and rights.  We want the dullest possible
	 * segments, base 0 and limit 4 GB, so that a 32-bit offset is simply
	 * the address (with paging off, the physical address).  Setting
	 * CR0.PE changes the meaning of segment loads, but CS keeps its
	 * real-mode contents until it is loaded again: the far jump loads it
	 * from the GDT, and at its target the CPU decodes 32-bit code.
	 */
	lgdt	gdtdesc
	movl	%cr0, %eax
	orb	$CR0_PE, %al
	movl	%eax, %cr0
	ljmp	$SEG_KCODE, $start32

.code32
start32:
	/*
	 * The other segment registers still hold real-mode bases in their
	 * hidden parts; load them all with the flat data segment, which is
	 * also what the Multiboot specification promises the kernel.
	 */
	movw	$SEG_KDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss

	/* The rest is C: bootmain(info block, where E820 stopped). */
	movl	$BOOT_INFO, %eax
	movzwl	%di, %edx
	call	bootmain		/* never returns */

/*
 * The GDT.  The processor never reads entry 0 (a null selector means "no
 * segment"), so it holds the 6-byte pseudo-descriptor that lgdt reads:
 * the table's limit and address.  Then a code and a data descriptor,
 * alike but for their type: base 0, limit 0xFFFFF in 4 KB units (4 GB),
 * present, ring 0, 32-bit.
 */
gdt:
gdtdesc:
	.word	gdt_end - gdt - 1
	.long	gdt
	.word	0
	.quad	0x00CF9A000000FFFF	/* SEG_KCODE: execute/read */
	.quad	0x00CF92000000FFFF	/* SEG_KDATA: read/write */
gdt_end:
