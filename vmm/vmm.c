/*
 * vmm.c - the monitor's entry from the host kernel: which engine, which guest.
 *
 * docs/design.md section 5: one monitor core, several engines that differ only
 * in how guest instructions get executed; the kernel command line chooses
 * (engine=te).  This file is the switchboard and nothing more.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/power.h"
#include "kern/bootinfo.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/loader.h"
#include "vmm/vmm.h"
#include "vmm/te.h"

struct vm *curvm;
/* In the monitor image: the engine's trap path reaches it on guest CR3. */
static struct vm the_vm;
static char engine[8];

void
vmm_init(void)
{
	if (!cmdline_option("engine", engine, sizeof(engine)))
		engine[0] = '\0';
}

void
vmm_autorun(void)
{
	int status;

	if (engine[0] == '\0')
		return;
	if (strcmp(engine, "te") != 0) {
		cprintf("vmm: engine=%s: no such engine: lab 4 builds engine=te\n",
			engine);
		return;
	}
	if (vm_load(&the_vm) < 0)
		return;
	curvm = &the_vm;
	status = te_run(&the_vm);
	te_stats_print();
	curvm = NULL;
	gmem_free(&the_vm);
	/*
	 * A guest that ended its run through the debug-exit port ends the
	 * machine with its status, as it would on a bare PC; one that
	 * stopped otherwise leaves us in the kernel monitor (try vmstat).
	 */
	if (status >= 0) {
		cprintf("vmm: the guest exited with status %d\n", status);
		machine_exit(status);
	}
}

int
test_vmload(void)
{
	struct vm *vm = &the_vm;
	uint8_t head[8];
	uint32_t mbi[17];
	char s[64];

	if (vm_load(vm) < 0)
		return EXIT_FAILURE;
	/* Read back through gmem what the guest will find. */
	gmem_read(vm, vm->vcpu.eip, head, sizeof(head));
	gmem_read(vm, GUEST_MBINFO, mbi, sizeof(mbi));
	cprintf("vmload: entry %08x: %02x %02x %02x %02x\n", vm->vcpu.eip,
		head[0], head[1], head[2], head[3]);
	cprintf("vmload: eax %08x ebx %08x cr0 %08x eflags %08x\n",
		vm->vcpu.gpr[0], vm->vcpu.gpr[3], vm->vcpu.cr0, vm->vcpu.eflags);
	cprintf("vmload: mbi flags %08x mem_lower %u mem_upper %u\n", mbi[0],
		mbi[1], mbi[2]);
	gmem_read(vm, mbi[4], s, sizeof(s));
	s[sizeof(s) - 1] = '\0';
	cprintf("vmload: guest command line '%s'\n", s);
	gmem_read(vm, mbi[16], s, sizeof(s));
	s[sizeof(s) - 1] = '\0';
	cprintf("vmload: loader name '%s'\n", s);
	cprintf("vmload: gpa 00100000 -> hpa %08x\n", gmem_hpa(vm, 0x100000));
	gmem_free(vm);
	cprintf("vmload: ok\n");
	return EXIT_SUCCESS;
}
