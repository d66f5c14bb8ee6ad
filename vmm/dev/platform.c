/*
 * platform.c - the virtual PC's board: which device answers which port
 * and which MMIO page, and how interrupt lines reach the CPU.
 *
 * The paper's section 2: a VMM must emulate the devices the guest touches;
 * this file is where a trapped `in`, `out` or MMIO access finds its
 * device.  Section 6's `in` nanobenchmark reads port 0x80, so that port
 * is modelled (and counted) rather than left to the unknown-port path.
 *
 * The small ports read as on QEMU's pc machine (measured): port 0x80
 * reads all ones whatever was written, the debug exit reads 0, port 0x92
 * shows A20 on, and there is no IMCR at 0x22/0x23 (QEMU has none, so the
 * APIC path is always open, and our MP table says so).
 *
 * The wiring is a PC's: ISA IRQ n goes to 8259 input n and to IOAPIC pin
 * n (the MP table says so); the 8259 pair reaches the CPU directly while
 * the LAPIC is not in use, and through LINT0 when that is ExtINT.  On an
 * ISA bus a 16- or 32-bit access to a byte-wide device becomes byte
 * accesses to consecutive ports; only the IDE data port and the
 * debug-exit port are wider.
 */
#include "vmm/dev/platform.h"
#include "kern/string.h"

#define PORT92_A20	0x02

/* Every device line lands here: the board fans it out to both controllers. */
static void
set_line(void *ctx, int line, int level)
{
	struct vplatform *p = ctx;

	if (level)
		p->lines |= 1u << line;
	else
		p->lines &= ~(1u << line);
	vpic_set_irq(&p->pic, line, level);
	vioapic_set_irq(&p->ioapic, line, level);
}

static void
lapic_eoi_level(void *ctx, int vector)
{
	vioapic_eoi(&((struct vplatform *) ctx)->ioapic, vector);
}

int
vplat_init(struct vplatform *p, const struct vplat_config *cfg)
{
	struct virq line = { set_line, p, 0 };
	uint16_t cyls;
	uint8_t heads, spt;
	int i;

	if (!cfg)
		return -1;
	memset(p, 0, sizeof(*p));
	p->now_ns = cfg->now_ns;
	/* Controllers first: devices may drive their lines while resetting. */
	vpic_init(&p->pic);
	vlapic_init(&p->lapic, 0, cfg->now_ns);
	p->lapic.eoi_level = lapic_eoi_level;
	p->lapic.eoi_ctx = p;
	vioapic_init(&p->ioapic, &p->lapic);
	line.line = VUART_IRQ;
	vuart_init(&p->uart, cfg->console_out, cfg->console_arg, line);
	vcga_init(&p->cga);
	line.line = VKBD_IRQ;
	vkbd_init(&p->kbd, line);
	line.line = VPIT_IRQ;
	vpit_init(&p->pit, line, cfg->now_ns);
	vrtc_init(&p->rtc, cfg->rtc_epoch, cfg->ram_bytes);
	vrtc_advance(&p->rtc, cfg->now_ns);
	line.line = VIDE_IRQ;
	vide_init(&p->ide, line);
	for (i = 0; i < 2; i++) {
		if (!cfg->disk[i].data)
			continue;
		if (cfg->disk[i].bytes % VIDE_SECTOR)
			return -1;
		vide_attach(&p->ide, i, cfg->disk[i].data, cfg->disk[i].bytes,
		    cfg->disk[i].readonly);
		vide_geometry(cfg->disk[i].bytes / VIDE_SECTOR, &cyls, &heads, &spt);
		vrtc_set_disk(&p->rtc, i, cyls, heads, spt);
	}
	/* No BIOS runs: leave the devices as QEMU and its BIOS leave them. */
	vide_after_bios(&p->ide);
	p->port92 = PORT92_A20;
	vdebugexit_init(&p->exit);
	return 0;
}

/* A byte-wide port; false if no device claims it. */
static bool
in8(struct vplatform *p, uint16_t port, uint8_t *v)
{
	switch (port) {
	case 0x20: case 0x21: case 0xA0: case 0xA1: case VPIC_ELCR: case VPIC_ELCR + 1:
		*v = vpic_read(&p->pic, port);
		return true;
	case 0x40: case 0x41: case 0x42: case 0x43: case 0x61:
		*v = vpit_read(&p->pit, port);
		return true;
	case 0x60: case 0x64:
		*v = vkbd_read(&p->kbd, port);
		return true;
	case 0x70: case 0x71:
		*v = vrtc_read(&p->rtc, port);
		return true;
	case VPLAT_POST:
		p->stats.post++;
		*v = 0xFF;	/* a read gives all ones on QEMU */
		return true;
	case VDEBUGEXIT_PORT: case VDEBUGEXIT_PORT + 1:
	case VDEBUGEXIT_PORT + 2: case VDEBUGEXIT_PORT + 3:
		*v = 0;		/* QEMU's isa-debug-exit reads 0 */
		return true;
	case 0x92:
		*v = p->port92;
		return true;
	case VCGA_CRTC_INDEX: case VCGA_CRTC_DATA: case VCGA_STATUS:
		*v = vcga_read(&p->cga, port);
		return true;
	case VIDE_CTRL:
		*v = (uint8_t) vide_read(&p->ide, port, 1);
		return true;
	}
	if (port >= VUART_BASE && port < VUART_BASE + 8) {
		*v = vuart_read(&p->uart, port - VUART_BASE);
		return true;
	}
	if (port > VIDE_BASE && port < VIDE_BASE + 8) {
		*v = (uint8_t) vide_read(&p->ide, port, 1);
		return true;
	}
	return false;
}

static bool
out8(struct vplatform *p, uint16_t port, uint8_t v)
{
	switch (port) {
	case 0x20: case 0x21: case 0xA0: case 0xA1: case VPIC_ELCR: case VPIC_ELCR + 1:
		vpic_write(&p->pic, port, v);
		return true;
	case 0x40: case 0x41: case 0x42: case 0x43: case 0x61:
		vpit_write(&p->pit, port, v);
		return true;
	case 0x60: case 0x64:
		vkbd_write(&p->kbd, port, v);
		return true;
	case 0x70: case 0x71:
		vrtc_write(&p->rtc, port, v);
		return true;
	case VPLAT_POST:
		p->stats.post++;
		p->post_code = v;
		return true;
	case 0x92:
		/* Fast A20 is always on here; the reset bit is not modelled. */
		p->port92 = (v & ~1) | PORT92_A20;
		return true;
	case VCGA_CRTC_INDEX: case VCGA_CRTC_DATA: case VCGA_STATUS:
		vcga_write(&p->cga, port, v);
		return true;
	case VIDE_CTRL:
		vide_write(&p->ide, port, 1, v);
		return true;
	case VDEBUGEXIT_BOCHS:
		vdebugexit_write(&p->exit, port, v);
		return true;
	}
	if (port >= VUART_BASE && port < VUART_BASE + 8) {
		vuart_write(&p->uart, port - VUART_BASE, v);
		return true;
	}
	if (port > VIDE_BASE && port < VIDE_BASE + 8) {
		vide_write(&p->ide, port, 1, v);
		return true;
	}
	return false;
}

static uint32_t
ones(int size)
{
	return size >= 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
}

uint32_t
vplat_pio_in(struct vplatform *p, uint16_t port, int size)
{
	uint32_t v = 0;
	uint8_t b;
	int i;

	p->stats.pio_in++;
	if (size != 1 && size != 2 && size != 4)
		size = 1;
	if (port == VIDE_BASE)
		return vide_read(&p->ide, port, size);
	for (i = 0; i < size; i++) {
		if (!in8(p, port + i, &b)) {
			if (i == 0) {
				p->stats.unknown_in++;
				p->stats.last_unknown_port = port;
			}
			b = 0xFF;
		}
		v |= (uint32_t) b << (8 * i);
	}
	return v;
}

void
vplat_pio_out(struct vplatform *p, uint16_t port, int size, uint32_t val)
{
	int i;

	p->stats.pio_out++;
	if (size != 1 && size != 2 && size != 4)
		size = 1;
	if (port == VIDE_BASE) {
		vide_write(&p->ide, port, size, val);
		return;
	}
	if (port == VDEBUGEXIT_PORT) {
		vdebugexit_write(&p->exit, port, val & ones(size));
		return;
	}
	for (i = 0; i < size; i++) {
		if (!out8(p, port + i, (uint8_t) (val >> (8 * i))) && i == 0) {
			p->stats.unknown_out++;
			p->stats.last_unknown_port = port;
		}
	}
}

bool
vplat_is_mmio(uint32_t gpa)
{
	return (gpa & ~0xFFFu) == VLAPIC_BASE || (gpa & ~0xFFFu) == VIOAPIC_BASE;
}

/* Registers are 32 bits wide and 16-byte aligned; narrower reads take a slice. */
uint32_t
vplat_mmio_read(struct vplatform *p, uint32_t gpa, int size)
{
	uint32_t off = gpa & 0xFFF, v;

	p->stats.mmio_read++;
	if ((off & 3) + size > 4 || (size != 1 && size != 2 && size != 4)) {
		p->stats.unknown_mmio++;
		return ones(size);
	}
	if ((gpa & ~0xFFFu) == VLAPIC_BASE)
		v = vlapic_read(&p->lapic, off & ~3u);
	else if ((gpa & ~0xFFFu) == VIOAPIC_BASE)
		v = vioapic_read(&p->ioapic, off & ~3u);
	else {
		p->stats.unknown_mmio++;
		return ones(size);
	}
	return (v >> (8 * (off & 3))) & ones(size);
}

void
vplat_mmio_write(struct vplatform *p, uint32_t gpa, int size, uint32_t val)
{
	uint32_t off = gpa & 0xFFF;

	p->stats.mmio_write++;
	if ((gpa & ~0xFFFu) == VIOAPIC_BASE && off == 0 && size == 1) {
		vioapic_write(&p->ioapic, 0, val & 0xFF);	/* IOREGSEL is byte-writable */
		return;
	}
	/* The APICs ignore partial writes; count them so a guest doing them shows. */
	if (size != 4 || (off & 3)) {
		p->stats.unknown_mmio++;
		return;
	}
	if ((gpa & ~0xFFFu) == VLAPIC_BASE)
		vlapic_write(&p->lapic, off, val);
	else if ((gpa & ~0xFFFu) == VIOAPIC_BASE)
		vioapic_write(&p->ioapic, off, val);
	else
		p->stats.unknown_mmio++;
}

void
vplat_advance(struct vplatform *p, uint64_t now_ns)
{
	if (now_ns < p->now_ns)
		now_ns = p->now_ns;	/* time never runs backwards for the guest */
	p->now_ns = now_ns;
	vpit_advance(&p->pit, now_ns);
	vlapic_advance(&p->lapic, now_ns);
	vrtc_advance(&p->rtc, now_ns);
}

uint64_t
vplat_next_deadline(const struct vplatform *p)
{
	return MIN(vpit_deadline(&p->pit), vlapic_deadline(&p->lapic));
}

/* Does the 8259's INTR reach the CPU, and bypassing the LAPIC's priorities? */
static bool
pic_routed(const struct vplatform *p)
{
	uint32_t lint0 = p->lapic.lvt[LVT_LINT0];

	if (!vlapic_enabled(&p->lapic))
		return true;
	return !(lint0 & VLAPIC_LVT_MASKED) && (lint0 & 0x700) == 0x700;
}

int
vplat_pending_interrupt(const struct vplatform *p)
{
	int v;

	if (pic_routed(p) && (v = vpic_pending(&p->pic)) >= 0)
		return v;
	return vlapic_pending(&p->lapic);
}

int
vplat_ack_interrupt(struct vplatform *p)
{
	int v = -1;

	if (pic_routed(p) && vpic_intr(&p->pic))
		v = vpic_ack(&p->pic);
	else
		v = vlapic_ack(&p->lapic);
	if (v >= 0)
		p->stats.injected++;
	return v;
}

bool
vplat_exit_requested(const struct vplatform *p, uint32_t *status)
{
	if (p->exit.requested && status)
		*status = p->exit.status;
	return p->exit.requested;
}

bool
vplat_uart_input(struct vplatform *p, uint8_t c)
{
	return vuart_input(&p->uart, c);
}

bool
vplat_kbd_input(struct vplatform *p, uint8_t scancode)
{
	return vkbd_input(&p->kbd, scancode);
}

const struct vlapic *
vplat_lapic(const struct vplatform *p)
{
	return &p->lapic;
}
