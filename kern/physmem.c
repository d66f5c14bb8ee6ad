/*
 * physmem.c - which physical memory the kernel may use.
 *
 * Both boot paths describe memory the same way, in the Multiboot
 * information block: QEMU's -kernel passes the BIOS's E820 map as the
 * Multiboot memory map, and so does the project's boot sector.  A loader
 * that gives no map still gives mem_lower and mem_upper (KB of RAM below
 * 1 MB and from 1 MB up to the first hole), which we fall back on.
 *
 * RAM is not all free at boot: the first megabyte holds the BIOS's data,
 * the VGA memory and the ROMs (and the Multiboot block both loaders put
 * there); the kernel image sits at 1 MB; QEMU puts modules and command
 * lines right after the kernel.  Those are kept as reserved ranges, and
 * boot_alloc() carves its memory around them, until page_init() asks about
 * every page and the allocator takes over.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/bootinfo.h"
#include "kern/pmap.h"

/* A range of physical addresses [start, end), page aligned. */
struct range {
	physaddr_t start, end;
};

#define MAXRANGES	32

static struct range ram[MAXRANGES];		/* usable RAM */
static int nram;
static struct range reserved[MAXRANGES];	/* in use since boot */
static int nreserved;

static physaddr_t boot_next;	/* where boot_alloc() looks first */
static bool boot_alloc_closed;	/* page_init() has run: no more boot_alloc */

/* Note usable RAM [start, start + len), as far as the direct map reaches. */
static void
add_ram(uint64_t start, uint64_t len)
{
	uint64_t end = start + len;

	if (end > DMAPSIZE)
		end = DMAPSIZE;
	/* Only whole pages of RAM are any use to a page allocator. */
	start = ROUNDUP(start, PGSIZE);
	end = ROUNDDOWN(end, PGSIZE);
	if (start >= end)
		return;
	if (nram == MAXRANGES)
		panic("physmem: more than %d RAM ranges in the memory map", MAXRANGES);
	ram[nram++] = (struct range) { start, end };
}

/* Note that [start, end) is in use; any page it touches is reserved. */
static void
add_reserved(physaddr_t start, physaddr_t end)
{
	if (start >= end)
		return;
	if (nreserved == MAXRANGES)
		panic("physmem: more than %d reserved ranges (too many modules?)",
		      MAXRANGES);
	reserved[nreserved++] = (struct range) {
		ROUNDDOWN(start, PGSIZE), ROUNDUP(end, PGSIZE)
	};
}

/* Reserve a NUL-terminated string the loader left at physical pa. */
static void
reserve_string(physaddr_t pa)
{
	const char *s = boot_phys(pa);

	if (s)
		add_reserved(pa, pa + strlen(s) + 1);
}

/* Read the memory map, or the two sizes if there is no map. */
static void
find_ram(const struct multiboot_info *mbi)
{
	const char *p, *lim;
	uint64_t total = 0;

	if (mbi->flags & MULTIBOOT_INFO_MEM_MAP) {
		cprintf("physical memory map (from the boot loader):\n");
		p = boot_phys(mbi->mmap_addr);
		if (p == NULL)
			panic("physmem: the memory map at %08x is out of reach",
			      mbi->mmap_addr);
		lim = p + mbi->mmap_length;
		while (p < lim) {
			const struct multiboot_mmap_entry *e = (const void *) p;

			cprintf("  %016llx-%016llx  %s\n", e->addr,
				e->addr + e->len - 1,
				e->type == MULTIBOOT_MEMORY_AVAILABLE ? "usable" : "reserved");
			if (e->type == MULTIBOOT_MEMORY_AVAILABLE) {
				add_ram(e->addr, e->len);
				total += e->len;
			}
			/* `size` does not count its own four bytes. */
			p += e->size + 4;
		}
	} else if (mbi->flags & MULTIBOOT_INFO_MEMORY) {
		cprintf("physical memory: no map from the boot loader; using "
			"mem_lower %u KB and mem_upper %u KB\n",
			mbi->mem_lower, mbi->mem_upper);
		add_ram(0, (uint64_t) mbi->mem_lower * 1024);
		add_ram(KERNLOAD, (uint64_t) mbi->mem_upper * 1024);
		total = (uint64_t) (mbi->mem_lower + mbi->mem_upper) * 1024;
	} else {
		panic("physmem: the boot loader gave neither a memory map nor "
		      "memory sizes (Multiboot flags %08x)", mbi->flags);
	}
	if (total > DMAPSIZE)
		cprintf("physmem: using only the first %u MB of %u MB: the direct "
			"map at KERNBASE holds no more\n", DMAPSIZE >> 20,
			(unsigned) (total >> 20));
}

/* Reserve what the loader handed over: its block, strings, modules. */
static void
reserve_boot_data(const struct multiboot_info *mbi)
{
	extern char end[];
	const struct multiboot_module *mods;
	uint32_t i;

	/* The BIOS's first megabyte: IVT, BDA, EBDA, VGA memory, ROMs. */
	add_reserved(0, KERNLOAD);
	add_reserved(KERNLOAD, MON2PHYS(end));

	add_reserved(MON2PHYS(mbi), MON2PHYS(mbi) + sizeof(*mbi));
	if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
		reserve_string(mbi->cmdline);
	if (mbi->flags & MULTIBOOT_INFO_LOADER_NAME)
		reserve_string(mbi->boot_loader_name);
	if (mbi->flags & MULTIBOOT_INFO_MEM_MAP)
		add_reserved(mbi->mmap_addr, mbi->mmap_addr + mbi->mmap_length);
	if ((mbi->flags & MULTIBOOT_INFO_MODS) && mbi->mods_count > 0) {
		mods = boot_phys(mbi->mods_addr);
		if (mods == NULL)
			panic("physmem: the module list at %08x is out of reach",
			      mbi->mods_addr);
		add_reserved(mbi->mods_addr,
			     mbi->mods_addr + mbi->mods_count * sizeof(*mods));
		for (i = 0; i < mbi->mods_count; i++) {
			add_reserved(mods[i].mod_start, mods[i].mod_end);
			reserve_string(mods[i].cmdline);
		}
	}
}

size_t
physmem_init(void)
{
	const struct multiboot_info *mbi = bootinfo();
	physaddr_t top = 0;
	uint32_t usable = 0;
	int i;

	find_ram(mbi);
	reserve_boot_data(mbi);
	for (i = 0; i < nram; i++) {
		top = MAX(top, ram[i].end);
		usable += (ram[i].end - ram[i].start) / 1024;
	}
	if (top == 0)
		panic("physmem: the boot loader reported no usable RAM");
	cprintf("physical memory: %u KB usable, top of RAM %08x\n", usable, top);
	return PGNUM(top);
}

/* The reserved range overlapping [start, end), or NULL. */
static const struct range *
reserved_overlap(physaddr_t start, physaddr_t end)
{
	int i;

	for (i = 0; i < nreserved; i++)
		if (start < reserved[i].end && reserved[i].start < end)
			return &reserved[i];
	return NULL;
}

bool
page_is_usable(physaddr_t pa)
{
	int i;

	/* page_init() asks about every page: from now on, pages are its. */
	boot_alloc_closed = true;
	if (reserved_overlap(pa, pa + PGSIZE))
		return false;
	for (i = 0; i < nram; i++)
		if (ram[i].start <= pa && pa + PGSIZE <= ram[i].end)
			return true;
	return false;
}

/* Whether [start, end) is all usable RAM (reserved or not). */
static bool
is_ram(physaddr_t start, physaddr_t end)
{
	int i;

	for (i = 0; i < nram; i++)
		if (ram[i].start <= start && end <= ram[i].end)
			return true;
	return false;
}

void *
boot_alloc(size_t n)
{
	extern char end[];
	const struct range *r;
	physaddr_t start;

	if (boot_alloc_closed)
		panic("boot_alloc: called after page_init(); use page_alloc()");
	if (boot_next == 0)
		boot_next = ROUNDUP(MON2PHYS(end), PGSIZE);
	n = ROUNDUP(n, PGSIZE);
	/* First fit after the kernel, stepping over what the loader left. */
	start = boot_next;
	while ((r = reserved_overlap(start, start + n)) != NULL)
		start = r->end;
	if (!is_ram(start, start + n))
		panic("boot_alloc: no room for %u KB of RAM after the kernel "
		      "and the loader's modules", (unsigned) (n / 1024));
	add_reserved(start, start + n);
	boot_next = start + n;
	memset(PHYS2DMAP(start), 0, n);
	return PHYS2DMAP(start);
}
