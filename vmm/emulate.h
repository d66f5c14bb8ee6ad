/*
 * emulate.h - carry out one guest instruction on the virtual CPU.
 *
 * Trap-and-emulate (paper section 2): the deprivileged guest kernel traps
 * on a privileged instruction, or on an access to emulated MMIO, and the
 * monitor performs the instruction's effect on the virtual state (struct
 * vcpu) instead of the real one.  The emulator touches nothing outside
 * the vcpu except through struct emu_ops, which the engine supplies:
 * guest memory, ports, and the hooks that let the shadow structures (the
 * shadow GDT/IDT, the shadow MMU) follow the guest's changes.
 */
#ifndef VMM_EMULATE_H
#define VMM_EMULATE_H

#include "kern/types.h"
#include "kern/trap.h"	/* the exception vectors, T_* */
#include "vmm/vcpu.h"
#include "vmm/decode.h"

/* An exception for the engine to inject into the guest. */
struct emu_fault {
	uint8_t vector;
	bool has_err;		/* the vector pushes an error code */
	uint32_t err;
	uint32_t cr2;		/* for #PF: the faulting linear address */
};

/* What emulate() did. */
enum emu_result {
	EMU_DONE,		/* done; EIP advanced (or set by a branch) */
	EMU_FAULT,		/* inject ev->fault; the vcpu is unchanged except
				 * for completed iterations of a rep string op */
	EMU_SOFTINT,		/* int n/int3/into: deliver ev->fault.vector
				 * through the guest IDT as a software interrupt
				 * (gate DPL checked against CPL); EIP already
				 * points past the instruction */
	EMU_HALT,		/* hlt: v->halted set, EIP advanced */
	EMU_UNHANDLED,		/* not emulated: ev->reason says why; vcpu unchanged */
};

/* Result details (emulate's last argument). */
struct emu_event {
	struct emu_fault fault;	/* EMU_FAULT, EMU_SOFTINT */
	const char *reason;	/* EMU_UNHANDLED: a constant string for the log */
};

/* Which descriptor-table register an instruction loaded. */
enum emu_dtr {
	EMU_GDTR, EMU_IDTR, EMU_LDTR, EMU_TR
};

/*
 * The engine's side.  Every callback returning int returns 0 on success;
 * on failure it fills *f with the exception to inject (for a guest page
 * fault: T_PF, the error code and the CR2) and returns nonzero, and the
 * emulator abandons the instruction without committing register state.
 * Optional callbacks may be NULL; the effect of NULL is stated.
 */
struct emu_ops {
	/* Guest linear memory, the address already segment-relocated. */
	int (*read)(void *ctx, uint32_t la, void *buf, unsigned size,
		    struct emu_fault *f);
	int (*write)(void *ctx, uint32_t la, const void *buf, unsigned size,
		     struct emu_fault *f);

	/* Port I/O, size 1, 2 or 4. */
	uint32_t (*in)(void *ctx, uint16_t port, unsigned size);
	void (*out)(void *ctx, uint16_t port, unsigned size, uint32_t val);

	/*
	 * A mov to CR0/CR3/CR4 (or clts, lmsw): called after the emulator
	 * has checked the value but before it stores it in the vcpu, so the
	 * shadow MMU can react (old value still in v->crN).  Nonzero refuses
	 * it with *f.  NULL: accept.
	 */
	int (*write_cr)(void *ctx, int cr, uint32_t val, struct emu_fault *f);

	/* invlpg of a guest linear address.  NULL: nothing to do. */
	void (*invlpg)(void *ctx, uint32_t la);

	/*
	 * lgdt, lidt, lldt or ltr has just updated v->gdtr/idtr/ldtr/tr:
	 * re-shadow.  Nonzero refuses it with *f (the vcpu keeps the new
	 * value).  NULL: nothing to do.
	 */
	int (*load_dtr)(void *ctx, enum emu_dtr which, struct emu_fault *f);

	/*
	 * MSRs the emulator does not keep itself (it keeps the SYSENTER
	 * MSRs and the TSC in the vcpu): nonzero means #GP(0), as does NULL.
	 */
	int (*rdmsr)(void *ctx, uint32_t msr, uint64_t *val);
	int (*wrmsr)(void *ctx, uint32_t msr, uint64_t val);

	/* cpuid as the guest must see it (VMX/SVM filtered).  NULL: zeros. */
	void (*cpuid)(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

	/* The host TSC; the guest sees it plus v->tsc_offset.  NULL: 0. */
	uint64_t (*rdtsc)(void *ctx);

	/*
	 * After each completed iteration of a rep string instruction other
	 * than ins and outs: true ends the emulation there, EIP left on the
	 * instruction and ECX counting what remains, so that the guest
	 * carries on with it itself, as after an interrupt.  NULL: never.
	 */
	bool (*rep_stop)(void *ctx);
};

/* Why a task switch happens (it decides busy bits, NT and the back link). */
enum emu_task_reason {
	TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT
};

/**
 * @brief Deliver an interrupt or exception through a task gate whose TSS
 * selector is @p sel: the hardware task switch, with the error code
 * pushed on the new task's stack if @p has_err.  For an engine that
 * delivers through the guest's IDT itself (ring compression).
 * @return EMU_DONE, or EMU_FAULT with @p ev->fault: the fault the switch
 * raised (before the new task's state is loaded, the old task's)
 */
int emu_task_gate(struct vcpu *v, const struct emu_ops *ops, void *ctx,
		  uint16_t sel, bool has_err, uint32_t err, struct emu_event *ev);

/* Model-specific registers the emulator knows by number. */
#define MSR_TSC			0x010
#define MSR_APIC_BASE		0x01b
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_BIOS_SIGN		0x08b	/* microcode revision */
#define MSR_MISC_ENABLE		0x1a0
#define MSR_PAT			0x277

/**
 * @brief Emulate one decoded instruction at v->eip on the virtual CPU.
 *
 * Checks privilege against v->cpl and the virtual IOPL, performs the
 * instruction on the vcpu and through @p ops, and advances EIP.
 * Register state is committed only once every memory access has
 * succeeded, so a fault leaves the vcpu as it was (rep string
 * instructions commit each completed iteration, as the CPU does).
 * @return an enum emu_result; details in @p ev.
 */
int emulate(struct vcpu *v, const struct insn *in, const struct emu_ops *ops,
	    void *ctx, struct emu_event *ev);

/**
 * @brief Fetch the instruction at CS:EIP through ops->read, then decode it.
 *
 * Fetches no byte past the end of the instruction's page unless the
 * instruction continues there, so a fetch fault is a real one.
 * @return EMU_DONE with @p in filled, EMU_FAULT (fetch fault, T_GP for
 *	too long, T_UD for undefined: ev->fault), never anything else.
 */
int emu_fetch(struct vcpu *v, struct insn *in, const struct emu_ops *ops,
	      void *ctx, struct emu_event *ev);

/** @brief An enum emu_result as text, for logs. */
const char *emu_result_name(int r);

#endif
