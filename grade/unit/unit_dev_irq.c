/*
 * unit_dev_irq.c - the virtual platform's interrupt path: 8259 pair, PIT,
 * LAPIC (timer, TPR, EOI) and IOAPIC, driven through vplat_pio_* and
 * vplat_mmio_* with the port and register sequences the guests' own
 * drivers use (guest_xv6's lapic.c, ioapic.c, uart.c; a JOS-style
 * picirq.c), and checked through vplat_pending_interrupt and
 * vplat_ack_interrupt, as the engine sees them.
 *
 * Time is virtual: each test says what time it is.  The device files
 * are compiled as they are (grade/Makefrag's VMM_UNIT_SRCS).
 */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>

#undef MIN
#undef MAX
#include "vmm/dev/platform.h"

#define MS	1000000ULL
#define SEC	1000000000ULL

static struct vplatform plat;
static uint64_t now;

static void
boot(void)
{
	struct vplat_config cfg = { .ram_bytes = 64 << 20, .rtc_epoch = 1709214330 };

	now = 0;
	cr_assert_eq(vplat_init(&plat, &cfg), 0, "vplat_init refused a plain config");
}

static void outb(uint16_t port, uint8_t v) { vplat_pio_out(&plat, port, 1, v); }
static uint8_t inb(uint16_t port) { return vplat_pio_in(&plat, port, 1); }
static void lapicw(uint32_t off, uint32_t v) { vplat_mmio_write(&plat, 0xFEE00000 + off, 4, v); }
static uint32_t lapicr(uint32_t off) { return vplat_mmio_read(&plat, 0xFEE00000 + off, 4); }

static void
ioapicw(uint32_t reg, uint32_t v)
{
	vplat_mmio_write(&plat, 0xFEC00000, 4, reg);
	vplat_mmio_write(&plat, 0xFEC00010, 4, v);
}

static uint32_t
ioapicr(uint32_t reg)
{
	vplat_mmio_write(&plat, 0xFEC00000, 4, reg);
	return vplat_mmio_read(&plat, 0xFEC00010, 4);
}

static void
advance(uint64_t ns)
{
	now += ns;
	vplat_advance(&plat, now);
}

/* The usual PC remap: master at 0x20, slave at 0x28, cascade on IR2. */
static void
pic_setup(uint8_t mask_master, uint8_t mask_slave)
{
	outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
	outb(0xA0, 0x11); outb(0xA1, 0x28); outb(0xA1, 0x02); outb(0xA1, 0x01);
	outb(0x21, mask_master);
	outb(0xA1, mask_slave);
}

/* PIT channel 0, mode 2, lobyte/hibyte. */
static void
pit_setup(uint16_t count)
{
	outb(0x43, 0x34);
	outb(0x40, count & 0xFF);
	outb(0x40, count >> 8);
}

/* guest_xv6's lapicinit. */
static void
xv6_lapicinit(void)
{
	lapicw(0xF0, 0x100 | 63);
	lapicw(0x3E0, 0xB);
	lapicw(0x320, 0x20000 | 32);
	lapicw(0x380, 10000000);
	lapicw(0x350, 0x10000);
	lapicw(0x360, 0x10000);
	if (((lapicr(0x30) >> 16) & 0xFF) >= 4)
		lapicw(0x340, 0x10000);
	lapicw(0x370, 32 + 19);
	lapicw(0x280, 0);
	lapicw(0x280, 0);
	lapicw(0xB0, 0);
	lapicw(0x80, 0);
}

/* guest_xv6's ioapicinit and ioapicenable(irq, cpu 0). */
static void
xv6_ioapicinit(void)
{
	int i, maxintr = (ioapicr(1) >> 16) & 0xFF;

	for (i = 0; i <= maxintr; i++) {
		ioapicw(0x10 + 2 * i, 0x10000 | (32 + i));
		ioapicw(0x11 + 2 * i, 0);
	}
}

static void
xv6_ioapicenable(int irq)
{
	ioapicw(0x10 + 2 * irq, 32 + irq);
	ioapicw(0x11 + 2 * irq, 0);
}

/* Take the pending interrupt as the CPU would and check its vector. */
static void
expect_take(int vector, const char *why)
{
	int p = vplat_pending_interrupt(&plat);

	cr_assert_eq(p, vector, "%s: pending vector is %d, expected %d", why, p, vector);
	p = vplat_ack_interrupt(&plat);
	cr_assert_eq(p, vector, "%s: the INTA returned %d, pending said %d", why, p, vector);
}

static void
expect_none(const char *why)
{
	int p = vplat_pending_interrupt(&plat);

	cr_assert_eq(p, -1, "%s: vector %d is pending, expected none", why, p);
}

/* ---------------------------------------------------------------- 8259 */

Test(dev_pic, timer_vector_and_eoi, .init = boot,
    .description = "8259: remapped IRQ 0 arrives as vector 0x20, blocks itself until EOI")
{
	pic_setup(0xFE, 0xFF);
	pit_setup(11932);			/* 100 Hz */
	expect_none("no period has ended yet");
	advance(10 * MS + 1000);
	expect_take(0x20, "after one PIT period");
	expect_none("IRQ 0 is in service: nothing else may come in");
	advance(10 * MS);
	expect_none("a second tick while IRQ 0 is in service must wait for the EOI");
	outb(0x20, 0x20);			/* non-specific EOI */
	expect_take(0x20, "after the EOI, the tick latched meanwhile");
	outb(0x20, 0x20);
	expect_none("both ticks taken and EOId");
}

Test(dev_pic, masking, .init = boot,
    .description = "8259: a masked IRQ stays in IRR and arrives when unmasked")
{
	pic_setup(0xFF, 0xFF);
	pit_setup(11932);
	advance(11 * MS);
	expect_none("IRQ 0 masked");
	outb(0x20, 0x0A);			/* OCW3: read IRR */
	cr_assert(inb(0x20) & 1, "IRR should hold the masked tick: reads %#x", inb(0x20));
	cr_assert_eq(inb(0x21), 0xFF, "IMR reads back %#x, wrote 0xFF", inb(0x21));
	outb(0x21, 0xFE);
	expect_take(0x20, "unmasked");
	outb(0x20, 0x0B);			/* OCW3: read ISR */
	cr_assert_eq(inb(0x20), 0x01, "ISR should show IR0 in service, reads %#x", inb(0x20));
	outb(0x20, 0x60);			/* specific EOI, IR0 */
	cr_assert_eq(inb(0x20), 0x00, "specific EOI left ISR at %#x", inb(0x20));
}

Test(dev_pic, cascade_and_priority, .init = boot,
    .description = "8259: slave IRQ 14 (IDE) via the cascade outranks IRQ 4 (UART)")
{
	static uint8_t disk[8 * 512];
	struct vplat_config cfg = { .ram_bytes = 64 << 20, .disk[0] = { disk, sizeof(disk), false } };

	cr_assert_eq(vplat_init(&plat, &cfg), 0);
	pic_setup(0xEB, 0xBF);			/* IR2, IR4 and slave IR6 open */
	/* UART receive interrupt, as guest_xv6's uartinit programs it. */
	outb(0x3FB, 0x03); outb(0x3FC, 0x08); outb(0x3F9, 0x01);
	vplat_uart_input(&plat, 'x');
	/* An IDE read: IRQ 14 when the sector is ready. */
	outb(0x3F6, 0);
	outb(0x1F2, 1); outb(0x1F3, 0); outb(0x1F4, 0); outb(0x1F5, 0);
	outb(0x1F6, 0xE0);
	outb(0x1F7, 0x20);
	expect_take(0x2E, "IRQ 14 (slave IR6 on master IR2) outranks IRQ 4");
	expect_none("IR2 in service blocks the lower-priority IR4");
	outb(0xA0, 0x20);
	outb(0x20, 0x20);
	expect_take(0x24, "after both EOIs, the UART's IRQ 4");
}

Test(dev_pic, ignored_when_lapic_in_use, .init = boot,
    .description = "8259: its interrupts do not reach the CPU once the LAPIC is enabled with LINT0 masked")
{
	pic_setup(0xFE, 0xFF);
	xv6_lapicinit();
	lapicw(0x320, 0x10000);			/* keep the LAPIC timer quiet */
	pit_setup(11932);
	advance(11 * MS);
	expect_none("the 8259 is not wired to the CPU in APIC mode with LINT0 masked");
	lapicw(0x350, 0x700);			/* LINT0: ExtINT, unmasked (virtual wire) */
	expect_take(0x20, "through LINT0 as ExtINT the 8259's vector comes through");
}

/* ---------------------------------------------------------------- PIT */

Test(dev_pit, periodic_rate, .init = boot,
    .description = "PIT: mode 2 at 100 Hz gives 100 IRQ 0s per virtual second")
{
	int n = 0, ms;

	pic_setup(0xFE, 0xFF);
	pit_setup(11932);
	cr_assert(vplat_next_deadline(&plat) > 9 * MS && vplat_next_deadline(&plat) <= 10 * MS + 1000,
	    "first deadline %llu ns, expected about 10 ms",
	    (unsigned long long) vplat_next_deadline(&plat));
	for (ms = 0; ms < 1000; ms++) {
		advance(MS);
		if (vplat_pending_interrupt(&plat) == 0x20) {
			vplat_ack_interrupt(&plat);
			outb(0x20, 0x20);
			n++;
		}
	}
	cr_assert(n >= 99 && n <= 101, "%d ticks in one second at 100 Hz", n);
}

Test(dev_pit, latch_and_readback, .init = boot,
    .description = "PIT: the counter latch and lobyte/hibyte reads count down at 1.193182 MHz")
{
	uint16_t v;

	pit_setup(1000);
	advance(83810);				/* 100 input clocks */
	outb(0x43, 0x00);			/* latch channel 0 */
	advance(83810);				/* the latch must not move */
	v = inb(0x40);
	v |= inb(0x40) << 8;
	cr_assert(v >= 899 && v <= 901, "latched count %u, expected 900", v);
	outb(0x43, 0xE2);			/* read-back: status of channel 0 */
	v = inb(0x40);
	cr_assert_eq(v & 0x3F, 0x34, "status byte %#x: access lo/hi (0x30) and mode 2 (0x04)", v);
}

Test(dev_pit, channel2_gate_and_port61, .init = boot,
    .description = "PIT: channel 2's OUT in port 0x61's bit 5; mode 0 counts whatever the gate says, as on QEMU")
{
	outb(0x43, 0xB0);			/* channel 2, lo/hi, mode 0 */
	outb(0x42, 0xFF);
	outb(0x42, 0x00);			/* 255 clocks, about 214 us */
	cr_assert_eq(inb(0x61) & 0x20, 0, "OUT2 high right after the count was loaded");
	advance(1 * MS);
	cr_assert_eq(inb(0x61) & 0x20, 0x20, "OUT2 still low after terminal count with the gate low");
	outb(0x61, 0x01);
	cr_assert_eq(inb(0x61) & 0x20, 0x20, "a rising gate restarted mode 0");
	outb(0x61, 0x00);
	outb(0x43, 0xB4);			/* mode 2: a rising gate restarts it */
	outb(0x42, 0x50);
	outb(0x42, 0xC3);			/* 50000 */
	advance(10 * MS);
	outb(0x61, 0x01);
	outb(0x43, 0x80);
	cr_assert_eq(inb(0x42) | inb(0x42) << 8, 50000, "mode 2 not restarted by the rising gate");
}

Test(dev_pit, port61_bits, .init = boot,
    .description = "PIT: port 0x61 reads back only the gate and speaker bits; the refresh bit flips on every read")
{
	uint8_t a, b;
	int i;

	outb(0x61, 0x0F);
	cr_assert_eq(inb(0x61) & 0xCF, 0x03, "port 0x61 %#x after writing 0x0F", inb(0x61));
	outb(0x61, 0x00);
	a = inb(0x61) & 0x10;
	for (i = 0; i < 8; i++) {
		b = inb(0x61) & 0x10;
		cr_assert_neq(a, b, "read %d: the refresh bit did not flip", i);
		a = b;
	}
}

Test(dev_pit, status_bcd_control, .init = boot,
    .description = "PIT: the status byte has no null count; BCD is reported but counts in binary; 0x43 reads 0")
{
	uint16_t v;

	cr_assert_eq(inb(0x43), 0, "the control port reads %#x", inb(0x43));
	outb(0x43, 0xB0);
	outb(0x43, 0xE8);			/* read-back: channel 2's status */
	cr_assert_eq(inb(0x42) & 0x7F, 0x30, "status with no count loaded: null count shown");
	outb(0x43, 0xB1);			/* mode 0, BCD */
	outb(0x42, 0x00);
	outb(0x42, 0x10);
	outb(0x43, 0xE8);
	cr_assert_eq(inb(0x42) & 0x3F, 0x31, "status's BCD bit");
	advance(10000);				/* 11 clocks */
	outb(0x43, 0x80);
	v = inb(0x42);
	v |= inb(0x42) << 8;
	cr_assert_eq(v, 0x1000 - 11, "count %#x: BCD 1000 counted as binary 0x1000", v);
}

/* ---------------------------------------------------------------- 8259: ELCR */

static uint8_t
irr0(void)
{
	outb(0x20, 0x0A);
	return inb(0x20);
}

Test(dev_pic, elcr, .init = boot,
    .description = "8259: the ELCR (0x4D0/0x4D1) makes inputs level-triggered; IRQ 0, 1, 2, 8, 13 stay edge")
{
	pic_setup(0xFF, 0xFF);
	cr_assert_eq(inb(0x4D0) | inb(0x4D1) << 8, 0, "ELCR %#x at reset", inb(0x4D0) | inb(0x4D1) << 8);
	outb(0x4D0, 0xFF);
	outb(0x4D1, 0xFF);
	cr_assert_eq(inb(0x4D0) | inb(0x4D1) << 8, 0xDEF8, "writable ELCR bits");
	outb(0x4D0, 0x10);			/* IRQ 4 level */
	outb(0x4D1, 0x00);
	outb(0x3FB, 0x03);
	outb(0x3F9, 0x02);			/* THR empty: the line rises */
	cr_assert(irr0() & 0x10, "IRR without the raised level line");
	(void) inb(0x3FA);			/* IIR read: the line falls */
	cr_assert_eq(irr0() & 0x10, 0, "a level-triggered IRR did not follow the line down");
	outb(0x3F8, 'x');			/* and rises again */
	outb(0x21, 0xEF);
	expect_take(0x24, "the level-triggered UART");
	cr_assert(irr0() & 0x10, "still asserted after INTA: IRR must ask again");
	outb(0x20, 0x20);
	outb(0x4D0, 0x00);
	cr_assert(irr0() & 0x10, "an ELCR write changed IRR");
	outb(0x3F9, 0);
}

Test(dev_pic, ltim_ignored, .init = boot,
    .description = "8259: ICW1's level bit is ignored, as on QEMU: IRR keeps an edge after the line falls")
{
	outb(0x20, 0x19); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
	outb(0x21, 0xFF);
	outb(0x3FB, 0x03);
	outb(0x3F9, 0x02);
	(void) inb(0x3FA);
	cr_assert(irr0() & 0x10, "IRR forgot the edge: ICW1's LTIM was honoured");
	outb(0x3F9, 0);
}

/* ---------------------------------------------------------------- LAPIC */

Test(dev_lapic, timer_periodic, .init = boot,
    .description = "LAPIC: guest_xv6's timer setup gives vector 32 at 100 Hz, EOI clears ISR")
{
	int n = 0, ms;

	xv6_lapicinit();
	cr_assert_eq(lapicr(0x20) >> 24, 0, "LAPIC ID %u, the MP table says 0", lapicr(0x20) >> 24);
	cr_assert_eq(lapicr(0x30), 0x50014, "version %#x", lapicr(0x30));
	cr_assert_eq(vplat_next_deadline(&plat), 10 * MS, "deadline %llu, expected 10 ms",
	    (unsigned long long) vplat_next_deadline(&plat));
	for (ms = 0; ms < 1000; ms++) {
		advance(MS);
		if (vplat_pending_interrupt(&plat) == 32) {
			vplat_ack_interrupt(&plat);
			cr_assert(lapicr(0x110) & 1, "ISR bit 32 (0x110 bit 0) not set after the ack");
			lapicw(0xB0, 0);
			cr_assert_eq(lapicr(0x110) & 1, 0, "EOI left ISR bit 32 set");
			n++;
		}
	}
	cr_assert_eq(n, 100, "%d timer interrupts in one second at 100 Hz", n);
}

Test(dev_lapic, timer_divide_and_count, .init = boot,
    .description = "LAPIC: divide by 16 slows the count; TCCR counts down; one-shot fires once")
{
	lapicw(0xF0, 0x1FF);
	lapicw(0x3E0, 0x3);			/* divide by 16 */
	lapicw(0x320, 0x20000 | 40);
	lapicw(0x380, 625000);			/* 10 ms at 62.5 MHz */
	advance(5 * MS);
	cr_assert_eq(lapicr(0x390), 312500, "TCCR %u at half a period", lapicr(0x390));
	advance(5 * MS);
	expect_take(40, "periodic timer at the end of its first period");
	lapicw(0xB0, 0);
	lapicw(0x320, 41);			/* one-shot */
	lapicw(0x380, 1000);
	advance(16000);
	expect_take(41, "one-shot timer");
	lapicw(0xB0, 0);
	cr_assert_eq(lapicr(0x390), 0, "one-shot TCCR %u after expiry", lapicr(0x390));
	advance(1 * SEC);
	expect_none("a one-shot timer fires once");
	cr_assert_eq(vplat_next_deadline(&plat), UINT64_MAX, "an expired one-shot has no deadline");
}

Test(dev_lapic, tpr_masks_by_class, .init = boot,
    .description = "LAPIC: TPR holds back vectors of its class and below; PPR shows the larger of TPR and ISR")
{
	lapicw(0xF0, 0x1FF);
	lapicw(0x80, 0x50);
	lapicw(0x300, 0x40000 | 0x41);		/* self-IPI, vector 0x41 */
	expect_none("vector 0x41 under TPR 0x50");
	lapicw(0x80, 0x40);
	expect_none("vector 0x41 under TPR 0x40: same class");
	lapicw(0x80, 0x30);
	cr_assert_eq(lapicr(0xA0), 0x30, "PPR %#x with TPR 0x30 and nothing in service", lapicr(0xA0));
	expect_take(0x41, "TPR 0x30 lets class 4 through");
	cr_assert_eq(lapicr(0xA0), 0x40, "PPR %#x with 0x41 in service", lapicr(0xA0));
	lapicw(0x300, 0x40000 | 0x45);
	expect_none("0x45 is the same class as 0x41 in service");
	lapicw(0x300, 0x40000 | 0x61);
	expect_take(0x61, "a higher class preempts");
	lapicw(0xB0, 0);			/* retires 0x61, the highest in service */
	cr_assert(lapicr(0x120) & 2, "EOI retired 0x41 instead of 0x61");
	lapicw(0xB0, 0);
	expect_take(0x45, "0x45 once 0x41 is retired");
}

Test(dev_lapic, disabled_masks_and_esr, .init = boot,
    .description = "LAPIC: software-disabled it delivers nothing; ESR reports an illegal vector after a write")
{
	lapicw(0x300, 0x40000 | 0x41);
	expect_none("software-disabled LAPIC");
	lapicw(0x320, 32);
	cr_assert(lapicr(0x320) & 0x10000, "LVT writes while disabled must stay masked");
	lapicw(0xF0, 0x1FF);
	expect_take(0x41, "enabled, the held request comes through");
	lapicw(0x300, 0x40000 | 0x05);		/* vector 5: illegal */
	cr_assert_eq(lapicr(0x280), 0, "ESR changes only on a write");
	lapicw(0x280, 0);
	cr_assert_eq(lapicr(0x280), 0x20, "ESR %#x, expected send-illegal-vector (0x20)", lapicr(0x280));
}

Test(dev_lapic, snapshot_page, .init = boot,
    .description = "LAPIC: vlapic_fill_page puts registers at their offsets; generation moves on writes")
{
	static uint8_t page[4096];
	const struct vlapic *l = vplat_lapic(&plat);
	uint32_t gen, v;

	xv6_lapicinit();
	gen = l->generation;
	vlapic_fill_page(l, page);
	memcpy(&v, page + 0x30, 4);
	cr_assert_eq(v, 0x50014, "page version %#x", v);
	memcpy(&v, page + 0xF0, 4);
	cr_assert_eq(v, 0x100 | 63, "page SVR %#x", v);
	memcpy(&v, page + 0x20, 4);
	cr_assert_eq(v, 0, "page ID %#x", v);
	(void) lapicr(0x20);
	cr_assert_eq(l->generation, gen, "a read changed the generation");
	lapicw(0x80, 0x10);
	cr_assert_neq(l->generation, gen, "a TPR write did not change the generation");
	vlapic_fill_page(l, page);
	memcpy(&v, page + 0x80, 4);
	cr_assert_eq(v, 0x10, "page TPR %#x after writing 0x10", v);
}

/* ---------------------------------------------------------------- IOAPIC */

Test(dev_ioapic, routes_uart_irq4, .init = boot,
    .description = "IOAPIC: guest_xv6's setup routes the UART's IRQ 4 to vector 36 only once enabled")
{
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	xv6_lapicinit();
	lapicw(0x320, 0x10000);
	cr_assert_eq(ioapicr(0) >> 24, 1, "IOAPIC id %u, the MP table says 1", ioapicr(0) >> 24);
	cr_assert_eq((ioapicr(1) >> 16) & 0xFF, 23, "max redirection entry %u", (ioapicr(1) >> 16) & 0xFF);
	xv6_ioapicinit();
	outb(0x3FA, 0); outb(0x3FB, 0x80); outb(0x3F8, 12); outb(0x3F9, 0);
	outb(0x3FB, 0x03); outb(0x3FC, 0x08); outb(0x3F9, 0x01);
	vplat_uart_input(&plat, 'a');
	expect_none("pin 4 is masked until ioapicenable");
	(void) inb(0x3F8);
	xv6_ioapicenable(4);
	cr_assert_eq(ioapicr(0x18), 36, "redirection entry 4 reads %#x", ioapicr(0x18));
	vplat_uart_input(&plat, 'b');
	expect_take(36, "UART input with pin 4 enabled");
	cr_assert_eq(inb(0x3F8), 'b', "RBR");
	lapicw(0xB0, 0);
	expect_none("input consumed and EOId");
}

Test(dev_ioapic, level_triggered_remote_irr, .init = boot,
    .description = "IOAPIC: a level-triggered pin sends again after the EOI only while still asserted")
{
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	lapicw(0xF0, 0x1FF);
	outb(0x3FB, 0x03); outb(0x3FC, 0x08); outb(0x3F9, 0x01);
	ioapicw(0x18, 0x8000 | 50);		/* pin 4, level, vector 50 */
	ioapicw(0x19, 0);
	vplat_uart_input(&plat, '1');
	vplat_uart_input(&plat, '2');
	expect_take(50, "asserted level pin");
	cr_assert(ioapicr(0x18) & 0x4000, "Remote IRR not set while the vector is in service");
	lapicw(0xB0, 0);
	expect_take(50, "still asserted (bytes remain) after the EOI");
	(void) inb(0x3F8);
	(void) inb(0x3F8);
	lapicw(0xB0, 0);
	expect_none("deasserted before the EOI");
	cr_assert_eq(ioapicr(0x18) & 0x4000, 0, "Remote IRR left set");
}
