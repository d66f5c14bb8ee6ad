/*
 * stats.c - what every run counts, and `vmstat`.
 *
 * The paper's argument is quantitative (Adams & Agesen, sections 2.4
 * and 6): a monitor is as fast as the guest is quiet, and each exit
 * costs a switch of worlds plus the work done for it.  So every exit is
 * counted by its reason, every emulated instruction by its opcode, every
 * event given to the guest by its kind, and printed at the end of a run
 * for students to compare with their guest's code; the engine adds its
 * own counters (struct engine's print_stats), the shadow MMU its own.
 */
#include "kern/types.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "vmm/vm.h"
#include "vmm/stats.h"

static const char *const reason_names[EXIT_NREASONS] = {
	[EXIT_HOST_IRQ] = "host interrupt",
	[EXIT_EMULATE] = "emulate",
	[EXIT_PAGE_FAULT] = "page fault",
	[EXIT_EXCEPTION] = "guest exception",
	[EXIT_INTR_WINDOW] = "interrupt window",
};

const char *
vm_opname(unsigned key)
{
	switch (key) {
	case 0x0fa: return "cli";
	case 0x0fb: return "sti";
	case 0x0f4: return "hlt";
	case 0x09c: return "pushf";
	case 0x09d: return "popf";
	case 0x0cf: return "iret";
	case 0x0c2: case 0x0c3: return "ret";
	case 0x0e8: return "call";
	case 0x0e9: case 0x0eb: return "jmp";
	case 0x070 ... 0x07f: case 0x180 ... 0x18f: return "jcc";
	case 0x0cc: return "int3";
	case 0x0cd: return "int";
	case 0x0e4: case 0x0e5: case 0x0ec: case 0x0ed: return "in";
	case 0x0e6: case 0x0e7: case 0x0ee: case 0x0ef: return "out";
	case 0x06c: case 0x06d: return "ins";
	case 0x06e: case 0x06f: return "outs";
	case 0x08e: return "mov-sreg";
	case 0x088: case 0x089: case 0x08a: case 0x08b: return "mov (mmio)";
	case 0x0a0: case 0x0a1: case 0x0a2: case 0x0a3: return "mov-moffs (mmio)";
	case 0x10b: return "ud2";
	case 0x100: return "lldt/ltr/sldt/str/verr/verw";
	case 0x101: return "lgdt/lidt/sgdt/sidt/smsw/lmsw/invlpg";
	case 0x106: return "clts";
	case 0x108: return "invd";
	case 0x109: return "wbinvd";
	case 0x120: case 0x122: return "mov-cr";
	case 0x121: case 0x123: return "mov-dr";
	case 0x130: return "wrmsr";
	case 0x131: return "rdtsc";
	case 0x132: return "rdmsr";
	case 0x1a2: return "cpuid";
	}
	return NULL;
}

/* The first opcode key with this name that was counted. */
static unsigned
first_key(const struct vm_stats *s, const char *name)
{
	unsigned i;

	for (i = 0; i < NOPKEYS; i++)
		if (s->emulated[i] && vm_opname(i) &&
		    strcmp(vm_opname(i), name) == 0)
			return i;
	return NOPKEYS;
}

/*
 * Several opcodes share a name (in al,dx and in eax,imm8 are both "in"):
 * one total per name, in opcode order of first appearance.
 */
static void
print_emulated(const struct vm_stats *s)
{
	const char *sep = " ", *name;
	unsigned i, j;
	uint64_t n;

	cprintf("vmm: emulated:");
	for (i = 0; i < NOPKEYS; i++) {
		n = s->emulated[i];
		name = vm_opname(i);
		if (n == 0 || (name && first_key(s, name) != i))
			continue;
		if (name)
			for (j = i + 1; j < NOPKEYS; j++)
				if (strcmp(vm_opname(j) ? vm_opname(j) : "", name) == 0)
					n += s->emulated[j];
		if (name)
			cprintf("%s%s %llu", sep, name, n);
		else
			cprintf("%s%s%02x %llu", sep, i >= 256 ? "0f " : "",
				i & 0xff, n);
		sep = ", ";
	}
	cprintf("\n");
}

void
vm_stats_print(const struct vm *vm)
{
	const struct vm_stats *s = &vm->st;
	const char *sep = " ";
	uint64_t ms;
	unsigned i;

	if (!s->valid) {
		cprintf("vmstat: no guest has run\n");
		return;
	}
	ms = s->run_ns / 1000000;
	/* Under QEMU -icount the TSC counts instructions: a figure that
	 * repeats exactly from run to run. */
	cprintf("vmm: %llu exits in %llu ms of virtual time (%llu TSC cycles)\n",
		s->exits, ms, s->tsc_end - s->tsc_start);
	cprintf("vmm: exits by reason:");
	for (i = 0; i < EXIT_NREASONS; i++)
		if (s->by_reason[i]) {
			cprintf("%s%s %llu", sep, reason_names[i], s->by_reason[i]);
			sep = ", ";
		}
	cprintf("\n");
	if (vm->engine && vm->engine->print_stats)
		vm->engine->print_stats(vm);
	print_emulated(s);
	cprintf("vmm: delivered: %llu interrupts, %llu exceptions, %llu int n; "
		"%llu hlt, %llu idle waits\n", s->inj_irq, s->inj_exc,
		s->inj_soft, s->halts, s->idle_waits);
	if (s->mmu.root_misses > 0)
		shadow_stats_print(&s->mmu);
}
