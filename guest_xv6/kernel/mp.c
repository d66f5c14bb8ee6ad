/*
 * mp.c - find the CPUs and the IOAPIC through the BIOS's MP tables
 * (Intel MultiProcessor Specification 1.4).
 *
 * The floating pointer lies in the first KB of the EBDA, the last KB of
 * base memory, or the BIOS ROM; it points at the configuration table,
 * whose entries list processors, buses, IOAPICs and interrupt routing.
 * Only one CPU is ever started, but every one listed is recorded so that
 * mycpu() can map LAPIC IDs to per-CPU state.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

struct mpfloat {		/* floating pointer, "_MP_" */
	uchar signature[4];
	uint physaddr;		/* of the configuration table */
	uchar length;
	uchar specrev;
	uchar checksum;
	uchar type;
	uchar imcrp;		/* IMCR present: PIC mode at reset */
	uchar reserved[3];
};

struct mpconf {			/* configuration table header, "PCMP" */
	uchar signature[4];
	ushort length;
	uchar version;
	uchar checksum;
	uchar product[20];
	uint oemtable;
	ushort oemlength;
	ushort entry;
	uint lapicaddr;
	ushort xlength;
	uchar xchecksum;
	uchar reserved;
};

struct mpproc {
	uchar type;
	uchar apicid;
	uchar version;
	uchar flags;
	uchar signature[4];
	uint feature;
	uchar reserved[8];
};

struct mpioapic {
	uchar type;
	uchar apicno;
	uchar version;
	uchar flags;
	uint addr;
};

#define MPPROC		0x00
#define MPBUS		0x01
#define MPIOAPIC	0x02
#define MPIOINTR	0x03
#define MPLINTR		0x04

struct cpu cpus[NCPU];
int ncpu;
int ismp;
uchar ioapicid;

static uchar
sum(uchar *addr, int len)
{
	int i, s = 0;

	for (i = 0; i < len; i++)
		s += addr[i];
	return s;
}

static struct mpfloat *
mpsearch1(uint pa, int len)
{
	uchar *p, *e = P2V(pa + len);

	for (p = P2V(pa); p < e; p += sizeof(struct mpfloat))
		if (memcmp(p, "_MP_", 4) == 0 &&
		    sum(p, sizeof(struct mpfloat)) == 0)
			return (struct mpfloat *)p;
	return 0;
}

static struct mpfloat *
mpsearch(void)
{
	uchar *bda = (uchar *)P2V(0x400);
	struct mpfloat *mp;
	uint p;

	if ((p = ((bda[0x0F] << 8) | bda[0x0E]) << 4) != 0) {
		if ((mp = mpsearch1(p, 1024)) != 0)
			return mp;
	} else {
		p = ((bda[0x14] << 8) | bda[0x13]) * 1024;
		if ((mp = mpsearch1(p - 1024, 1024)) != 0)
			return mp;
	}
	return mpsearch1(0xF0000, 0x10000);
}

static struct mpconf *
mpconfig(struct mpfloat **pmp)
{
	struct mpfloat *mp;
	struct mpconf *conf;

	if ((mp = mpsearch()) == 0 || mp->physaddr == 0)
		return 0;
	if (mp->physaddr >= PHYSTOP)
		return 0;
	conf = (struct mpconf *)P2V(mp->physaddr);
	if (memcmp(conf, "PCMP", 4) != 0 ||
	    (conf->version != 1 && conf->version != 4) ||
	    sum((uchar *)conf, conf->length) != 0)
		return 0;
	*pmp = mp;
	return conf;
}

void
mpinit(void)
{
	struct mpfloat *mp;
	struct mpconf *conf;
	struct mpproc *proc;
	struct mpioapic *ioapic;
	uchar *p, *e;

	if ((conf = mpconfig(&mp)) == 0) {
		/* No tables: one CPU and the standard APIC addresses. */
		cprintf("guest_xv6: no MP tables, assuming one CPU\n");
		lapic = (uint *)0xFEE00000;
		ncpu = 1;
		return;
	}
	ismp = 1;
	lapic = (uint *)conf->lapicaddr;
	for (p = (uchar *)(conf + 1), e = (uchar *)conf + conf->length; p < e;) {
		switch (*p) {
		case MPPROC:
			proc = (struct mpproc *)p;
			if (ncpu < NCPU)
				cpus[ncpu++].apicid = proc->apicid;
			p += sizeof(struct mpproc);
			continue;
		case MPIOAPIC:
			ioapic = (struct mpioapic *)p;
			ioapicid = ioapic->apicno;
			p += sizeof(struct mpioapic);
			continue;
		case MPBUS:
		case MPIOINTR:
		case MPLINTR:
			p += 8;
			continue;
		default:
			cprintf("guest_xv6: unknown MP entry type %d\n", *p);
			p = e;
			break;
		}
	}
	if (ncpu == 0)
		ncpu = 1;
	if (mp->imcrp) {
		/* The IMCR routes interrupts to the 8259s: send them to the
		 * APIC instead. */
		outb(0x22, 0x70);
		outb(0x23, inb(0x23) | 1);
	}
}
