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
	cr_assert(!line(4), "IRQ 4 must be gated by OUT2");
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
    .description = "IDE: guest_xv6's probe finds the slave; the absent master's status reads 0")
{
	outb(0x1F6, 0xE0 | (1 << 4));
	cr_assert_eq(inb(0x1F7) & 0xC0, 0x40, "slave status %#x, expected DRDY without BSY", inb(0x1F7));
	outb(0x1F6, 0xE0);
	cr_assert_eq(inb(0x1F7), 0, "absent master's status %#x", inb(0x1F7));
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
    .description = "IDE: 16-bit data reads work too; a count of 0 means 256 sectors (and is range-checked)")
{
	uint16_t w = 0;
	int i;

	ide_cmd(1, 0, 1, 0x20);
	for (i = 0; i < 256; i++)
		w = vplat_pio_in(&plat, 0x1F0, 2);
	cr_assert_eq(w, disk1[510] | disk1[511] << 8, "last word %#x", w);
	ide_cmd(1, 0, 0, 0x20);			/* 256 sectors: past this 64-sector disk */
	cr_assert_eq(inb(0x1F7) & 0x01, 0x01, "no ERR for a transfer past the end");
	cr_assert_eq(inb(0x1F1), 0x10, "error %#x, expected IDNF", inb(0x1F1));
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
    .description = "ports: unclaimed ports read all ones and are counted; port 0x80 is counted apart and reads all ones")
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
	cr_assert_eq(inb(0x80), 0xFF, "port 0x80 read back a write; QEMU's "
		     "reads all ones");
	cr_assert_eq(plat.stats.post, 3, "port 0x80 accesses %llu", (unsigned long long) plat.stats.post);
	cr_assert_eq(plat.stats.unknown_in, 3, "port 0x80 counted as unknown");
	cr_assert_eq(vplat_pio_in(&plat, 0x3F8 + 5, 2) & 0x20, 0x20, "a word read of LSR splits into bytes");
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
