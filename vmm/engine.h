/*
 * engine.h - what an engine is: the part of the monitor that runs guest
 * instructions, plugged into the one core.
 *
 * docs/design.md section 5.  Every engine shares the core: struct vm, the
 * vcpu, the decoder and emulator, the devices, the shadow MMU and the run
 * loop (vmm/run.c), which handles every exit the engines have in common.
 * An engine differs only in how the guest's instructions get executed
 * between two exits, and so it supplies little: a way in (enter), a way
 * to hand the guest an interrupt or exception (inject), set-up and
 * tear-down, and its own counters.  As lguest's run_guest() calls two
 * architecture hooks, vm_run() calls these:
 *
 *	setup(vm)			once, after the core's own set-up
 *	loop:
 *	    enter(vm, &exit)		run the guest until it needs the monitor
 *	    ... the core handles the exit, maybe calling inject(vm, &event)
 *	teardown(vm)			once, whatever ended the run
 *	print_stats(vm)			at the end, and for `vmstat`
 *
 * An engine is one entry in the table of vmm/vmm.c and files of its own:
 * vmm/te/ (trap-and-emulate), vmm/bt/ (binary translation); vmm/ringcomp/
 * holds what the two share.
 */
#ifndef VMM_ENGINE_H
#define VMM_ENGINE_H

#include "kern/types.h"
#include "vmm/emulate.h"

struct vm;

/* Why the guest stopped running and came back to the monitor. */
enum vm_exit_reason {
	EXIT_HOST_IRQ,		/* a host device interrupted: vector */
	EXIT_EMULATE,		/* the instruction at the guest's EIP needs
				 * the monitor: emulate it */
	EXIT_PAGE_FAULT,	/* a page fault with guest paging on:
				 * la, err as the CPU reported them */
	EXIT_EXCEPTION,		/* the guest's own code raised an exception
				 * that is the guest's to handle: vector, err */
	EXIT_INTR_WINDOW,	/* the guest is at an instruction boundary
				 * where it can take the interrupt that is
				 * pending: nothing to do but deliver it */
	EXIT_NREASONS
};

/* An exit, as the engine reports it to the core. */
struct vm_exit {
	enum vm_exit_reason reason;
	unsigned vector;	/* HOST_IRQ, EXCEPTION: the CPU's vector */
	bool has_err;		/* EXCEPTION: the vector pushes an error code */
	uint32_t err;		/* EXCEPTION, PAGE_FAULT: the error code */
	uint32_t la;		/* PAGE_FAULT: the faulting address (CR2) */
};

/* What the guest is owed, through its IDT (or the hardware's injection). */
enum vm_event_kind {
	EVENT_EXCEPTION,	/* raised by an instruction: err if has_err */
	EVENT_IRQ,		/* an external interrupt: its vector */
	EVENT_SOFTINT,		/* int n, int3, into: the gate's DPL is checked */
};

struct vm_event {
	enum vm_event_kind kind;
	uint8_t vector;
	bool has_err;
	uint32_t err;
	uint8_t len;		/* SOFTINT: the instruction's length, EIP
				 * being past it; a fault its delivery raises
				 * is the instruction's, at its own EIP */
};

struct engine {
	const char *name;	/* engine=NAME on the kernel command line */
	const char *what;	/* one phrase for the start of a run */

	/**
	 * Prepare the CPU-side state for @p vm (the core has loaded the
	 * guest and built its devices and shadow MMU).  0, or -1 after
	 * vm_kill().
	 */
	int (*setup)(struct vm *vm);
	/**
	 * Run the guest from the vcpu until it needs the monitor, then
	 * bring the vcpu up to date and describe why in @p exit.  0, or -1
	 * after vm_kill() if the guest cannot be entered.
	 */
	int (*enter)(struct vm *vm, struct vm_exit *exit);
	/**
	 * Give the guest @p ev now, as the CPU would at the guest's
	 * instruction boundary.  0, or -1 after vm_kill() (a triple fault).
	 */
	int (*inject)(struct vm *vm, const struct vm_event *ev);
	/** Undo setup(); called once whatever ended the run.  NULL: nothing. */
	void (*teardown)(struct vm *vm);
	/** Print the engine's own counters (after the core's). */
	void (*print_stats)(const struct vm *vm);

	/**
	 * Optional: the guest loaded a descriptor-table register (the vcpu
	 * already holds it); bring the engine's copy up to date.  Nonzero
	 * refuses it with @p f.  NULL: nothing to do.
	 */
	int (*load_dtr)(struct vm *vm, enum emu_dtr which, struct emu_fault *f);
	/**
	 * Optional: the monitor wrote [@p gpa, @p gpa + @p len) of guest RAM,
	 * within one page, on the guest's behalf (an emulated instruction,
	 * a pushed frame), and the page is one the engine watches
	 * (shadow_watch): bring the engine's copy of it up to date before
	 * the guest runs on.  NULL: the engine watches nothing.
	 */
	void (*watched_write)(struct vm *vm, uint32_t gpa, unsigned len);
	/**
	 * Optional, with watched_write: the emulator cannot carry out a
	 * guest write to watched frame @p gfn.  End the engine's watches
	 * on it and keep its copy coherent another way, so that the guest
	 * may retry the write on the CPU.
	 */
	void (*unwatch)(struct vm *vm, uint32_t gfn);
};

#endif
