/*
 * loader.c - the monitor as the guest's boot loader.
 *
 * A guest expects what GRUB or QEMU's -kernel gives a Multiboot kernel
 * (docs/design.md section 4): its ELF segments at their physical addresses,
 * protected mode with flat segments and paging off, EAX = 0x2BADB002 and
 * EBX pointing at an information block with the memory map and the
 * command line; QEMU's pc machine, the kit's "native", is the model
 * wherever the specification leaves a choice.  The image comes to us the same way: as a Multiboot
 * module of our own loader (QEMU: -initrd "GUEST args"), whose string is
 * the guest's command line.
 *
 * All checking of the file is vmm/elfcheck.c's; here we only move bytes,
 * into guest memory through gmem_write(), never by guest-physical address
 * in our own address space.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/error.h"
#include "kern/pmap.h"
#include "kern/bootinfo.h"
#include "kern/multiboot.h"
#include "vmm/elfcheck.h"
#include "vmm/bootmods.h"
#include "vmm/dev/vbios.h"
#include "vmm/gmem.h"
#include "vmm/desc.h"
#include "vmm/loader.h"

/* The PC's low memory: 639 KB of RAM, then the EBDA, VGA and ROMs. */
#define LOWMEM_END	0x0009FC00
#define HIMEM_START	0x00100000
/* What the PC's BIOS keeps at the top of RAM, out of the memory map. */
#define BIOS_TOP_RESERVED	0x20000

/* guestmem=MB from the kernel command line, rounded up to 4 MB. */
static uint32_t
guest_ram_size(void)
{
	char buf[16];
	long mb;

	if (!cmdline_option("guestmem", buf, sizeof(buf)))
		return GUEST_RAM_DEFAULT;
	mb = strtol(buf, NULL, 10);
	if (mb < (long) (GUEST_RAM_MIN >> 20) || mb > (long) (GUEST_RAM_MAX >> 20)) {
		cprintf("vmm: guestmem=%s is out of range: give a size in MB "
			"from %u to %u; using %u\n", buf, GUEST_RAM_MIN >> 20,
			GUEST_RAM_MAX >> 20, GUEST_RAM_DEFAULT >> 20);
		return GUEST_RAM_DEFAULT;
	}
	return ROUNDUP((uint32_t) mb << 20, PTSIZE);
}

/*
 * Where the loader puts what it writes beside the kernel, as QEMU's
 * Multiboot loader does: the memory map at 0x9000 and the information
 * block at 0x9500, then, in the first page after the kernel, the list of
 * modules, the strings (the modules', the command line, the loader's
 * name), and each module page-aligned after them.  A kernel linked over
 * 0x9000 gets the memory map and the block after itself as well.
 */
#define MB_MMAP_LOW	0x00009000
#define MB_INFO_OFF	0x500		/* the block, after the memory map */
#define MB_MAX_MODULES	16
#define MB_STRINGS_MAX	2048

struct mb_layout {
	uint32_t mmap, info;		/* the memory map, the block */
	uint32_t mods;			/* the module list, then the strings */
	uint32_t end;			/* the first free byte after them */
};

/* Whether [lo, hi) of guest-physical memory holds none of the kernel. */
static bool
free_of_kernel(const struct guest_image *gi, uint32_t lo, uint32_t hi)
{
	uint32_t i;

	for (i = 0; i < gi->nsegs; i++)
		if (gi->segs[i].paddr < hi &&
		    lo < gi->segs[i].paddr + gi->segs[i].memsz)
			return false;
	return true;
}

static void
plan_layout(const struct guest_image *gi, struct mb_layout *l)
{
	uint32_t after = ROUNDUP(gi->hi, PGSIZE);

	if (free_of_kernel(gi, MB_MMAP_LOW, MB_MMAP_LOW + PGSIZE)) {
		l->mmap = MB_MMAP_LOW;
	} else {
		l->mmap = after;
		after += PGSIZE;
	}
	l->info = l->mmap + MB_INFO_OFF;
	l->mods = after;
	l->end = after;
}

/* Append string s at *at in guest memory; its address, or 0 if no room. */
static uint32_t
put_string(struct vm *vm, uint32_t *at, uint32_t limit, const char *s)
{
	uint32_t gpa = *at, n = strlen(s) + 1;

	if (*at + n > limit || gmem_write(vm, gpa, s, n) < 0)
		return 0;
	*at += n;
	return gpa;
}

/*
 * The guest's own modules: every module of ours after the first, but the
 * disk.  The list at l->mods, the strings after it, the bytes after them.
 */
static int
write_modules(struct vm *vm, struct mb_layout *l, struct multiboot_info *mbi,
	      uint32_t *strings)
{
	struct multiboot_module list[MB_MAX_MODULES];
	struct bootmod m;
	unsigned i, n = 0;
	uint32_t limit = l->mods + sizeof(list) + MB_STRINGS_MAX, data;

	*strings = l->mods + sizeof(struct multiboot_module) *
		   (bootmods_count() > 1 ? bootmods_count() - 1 : 0);
	for (i = 1; i < bootmods_count() && n < MB_MAX_MODULES; i++) {
		if (bootmod_is_disk(i) || bootmod_get(i, &m) < 0)
			continue;
		list[n].cmdline = put_string(vm, strings, limit, m.string);
		list[n].reserved = 0;
		n++;
	}
	data = ROUNDUP(*strings + MB_STRINGS_MAX, PGSIZE);
	for (i = 1, n = 0; i < bootmods_count() && n < MB_MAX_MODULES; i++) {
		if (bootmod_is_disk(i) || bootmod_get(i, &m) < 0)
			continue;
		if (data + m.size > vm->ram || gmem_write(vm, data, m.data, m.size) < 0)
			return -1;
		list[n].mod_start = data;
		list[n].mod_end = data + m.size;
		data = ROUNDUP(data + m.size, PGSIZE);
		n++;
	}
	if (gmem_write(vm, l->mods, list, n * sizeof(list[0])) < 0)
		return -1;
	mbi->mods_count = n;
	mbi->mods_addr = l->mods;
	l->end = data;
	return 0;
}

/*
 * The information block, as QEMU's loader fills it: memory (the top
 * 128 KB reserved, where the PC's BIOS keeps its tables), the boot device,
 * the command line, the modules, the memory map, the loader's name.
 */
static int
write_mbinfo(struct vm *vm, struct mb_layout *l)
{
	static const char loader[] = "vmlab monitor";
	const uint32_t top = vm->ram - BIOS_TOP_RESERVED;
	struct multiboot_mmap_entry mmap[] = {
		{ 20, 0, LOWMEM_END, MULTIBOOT_MEMORY_AVAILABLE },
		{ 20, LOWMEM_END, 0xA0000 - LOWMEM_END, MULTIBOOT_MEMORY_RESERVED },
		{ 20, 0xF0000, 0x10000, MULTIBOOT_MEMORY_RESERVED },
		{ 20, HIMEM_START, top - HIMEM_START, MULTIBOOT_MEMORY_AVAILABLE },
		{ 20, top, BIOS_TOP_RESERVED, MULTIBOOT_MEMORY_RESERVED },
		{ 20, 0xFFFC0000, 0x40000, MULTIBOOT_MEMORY_RESERVED },
	};
	struct multiboot_info mbi;
	uint32_t strings, limit;

	memset(&mbi, 0, sizeof(mbi));
	if (write_modules(vm, l, &mbi, &strings) < 0)
		return -1;
	limit = l->mods + MB_MAX_MODULES * sizeof(struct multiboot_module) +
		MB_STRINGS_MAX;
	mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_BOOTDEV |
		MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
		MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME;
	mbi.mem_lower = LOWMEM_END >> 10;
	mbi.mem_upper = (top - HIMEM_START) >> 10;
	mbi.boot_device = 0x8000FFFF;	/* the first hard disk, no partition */
	mbi.cmdline = put_string(vm, &strings, limit, vm->cmdline);
	mbi.boot_loader_name = put_string(vm, &strings, limit, loader);
	mbi.mmap_addr = l->mmap;
	mbi.mmap_length = sizeof(mmap);
	if (mbi.cmdline == 0 || mbi.boot_loader_name == 0 ||
	    gmem_write(vm, l->mmap, mmap, sizeof(mmap)) < 0 ||
	    gmem_write(vm, l->info, &mbi, sizeof(mbi)) < 0)
		return -1;
	return 0;
}

/*
 * The GDT QEMU's Multiboot loader (its option ROM) leaves for the kernel,
 * at the address QEMU 7.2's pc machine has it: flat 32-bit code and data
 * at selectors 0x08 and 0x10, then 16-bit code and data.  The
 * specification leaves the GDTR undefined until the kernel loads its own;
 * a kernel that looks (sgdt, or a segment load before its lgdt) finds
 * what it would find on that PC.
 */
#define BOOT_GDT	0x000CA2B8
#define BOOT_CS		0x08
#define BOOT_DS		0x10
static const uint64_t boot_gdt[] = {
	0,
	0x00cf9a000000ffffull,	/* 32-bit code, base 0, 4 GB */
	0x00cf93000000ffffull,	/* 32-bit data, base 0, 4 GB, accessed */
	0x00009e000000ffffull,	/* 16-bit conforming code, 64 KB */
	0x000092000000ffffull,	/* 16-bit data, 64 KB */
};

/* The CPU as a Multiboot loader leaves it (Multiboot 0.6.96, 3.2). */
static void
vcpu_reset(struct vcpu *v, uint32_t entry, uint32_t mbinfo)
{
	int s;

	memset(v, 0, sizeof(*v));
	v->eip = entry;
	v->gpr[REG_EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
	v->gpr[REG_EBX] = mbinfo;
	/*
	 * The rest is undefined by the specification; these are the values
	 * QEMU's loader leaves (its EDX varies with the memory size, and is
	 * left 0 here).  IF is off, as the specification asks.
	 */
	v->gpr[REG_ECX] = entry;
	v->gpr[REG_EDI] = 0x1000;
	v->gpr[REG_ESP] = 0x6F08;
	v->eflags = 0x2 | FL_PF;
	v->cr0 = CR0_PE | CR0_ET;
	v->cpl = 0;
	/* The MSRs' power-on values, as QEMU's CPU shows them after its BIOS. */
	v->pat = 0x0007040600070406ull;
	v->misc_enable = 1;		/* fast strings */
	v->gdtr = (struct vdtr) { BOOT_GDT, sizeof(boot_gdt) - 1 };
	/* The real-mode vector table the BIOS left, as QEMU's loader does. */
	v->idtr = (struct vdtr) { 0, 0x3ff };
	for (s = 0; s < NSREGS; s++) {
		uint16_t sel = s == SEG_CS ? BOOT_CS : BOOT_DS;

		/* Loaded, so accessed: the CPU sets the bit in the cache. */
		vseg_from_desc(&v->seg[s], sel, boot_gdt[sel >> 3] |
			       (uint64_t) STA_A << DESC_TYPE_SHIFT);
	}
}

/* No BIOS ran: leave in memory what it would have, the MP tables among
 * it, before the kernel's segments go in (a kernel over them wins). */
static int
bios_write(void *ctx, uint32_t gpa, const void *buf, uint32_t len)
{
	return gmem_write(ctx, gpa, buf, len);
}

/* The kernel's segments into guest memory. */
static void
load_segments(struct vm *vm, const uint8_t *img, const struct guest_image *gi)
{
	uint32_t i;

	for (i = 0; i < gi->nsegs; i++) {
		const struct guest_segment *s = &gi->segs[i];

		if (gmem_write(vm, s->paddr, img + s->offset, s->filesz) < 0 ||
		    gmem_write(vm, s->paddr + s->filesz, NULL,
			       s->memsz - s->filesz) < 0)
			panic("vm_load: elfcheck passed a segment gmem refuses");
	}
}

/* The guest's name and command line, from its module's string. */
static void
name_guest(struct vm *vm, const char *string)
{
	uint32_t i;

	strlcpy(vm->cmdline, string, sizeof(vm->cmdline));
	for (i = 0; vm->cmdline[i] && vm->cmdline[i] != ' ' &&
	     i < sizeof(vm->image) - 1; i++)
		vm->image[i] = vm->cmdline[i];
	vm->image[i] = '\0';
}

int
vm_load(struct vm *vm)
{
	struct guest_image gi;
	struct mb_layout l;
	struct bootmod m;
	char msg[256];
	uint32_t ram;
	int r;

	memset(vm, 0, sizeof(*vm));
	if (bootmod_get(0, &m) < 0) {
		cprintf("vmm: no guest image: give the kernel one as a Multiboot "
			"module, e.g. make run ENGINE=te GUEST=obj/grade/guests/"
			"privsuite (QEMU: -initrd FILE)\n");
		return -E_INVAL;
	}
	name_guest(vm, m.string);
	ram = guest_ram_size();
	r = elfcheck(m.data, m.size, ram, MONBASE, &gi, msg, sizeof(msg));
	if (r < 0) {
		cprintf("vmm: %s refused: %s\n", vm->image[0] ? vm->image :
			"the guest image", msg);
		return -E_INVAL;
	}
	if ((r = gmem_alloc(vm, ram)) < 0)
		return r;
	if (vbios_setup(&(struct vbios_writer) { bios_write, vm }, ram) < 0)
		panic("vm_load: the BIOS area does not fit guest memory");
	load_segments(vm, m.data, &gi);
	plan_layout(&gi, &l);
	if (write_mbinfo(vm, &l) < 0 ||
	    gmem_write(vm, BOOT_GDT, boot_gdt, sizeof(boot_gdt)) < 0) {
		cprintf("vmm: %s: no room in its %u MB for the Multiboot "
			"information and its modules: raise guestmem=\n",
			vm->image, ram >> 20);
		gmem_free(vm);
		return -E_NO_MEM;
	}
	vcpu_reset(&vm->vcpu, gi.entry, l.info);
	cprintf("vmm: loaded %s: %u segment%s at [%08x, %08x), entry %08x, "
		"%u MB of guest memory\n", vm->image, gi.nsegs,
		gi.nsegs == 1 ? "" : "s", gi.lo, gi.hi, gi.entry, ram >> 20);
	cprintf("vmm: the guest's command line '%s', information at %08x\n",
		vm->cmdline, l.info);
	return 0;
}
