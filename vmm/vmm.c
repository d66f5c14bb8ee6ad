/*
 * vmm.c - the monitor's entry from the host kernel: which engine, which
 * guest.
 *
 * docs/design.md section 5: one monitor core, several engines that differ
 * only in how guest instructions get executed; the kernel command line
 * chooses (engine=te).  An engine is one line of the table below and
 * files of its own (vmm/engine.h).  This file is the switchboard and
 * nothing more.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/power.h"
#include "kern/bootinfo.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/loader.h"
#include "vmm/run.h"
#include "vmm/stats.h"
#include "vmm/vmm.h"
#include "vmm/te/te.h"
#include "vmm/bt/engine.h"

/* The engines this kernel has. */
static const struct engine *const engines[] = {
	&te_engine,
	&bt_engine,
};

/* The engines the course builds later, so that asking for one says when. */
static const struct {
	const char *name;
	const char *lab;
} planned[] = {
	{ "vtx", "lab 8 (Intel VT-x)" },
};

struct vm *curvm;
static struct vm the_vm;
static char engine_name[16];

void
vmm_init(void)
{
	if (!cmdline_option("engine", engine_name, sizeof(engine_name)))
		engine_name[0] = '\0';
}

/* The engine called name, or NULL after saying which there are. */
static const struct engine *
find_engine(const char *name)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(engines); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	cprintf("vmm: engine=%s: ", name);
	for (i = 0; i < ARRAY_SIZE(planned); i++)
		if (strcmp(planned[i].name, name) == 0)
			break;
	if (i < ARRAY_SIZE(planned))
		cprintf("not built yet: %s builds it;", planned[i].lab);
	else
		cprintf("no such engine;");
	cprintf(" this kernel has");
	for (i = 0; i < ARRAY_SIZE(engines); i++)
		cprintf("%s engine=%s (%s)", i ? "," : "", engines[i]->name,
			engines[i]->what);
	cprintf("\n");
	return NULL;
}

void
vmm_autorun(void)
{
	const struct engine *e;
	int status;

	if (engine_name[0] == '\0' || (e = find_engine(engine_name)) == NULL)
		return;
	if (vm_load(&the_vm) < 0)
		return;
	the_vm.engine = e;
	curvm = &the_vm;
	status = vm_run(&the_vm);
	vm_stats_print(&the_vm);
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

void
vmm_stats_print(void)
{
	vm_stats_print(&the_vm);
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
	gmem_read(vm, vm->vcpu.gpr[REG_EBX], mbi, sizeof(mbi));
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
