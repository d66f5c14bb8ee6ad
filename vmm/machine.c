/*
 * machine.c - the machine as the emulator sees it.
 *
 * Adams & Agesen, section 2: the monitor carries out a trapped
 * instruction on the virtual CPU, and the instruction's effects on the
 * rest of the machine go through struct emu_ops (vmm/emulate.h).  For
 * every engine they land here: memory through the guest's own page
 * tables (vmm/linear.h), ports to the device models, control-register
 * loads to the shadow MMU, descriptor-table loads to the engine.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/x86.h"
#include "kern/mmu.h"
#include "vmm/vm.h"
#include "vmm/linear.h"
#include "vmm/shadow.h"
#include "vmm/machine.h"

static struct vm *
vm_of(void *ctx)
{
	return ((struct machine *) ctx)->vm;
}

/* The privilege the guest's CPU would access memory with. */
static unsigned
access_of(struct vm *vm, bool write)
{
	return (vm->vcpu.cpl == 3 ? PTW_USER : 0) | (write ? PTW_WRITE : 0);
}

static int
m_read(void *ctx, uint32_t la, void *buf, unsigned size, struct emu_fault *f)
{
	struct vm *vm = vm_of(ctx);

	return linear_read(vm, la, buf, size, access_of(vm, false), f);
}

static int
m_write(void *ctx, uint32_t la, const void *buf, unsigned size,
	struct emu_fault *f)
{
	struct vm *vm = vm_of(ctx);

	return linear_write(vm, la, buf, size, access_of(vm, true), f);
}

static uint32_t
m_in(void *ctx, uint16_t port, unsigned size)
{
	return vplat_pio_in(&vm_of(ctx)->plat, port, size);
}

static void
m_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	vplat_pio_out(&vm_of(ctx)->plat, port, size, val);
}

static int
m_write_cr(void *ctx, int cr, uint32_t val, struct emu_fault *f)
{
	struct vm *vm = vm_of(ctx);

	(void) f;
	shadow_write_cr(vm, cr, val);
	return 0;
}

static void
m_invlpg(void *ctx, uint32_t la)
{
	shadow_invlpg(vm_of(ctx), la);
}

static int
m_load_dtr(void *ctx, enum emu_dtr which, struct emu_fault *f)
{
	struct vm *vm = vm_of(ctx);

	if (vm->engine->load_dtr == NULL)
		return 0;
	return vm->engine->load_dtr(vm, which, f);
}

/*
 * The MSRs of the platform, the ones QEMU's default CPU has, with its
 * values.  Any other reaches the guest as #GP, as on real hardware (QEMU's
 * TCG itself answers 0 for an MSR it does not know, and ignores writes).
 */
static int
m_rdmsr(void *ctx, uint32_t msr, uint64_t *val)
{
	struct vm *vm = vm_of(ctx);

	switch (msr) {
	case MSR_APIC_BASE:
		*val = vlapic_base(&vm->plat.lapic);
		return 0;
	case MSR_PAT:
		*val = vm->vcpu.pat;
		return 0;
	case MSR_MISC_ENABLE:
		*val = vm->vcpu.misc_enable;
		return 0;
	case MSR_BIOS_SIGN:
		*val = 1ull << 32;
		return 0;
	case MSR_PLATFORM_INFO:		/* as QEMU's TCG CPU: no CPUID faulting */
	case MSR_MISC_FEATURES:
		*val = 0;
		return 0;
	}
	return -1;
}

static int
m_wrmsr(void *ctx, uint32_t msr, uint64_t val)
{
	struct vm *vm = vm_of(ctx);

	switch (msr) {
	case MSR_APIC_BASE:
		return vlapic_set_base(&vm->plat.lapic, val);
	case MSR_PAT:
		vm->vcpu.pat = val;
		return 0;
	case MSR_MISC_ENABLE:
		vm->vcpu.misc_enable = val;
		return 0;
	case MSR_BIOS_SIGN:
		return 0;
	case MSR_MISC_FEATURES:		/* CPUID faulting, not offered */
		return val & MISC_FEATURES_CPUID_FAULT ? -1 : 0;
	}
	return -1;
}

void
machine_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	asm volatile("cpuid" : "=a" (out[0]), "=b" (out[1]), "=c" (out[2]),
		     "=d" (out[3]) : "a" (leaf), "c" (subleaf));
	if (leaf == 1)
		out[2] &= ~(1u << 5);		/* VMX */
	if (leaf == 0x80000001)
		out[2] &= ~(1u << 2);		/* SVM */
}

static void
m_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	(void) ctx;
	machine_cpuid(leaf, subleaf, out);
}

static uint64_t
m_rdtsc(void *ctx)
{
	(void) ctx;
	return rdtsc();
}

static bool
m_rep_stop(void *ctx)
{
	struct machine *m = ctx;

	return m->traced_gfn != NO_GFN && !shadow_traced(m->vm, m->traced_gfn);
}

const struct emu_ops machine_ops = {
	.read = m_read,
	.write = m_write,
	.in = m_in,
	.out = m_out,
	.write_cr = m_write_cr,
	.invlpg = m_invlpg,
	.load_dtr = m_load_dtr,
	.rdmsr = m_rdmsr,
	.wrmsr = m_wrmsr,
	.cpuid = m_cpuid,
	.rdtsc = m_rdtsc,
	.rep_stop = m_rep_stop,
};
