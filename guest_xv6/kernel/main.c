/*
 * main.c - boot: check what the loader gave us, bring up memory, devices
 * and the first process, then schedule forever.
 *
 * The order matters: the console first so that every later failure can
 * say what it was; the Multiboot block is read before the page allocator
 * runs because QEMU leaves it just above the kernel, in memory kinit
 * reclaims.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

#define MB_BOOTED_MAGIC	0x2BADB002
#define MB_INFO_MEM	0x001
#define MB_INFO_CMDLINE	0x004
#define ENTRYMAP	(16 * 1024 * 1024)	/* what entrypgdir maps */

extern char end[];		/* first address after the kernel (kernel.ld) */
extern uint mb_magic, mb_info;	/* saved by entry.S */

/* The program the command line asks init to run ("" for the shell). */
char bootcmd[CMDLINE_MAX];

struct mbinfo {
	uint flags;
	uint mem_lower;
	uint mem_upper;
	uint boot_device;
	uint cmdline;
};

/*
 * Find key=value in the command line and copy the value to bootcmd.
 * A value may be quoted to hold spaces: run="forkwait 1000".
 */
static int
cmdline_value(const char *cmd, const char *key)
{
	int klen = strlen(key);
	const char *p = cmd;
	char stop;
	int n = 0;

	while (*p) {
		if ((p == cmd || p[-1] == ' ') && strncmp(p, key, klen) == 0) {
			p += klen;
			stop = ' ';
			if (*p == '"' || *p == '\'')
				stop = *p++;
			while (*p && *p != stop && n < CMDLINE_MAX - 1)
				bootcmd[n++] = *p++;
			bootcmd[n] = 0;
			return 1;
		}
		p++;
	}
	return 0;
}

static void
read_multiboot(void)
{
	struct mbinfo *mbi;
	uint memtop;
	char *cmd;

	if (mb_magic != MB_BOOTED_MAGIC || mb_info >= ENTRYMAP) {
		cprintf("guest_xv6: no Multiboot information; assuming %d MB\n",
			PHYSTOP >> 20);
		return;
	}
	mbi = P2V(mb_info);
	if (mbi->flags & MB_INFO_MEM) {
		memtop = (mbi->mem_upper + 1024) * 1024;
		/* xv6-style kernels use all memory up to PHYSTOP. */
		if (mbi->mem_upper + 1024 < PHYSTOP / 1024) {
			cprintf("guest_xv6: %d MB of RAM, need %d MB "
				"(run QEMU with -m 256)\n",
				memtop >> 20, PHYSTOP >> 20);
			panic("not enough memory");
		}
	}
	if ((mbi->flags & MB_INFO_CMDLINE) && mbi->cmdline < ENTRYMAP) {
		cmd = P2V(mbi->cmdline);
		if (!cmdline_value(cmd, "run="))
			cmdline_value(cmd, "init=");
	}
}

/*
 * Map the first 16 MB at 0 (for the instructions right after paging turns
 * on) and at KERNBASE, with 4 MB pages so one page directory suffices.
 */
#define BIGPAGE(pa)	((pa) | PTE_P | PTE_W | PTE_PS)
__attribute__((__aligned__(PGSIZE)))
pde_t entrypgdir[NPDENTRIES] = {
	[0] = BIGPAGE(0x000000),
	[1] = BIGPAGE(0x400000),
	[2] = BIGPAGE(0x800000),
	[3] = BIGPAGE(0xC00000),
	[KERNBASE >> PDXSHIFT] = BIGPAGE(0x000000),
	[(KERNBASE >> PDXSHIFT) + 1] = BIGPAGE(0x400000),
	[(KERNBASE >> PDXSHIFT) + 2] = BIGPAGE(0x800000),
	[(KERNBASE >> PDXSHIFT) + 3] = BIGPAGE(0xC00000),
};

int
main(void)
{
	struct rtcdate t;

	boot_tsc = rdtsc();
	uartinit();
	cgainit();
	read_multiboot();
	kinit1(end, P2V(ENTRYMAP));
	kvmalloc();
	mpinit();
	lapicinit();
	seginit();
	picinit();
	ioapicinit();
	consoleinit();
	pinit();
	tvinit();
	binit();
	fileinit();
	ideinit();
	kinit2(P2V(ENTRYMAP), P2V(PHYSTOP));
	cmostime(&t);
	cprintf("guest_xv6: %d MB, %d free pages, cpu %d, %s, "
		"%d-%02d-%02d %02d:%02d:%02d\n",
		PHYSTOP >> 20, kfree_pages(), lapicid(),
		ismp ? "MP table" : "no MP table",
		t.year, t.month, t.day, t.hour, t.minute, t.second);
	if (bootcmd[0])
		cprintf("guest_xv6: init will run \"%s\"\n", bootcmd);
	userinit();
	idtinit();
	xchg(&mycpu()->started, 1);
	scheduler();
}
