/*
 * machine.h - the machine as the emulator sees it.
 *
 * The emulator (vmm/emulate.h) touches nothing outside the vcpu except
 * through struct emu_ops; these are the monitor's, the same for every
 * engine: memory through the guest's own page tables with devices behind
 * it (vmm/linear.h), ports to the device models, control-register and
 * descriptor-table loads to the shadows that follow them.
 */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include "kern/types.h"
#include "vmm/emulate.h"

struct vm;

/* The emulator's context (its ops' ctx) for one instruction. */
struct machine {
	struct vm *vm;
	/*
	 * The guest frame a traced page-table write is being emulated
	 * for, or NO_GFN.  A string instruction that fills a table the
	 * guest is tearing down gets the frame unshadowed (SHADOW_FLOOD)
	 * after a few iterations; the guest may then finish the rest
	 * itself, at full speed (emu_ops.rep_stop).
	 */
	uint32_t traced_gfn;
};

/* The callbacks, their ctx a struct machine. */
extern const struct emu_ops machine_ops;

/**
 * @brief What the guest sees for `cpuid` leaf @p leaf, @p subleaf: the
 * host CPU's answer with VMX and SVM hidden (docs/design.md section 4).
 */
void machine_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
