/*
 * bootmods.c - the kernel's Multiboot modules (vmm/bootmods.h).
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/pmap.h"
#include "kern/bootinfo.h"
#include "kern/multiboot.h"
#include "vmm/bootmods.h"

static const struct multiboot_module *
modules(void)
{
	const struct multiboot_info *mbi = bootinfo();

	if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count == 0)
		return NULL;
	return boot_phys(mbi->mods_addr);
}

unsigned
bootmods_count(void)
{
	return modules() ? bootinfo()->mods_count : 0;
}

int
bootmod_get(unsigned i, struct bootmod *m)
{
	const struct multiboot_module *mod = modules();
	const char *s;

	if (mod == NULL || i >= bootmods_count())
		return -1;
	mod += i;
	if (mod->mod_end < mod->mod_start || mod->mod_end > npages * PGSIZE)
		return -1;
	m->data = (const uint8_t *) pa2kva(mod->mod_start);
	m->size = mod->mod_end - mod->mod_start;
	s = mod->cmdline ? boot_phys(mod->cmdline) : NULL;
	m->string = s ? s : "";
	return 0;
}

bool
bootmod_is_disk(unsigned i)
{
	char name[128];
	struct bootmod m;
	size_t n;

	if (i == 0 || !cmdline_option("disk", name, sizeof(name)) ||
	    bootmod_get(i, &m) < 0)
		return false;
	/* The module's file name is its string's first word. */
	n = strlen(name);
	return strncmp(m.string, name, n) == 0 &&
	       (m.string[n] == '\0' || m.string[n] == ' ');
}
