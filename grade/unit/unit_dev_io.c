/*
 * unit_dev_io.c - the virtual platform's I/O devices: UART, IDE, RTC,
 * CGA CRTC, keyboard controller, debug exit, unclaimed ports, and the MP
 * tables the BIOS area holds, each driven through vplat_pio_* with the
 * sequences guest_xv6's drivers use.  The MP tables are read back by a
 * parser written here from the MP specification, not from bios.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#undef MIN
#undef MAX
#include "vmm/dev/platform.h"

#define MS	1000000ULL
#define SEC	1000000000ULL
#define EPOCH	1709214330ULL	/* 2024-02-29 13:45:30 UTC, a Thursday */

static struct vplatform plat;
static uint8_t disk1[64 * 512];	/* the primary slave; no master */
static char out[4096];
static size_t nout;

static void
console(void *arg, uint8_t c)
{
	(void) arg;
	if (nout < sizeof(out))
		out[nout++] = c;
}

static void
boot(void)
{
	struct vplat_config cfg = {
		.ram_bytes = 224 << 20,
		.console_out = console,
		.disk[1] = { disk1, sizeof(disk1), false },
		.rtc_epoch = EPOCH,
	};
	size_t i;

	for (i = 0; i < sizeof(disk1); i++)
		disk1[i] = (uint8_t) (i * 7 + i / 512);
	nout = 0;
	cr_assert_eq(vplat_init(&plat, &cfg), 0, "vplat_init refused a plain config");
}

static void outb(uint16_t port, uint8_t v) { vplat_pio_out(&plat, port, 1, v); }
static uint8_t inb(uint16_t port) { return vplat_pio_in(&plat, port, 1); }

static bool
line(int irq)
{
	return plat.lines & (1u << irq);
}

/* ---------------------------------------------------------------- UART */

static void
xv6_uartinit(void)
{
	outb(0x3FA, 0);
	outb(0x3FB, 0x80);
	outb(0x3F8, 12);
	outb(0x3F9, 0);
	outb(0x3FB, 0x03);
	outb(0x3FC, 0x08);
	outb(0x3F9, 0x01);
	cr_assert_neq(inb(0x3FD), 0xFF, "LSR reads 0xFF: guest_xv6 would think there is no UART");
	(void) inb(0x3FA);
	(void) inb(0x3F8);
}

Test(dev_uart, transmit, .init = boot,
    .description = "UART: bytes written to THR reach the console callback; LSR always shows THRE")
{
	const char *s = "hello\n";

	xv6_uartinit();
	for (; *s; s++) {
		cr_assert(inb(0x3FD) & 0x20, "LSR %#x without THRE: the guest would spin", inb(0x3FD));
		outb(0x3F8, *s);
	}
	cr_assert_eq(nout, 6, "%zu bytes reached the console, 6 written", nout);
	cr_assert(memcmp(out, "hello\n", 6) == 0, "console got \"%.*s\"", (int) nout, out);
}

Test(dev_uart, divisor_latch, .init = boot,
    .description = "UART: with DLAB set, ports 0 and 1 are the divisor latch, not RBR/THR and IER")
{
	outb(0x3FB, 0x80);
	outb(0x3F8, 0x34);
	outb(0x3F9, 0x12);
	cr_assert_eq(inb(0x3F8), 0x34, "DLL reads %#x", inb(0x3F8));
	cr_assert_eq(inb(0x3F9), 0x12, "DLM reads %#x", inb(0x3F9));
	cr_assert_eq(nout, 0, "a DLL write went to the console");
	outb(0x3FB, 0x03);
	cr_assert_eq(inb(0x3F9), 0, "IER reads %#x after DLAB off", inb(0x3F9));
	outb(0x3FF, 0x5A);
	cr_assert_eq(inb(0x3FF), 0x5A, "scratch register");
}

Test(dev_uart, receive_interrupts, .init = boot,
    .description = "UART: input raises IRQ 4 (with OUT2), IIR says RDA, each byte read gives a fresh edge")
{
	xv6_uartinit();
	cr_assert(!line(4), "IRQ 4 up with nothing received");
	cr_assert_eq(inb(0x3FA), 0x01, "IIR %#x with nothing pending", inb(0x3FA));
	vplat_uart_input(&plat, 'h');
	vplat_uart_input(&plat, 'i');
	cr_assert(line(4), "IRQ 4 down with data received and ERBFI set");
	cr_assert_eq(inb(0x3FA), 0x04, "IIR %#x, expected received-data (0x04), no FIFO bits", inb(0x3FA));
	cr_assert(inb(0x3FD) & 0x01, "LSR without DR");
	cr_assert_eq(inb(0x3F8), 'h', "first byte");
	cr_assert(line(4), "IRQ 4 down with a byte left");
	cr_assert_eq(inb(0x3F8), 'i', "second byte");
	cr_assert(!line(4), "IRQ 4 up with the queue empty");
	cr_assert_eq(inb(0x3FD) & 0x01, 0, "LSR DR with the queue empty");
	outb(0x3FC, 0x00);
	vplat_uart_input(&plat, '!');
	cr_assert(line(4), "IRQ 4 gated by OUT2: QEMU's pc machine does not gate it");
}

Test(dev_uart, reset_state, .init = boot,
    .description = "UART: a guest finds OUT2 set (QEMU's reset) and the FIFOs off; IER keeps 4 bits; MCR 5")
{
	cr_assert_eq(inb(0x3FC), 0x08, "MCR %#x at reset, QEMU's is OUT2 (0x08)", inb(0x3FC));
	cr_assert_eq(inb(0x3FA), 0x01, "IIR %#x at reset, expected nothing pending, no FIFOs", inb(0x3FA));
	outb(0x3FA, 0x07);
	cr_assert_eq(inb(0x3FA), 0xC1, "IIR %#x with the FIFOs on", inb(0x3FA));
	outb(0x3F9, 0xFF);
	cr_assert_eq(inb(0x3F9), 0x0F, "IER %#x after writing 0xFF", inb(0x3F9));
	outb(0x3F9, 0x00);
	outb(0x3FC, 0xFF);
	cr_assert_eq(inb(0x3FC), 0x1F, "MCR %#x after writing 0xFF", inb(0x3FC));
	outb(0x3FD, 0x00);
	cr_assert_eq(inb(0x3FD), 0x60, "LSR %#x: a write must not change it", inb(0x3FD));
}

Test(dev_uart, loopback_msr, .init = boot,
    .description = "UART: in loopback, DTR/RTS/OUT1/OUT2 come back as DSR/CTS/RI/DCD, with no delta bits")
{
	static const uint8_t mcr[] = { 0x10, 0x11, 0x12, 0x14, 0x18, 0x1F };
	static const uint8_t msr[] = { 0x00, 0x20, 0x10, 0x40, 0x80, 0xF0 };
	unsigned i;

	cr_assert_eq(inb(0x3FE), 0xB0, "MSR %#x without loopback: DCD, DSR, CTS", inb(0x3FE));
	for (i = 0; i < sizeof(mcr); i++) {
		outb(0x3FC, mcr[i]);
		cr_assert_eq(inb(0x3FE), msr[i], "MCR %#x: MSR %#x, expected %#x", mcr[i],
		    inb(0x3FE), msr[i]);
	}
}

Test(dev_uart, thre_interrupt, .init = boot,
    .description = "UART: enabling ETBEI interrupts at once; reading IIR clears it; each THR write re-arms it")
{
	xv6_uartinit();
	outb(0x3F9, 0x02);
	cr_assert(line(4), "no THRE interrupt after enabling ETBEI");
	cr_assert_eq(inb(0x3FA), 0x02, "IIR should say THR empty");
	cr_assert(!line(4), "reading IIR did not clear the THRE interrupt");
	cr_assert_eq(inb(0x3FA), 0x01, "IIR after clearing");
	outb(0x3F8, 'z');
	cr_assert(line(4), "no THRE interrupt after a transmitted byte");
	outb(0x3FA, 0x07);			/* FIFO on */
	cr_assert_eq(inb(0x3FA), 0xC2, "IIR with FIFOs enabled should carry 0xC0");
}

Test(dev_uart, loopback, .init = boot,
    .description = "UART: in loopback mode a transmitted byte comes back as received")
{
	outb(0x3FC, 0x10);
	outb(0x3F8, 0xAE);
	cr_assert_eq(nout, 0, "loopback bytes must not reach the console");
	cr_assert(inb(0x3FD) & 1, "no data ready in loopback");
	cr_assert_eq(inb(0x3F8), 0xAE, "loopback byte");
}

/* ---------------------------------------------------------------- IDE */

static void
ide_cmd(int drive, uint32_t lba, uint8_t n, uint8_t cmd)
{
	outb(0x3F6, 0);
	outb(0x1F2, n);
	outb(0x1F3, lba & 0xFF);
	outb(0x1F4, (lba >> 8) & 0xFF);
	outb(0x1F5, (lba >> 16) & 0xFF);
	outb(0x1F6, 0xE0 | (drive << 4) | ((lba >> 24) & 0x0F));
	outb(0x1F7, cmd);
}

Test(dev_ide, probe, .init = boot,
    .description = "IDE: guest_xv6's probe finds the slave; the absent master shows what QEMU's BIOS left: DRDY|ERR, ABRT")
{
	cr_assert_eq(inb(0x1F6), 0xB0, "select %#x at entry: the BIOS probed the slave last", inb(0x1F6));
	outb(0x1F6, 0xE0 | (1 << 4));
	cr_assert_eq(inb(0x1F7), 0x50, "slave status %#x, expected DRDY|DSC", inb(0x1F7));
	cr_assert_eq(inb(0x1F1), 0x00, "slave error %#x", inb(0x1F1));
	outb(0x1F6, 0xE0);
	cr_assert_eq(inb(0x1F7), 0x41, "absent master's status %#x", inb(0x1F7));
	cr_assert_eq(inb(0x3F6), 0x41, "absent master's alternate status %#x", inb(0x3F6));
	cr_assert_eq(inb(0x1F1), 0x04, "absent master's error %#x", inb(0x1F1));
}

Test(dev_ide, read_sectors_insl, .init = boot,
    .description = "IDE: READ SECTORS of 2 sectors, IRQ 14 per sector, data by 128 dword reads each")
{
	uint32_t buf[256];
	int i, s;

	ide_cmd(1, 5, 2, 0x20);
	for (s = 0; s < 2; s++) {
		cr_assert(line(14), "sector %d: no IRQ 14", s);
		cr_assert_eq(inb(0x1F7) & 0xC9, 0x48, "sector %d: status %#x, expected DRDY|DRQ", s, inb(0x1F7));
		cr_assert(!line(14), "reading status did not clear IRQ 14");
		for (i = 0; i < 128; i++)
			buf[s * 128 + i] = vplat_pio_in(&plat, 0x1F0, 4);
	}
	cr_assert(memcmp(buf, disk1 + 5 * 512, 1024) == 0, "data read differs from the image at sector 5");
	cr_assert_eq(inb(0x1F7) & 0x89, 0x00, "status %#x after the last word: BSY, DRQ or ERR left", inb(0x1F7));
	cr_assert_eq(plat.ide.sectors_read, 2, "sectors_read %llu", (unsigned long long) plat.ide.sectors_read);
}

Test(dev_ide, read_words_and_256, .init = boot,
    .description = "IDE: 16-bit data reads work too; a count of 0 means 256 sectors, range-checked sector by sector")
{
	uint16_t w = 0;
	int i, s;

	ide_cmd(1, 0, 1, 0x20);
	for (i = 0; i < 256; i++)
		w = vplat_pio_in(&plat, 0x1F0, 2);
	cr_assert_eq(w, disk1[510] | disk1[511] << 8, "last word %#x", w);
	ide_cmd(1, 0, 0, 0x20);			/* 256 sectors: past this 64-sector disk */
	for (s = 0; s < 64; s++) {
		cr_assert_eq(inb(0x1F7), 0x58, "sector %d of 64: status %#x, expected DRQ", s, inb(0x1F7));
		for (i = 0; i < 128; i++)
			(void) vplat_pio_in(&plat, 0x1F0, 4);
	}
	cr_assert_eq(inb(0x1F7), 0x41, "status %#x at sector 64, expected DRDY|ERR", inb(0x1F7));
	cr_assert_eq(inb(0x1F1), 0x04, "error %#x, expected ABRT (QEMU's)", inb(0x1F1));
	cr_assert_eq(inb(0x1F2), 256 - 64, "sector count %u left at the abort", inb(0x1F2));
	cr_assert_eq(inb(0x1F3) | inb(0x1F4) << 8, 64, "address %u at the abort", inb(0x1F3) | inb(0x1F4) << 8);
}

Test(dev_ide, write_sectors_outsl, .init = boot,
    .description = "IDE: WRITE SECTORS takes 128 dword writes per sector, raises IRQ 14 after each")
{
	uint32_t v = 0xC0DE0000;
	int i, s;

	ide_cmd(1, 9, 2, 0x30);
	cr_assert(!line(14), "IRQ 14 before any data was written");
	for (s = 0; s < 2; s++) {
		cr_assert(inb(0x3F6) & 0x08, "sector %d: no DRQ", s);
		for (i = 0; i < 128; i++)
			vplat_pio_out(&plat, 0x1F0, 4, v++);
		cr_assert(line(14), "sector %d written, no IRQ 14", s);
		(void) inb(0x1F7);
	}
	for (i = 0; i < 256; i++) {
		uint32_t got;
		memcpy(&got, disk1 + 9 * 512 + 4 * i, 4);
		cr_assert_eq(got, 0xC0DE0000 + i, "dword %d on disk is %#x", i, got);
	}
	cr_assert_eq(inb(0x1F7) & 0x89, 0, "status after the write");
}

Test(dev_ide, identify_and_nien, .init = boot,
    .description = "IDE: IDENTIFY reports the LBA28 size and LBA support; nIEN holds IRQ 14 down")
{
	uint16_t id[256];
	int i;

	outb(0x3F6, 0x02);
	outb(0x1F6, 0xF0);
	outb(0x1F7, 0xEC);
	cr_assert(!line(14), "IRQ 14 raised with nIEN set");
	for (i = 0; i < 256; i++)
		id[i] = vplat_pio_in(&plat, 0x1F0, 2);
	cr_assert_eq(id[60] | id[61] << 16, 64, "LBA28 capacity %u sectors, image has 64", id[60] | id[61] << 16);
	cr_assert(id[49] & 0x200, "IDENTIFY word 49 without LBA");
	cr_assert_eq(id[27] >> 8, 'T', "model string must be byte-swapped ATA text");
	outb(0x1F7, 0x77);			/* no such command */
	cr_assert_eq(inb(0x1F1), 0x04, "unknown command: error %#x, expected ABRT", inb(0x1F1));
}

/* One sector through the data port, as rep insl moves it. */
static void
ide_sector(uint8_t *buf)
{
	uint32_t v;
	int i;

	for (i = 0; i < 128; i++) {
		v = vplat_pio_in(&plat, 0x1F0, 4);
		memcpy(buf + 4 * i, &v, 4);
	}
}

/* The count and address registers as one number, 0xNNHHMMLL. */
static uint32_t
ide_regs(void)
{
	return (uint32_t) inb(0x1F2) << 24 | inb(0x1F5) << 16 | inb(0x1F4) << 8 | inb(0x1F3);
}

static void
ide_srst(void)
{
	outb(0x3F6, 0x04);
	outb(0x3F6, 0x00);
}

Test(dev_ide, taskfile_per_drive, .init = boot,
    .description = "IDE: each drive has its taskfile; both latch writes; SRST gives each its signature (QEMU's all-ones for the empty master)")
{
	ide_srst();
	cr_assert_eq(inb(0x3F6), 0x50, "status %#x right after SRST: QEMU shows no BSY", inb(0x3F6));
	outb(0x1F6, 0xA0);
	cr_assert_eq(ide_regs(), 0x01FFFF01, "empty master's signature %#x", ide_regs());
	cr_assert_eq(inb(0x1F1), 0x01, "master error %#x after SRST", inb(0x1F1));
	cr_assert_eq(inb(0x1F7), 0x50, "master status %#x after SRST", inb(0x1F7));
	outb(0x1F6, 0xB0);
	cr_assert_eq(ide_regs(), 0x01000001, "slave's ATA signature %#x", ide_regs());
	outb(0x1F2, 0x11); outb(0x1F3, 0x22); outb(0x1F4, 0x33); outb(0x1F5, 0x44);
	cr_assert_eq(ide_regs(), 0x11443322, "slave registers %#x after writing them", ide_regs());
	outb(0x1F6, 0xA0);
	cr_assert_eq(ide_regs(), 0x11443322, "master registers %#x: both drives latch writes", ide_regs());
	/* The previous bytes are the HOB, shown while HOB is set. */
	outb(0x1F2, 0x55);
	outb(0x3F6, 0x80);
	cr_assert_eq(inb(0x1F2), 0x11, "HOB sector count %#x", inb(0x1F2));
	cr_assert_eq(inb(0x1F3), 0x01, "HOB LBA low %#x", inb(0x1F3));
	outb(0x1F5, 0x66);
	cr_assert_eq(inb(0x1F5), 0x66, "a taskfile write must clear HOB");
	outb(0x1F6, 0x00);
	cr_assert_eq(inb(0x1F6), 0xA0, "select %#x: bits 7 and 5 read as one", inb(0x1F6));
	outb(0x1F6, 0xEF);
	cr_assert_eq(inb(0x1F6), 0xEF, "select %#x", inb(0x1F6));
}

Test(dev_ide, registers_follow_transfer, .init = boot,
    .description = "IDE: count and address move as each sector reaches the buffer (read) or leaves it (write)")
{
	uint8_t buf[512];
	int i;

	ide_cmd(1, 3, 2, 0x20);
	cr_assert_eq(ide_regs(), 0x01000004, "registers %#x with sector 3 buffered", ide_regs());
	ide_sector(buf);
	cr_assert(memcmp(buf, disk1 + 3 * 512, 512) == 0, "first sector is not sector 3");
	cr_assert_eq(ide_regs(), 0x00000005, "registers %#x with sector 4 buffered", ide_regs());
	ide_sector(buf);
	cr_assert_eq(inb(0x1F7), 0x50, "status %#x after the last sector", inb(0x1F7));
	cr_assert_eq(ide_regs(), 0x00000005, "registers %#x at the end of the read", ide_regs());
	cr_assert_eq(vplat_pio_in(&plat, 0x1F0, 2), 0, "the data port with nothing to move reads 0");

	ide_cmd(1, 8, 2, 0x30);
	cr_assert_eq(ide_regs(), 0x02000008, "registers %#x before any data", ide_regs());
	memset(buf, 0xA5, sizeof(buf));
	for (i = 0; i < 128; i++)
		vplat_pio_out(&plat, 0x1F0, 4, 0xA5A5A5A5);
	cr_assert_eq(ide_regs(), 0x01000009, "registers %#x after the first sector", ide_regs());
	for (i = 0; i < 128; i++)
		vplat_pio_out(&plat, 0x1F0, 4, 0xA5A5A5A5);
	cr_assert_eq(ide_regs(), 0x0000000A, "registers %#x after the second", ide_regs());
	cr_assert(memcmp(disk1 + 9 * 512, buf, 512) == 0, "sector 9 not written");

	/* LBA28's bits 24-27 go back into the select register. */
	outb(0x1F6, 0xF3);
	outb(0x1F2, 1); outb(0x1F3, 0); outb(0x1F4, 0); outb(0x1F5, 0);
	outb(0x1F7, 0x20);
	cr_assert_eq(inb(0x1F7), 0x41, "LBA 0x3000000 is past the disk: status %#x", inb(0x1F7));
}

Test(dev_ide, range_sector_by_sector, .init = boot,
    .description = "IDE: a transfer running off the disk's end aborts (DRDY|ERR, ABRT, IRQ) when it gets there")
{
	uint8_t buf[512];
	int i;

	ide_cmd(1, 63, 2, 0x20);
	cr_assert_eq(inb(0x1F7), 0x58, "status %#x: sector 63 exists", inb(0x1F7));
	ide_sector(buf);
	cr_assert(line(14), "no IRQ 14 for the abort");
	cr_assert_eq(inb(0x1F7), 0x41, "status %#x at sector 64", inb(0x1F7));
	cr_assert_eq(inb(0x1F1), 0x04, "error %#x, expected ABRT", inb(0x1F1));
	cr_assert_eq(ide_regs(), 0x01000040, "registers %#x at the abort", ide_regs());
	ide_cmd(1, 64, 1, 0x30);
	cr_assert_eq(inb(0x1F7), 0x58, "a write takes its data before checking: status %#x", inb(0x1F7));
	for (i = 0; i < 128; i++)
		vplat_pio_out(&plat, 0x1F0, 4, 0);
	cr_assert_eq(inb(0x1F7), 0x41, "status %#x after writing past the end", inb(0x1F7));
	ide_cmd(1, 1, 1, 0xE7);
	cr_assert_eq(inb(0x1F7), 0x50, "the next command after an abort: status %#x", inb(0x1F7));
}

Test(dev_ide, ignored_during_drq, .init = boot,
    .description = "IDE: a command written while the drive shows DRQ is ignored, as on QEMU")
{
	uint8_t buf[512];

	ide_cmd(1, 5, 1, 0x20);
	ide_cmd(1, 6, 1, 0xE7);
	cr_assert_eq(inb(0x1F7), 0x58, "status %#x: FLUSH CACHE must not end the read", inb(0x1F7));
	ide_sector(buf);
	cr_assert(memcmp(buf, disk1 + 5 * 512, 512) == 0, "the data is not sector 5's");
}

Test(dev_ide, absent_master, .init = boot,
    .description = "IDE: with only a slave, the master refuses what needs a medium (ABRT, IRQ 14) and does the rest")
{
	ide_srst();
	ide_cmd(0, 0, 1, 0xEC);
	cr_assert(line(14), "the master's refusal raised no IRQ 14");
	cr_assert_eq(inb(0x3F6), 0x41, "IDENTIFY to the empty master: status %#x", inb(0x3F6));
	cr_assert_eq(inb(0x1F1), 0x04, "error %#x", inb(0x1F1));
	cr_assert(line(14), "the alternate status cleared IRQ 14");
	(void) inb(0x1F7);
	cr_assert(!line(14), "the master's status read did not clear IRQ 14");
	cr_assert_eq(vplat_pio_in(&plat, 0x1F0, 2), 0, "the empty master's data port reads 0");
	ide_cmd(0, 0, 1, 0x20);
	cr_assert_eq(inb(0x1F7), 0x41, "READ SECTORS to the empty master: status %#x", inb(0x1F7));
	ide_cmd(0, 0, 1, 0xE7);
	cr_assert_eq(inb(0x1F7), 0x50, "FLUSH CACHE to the empty master: status %#x", inb(0x1F7));
	ide_cmd(0, 0, 1, 0xE5);
	cr_assert_eq(inb(0x1F2), 0xFF, "CHECK POWER MODE: count %#x", inb(0x1F2));
	ide_cmd(0, 0, 1, 0xE0);
	cr_assert_eq(inb(0x1F7), 0x40, "STANDBY IMMEDIATE: status %#x", inb(0x1F7));
	ide_cmd(0, 0, 1, 0x90);
	cr_assert_eq(inb(0x1F1), 0x01, "DIAGNOSTIC: error %#x", inb(0x1F1));
	cr_assert_eq(inb(0x1F4) << 8 | inb(0x1F5), 0xFFFF, "DIAGNOSTIC: the empty position's signature");
}

Test(dev_ide, interrupt_line, .init = boot,
    .description = "IDE: IRQ 14 rises on an event unless nIEN is set then; only a status read lowers it")
{
	ide_srst();
	(void) inb(0x1F7);
	outb(0x3F6, 0x02);			/* nIEN */
	outb(0x1F6, 0xB0);
	outb(0x1F7, 0xE7);
	cr_assert(!line(14), "IRQ 14 with nIEN set");
	outb(0x3F6, 0x00);
	cr_assert(!line(14), "clearing nIEN raised an old event's IRQ 14 (QEMU does not)");
	outb(0x1F7, 0xE7);
	cr_assert(line(14), "no IRQ 14 for FLUSH CACHE");
	outb(0x3F6, 0x02);
	cr_assert(line(14), "setting nIEN lowered a raised IRQ 14 (QEMU does not)");
	(void) inb(0x3F6);
	cr_assert(line(14), "the alternate status lowered IRQ 14");
	(void) inb(0x1F7);
	cr_assert(!line(14), "the status read left IRQ 14 up");
	outb(0x3F6, 0x00);
	ide_cmd(1, 1, 2, 0x30);
	cr_assert(!line(14), "IRQ 14 before a write's first sector");
}

Test(dev_ide, multiple, .init = boot,
    .description = "IDE: SET MULTIPLE takes powers of two up to 16; READ/WRITE MULTIPLE move a block per DRQ and IRQ")
{
	uint8_t buf[512];
	int s;

	ide_cmd(1, 0, 3, 0xC6);
	cr_assert_eq(inb(0x1F7), 0x41, "SET MULTIPLE 3 accepted");
	ide_cmd(1, 0, 32, 0xC6);
	cr_assert_eq(inb(0x1F7), 0x41, "SET MULTIPLE 32 accepted");
	ide_cmd(1, 0, 4, 0xC6);
	cr_assert_eq(inb(0x1F7), 0x50, "SET MULTIPLE 4 refused");
	ide_cmd(1, 0, 6, 0xC4);
	cr_assert(line(14), "no IRQ for the first block");
	cr_assert_eq(ide_regs(), 0x02000004, "registers %#x with the first block buffered", ide_regs());
	(void) inb(0x1F7);
	for (s = 0; s < 4; s++) {
		cr_assert(!line(14), "an IRQ inside the block, at sector %d", s);
		ide_sector(buf);
		cr_assert(memcmp(buf, disk1 + s * 512, 512) == 0, "sector %d's data", s);
	}
	cr_assert(line(14), "no IRQ for the second block");
	cr_assert_eq(ide_regs(), 0x00000006, "registers %#x with the second block buffered", ide_regs());
	ide_sector(buf);
	ide_sector(buf);
	cr_assert(memcmp(buf, disk1 + 5 * 512, 512) == 0, "sector 5's data");
	cr_assert_eq(inb(0x1F7), 0x50, "status after READ MULTIPLE");
	ide_cmd(1, 0, 0, 0xC6);
	cr_assert_eq(inb(0x1F7), 0x50, "SET MULTIPLE 0 (off) refused");
	ide_cmd(1, 0, 1, 0xC4);
	cr_assert_eq(inb(0x1F7), 0x41, "READ MULTIPLE with the multiple off must abort");
}

Test(dev_ide, lba48, .init = boot,
    .description = "IDE: READ SECTORS EXT with a 48-bit address from the HOB bytes; READ NATIVE MAX (EXT)")
{
	uint8_t buf[512];

	outb(0x3F6, 0);
	outb(0x1F6, 0x50);
	outb(0x1F2, 0); outb(0x1F2, 2);
	outb(0x1F3, 0); outb(0x1F3, 7);
	outb(0x1F4, 0); outb(0x1F4, 0);
	outb(0x1F5, 0); outb(0x1F5, 0);
	outb(0x1F7, 0x24);
	cr_assert_eq(inb(0x1F7), 0x58, "READ SECTORS EXT: status %#x", inb(0x1F7));
	cr_assert_eq(ide_regs(), 0x01000008, "registers %#x with sector 7 buffered", ide_regs());
	outb(0x3F6, 0x80);
	cr_assert_eq(ide_regs(), 0, "HOB registers %#x", ide_regs());
	outb(0x3F6, 0x00);
	ide_sector(buf);
	cr_assert(memcmp(buf, disk1 + 7 * 512, 512) == 0, "the first sector is not 7");
	ide_sector(buf);
	cr_assert_eq(inb(0x1F7), 0x50, "status after READ SECTORS EXT");
	outb(0x1F2, 0); outb(0x1F2, 1);
	outb(0x1F3, 0); outb(0x1F3, 9);
	outb(0x1F4, 1); outb(0x1F4, 0);		/* LBA bit 32 */
	outb(0x1F5, 0); outb(0x1F5, 0);
	outb(0x1F7, 0x24);
	cr_assert_eq(inb(0x1F7), 0x41, "a 48-bit address past the disk: status %#x", inb(0x1F7));
	ide_cmd(1, 0, 0x21, 0xF8);
	cr_assert_eq(ide_regs(), 0x2100003F, "READ NATIVE MAX ADDRESS: %#x", ide_regs());
	ide_cmd(1, 0, 0, 0x27);
	cr_assert_eq(ide_regs(), 0x0000003F, "READ NATIVE MAX ADDRESS EXT: %#x", ide_regs());
}

Test(dev_ide, command_set, .init = boot,
    .description = "IDE: QEMU's answers to the other commands: power, NOP, SEEK, VERIFY, SET FEATURES, CHS geometry")
{
	uint8_t buf[512];

	ide_cmd(1, 1, 0x21, 0xE1);
	cr_assert_eq(inb(0x1F7), 0x40, "IDLE IMMEDIATE: status %#x, DSC off", inb(0x1F7));
	ide_cmd(1, 1, 0x21, 0xE5);
	cr_assert_eq(inb(0x1F2), 0xFF, "CHECK POWER MODE: count %#x", inb(0x1F2));
	ide_cmd(1, 1, 0x21, 0x00);
	cr_assert_eq(inb(0x1F7), 0x41, "NOP: status %#x, it always aborts", inb(0x1F7));
	ide_cmd(1, 1, 0x21, 0x70);
	cr_assert_eq(inb(0x1F7), 0x50, "SEEK: status %#x", inb(0x1F7));
	ide_cmd(1, 1, 0x21, 0x71);
	cr_assert_eq(inb(0x1F7), 0x41, "0x71 is no command: status %#x", inb(0x1F7));
	ide_cmd(1, 100, 3, 0x40);
	cr_assert_eq(inb(0x1F7), 0x50, "VERIFY SECTORS: status %#x, no range check", inb(0x1F7));
	cr_assert_eq(ide_regs(), 0x03000064, "VERIFY SECTORS moved the registers: %#x", ide_regs());
	outb(0x1F1, 0x03);
	ide_cmd(1, 0, 0x0C, 0xEF);
	cr_assert_eq(inb(0x1F7), 0x50, "SET FEATURES 0x03 (transfer mode) refused");
	outb(0x1F1, 0x77);
	ide_cmd(1, 0, 0x0C, 0xEF);
	cr_assert_eq(inb(0x1F7), 0x41, "SET FEATURES 0x77 accepted");
	/* CHS: 16 heads and 63 sectors, then 4 and 17 as the guest says. */
	outb(0x1F6, 0xA0 | 0x10 | 1); outb(0x1F2, 1); outb(0x1F3, 1); outb(0x1F4, 0); outb(0x1F5, 0);
	outb(0x1F7, 0x20);
	ide_sector(buf);
	cr_assert(memcmp(buf, disk1 + 63 * 512, 512) == 0, "C0/H1/S1 is not LBA 63");
	outb(0x1F6, 0xB3); outb(0x1F2, 17); outb(0x1F7, 0x91);
	cr_assert_eq(inb(0x1F7), 0x50, "INITIALIZE DEVICE PARAMETERS refused");
	outb(0x1F6, 0xB1); outb(0x1F2, 1); outb(0x1F3, 5); outb(0x1F4, 0); outb(0x1F5, 0);
	outb(0x1F7, 0x20);
	ide_sector(buf);
	cr_assert(memcmp(buf, disk1 + 21 * 512, 512) == 0, "C0/H1/S5 with 4 heads, 17 sectors is not LBA 21");
	cr_assert_eq(inb(0x1F3), 6, "CHS sector register %u after the read", inb(0x1F3));
	/* A geometry of 0 sectors per track names no sector, and breaks nothing. */
	outb(0x1F6, 0xB0); outb(0x1F2, 0); outb(0x1F7, 0x91);
	outb(0x1F6, 0xB0); outb(0x1F3, 1); outb(0x1F7, 0x20);
	cr_assert_eq(inb(0x1F7), 0x41, "a CHS read with 0 sectors per track: status %#x", inb(0x1F7));
	outb(0x1F7, 0xF8);
	cr_assert_eq(inb(0x1F7), 0x50, "READ NATIVE MAX in CHS form with 0 sectors per track");
}

Test(dev_ide, identify_words, .init = boot,
    .description = "IDE: IDENTIFY's geometry, multiple and LBA48 words are QEMU's; the geometry has at least 2 cylinders")
{
	uint16_t id[256], cyls;
	uint8_t heads, spt;
	int i;

	ide_cmd(1, 0, 1, 0xEC);
	for (i = 0; i < 256; i++)
		id[i] = vplat_pio_in(&plat, 0x1F0, 2);
	cr_assert_eq(id[1] << 16 | id[3] << 8 | id[6], 2 << 16 | 16 << 8 | 63, "geometry words 1, 3, 6");
	cr_assert_eq(id[57] | id[58] << 16, 2 * 16 * 63, "current capacity %u", id[57] | id[58] << 16);
	cr_assert_eq(id[47] & 0xFF, 16, "READ MULTIPLE's maximum %u", id[47] & 0xFF);
	cr_assert_eq(id[59], 0x110, "word 59 %#x: the multiple is 16 after reset", id[59]);
	cr_assert(id[83] & 0x400, "word 83 without LBA48");
	cr_assert_eq(id[100] | id[101] << 16, 64, "LBA48 capacity %u", id[100] | id[101] << 16);
	cr_assert_eq(inb(0x1F2), 1, "IDENTIFY changed the sector count to %u", inb(0x1F2));
	vide_geometry(16 * 63 * 100 + 5, &cyls, &heads, &spt);
	cr_assert_eq(cyls, 100, "geometry of a 100-cylinder disk: %u cylinders", cyls);
	vide_geometry(0xFFFFFFF, &cyls, &heads, &spt);
	cr_assert_eq(cyls, 16383, "a big disk's cylinders %u, expected the cap", cyls);
}

Test(dev_ide, no_drive, .description = "IDE: a channel with no drive at all reads 0 everywhere, as on QEMU")
{
	struct vplat_config cfg = { .ram_bytes = 64 << 20 };
	uint16_t port;

	cr_assert_eq(vplat_init(&plat, &cfg), 0, "vplat_init refused a config without disks");
	outb(0x1F6, 0xB0);
	outb(0x1F7, 0xEC);
	for (port = 0x1F0; port < 0x1F8; port++)
		cr_assert_eq(inb(port), 0, "port %#x reads %#x", port, inb(port));
	cr_assert_eq(inb(0x3F6), 0, "alternate status %#x", inb(0x3F6));
	cr_assert_eq(vplat_pio_in(&plat, 0x1F0, 4), 0, "data dword");
	cr_assert(!line(14), "IRQ 14 with no drive");
}

/* ---------------------------------------------------------------- RTC, CMOS */

static uint8_t
cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

Test(dev_rtc, bcd_and_binary, .init = boot,
    .description = "RTC: the epoch plus virtual time, in BCD by default and binary per status B")
{
	vplat_advance(&plat, 2 * SEC + 5 * MS);
	cr_assert_eq(cmos(0x0B) & 0x04, 0, "status B says binary by default");
	cr_assert_eq(cmos(0x00), 0x32, "seconds %#x, expected BCD 32", cmos(0x00));
	cr_assert_eq(cmos(0x02), 0x45, "minutes %#x", cmos(0x02));
	cr_assert_eq(cmos(0x04), 0x13, "hours %#x", cmos(0x04));
	cr_assert_eq(cmos(0x07), 0x29, "day of month %#x (2024 is a leap year)", cmos(0x07));
	cr_assert_eq(cmos(0x08), 0x02, "month %#x", cmos(0x08));
	cr_assert_eq(cmos(0x09), 0x24, "year %#x", cmos(0x09));
	cr_assert_eq(cmos(0x32), 0x20, "century %#x", cmos(0x32));
	cr_assert_eq(cmos(0x06), 5, "weekday %u, Thursday is 5", cmos(0x06));
	outb(0x70, 0x0B);
	outb(0x71, 0x06);
	cr_assert_eq(cmos(0x00), 32, "binary seconds %u", cmos(0x00));
	cr_assert_eq(cmos(0x04), 13, "binary hours %u", cmos(0x04));
	cr_assert_eq(cmos(0x0D), 0x80, "status D: valid RAM");
}

Test(dev_rtc, uip_and_set, .init = boot,
    .description = "RTC: UIP shows just before a second ends; a guest write moves the clock")
{
	vplat_advance(&plat, SEC - 100000);
	cr_assert(cmos(0x0A) & 0x80, "UIP clear 100 us before the update");
	vplat_advance(&plat, SEC + 100000);
	cr_assert_eq(cmos(0x0A) & 0x80, 0, "UIP set just after the update");
	outb(0x70, 0x04);
	outb(0x71, 0x08);			/* 08 hours */
	cr_assert_eq(cmos(0x04), 0x08, "hours %#x after setting 08", cmos(0x04));
	cr_assert_eq(cmos(0x02), 0x45, "setting hours moved the minutes: %#x", cmos(0x02));
	outb(0x70, 0x8F);			/* NMI off, a CMOS byte */
	cr_assert(plat.rtc.nmi_disabled, "bit 7 of the index is the NMI mask");
}

Test(dev_rtc, memory_size, .init = boot,
    .description = "CMOS: base, extended and above-16MB memory sizes as a BIOS leaves them")
{
	cr_assert_eq(cmos(0x15) | cmos(0x16) << 8, 640, "base memory KB");
	cr_assert_eq(cmos(0x17) | cmos(0x18) << 8, 0xFFFF, "extended KB (capped)");
	cr_assert_eq(cmos(0x34) | cmos(0x35) << 8, (224 - 16) * 16, "64 KB blocks above 16 MB");
}

static void
cmos_write(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

Test(dev_rtc, set_freezes_raw_bytes, .init = boot,
    .description = "RTC: under SET the clock stops and the time bytes read as written (even 0x99); clearing SET starts it from them")
{
	cmos_write(0x0B, 0x82);
	cmos_write(0x00, 0x99);
	cmos_write(0x02, 0x15); cmos_write(0x04, 0x16); cmos_write(0x06, 0x05);
	cmos_write(0x07, 0x15); cmos_write(0x08, 0x06); cmos_write(0x09, 0x24);
	vplat_advance(&plat, 3 * SEC);
	cr_assert_eq(cmos(0x00), 0x99, "seconds %#x under SET: the raw byte", cmos(0x00));
	cr_assert_eq(cmos(0x06), 0x05, "weekday %#x under SET: the raw byte", cmos(0x06));
	cr_assert_eq(cmos(0x04) << 8 | cmos(0x02), 0x1615, "hours, minutes under SET");
	cr_assert_eq(cmos(0x0A) & 0x80, 0, "UIP under SET");
	cmos_write(0x00, 0x30);
	cmos_write(0x0B, 0x02);
	cr_assert_eq(cmos(0x00), 0x30, "seconds %#x right after SET", cmos(0x00));
	cr_assert_eq(cmos(0x09) << 16 | cmos(0x08) << 8 | cmos(0x07), 0x240615, "the date set");
	cr_assert_eq(cmos(0x06), 7, "weekday %u: 2024-06-15 is a Saturday, whatever was written", cmos(0x06));
	vplat_advance(&plat, 5 * SEC);
	cr_assert_eq(cmos(0x00), 0x32, "seconds %#x two seconds on: the clock runs again", cmos(0x00));
}

Test(dev_rtc, set_in_binary, .init = boot,
    .description = "RTC: bytes under SET are read in the format of B before SET ends, as on QEMU; overflowing fields carry")
{
	/* The 13th month of 2024 is January 2025, as QEMU's mktime has it. */
	cmos_write(0x0B, 0x82);
	cmos_write(0x08, 0x13);
	cmos_write(0x0B, 0x02);
	cr_assert_eq(cmos(0x08), 0x01, "month %#x after writing 13", cmos(0x08));
	cr_assert_eq(cmos(0x09), 0x25, "year %#x after month 13 of 2024", cmos(0x09));
	cmos_write(0x0B, 0x86);			/* SET, binary, 24 hours */
	cmos_write(0x04, 20); cmos_write(0x02, 5); cmos_write(0x00, 10);
	cmos_write(0x0B, 0x02);			/* back to BCD as SET ends */
	cr_assert_eq(cmos(0x04) << 8 | cmos(0x02), 0x2005, "%02x:%02x, expected 20:05 in BCD",
	    cmos(0x04), cmos(0x02));
	/* The year byte frozen as BCD 0x25 was taken as binary 37. */
	cr_assert_eq(cmos(0x09), 0x37, "year %#x: the frozen byte read as binary", cmos(0x09));
}

Test(dev_rtc, update_flag, .init = boot,
    .description = "RTC: status C's UF shows that a second's update ended since C was read; SET clears UIE")
{
	(void) cmos(0x0C);
	cr_assert_eq(cmos(0x0C), 0, "status C %#x read twice at once", cmos(0x0C));
	vplat_advance(&plat, 1500 * MS);
	cr_assert_eq(cmos(0x0C), 0x10, "status C %#x a second on: UF", cmos(0x0C));
	cr_assert_eq(cmos(0x0C), 0, "reading C did not clear UF");
	cmos_write(0x0B, 0x12);			/* UIE */
	vplat_advance(&plat, 2500 * MS);
	cr_assert_eq(cmos(0x0C), 0x90, "status C %#x with UIE: UF and IRQF", cmos(0x0C));
	cmos_write(0x0B, 0x92);
	cr_assert_eq(cmos(0x0B), 0x82, "B %#x: SET must clear UIE", cmos(0x0B));
	vplat_advance(&plat, 4500 * MS);
	cr_assert_eq(cmos(0x0C), 0, "status C %#x under SET: no updates", cmos(0x0C));
	cmos_write(0x0A, 0xA6);
	cr_assert_eq(cmos(0x0A), 0x26, "A %#x: UIP is read-only", cmos(0x0A));
}

Test(dev_rtc, century_and_disks, .init = boot,
    .description = "CMOS: the PS/2 century byte, and the slave's type and geometry at 0x12, 0x1A and 0x24")
{
	uint8_t cmos_bytes[0x33];

	cr_assert_eq(cmos(0x37), 0x20, "PS/2 century %#x", cmos(0x37));
	cr_assert_eq(cmos(0x12), 0x0F, "disk types %#x: no master, slave type 15", cmos(0x12));
	cr_assert_eq(cmos(0x19), 0, "master's extended type %u", cmos(0x19));
	cr_assert_eq(cmos(0x1A), 47, "slave's extended type %u: user defined", cmos(0x1A));
	cr_assert_eq(cmos(0x24) | cmos(0x25) << 8, 2, "slave's cylinders");
	cr_assert_eq(cmos(0x26), 16, "slave's heads");
	cr_assert_eq(cmos(0x27) | cmos(0x28) << 8, 0xFFFF, "write precompensation");
	cr_assert_eq(cmos(0x29), 0xC8, "control byte %#x: more than 8 heads", cmos(0x29));
	cr_assert_eq(cmos(0x2C), 63, "slave's sectors per track");
	/* The conversion the board uses to start the clock from the host's. */
	memset(cmos_bytes, 0, sizeof(cmos_bytes));
	cmos_bytes[0x00] = 0x30; cmos_bytes[0x02] = 0x45; cmos_bytes[0x04] = 0x13;
	cmos_bytes[0x07] = 0x29; cmos_bytes[0x08] = 0x02; cmos_bytes[0x09] = 0x24;
	cmos_bytes[0x0B] = 0x02; cmos_bytes[0x32] = 0x20;
	cr_assert_eq(vrtc_unix_time(cmos_bytes), EPOCH, "vrtc_unix_time %llu",
	    (unsigned long long) vrtc_unix_time(cmos_bytes));
	cmos_bytes[0x32] = 0;
	cr_assert_eq(vrtc_unix_time(cmos_bytes), EPOCH, "no century byte: the 2000s");
}

/* ---------------------------------------------------------------- CGA, keyboard */

Test(dev_cga, cursor, .init = boot,
    .description = "CGA: guest_xv6's setcursor/getcursor through the CRTC index/data ports")
{
	outb(0x3D4, 14);
	outb(0x3D5, 0x07);
	outb(0x3D4, 15);
	outb(0x3D5, 0xD0);
	outb(0x3D4, 14);
	cr_assert_eq(inb(0x3D5), 0x07, "cursor high");
	outb(0x3D4, 15);
	cr_assert_eq(inb(0x3D5), 0xD0, "cursor low");
	cr_assert_eq(vcga_cursor(&plat.cga), 0x7D0, "vcga_cursor %#x", vcga_cursor(&plat.cga));
	cr_assert_neq(inb(0x3DA) & 0x08, inb(0x3DA) & 0x08, "status port must toggle retrace");
}

Test(dev_kbd, scancodes, .init = boot,
    .description = "keyboard: a scancode sets OBF and raises IRQ 1; reading 0x60 takes it")
{
	cr_assert_eq(inb(0x64) & 1, 0, "OBF with nothing typed");
	vplat_kbd_input(&plat, 0x1E);		/* 'a' pressed */
	vplat_kbd_input(&plat, 0x9E);		/* released */
	cr_assert(inb(0x64) & 1, "no OBF after a key");
	cr_assert(line(1), "no IRQ 1");
	cr_assert_eq(inb(0x60), 0x1E, "make code");
	cr_assert_eq(inb(0x60), 0x9E, "break code");
	cr_assert(!line(1), "IRQ 1 still up with the buffer empty");
	outb(0x64, 0xAA);
	cr_assert_eq(inb(0x60), 0x55, "controller self-test");
	outb(0x60, 0xFF);
	cr_assert_eq(inb(0x60), 0xFA, "keyboard reset ACK");
	cr_assert_eq(inb(0x60), 0xAA, "keyboard self-test passed");
}

Test(dev_cga, vga_registers, .init = boot,
    .description = "CRTC: QEMU's VGA in text mode 3: 25 registers, an 8-bit index, storage at every index, R0-R7 protection")
{
	static const uint8_t mode3[25] = {
		0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E,
		0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
	};
	int i;

	for (i = 0; i < 25; i++) {
		outb(0x3D4, i);
		cr_assert_eq(inb(0x3D5), mode3[i], "R%d reads %#x, mode 3 has %#x", i, inb(0x3D5), mode3[i]);
	}
	outb(0x3D4, 0xFF);
	cr_assert_eq(inb(0x3D4), 0xFF, "index %#x after writing 0xFF", inb(0x3D4));
	cr_assert_eq(inb(0x3D5), 0x00, "data at index 0xFF before a write");
	outb(0x3D4, 0x3F);
	outb(0x3D5, 0x55);
	cr_assert_eq(inb(0x3D5), 0x55, "index 0x3F does not keep what was written");
	outb(0x3D4, 0x11);
	outb(0x3D5, 0x8E);			/* protect R0-R7 */
	outb(0x3D4, 0x01);
	outb(0x3D5, 0x33);
	cr_assert_eq(inb(0x3D5), 0x4F, "R1 %#x changed under protection", inb(0x3D5));
	outb(0x3D4, 0x07);
	outb(0x3D5, 0x00);
	cr_assert_eq(inb(0x3D5), 0x0F, "R7 %#x under protection: only bit 4 is writable", inb(0x3D5));
	outb(0x3D4, 0x11);
	outb(0x3D5, 0x0E);
	outb(0x3D4, 0x01);
	outb(0x3D5, 0x33);
	cr_assert_eq(inb(0x3D5), 0x33, "R1 %#x unprotected", inb(0x3D5));
}

Test(dev_kbd, controller_as_qemu, .init = boot,
    .description = "keyboard: status 0x1C, configuration byte 0x61, the mouse port's commands, output port 0xCF")
{
	cr_assert_eq(inb(0x64), 0x1C, "status %#x at reset", inb(0x64));
	outb(0x64, 0x20);
	cr_assert_eq(inb(0x64), 0x1D, "status %#x with a reply waiting", inb(0x64));
	cr_assert_eq(inb(0x60), 0x61, "configuration byte %#x", inb(0x60));
	outb(0x64, 0xA8);
	outb(0x64, 0x20);
	cr_assert_eq(inb(0x60), 0x41, "configuration byte %#x with the mouse enabled", inb(0x60));
	outb(0x64, 0xA7);
	outb(0x64, 0x20);
	cr_assert_eq(inb(0x60), 0x61, "configuration byte %#x with the mouse disabled", inb(0x60));
	outb(0x64, 0xA9);
	cr_assert_eq(inb(0x60), 0x00, "mouse interface test");
	outb(0x64, 0xD0);
	cr_assert_eq(inb(0x60), 0xCF, "output port");
	outb(0x64, 0x60);
	outb(0x60, 0x65);
	cr_assert_eq(inb(0x64), 0x1C, "status %#x after a data write: QEMU keeps bit 3", inb(0x64));
}

/* ---------------------------------------------------------------- ports */

Test(dev_ports, debug_exit, .init = boot,
    .description = "debug exit: a 4-byte write to 0xF4 ends the run with that status")
{
	uint32_t st = 99;

	cr_assert(!vplat_exit_requested(&plat, &st), "exit requested before any write");
	vplat_pio_out(&plat, 0xF4, 4, 3);
	cr_assert(vplat_exit_requested(&plat, &st), "no exit after writing 0xF4");
	cr_assert_eq(st, 3, "exit status %u, wrote 3", st);
	vplat_pio_out(&plat, 0xF4, 4, 7);
	vplat_exit_requested(&plat, &st);
	cr_assert_eq(st, 3, "a second write changed the status to %u", st);
}

Test(dev_ports, unknown_and_post, .init = boot,
    .description = "ports: unclaimed ports read all ones and are counted; port 0x80 is counted apart")
{
	cr_assert_eq(vplat_pio_in(&plat, 0x2F8, 1), 0xFF, "inb of an unclaimed port");
	cr_assert_eq(vplat_pio_in(&plat, 0x2F8, 2), 0xFFFF, "inw of an unclaimed port");
	cr_assert_eq(vplat_pio_in(&plat, 0x2F8, 4), 0xFFFFFFFF, "inl of an unclaimed port");
	vplat_pio_out(&plat, 0x2F9, 1, 0);
	cr_assert_eq(plat.stats.unknown_in, 3, "unknown_in %llu", (unsigned long long) plat.stats.unknown_in);
	cr_assert_eq(plat.stats.unknown_out, 1, "unknown_out %llu", (unsigned long long) plat.stats.unknown_out);
	cr_assert_eq(plat.stats.last_unknown_port, 0x2F9, "last unknown port %#x", plat.stats.last_unknown_port);
	(void) inb(0x80);
	outb(0x80, 0x42);
	cr_assert_eq(plat.stats.post, 2, "port 0x80 accesses %llu", (unsigned long long) plat.stats.post);
	cr_assert_eq(plat.stats.unknown_in, 3, "port 0x80 counted as unknown");
	cr_assert_eq(vplat_pio_in(&plat, 0x3F8 + 5, 2) & 0x20, 0x20, "a word read of LSR splits into bytes");
}

Test(dev_ports, as_on_qemu, .init = boot,
    .description = "ports: 0x80 reads all ones, the debug exit reads 0, 0x92 shows A20, no IMCR at 0x22/0x23")
{
	outb(0x80, 0x42);
	cr_assert_eq(inb(0x80), 0xFF, "port 0x80 reads %#x after a write", inb(0x80));
	cr_assert_eq(plat.stats.post, 2, "port 0x80 accesses %llu", (unsigned long long) plat.stats.post);
	cr_assert_eq(vplat_pio_in(&plat, 0xF4, 1), 0, "debug exit byte");
	cr_assert_eq(vplat_pio_in(&plat, 0xF4, 4), 0, "debug exit dword");
	cr_assert_eq(vplat_pio_in(&plat, 0xF7, 1), 0, "debug exit's last port");
	cr_assert(!vplat_exit_requested(&plat, NULL), "a read of 0xF4 ended the run");
	cr_assert_eq(inb(0x92), 0x02, "port 0x92 %#x at reset", inb(0x92));
	cr_assert_eq(plat.stats.unknown_in, 0, "a QEMU port counted as unknown");
	outb(0x22, 0x70);
	outb(0x23, 0x00);
	cr_assert_eq(inb(0x22), 0xFF, "IMCR select reads %#x: QEMU has no IMCR", inb(0x22));
	cr_assert_eq(inb(0x23), 0xFF, "IMCR data reads %#x", inb(0x23));
	cr_assert_eq(plat.stats.unknown_in, 2, "0x22/0x23 not counted as unknown");
}

/* ---------------------------------------------------------------- MP tables */

static uint8_t
sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static uint32_t
le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
}

/* The MP specification's search, as guest_xv6 does it: EBDA, then the ROM. */
static const uint8_t *
find_mpfloat(const uint8_t *ram)
{
	uint32_t ebda = (ram[0x40E] | ram[0x40F] << 8) << 4, p;

	cr_assert_neq(ebda, 0, "BDA 0x40E holds no EBDA segment");
	for (p = ebda; p < ebda + 1024; p += 16)
		if (memcmp(ram + p, "_MP_", 4) == 0 && sum(ram + p, 16) == 0)
			return ram + p;
	for (p = 0xF0000; p < 0x100000; p += 16)
		if (memcmp(ram + p, "_MP_", 4) == 0 && sum(ram + p, 16) == 0)
			return ram + p;
	return NULL;
}

/* vbios_setup's writer: a flat buffer of ram_len bytes standing for guest RAM. */
static uint32_t ram_len;

static int
ram_write(void *ctx, uint32_t gpa, const void *buf, uint32_t len)
{
	uint8_t *ram = ctx;

	if (gpa >= ram_len || len > ram_len - gpa)
		return -1;
	if (buf)
		memcpy(ram + gpa, buf, len);
	else
		memset(ram + gpa, 0, len);
	return 0;
}

Test(dev_bios, mp_tables, .init = boot,
    .description = "BIOS area: MP floating pointer and table with checksums, 1 CPU, ISA, the IOAPIC the model has")
{
	uint8_t *ram = calloc(1, 1 << 20);
	struct vbios_writer w = { ram_write, ram };
	const uint8_t *mp, *conf, *e, *end;
	int cpus = 0, ioapics = 0, buses = 0, ints = 0, pins[16];
	uint32_t ioapic_id;

	/* The tables live in the ROM area: 640 KB of RAM has no room. */
	ram_len = 0xA0000;
	cr_assert_eq(vbios_setup(&w, ram_len), -1, "vbios_setup took 640 KB");
	ram_len = 1 << 20;
	cr_assert_eq(vbios_setup(&w, ram_len), 0, "vbios_setup refused 1 MB");
	mp = find_mpfloat(ram);
	cr_assert_not_null(mp, "no MP floating pointer with a valid checksum");
	cr_assert_eq(mp[8], 1, "floating pointer length %u paragraphs", mp[8]);
	cr_assert(mp[9] == 1 || mp[9] == 4, "spec revision %u", mp[9]);
	cr_assert(le32(mp + 4) != 0 && le32(mp + 4) < (1 << 20), "table address %#x", le32(mp + 4));
	conf = ram + le32(mp + 4);
	cr_assert(memcmp(conf, "PCMP", 4) == 0, "no PCMP signature at %#x", le32(mp + 4));
	cr_assert(conf[6] == 1 || conf[6] == 4, "table version %u", conf[6]);
	cr_assert_eq(sum(conf, conf[4] | conf[5] << 8), 0, "table checksum");
	cr_assert_eq(le32(conf + 36), 0xFEE00000, "LAPIC address %#x", le32(conf + 36));
	memset(pins, -1, sizeof(pins));
	end = conf + (conf[4] | conf[5] << 8);
	for (e = conf + 44; e < end;) {
		switch (e[0]) {
		case 0:
			cr_assert_eq(e[1], 0, "CPU with LAPIC id %u", e[1]);
			cr_assert_eq(e[3] & 3, 3, "CPU flags %#x: enabled and bootstrap", e[3]);
			cpus++;
			e += 20;
			break;
		case 1:
			cr_assert(memcmp(e + 2, "ISA", 3) == 0, "bus type %.6s", e + 2);
			buses++;
			e += 8;
			break;
		case 2:
			ioapics++;
			ioapic_id = e[1];
			cr_assert_eq(le32(e + 4), 0xFEC00000, "IOAPIC address %#x", le32(e + 4));
			e += 8;
			break;
		case 3:
			cr_assert(e[5] < 16, "ISA IRQ %u", e[5]);
			pins[e[5]] = e[7];
			ints++;
			e += 8;
			break;
		case 4:
			e += 8;
			break;
		default:
			cr_assert_fail("unknown MP entry type %u at offset %td", e[0], e - conf);
		}
	}
	cr_assert_eq(e, end, "entries overrun the table's length");
	cr_assert_eq(cpus, 1, "%d CPUs", cpus);
	cr_assert_eq(buses, 1, "%d buses", buses);
	cr_assert_eq(ioapics, 1, "%d IOAPICs", ioapics);
	cr_assert_eq(conf[34] | conf[35] << 8, cpus + buses + ioapics + ints + 2, "entry count field");
	vplat_mmio_write(&plat, 0xFEC00000, 4, 0);
	cr_assert_eq(vplat_mmio_read(&plat, 0xFEC00010, 4) >> 24, ioapic_id,
	    "the IOAPIC's ID register disagrees with the table (guest_xv6 warns)");
	cr_assert_eq(pins[4], 4, "IRQ 4 goes to pin %d", pins[4]);
	cr_assert_eq(pins[14], 14, "IRQ 14 goes to pin %d", pins[14]);
	free(ram);
}
