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
#include "vmm/gmem.h"
#include "vmm/desc.h"
#include "vmm/loader.h"

/* The PC's low memory: 639 KB of RAM, then the EBDA, VGA and ROMs. */
#define LOWMEM_END	0x0009FC00
#define HIMEM_START	0x00100000

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
 * The information block, laid out in its one guest page: the block, the
 * memory map, the command line, the loader's name.
 */
static int
write_mbinfo(struct vm *vm)
{
	static const char loader[] = "vmlab monitor";
	struct {
		struct multiboot_info mbi;
		struct multiboot_mmap_entry mmap[3];
	} __attribute__((packed)) b;
	uint32_t cmd_gpa, name_gpa;
	size_t cmdlen = strlen(vm->cmdline) + 1;

	memset(&b, 0, sizeof(b));
	b.mmap[0] = (struct multiboot_mmap_entry) { 20, 0, LOWMEM_END, 1 };
	b.mmap[1] = (struct multiboot_mmap_entry) { 20, 0xF0000, 0x10000, 2 };
	b.mmap[2] = (struct multiboot_mmap_entry) { 20, HIMEM_START,
						    vm->ram - HIMEM_START, 1 };
	cmd_gpa = GUEST_MBINFO + sizeof(b);
	name_gpa = cmd_gpa + cmdlen;
	b.mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME;
	b.mbi.mem_lower = LOWMEM_END >> 10;
	b.mbi.mem_upper = (vm->ram - HIMEM_START) >> 10;
	b.mbi.cmdline = cmd_gpa;
	b.mbi.mmap_addr = GUEST_MBINFO + sizeof(b.mbi);
	b.mbi.mmap_length = sizeof(b.mmap);
	b.mbi.boot_loader_name = name_gpa;
	static_assert(sizeof(b) + sizeof(((struct vm *) 0)->cmdline) +
		      sizeof(loader) <= PGSIZE);
	if (gmem_write(vm, GUEST_MBINFO, &b, sizeof(b)) < 0 ||
	    gmem_write(vm, cmd_gpa, vm->cmdline, cmdlen) < 0 ||
	    gmem_write(vm, name_gpa, loader, sizeof(loader)) < 0)
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
vcpu_reset(struct vcpu *v, uint32_t entry)
{
	int s;

	memset(v, 0, sizeof(*v));
	v->eip = entry;
	v->gpr[REG_EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
	v->gpr[REG_EBX] = GUEST_MBINFO;
	v->eflags = 0x2;		/* IF off; bit 1 is always set */
	v->cr0 = CR0_PE | CR0_ET;
	v->cpl = 0;
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

/* The first module's bytes, through the host's direct map (we are on it). */
static const uint8_t *
module_image(const struct multiboot_module **modp)
{
	const struct multiboot_info *mbi = bootinfo();
	const struct multiboot_module *mod;

	if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count == 0)
		return NULL;
	mod = boot_phys(mbi->mods_addr);
	if (mod == NULL || mod->mod_end < mod->mod_start ||
	    mod->mod_end > npages * PGSIZE)
		return NULL;
	*modp = mod;
	return (const uint8_t *) (KERNBASE + mod->mod_start);
}

int
vm_load(struct vm *vm)
{
	const struct multiboot_module *mod;
	const uint8_t *img;
	const char *name;
	struct guest_image gi;
	char msg[256];
	uint32_t i, ram;
	int r;

	memset(vm, 0, sizeof(*vm));
	if ((img = module_image(&mod)) == NULL) {
		cprintf("vmm: no guest image: give the kernel one as a Multiboot "
			"module, e.g. make run ENGINE=te GUEST=obj/grade/guests/"
			"privsuite (QEMU: -initrd FILE)\n");
		return -E_INVAL;
	}
	name = mod->cmdline ? boot_phys(mod->cmdline) : NULL;
	strlcpy(vm->cmdline, name ? name : "", sizeof(vm->cmdline));
	/* The image's name is the first word of the module's string. */
	for (i = 0; vm->cmdline[i] && vm->cmdline[i] != ' ' &&
	     i < sizeof(vm->image) - 1; i++)
		vm->image[i] = vm->cmdline[i];
	vm->image[i] = '\0';

	ram = guest_ram_size();
	r = elfcheck(img, mod->mod_end - mod->mod_start, ram, MONBASE,
		     GUEST_MBINFO, &gi, msg, sizeof(msg));
	if (r < 0) {
		cprintf("vmm: %s refused: %s\n", vm->image[0] ? vm->image :
			"the guest image", msg);
		return -E_INVAL;
	}
	if ((r = gmem_alloc(vm, ram)) < 0)
		return r;
	for (i = 0; i < gi.nsegs; i++) {
		const struct guest_segment *s = &gi.segs[i];

		if (gmem_write(vm, s->paddr, img + s->offset, s->filesz) < 0 ||
		    gmem_write(vm, s->paddr + s->filesz, NULL,
			       s->memsz - s->filesz) < 0)
			panic("vm_load: elfcheck passed a segment gmem refuses");
	}
	if (write_mbinfo(vm) < 0 ||
	    gmem_write(vm, BOOT_GDT, boot_gdt, sizeof(boot_gdt)) < 0)
		panic("vm_load: the Multiboot block does not fit guest memory");
	vcpu_reset(&vm->vcpu, gi.entry);
	cprintf("vmm: loaded %s: %u segment%s at [%08x, %08x), entry %08x, "
		"%u MB of guest memory, command line '%s'\n", vm->image,
		gi.nsegs, gi.nsegs == 1 ? "" : "s", gi.lo, gi.hi, gi.entry,
		ram >> 20, vm->cmdline);
	return 0;
}
