/*
 * spin_input.c - a key typed while the guest never halts and never reads
 * a port.
 *
 * xv6-style schedulers wait for work in a loop with interrupts on, no
 * hlt.  On the hardware a typed key raises the UART's interrupt at once;
 * a monitor that looks at its console only when the guest halts or reads
 * a serial port would never deliver it.  The monitor's host timer must
 * bring it (vmm/run.c, poll_input).  This guest unmasks the UART's
 * receive interrupt, says "type a key" and spins; its handler takes the
 * byte.  Natively and under the monitor the lines must be the same
 * (grade/conf_dev.c, test conformance/spin_input).
 */
#include "grade/guests/guest.h"

#define IRQ_BASE	0x20
#define IRQ_UART	4
#define COM1		0x3f8

static uint64_t gdt[5] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[IRQ_BASE + 16] __attribute__((aligned(8)));

volatile int typed = -1;
void uart_irq(void);

/* The first byte typed (the grader types a newline after it) into
 * `typed`, if one is there (LSR bit 0); the 8259's EOI. */
asm(".text\n"
    "uart_irq:\n"
    "	pushl	%eax\n"
    "	pushl	%edx\n"
    "	movw	$0x3fd, %dx\n"
    "	inb	%dx, %al\n"
    "	testb	$1, %al\n"
    "	jz	1f\n"
    "	movw	$0x3f8, %dx\n"
    "	inb	%dx, %al\n"
    "	cmpl	$-1, typed\n"
    "	jne	1f\n"
    "	movzbl	%al, %eax\n"
    "	movl	%eax, typed\n"
    "1:	movb	$0x20, %al\n"
    "	outb	%al, $0x20\n"
    "	popl	%edx\n"
    "	popl	%eax\n"
    "	iret\n");

static void
setup(void)
{
	gflat_gdt(gdt, tss, sizeof(tss), ldt, sizeof(ldt));
	gtry_gates(idt);
	idt[IRQ_BASE + IRQ_UART] = gate(uart_irq, 0);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));
	/* The master 8259 at IRQ_BASE, only the UART's line unmasked. */
	outb(0x20, 0x11);
	outb(0x21, IRQ_BASE);
	outb(0x21, 4);
	outb(0x21, 1);
	outb(0x21, (uint8_t) ~(1 << IRQ_UART));
	while (inb(COM1 + 5) & 1)
		(void) inb(COM1);
	outb(COM1 + 4, 0x0b);		/* DTR, RTS, OUT2: the line to the PIC */
	outb(COM1 + 1, 0x01);		/* interrupt on received data */
}

void
gmain(uint32_t magic, uint32_t info)
{
	uint32_t spins = 0;

	ginit();
	setup();
	gsuite("spin_input");
	gprintf("spin_input: type a key\n");
	asm volatile("sti");
	while (typed < 0 && ++spins != 0)
		asm volatile("" : : : "memory");
	asm volatile("cli");
	outb(COM1 + 1, 0);
	gcheck("key-while-spinning", typed == 'x', (uint32_t) typed, 'x');
	gdone();
}
