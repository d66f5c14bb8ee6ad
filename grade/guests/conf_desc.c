/*
 * conf_desc.c - descriptor tables as the CPU reads them: at every load.
 *
 * The CPU reads a descriptor from the GDT or LDT when a segment register
 * is loaded, and keeps it in the register until the next load.  So a
 * kernel may rewrite its GDT after lgdt and load the new entry, and a
 * register it loaded before keeps the old descriptor.  A monitor that
 * shadows the GDT must follow (vmm/ringcomp/shadowdt.c): here natively
 * and under the monitor, every line must be the same (grade/conf_desc.c).
 *
 * The GDT has a page to itself, so that the monitor can watch it; a
 * second part writes beside it in the same page until the monitor gives
 * up watching and compares instead, and checks again.  Then every way a
 * segment load can fail, with the exception and error code of the SDM
 * (vol. 3, 5.10 and the mov/pop pages): null into SS, a selector beyond
 * the table, not present, the wrong type, the wrong privilege; and LDT
 * selectors, which a shadowing monitor cannot let the CPU load itself.
 */
#include "grade/guests/guest.h"

#define FSEG	0x28	/* the data segment the checks rewrite */
#define NPDATA	0x30	/* a data segment, not present */
#define XCODE	0x38	/* an execute-only code segment */
#define RODATA	0x40	/* a read-only data segment */
#define UDATA	0x48	/* a data segment of DPL 3 */
#define NGDT	16

/* The GDT and, past its limit, the rest of its page. */
static uint64_t gdt_page[512] __attribute__((aligned(4096)));
static uint64_t ldt[4] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[32] __attribute__((aligned(8)));
static uint32_t area_a[4] = { 0xaaaa0000, 0xaaaa0001 };
static uint32_t area_b[4] = { 0xbbbb0000, 0xbbbb0001 };

/* A byte-granular 32-bit data segment of 16 bytes at base. */
static uint64_t
data16(const void *base, uint8_t access)
{
	return desc((uint32_t) base, 15, access, 0x4);
}

static void
setup(void)
{
	uint64_t *gdt = gdt_page;

	gflat_gdt(gdt, tss, sizeof(tss), ldt, sizeof(ldt));
	gdt[FSEG >> 3] = data16(area_a, 0x92);
	gdt[NPDATA >> 3] = desc(0, 0xfffff, 0x12, 0xc);	/* P = 0 */
	gdt[XCODE >> 3] = desc(0, 0xfffff, 0x98, 0xc);
	gdt[RODATA >> 3] = desc(0, 0xfffff, 0x90, 0xc);
	gdt[UDATA >> 3] = desc(0, 0xfffff, 0xf2, 0xc);
	ldt[1] = data16(area_b, 0x92);
	ldt[2] = desc(0, 0xfffff, 0x12, 0xc);		/* P = 0 */
	gtry_gates(idt);
	gload_tables(gdt, NGDT * 8, idt, sizeof(idt));
}

/* %fs:0 after loading %fs with sel. */
static uint32_t
load_and_read(uint16_t sel)
{
	uint32_t v;

	asm volatile("movw %w1, %%fs\n\t"
		     "movl %%fs:0, %0" : "=r" (v) : "r" (sel) : "memory");
	return v;
}

static uint32_t
read_fs(void)
{
	uint32_t v;

	asm volatile("movl %%fs:0, %0" : "=r" (v) : : "memory");
	return v;
}

/* An instruction that leaves the guest under a monitor, natively nothing. */
static void
port_delay(void)
{
	outb(0x80, 0);
}

/* The check "part-what": got must be want. */
static void
check_value(const char *part, const char *what, uint32_t got, uint32_t want)
{
	char name[48], *b = name;

	while (*part)
		*b++ = *part++;
	*b++ = '-';
	while (*what)
		*b++ = *what++;
	*b = 0;
	gcheck(name, got == want, got, want);
}

/* An exit to the monitor after each rewrite, if after_exit. */
static void
rewrite(uint64_t *slot, uint64_t d, int after_exit)
{
	*slot = d;
	if (after_exit)
		port_delay();
}

/*
 * The descriptor is read at the load: a rewrite shows at the next load,
 * not before.  after_exit: give the monitor an exit between the rewrite
 * and the load, as a page it no longer watches needs.
 */
static void
check_rewrites(const char *part, int after_exit)
{
	uint64_t *fseg = &gdt_page[FSEG >> 3], *fresh = fseg + 10;

	rewrite(fseg, data16(area_a, 0x92), after_exit);
	check_value(part, "load", load_and_read(FSEG), area_a[0]);
	/* Rewritten while %fs holds it: %fs keeps the old base. */
	rewrite(fseg, data16(area_b, 0x92), after_exit);
	check_value(part, "register-keeps-old", read_fs(), area_a[0]);
	check_value(part, "reload-gets-new", load_and_read(FSEG), area_b[0]);
	/* Made not present while loaded: the register still works. */
	rewrite(fseg, *fseg & ~(1ull << 47), after_exit);
	check_value(part, "register-survives-not-present", read_fs(),
		    area_b[0]);
	rewrite(fseg, *fseg | 1ull << 47, after_exit);
	/* An entry not used before, loaded at once. */
	rewrite(fresh, data16(area_a, 0x92), after_exit);
	check_value(part, "new-entry", load_and_read(FSEG + 80), area_a[0]);
	asm volatile("movw %w0, %%fs" : : "r" (KDATA));
}

/* Segment loads, the selector the argument.  Those that succeed load
 * only %fs, which the compiler's code does not use. */
static void load_ds(void *sel) { asm volatile("movw %w0, %%ds" : : "r" (sel)); }
static void load_ss(void *sel) { asm volatile("movw %w0, %%ss" : : "r" (sel)); }
static void load_fs(void *sel) { asm volatile("movw %w0, %%fs" : : "r" (sel)); }
static void pop_es(void *sel) { asm volatile("pushl %0; popl %%es" : : "r" (sel)); }
static void lds_from(void *sel)
{
	struct { uint32_t off; uint16_t sel; } __attribute__((packed)) p =
		{ 0, (uint16_t) (uint32_t) sel };
	uint32_t r;

	asm volatile("ldsl %1, %0" : "=r" (r) : "m" (p));
}

static void
expect_fault(const char *name, void (*fn)(void *), uint32_t sel, int vector,
	     uint32_t err)
{
	struct gfault f;
	int v = gtry(fn, (void *) sel, &f);

	gresult(name, v == vector && (v < 0 || f.err == err),
		"vector %d error %x, want vector %d error %x", v,
		v >= 0 ? f.err : 0, vector, err);
}

static void
check_load_faults(void)
{
	uint32_t beyond = NGDT << 3;

	expect_fault("ss-null", load_ss, 0, 13, 0);
	expect_fault("fs-null-ok", load_fs, 0, -1, 0);
	expect_fault("ds-beyond-gdt", load_ds, beyond, 13, beyond);
	expect_fault("ds-beyond-gdt-rpl3", load_ds, beyond | 3, 13, beyond);
	expect_fault("ds-not-present", load_ds, NPDATA, 11, NPDATA);
	expect_fault("ss-not-present", load_ss, NPDATA, 12, NPDATA);
	expect_fault("ds-execute-only", load_ds, XCODE, 13, XCODE);
	expect_fault("fs-readable-code-ok", load_fs, KCODE, -1, 0);
	expect_fault("ss-code", load_ss, KCODE, 13, KCODE);
	expect_fault("ss-read-only", load_ss, RODATA, 13, RODATA);
	expect_fault("ss-rpl-not-cpl", load_ss, KDATA | 3, 13, KDATA);
	expect_fault("ss-dpl-not-cpl", load_ss, UDATA, 13, UDATA);
	expect_fault("ds-rpl-above-dpl", load_ds, KDATA | 3, 13, KDATA);
	expect_fault("fs-dpl3-ok", load_fs, UDATA | 3, -1, 0);
	expect_fault("ds-system-segment", load_ds, KTSS, 13, KTSS);
	expect_fault("pop-es-not-present", pop_es, NPDATA, 11, NPDATA);
	expect_fault("lds-beyond-gdt", lds_from, beyond, 13, beyond);
	expect_fault("fs-ldt-beyond", load_fs, (4 << 3) | 4, 13, (4 << 3) | 4);
	expect_fault("fs-ldt-not-present", load_fs, (2 << 3) | 4, 11,
		     (2 << 3) | 4);
	asm volatile("movw %w0, %%fs" : : "r" (KDATA));
}

/* An LDT selector: the LDT's descriptor, read at the load. */
static void
check_ldt(void)
{
	uint16_t sel = (1 << 3) | 4;

	gcheck("ldt-load", load_and_read(sel) == area_b[0], load_and_read(sel),
	       area_b[0]);
	ldt[1] = data16(area_a, 0x92);
	port_delay();
	gcheck("ldt-rewrite-reload", load_and_read(sel) == area_a[0],
	       load_and_read(sel), area_a[0]);
	asm volatile("movw %w0, %%fs" : : "r" (KDATA));
}

void
gmain(uint32_t magic, uint32_t info)
{
	volatile uint64_t *beside = &gdt_page[300];
	int i;

	ginit();
	setup();
	gsuite("conf_desc");
	check_rewrites("gdt", 0);
	check_load_faults();
	check_ldt();
	/* Writes beside the table, as a kernel whose GDT shares a page
	 * with its per-CPU data makes on every lock. */
	for (i = 0; i < 100; i++)
		beside[i & 7] = i;
	check_rewrites("gdt-beside", 1);
	gdone();
}
