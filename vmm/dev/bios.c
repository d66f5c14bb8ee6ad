/*
 * bios.c - the few bytes a PC BIOS leaves in low memory that a guest
 * looks for, since no BIOS runs before the guest here.
 *
 * guest_xv6 finds its CPUs and IOAPIC through the MP tables (Intel
 * MultiProcessor Specification 1.4): it searches for the floating pointer
 * "_MP_" with a zero checksum in the EBDA's first KB (segment at BDA
 * 0x40E), then in the last KB of base memory, then in the BIOS ROM at
 * 0xF0000-0xFFFFF, and follows it to the "PCMP" configuration table.
 * Without them it falls back to one CPU; with them, it checks the
 * IOAPIC's ID against the table's.  The paper's section 2: a VMM presents
 * the platform the guest expects.
 *
 * The tables go where a PC BIOS puts them, in the ROM area at 0xF0000,
 * so that the EBDA stays a BIOS's scratch space and the last search
 * finds them, as on QEMU's SeaBIOS.  Guest memory is not one block the
 * code here can point into (the monitor's is page by page, the unit
 * tests' a calloc), so everything is built in small buffers and handed
 * to the caller's writer.
 *
 * The table describes this platform exactly: one CPU (LAPIC id 0,
 * bootstrap), an ISA bus, one IOAPIC (id VIOAPIC_ID at 0xFEC00000), ISA
 * IRQ n on IOAPIC pin n, and the 8259 on LINT0 (ExtINT), NMI on LINT1.
 * The floating pointer says no IMCR: virtual-wire mode.
 */
#include "vmm/dev/vbios.h"
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vioapic.h"
#include "kern/string.h"

#define BDA		0x400
#define MP_PROC		0
#define MP_BUS		1
#define MP_IOAPIC	2
#define MP_IOINTR	3
#define MP_LINTR	4
#define NISA		16

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint8_t
checksum(const uint8_t *p, unsigned n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return -s;
}

/* An 8-byte interrupt entry (I/O or local). */
static uint8_t *
intr_entry(uint8_t *e, uint8_t type, uint8_t kind, uint8_t irq, uint8_t dst, uint8_t pin)
{
	e[0] = type;
	e[1] = kind;		/* 0 INT, 1 NMI, 3 ExtINT */
	put16(e + 2, 0);	/* polarity and trigger: as the bus says (ISA: high, edge) */
	e[4] = 0;		/* the ISA bus */
	e[5] = irq;
	e[6] = dst;
	e[7] = pin;
	return e + 8;
}

/* Builds the table in t (VBIOS_MPCONF_MAX bytes); returns its length. */
static unsigned
mp_config(uint8_t *t)
{
	uint8_t *e = t + 44;	/* after the header */
	unsigned irq, n = 0;

	memcpy(t, "PCMP", 4);
	t[6] = 4;		/* specification 1.4 */
	memcpy(t + 8, "TEACHVMM", 8);
	memcpy(t + 16, "PC          ", 12);
	put32(t + 36, VLAPIC_BASE);

	e[0] = MP_PROC;
	e[1] = 0;		/* LAPIC id */
	e[2] = VLAPIC_VERSION & 0xFF;
	e[3] = 0x03;		/* enabled, bootstrap */
	put32(e + 4, 0x00000600);	/* family 6 */
	put32(e + 8, 0x00000201);	/* FPU, APIC */
	e += 20, n++;

	e[0] = MP_BUS;
	e[1] = 0;
	memcpy(e + 2, "ISA   ", 6);
	e += 8, n++;

	e[0] = MP_IOAPIC;
	e[1] = VIOAPIC_ID;
	e[2] = VIOAPIC_VERSION & 0xFF;
	e[3] = 0x01;		/* usable */
	put32(e + 4, VIOAPIC_BASE);
	e += 8, n++;

	/* IRQ 2 is the 8259 cascade: no device is behind it. */
	for (irq = 0; irq < NISA; irq++, n++)
		if (irq != 2)
			e = intr_entry(e, MP_IOINTR, 0, irq, VIOAPIC_ID, irq);
		else
			n--;
	e = intr_entry(e, MP_LINTR, 3, 0, 0xFF, 0);
	e = intr_entry(e, MP_LINTR, 1, 0, 0xFF, 1);
	n += 2;

	put16(t + 4, e - t);
	put16(t + 34, n);
	t[7] = checksum(t, e - t);
	return e - t;
}

int
vbios_setup(const struct vbios_writer *w, uint32_t ram_bytes)
{
	uint8_t bda[0x100], conf[VBIOS_MPCONF_MAX], mp[16];
	uint8_t ebda_size = 1;	/* the EBDA's size in KB: its first byte, by convention */
	unsigned n;

	if (ram_bytes < 0x100000)
		return -1;
	/* BIOS data area: COM1's port, the EBDA's segment, base memory in KB. */
	memset(bda, 0, sizeof(bda));
	put16(bda + 0x00, 0x3F8);
	put16(bda + 0x0E, VBIOS_EBDA >> 4);
	put16(bda + 0x13, VBIOS_EBDA / 1024);
	put16(bda + 0x63, 0x3D4);	/* the CRTC's port: a colour display */

	memset(conf, 0, sizeof(conf));
	n = mp_config(conf);

	memset(mp, 0, sizeof(mp));
	memcpy(mp, "_MP_", 4);
	put32(mp + 4, VBIOS_MPCONF);
	mp[8] = 1;		/* length in 16-byte units */
	mp[9] = 4;		/* specification 1.4 */
	mp[11] = 0;		/* a configuration table follows, no default config */
	mp[12] = 0;		/* no IMCR: virtual-wire mode */
	mp[10] = checksum(mp, 16);

	if (w->write(w->ctx, BDA, bda, sizeof(bda)) < 0 ||
	    w->write(w->ctx, VBIOS_EBDA, NULL, 1024) < 0 ||
	    w->write(w->ctx, VBIOS_EBDA, &ebda_size, 1) < 0 ||
	    w->write(w->ctx, VBIOS_MPCONF, conf, n) < 0 ||
	    w->write(w->ctx, VBIOS_MPFLOAT, mp, sizeof(mp)) < 0)
		return -1;
	return 0;
}
