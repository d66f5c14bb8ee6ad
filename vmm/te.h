/*
 * te.h - the trap-and-emulate engine: what its files share.
 *
 * Adams & Agesen, section 2: the guest runs directly but deprivileged,
 * every privileged instruction traps, and the monitor emulates it on the
 * virtual CPU.  vmm/world.S switches worlds, vmm/te.c runs the loop and
 * sends each trap where it belongs, vmm/intr.c delivers interrupts and
 * exceptions through the guest's IDT, vmm/stats.c counts it all.
 */
#ifndef VMM_TE_H
#define VMM_TE_H

#include "kern/types.h"
#include "kern/trap.h"
#include "vmm/vm.h"
#include "vmm/shadowdt.h"
#include "vmm/emulate.h"
#include "vmm/dev/platform.h"

/* Where the CPU and world.S save the guest on every trap. */
extern struct trapframe world_frame;
/* Where the monitor itself faulted in world.S (world_switch() == -1). */
extern uint32_t world_fault_trapno, world_fault_eip;

/**
 * @brief Switch to the guest described by world_frame on page directory
 * @p guest_cr3 (physical) and come back at its next trap.
 * @return 0 with world_frame holding the trapped guest, or -1 if a trap
 * hit the monitor inside the switch (world_fault_trapno, world_fault_eip)
 */
int world_switch(uint32_t guest_cr3);

/* The guest's devices (vmm/dev/), as te runs them. */
extern struct vplatform te_plat;
/* The emulator's view of the machine under te (vmm/te_ops.c). */
extern const struct emu_ops te_ops;
/* Set when the guest asked for something te cannot do: the run stops. */
extern const char *te_stop_reason;
/* The guest frame a traced write is being emulated for, or NO_GFN. */
extern uint32_t te_tracing_gfn;

/**
 * @brief Pass bytes typed on the host's serial line to the guest's UART,
 * as far as it has room (the host polls; te looks when the guest does).
 */
void te_poll_host_input(void);

/** @brief What the engine counts: exits by cause, emulations by opcode. */
struct te_stats {
	uint64_t exits;			/* world switches back to the monitor */
	uint64_t by_vector[MIDT_NVEC];	/* ... by the vector that caused them */
	uint64_t emulated[512];		/* instructions emulated, by map * 256 + opcode */
	uint64_t inj_irq, inj_exc, inj_soft;	/* deliveries through the guest IDT */
	uint64_t halts;			/* hlt executed */
	uint64_t idle_waits;		/* host hlts while the guest was halted */
	uint64_t tsc_start, tsc_end;	/* the run, in host TSC cycles */
	uint64_t tsc_per_ms;
	struct shadow_stats mmu;	/* the shadow MMU's, copied at the end */
	bool valid;			/* a run has happened */
};
extern struct te_stats te_stats;

/**
 * @brief Run @p vm under trap-and-emulate until it ends.
 * @return the status the guest wrote to the debug-exit port, or -1 if
 * the run ended otherwise (the reason printed)
 */
int te_run(struct vm *vm);

/**
 * @brief Deliver @p vector to the guest through its IDT, as the CPU
 * would at its believed privilege level: a ring-0 frame (with @p err if
 * @p has_err) on the guest's stack, switching to its TSS stack when
 * coming from ring 3.  @p soft: an `int n`, whose gate DPL is checked.
 * @return 0, or -1 if the delivery itself failed beyond what the guest
 * could handle (a triple fault): the reason printed
 */
int intr_deliver(struct vm *vm, unsigned vector, bool has_err, uint32_t err,
		 bool soft);

/**
 * @brief The 8-byte guest descriptor @p sel selects, as the guest wrote
 * it (the boot slots give the flat descriptors a loader leaves).
 * @return 0, or -1 if @p sel is outside the guest's GDT
 */
int te_guest_desc(struct vm *vm, uint16_t sel, uint64_t *d);

/** @brief Print the counters of the last run (`vmstat` in the kernel monitor). */
void te_stats_print(void);

/** @brief The name of an emulated opcode (map * 256 + op), for the counters. */
const char *te_opname(unsigned key);

#endif
