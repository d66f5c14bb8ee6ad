/*
 * board.c - the virtual PC assembled for one guest: the device models,
 * the guest's console on the host's, its disk, the BIOS's tables.
 *
 * The paper's section 2: the monitor must give the guest every device it
 * touches.  The models themselves are vmm/dev/'s, pure state machines;
 * this file wires them to the host for one run.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/console.h"
#include "kern/pmap.h"
#include "kern/bootinfo.h"
#include "kern/multiboot.h"
#include "kern/x86.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/board.h"

/* The guest's UART transmits to the host's console. */
static void
console_out(void *arg, uint8_t c)
{
	(void) arg;
	if (c != '\r')
		cons_putc(c);
}

/*
 * The host's own clock, for the guest's to start from: natively a guest
 * reads today's date, so it must here too.  Read once the update in
 * progress (if any) is over.
 */
static uint64_t
host_time(void)
{
	static const uint8_t regs[] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x0B, 0x32 };
	uint8_t cmos[0x33];
	unsigned i;

	memset(cmos, 0, sizeof(cmos));
	for (i = 0; i < 1000000; i++) {
		outb(0x70, 0x0A);
		if (!(inb(0x71) & 0x80))
			break;
	}
	for (i = 0; i < sizeof(regs); i++) {
		outb(0x70, regs[i]);
		cmos[regs[i]] = inb(0x71);
	}
	return vrtc_unix_time(cmos);
}

/* vbios_setup's writer: guest RAM, a page at a time (vmm/gmem.c). */
static int
bios_write(void *ctx, uint32_t gpa, const void *buf, uint32_t len)
{
	return gmem_write(ctx, gpa, buf, len);
}

/*
 * A disk for the guest: the kernel's second Multiboot module (QEMU:
 * -initrd "GUEST args,DISK") becomes the primary slave, where xv6-style
 * kernels look for their file system.  The module stays where the boot
 * loader put it (kern/physmem.c reserves it) and the IDE model reaches it
 * through the host's direct map: device models run in the monitor's C
 * code, on the host's page directory.
 */
static void
attach_disk(struct vplat_disk *d)
{
	const struct multiboot_info *mbi = bootinfo();
	const struct multiboot_module *mod;
	uint32_t bytes;

	if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count < 2)
		return;
	mod = boot_phys(mbi->mods_addr);
	if (mod == NULL || mod[1].mod_end < mod[1].mod_start ||
	    mod[1].mod_end > npages * PGSIZE)
		return;
	/* Whole sectors only: a tail shorter than 512 bytes is not readable. */
	bytes = (mod[1].mod_end - mod[1].mod_start) & ~511u;
	if (bytes == 0) {
		cprintf("vmm: the disk module is smaller than a sector: no disk\n");
		return;
	}
	d->data = (uint8_t *) (KERNBASE + mod[1].mod_start);
	d->bytes = bytes;
	d->readonly = false;
	cprintf("vmm: disk of %u sectors as the primary slave\n", bytes / 512);
}

int
board_setup(struct vm *vm)
{
	struct vplat_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ram_bytes = vm->ram;
	cfg.rtc_epoch = host_time();
	cfg.console_out = console_out;
	attach_disk(&cfg.disk[1]);
	if (vplat_init(&vm->plat, &cfg) < 0)
		return vm_kill(vm, "the virtual platform refused its configuration");
	/* No BIOS ran: leave what it would have, the MP tables among it. */
	if (vbios_setup(&(struct vbios_writer) { bios_write, vm }, vm->ram) < 0)
		return vm_kill(vm, "no room in guest memory for the BIOS area");
	return 0;
}
