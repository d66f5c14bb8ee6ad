/*
 * vm.h - one virtual machine: everything the monitor keeps for a guest.
 *
 * The monitor runs one guest at a time (a uniprocessor PC, docs/design.md
 * section 4).  Everything it knows about that guest hangs off struct vm,
 * whatever the engine: the CPU the guest believes in, its memory and its
 * shadow page tables, its devices, its clock, the counters of its run,
 * and why the run stopped.  Nothing about a guest lives in a global that
 * files pass between them; a function that acts for the guest is given
 * the vm.  The monitor's C code runs on the host's page directory, so
 * struct vm may live anywhere in the kernel (vmm/vmm.c has the one).
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include "kern/types.h"
#include "kern/mmu.h"
#include "vmm/vcpu.h"
#include "vmm/engine.h"
#include "vmm/shadow.h"
#include "vmm/dev/platform.h"
#include "vmm/ringcomp/ringcomp.h"
#include "vmm/bt/engine.h"

/* Guest memory the monitor gives by default, and the bounds of guestmem=. */
#define GUEST_RAM_DEFAULT	(256u << 20)
#define GUEST_RAM_MIN		(2u << 20)
#define GUEST_RAM_MAX		(1024u << 20)

/* Opcode keys of the emulation counters: map * 256 + opcode. */
#define NOPKEYS			512

/* What every engine's run counts (vmm/stats.c prints it). */
struct vm_stats {
	uint64_t exits;			/* returns from the guest to the monitor */
	uint64_t by_reason[EXIT_NREASONS];
	uint64_t emulated[NOPKEYS];	/* instructions emulated, by opcode key */
	uint64_t inj_irq, inj_exc, inj_soft;	/* events given to the guest */
	uint64_t halts;			/* hlt executed */
	uint64_t idle_waits;		/* host hlts while the guest was halted */
	uint64_t tsc_start, tsc_end;	/* the run, in host TSC cycles */
	uint64_t run_ns;		/* the run, in virtual time */
	struct shadow_stats mmu;	/* the shadow MMU's, as the run left them */
	bool valid;			/* a run has happened */
};

/* Virtual time: the devices run on nanoseconds of it (vmm/clock.c). */
struct vclock {
	volatile uint8_t *hpet;		/* the HPET's registers, or NULL */
	uint32_t ns_per_tick;		/* the HPET's period */
	uint64_t tsc_per_ms;		/* without one: the TSC, calibrated */
	uint64_t start;			/* the count at virtual time 0 */
};

/* The read-only page of LAPIC registers the shadow maps (vmm/mirror.c). */
struct lapic_mirror {
	uint8_t *page;			/* NULL: no mirror, every read exits */
	uint32_t generation;		/* the LAPIC's, when the page was filled */
};

struct vm {
	struct vcpu vcpu;
	const struct engine *engine;	/* how the guest's code is run */
	uint32_t ram;		/* bytes of RAM at guest-physical 0 */
	/*
	 * The physical-mode page directory: guest-linear = guest-physical
	 * over [0, ram), each page a host page of our choosing.  While
	 * guest paging is off the guest runs on it, and its page tables
	 * are the gpa -> hpa map.
	 */
	pde_t *physmap;
	/* Its page tables' host addresses, for gpa -> hpa without a lookup. */
	pte_t *physmap_pt[NPDENTRIES];
	/* With guest paging on (lab 5), the tables the CPU really walks. */
	struct shadow sh;
	struct vplatform plat;		/* the guest's devices */
	struct lapic_mirror mirror;
	struct vclock clock;
	/* Host console input on its way to the guest's UART. */
	int held_input;			/* a byte the UART had no room for, or -1 */
	uint64_t input_polled_ns;	/* virtual time of the last look */
	/* te and bt: the deprivileged guest's CPU-side state. */
	struct ringcomp rc;
	struct bt_run bt;		/* bt: what its run counts */
	struct vm_stats st;
	/* The page fault whose fix last changed no shadow entry, and how
	 * many such fixes it has had (run.c: a fix that fixes nothing). */
	struct {
		uint32_t eip, la, err, count;
	} stall;
	/* Set by vm_kill(): why the monitor stopped the guest. */
	bool dead;
	char why_dead[160];
	char cmdline[1024];	/* the guest's command line */
	char image[64];		/* where the image came from, for messages */
};

/* The one guest; NULL when none is loaded. */
extern struct vm *curvm;

/**
 * @brief Stop the guest: the monitor found something it cannot or must
 * not go on with (lguest's kill_guest).  The first reason is kept and
 * printed once when the run ends, with where the guest was; the run
 * loop ends after the exit in hand.
 * @return -1, so that a caller can `return vm_kill(vm, ...)`
 */
int vm_kill(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
