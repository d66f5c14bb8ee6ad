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
#include "kern/x86.h"
#include "vmm/vm.h"
#include "vmm/bootmods.h"
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

/*
 * The guest's disk, the primary slave (where xv6-style kernels look for
 * their file system): the kernel's module that disk= names (vmm/bootmods.h).
 * It stays where the boot loader put it (kern/physmem.c reserves it) and
 * the IDE model reaches it through the host's direct map.
 */
static void
attach_disk(struct vplat_disk *d)
{
	struct bootmod m;
	unsigned i;

	for (i = 1; i < bootmods_count(); i++)
		if (bootmod_is_disk(i) && bootmod_get(i, &m) == 0)
			break;
	if (i == bootmods_count())
		return;
	/* Whole sectors only: a tail shorter than 512 bytes is not readable. */
	if ((m.size & ~511u) == 0) {
		cprintf("vmm: the disk module is smaller than a sector: no disk\n");
		return;
	}
	d->data = (uint8_t *) m.data;
	d->bytes = m.size & ~511u;
	d->readonly = false;
	cprintf("vmm: disk of %u sectors as the primary slave\n", d->bytes / 512);
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
	/* No BIOS ran: leave the LAPIC as it would have, in virtual-wire
	 * mode (its tables in memory are the loader's, vmm/loader.c). */
	vlapic_bios_setup(&vm->plat.lapic);
	return 0;
}
