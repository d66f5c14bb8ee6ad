/*
 * conf_boot.c - what the boot loader leaves: the CPU's state, the Multiboot
 * information and the modules, as QEMU's -kernel gives them.
 *
 * The Multiboot specification fixes only EAX, EBX, a flat CS and data
 * segments, protected mode with paging and interrupts off; a kernel may
 * still look at the rest, and the monitor promises what QEMU's pc machine
 * gives (docs/design.md section 4).  Natively every check passes; under
 * the monitor every line must be the same (grade/conf_boot.c).  Run with
 * two modules, conf_mod1 ("one two") and conf_mod2 (grade/guests/Makefrag
 * makes both), and the command line "boot checks".
 */
#include "grade/guests/guest.h"

/* struct multiboot_info, as far as this guest reads it. */
struct mbi {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mbmod {
	uint32_t start, end, string, reserved;
};

struct mmap_entry {
	uint32_t size;
	uint32_t base_lo, base_hi, len_lo, len_hi;
	uint32_t type;
} __attribute__((packed));

extern char _start[];

static int
streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The text at the end of s after its first word (the image's path). */
static const char *
after_path(const char *s)
{
	while (*s && *s != ' ')
		s++;
	return *s ? s + 1 : s;
}

static void
check_cpu(void)
{
	struct gboot_state *b = &gboot_state;

	gcheck("eax-magic", b->eax == 0x2badb002, b->eax, 0x2badb002);
	gcheck("ebx-info", b->ebx == 0x9500, b->ebx, 0x9500);
	gcheck("ecx-entry", b->ecx == (uint32_t) _start, b->ecx, (uint32_t) _start);
	gcheck("esi", b->esi == 0, b->esi, 0);
	gcheck("ebp", b->ebp == 0, b->ebp, 0);
	gcheck("esp", b->esp == 0x6f08, b->esp, 0x6f08);
	gcheck("eflags", b->eflags == 0x6, b->eflags, 0x6);
	/* The RPL of CS and SS is the ring compression pgdetect shows. */
	gcheck("cs", (b->cs & ~3) == 0x08, b->cs & ~3, 0x08);
	gcheck("ss", (b->ss & ~3) == 0x10, b->ss & ~3, 0x10);
	gcheck("data-segments", b->ds == 0x10 && b->es == 0x10 &&
	       b->fs == 0x10 && b->gs == 0x10, b->ds, 0x10);
	gcheck("cr0", b->cr0 == 0x11, b->cr0, 0x11);
}

/* The GDT QEMU's loader left, still good for a segment load. */
static void
check_boot_gdt(void)
{
	static const uint32_t want[5][2] = {
		{ 0, 0 }, { 0x0000ffff, 0x00cf9a00 }, { 0x0000ffff, 0x00cf9300 },
		{ 0x0000ffff, 0x00009e00 }, { 0x0000ffff, 0x00009200 },
	};
	const uint32_t *g = (const uint32_t *) 0xca2b8;
	int i, same = 1;
	uint16_t sel;

	for (i = 0; i < 5; i++)
		same = same && g[2 * i] == want[i][0] && g[2 * i + 1] == want[i][1];
	gresult("boot-gdt", same, "entry %d is %x %x", i - 1, g[2 * i - 2],
		g[2 * i - 1]);
	asm volatile("movw $0x10, %%ax; movw %%ax, %%fs; movw %%fs, %0"
		     : "=r" (sel) : : "eax");
	gcheck("boot-gdt-load", sel == 0x10, sel, 0x10);
}

static void
check_modules(const struct mbi *m)
{
	const struct mbmod *mod = (const struct mbmod *) m->mods_addr;
	const char *one = (const char *) mod[0].start;
	const uint8_t *two = (const uint8_t *) mod[1].start;
	uint32_t i, sum = 0;

	gcheck("mods-count", m->mods_count == 2, m->mods_count, 2);
	if (m->mods_count != 2)
		return;
	gresult("mod1-string", streq(after_path((char *) mod[0].string), "one two"),
		"'%s'", (char *) mod[0].string);
	gresult("mod2-string", *after_path((char *) mod[1].string) == 0,
		"'%s'", (char *) mod[1].string);
	gcheck("mod-aligned", !(mod[0].start & 0xfff) && !(mod[1].start & 0xfff),
	       mod[0].start | mod[1].start, 0);
	gcheck("mod-above-kernel", mod[0].start >= 0x100000 &&
	       mod[1].start >= mod[0].end, mod[0].start, 0x100000);
	gcheck("mod1-size", mod[0].end - mod[0].start == 23,
	       mod[0].end - mod[0].start, 23);
	gresult("mod1-bytes", one[0] == 'c' && one[21] == 'e', "'%c...%c'",
		one[0], one[21]);
	/* conf_mod2: 5000 bytes, byte i is i * 7 mod 256. */
	for (i = 0; i < mod[1].end - mod[1].start; i++)
		sum += two[i] == (uint8_t) (i * 7);
	gcheck("mod2-bytes", sum == 5000 && mod[1].end - mod[1].start == 5000,
	       sum, 5000);
}

/*
 * The memory map: its shape is QEMU's; where RAM ends depends on the
 * memory each run was given, so that end is checked against mem_upper.
 */
static void
check_mmap(const struct mbi *m)
{
	static const struct { uint32_t base, len, type; } fixed[] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
	};
	const struct mmap_entry *e = (const struct mmap_entry *) m->mmap_addr;
	uint32_t n = m->mmap_length / sizeof(*e), i, top;
	int ok = n == 6;

	gcheck("mmap-entries", n == 6, n, 6);
	for (i = 0; ok && i < 3; i++)
		ok = e[i].size == 20 && e[i].base_lo == fixed[i].base &&
		     e[i].len_lo == fixed[i].len && e[i].type == fixed[i].type;
	gresult("mmap-low", ok, "entry %u: %x+%x type %u", i - 1,
		e[i - 1].base_lo, e[i - 1].len_lo, e[i - 1].type);
	if (n != 6)
		return;
	top = 0x100000 + m->mem_upper * 1024;
	gresult("mmap-ram", e[3].base_lo == 0x100000 && e[3].type == 1 &&
		e[3].base_lo + e[3].len_lo == top, "%x+%x, mem_upper ends at %x",
		e[3].base_lo, e[3].len_lo, top);
	gresult("mmap-top", e[4].base_lo == top && e[4].len_lo == 0x20000 &&
		e[4].type == 2, "%x+%x type %u", e[4].base_lo, e[4].len_lo,
		e[4].type);
	gresult("mmap-bios", e[5].base_lo == 0xfffc0000 && e[5].len_lo == 0x40000
		&& e[5].type == 2, "%x+%x type %u", e[5].base_lo, e[5].len_lo,
		e[5].type);
}

void
gmain(uint32_t magic, uint32_t info)
{
	const struct mbi *m = (const struct mbi *) info;

	ginit();
	gsuite("conf_boot");
	check_cpu();
	check_boot_gdt();
	gcheck("mbi-flags", m->flags == 0x24f, m->flags, 0x24f);
	gcheck("mem-lower", m->mem_lower == 639, m->mem_lower, 639);
	gcheck("boot-device", m->boot_device == 0x8000ffff, m->boot_device,
	       0x8000ffff);
	gresult("cmdline", streq(after_path((char *) m->cmdline), "boot checks"),
		"'%s'", (char *) m->cmdline);
	gresult("loader-name", m->boot_loader_name &&
		*(char *) m->boot_loader_name, "none");
	check_mmap(m);
	check_modules(m);
	gdone();
}
