/*
 * bootinfo.c - the Multiboot information block and the command line.
 *
 * The loader hands over a physical address.  Everything it points to lies
 * in RAM, which the direct map reaches from the first instruction on
 * (entry_pgdir has it, and kern_pgdir keeps it), so the block is read in
 * place and never copied.
 */
#include "kern/string.h"
#include "kern/memlayout.h"
#include "kern/assert.h"
#include "kern/bootinfo.h"

static const struct multiboot_info *mbi;

void *
boot_phys(physaddr_t pa)
{
	if (pa == 0 || pa >= DMAPSIZE)
		return NULL;
	return PHYS2DMAP(pa);
}

void
bootinfo_init(uint32_t magic, physaddr_t info_pa)
{
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("booted with magic %08x, not by a Multiboot loader: "
		      "boot with `qemu -kernel` or the project's disk image", magic);
	mbi = boot_phys(info_pa);
	if (mbi == NULL)
		panic("Multiboot information at %08x is out of reach", info_pa);
}

const struct multiboot_info *
bootinfo(void)
{
	return mbi;
}

const char *
boot_cmdline(void)
{
	const char *s = NULL;

	if (mbi && (mbi->flags & MULTIBOOT_INFO_CMDLINE))
		s = boot_phys(mbi->cmdline);
	return s ? s : "";
}

const char *
boot_loader_name(void)
{
	const char *s = NULL;

	if (mbi && (mbi->flags & MULTIBOOT_INFO_LOADER_NAME))
		s = boot_phys(mbi->boot_loader_name);
	return s ? s : "unknown";
}

const char *
cmdline_option(const char *key, char *buf, size_t size)
{
	const char *p = boot_cmdline();
	size_t klen = strlen(key), n;

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			for (n = 0; p[n] && p[n] != ' '; n++)
				;
			if (n >= size)
				n = size - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return buf;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}
