/*
 * vm.h - one virtual machine: its CPU, its memory, how it was started.
 *
 * The monitor runs one guest at a time (a uniprocessor PC, docs/design.md
 * section 4).  Everything the monitor knows about it hangs off struct vm;
 * everything touched while the guest runs lives in the monitor image
 * (static data or ALLOC_MON pages), because the guest's address space
 * maps the monitor image but not the host's direct map.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include "kern/types.h"
#include "kern/mmu.h"
#include "vmm/vcpu.h"
#include "vmm/shadow.h"

/* Guest memory the monitor gives by default, and the bounds of guestmem=. */
#define GUEST_RAM_DEFAULT	(256u << 20)
#define GUEST_RAM_MIN		(2u << 20)
#define GUEST_RAM_MAX		(1024u << 20)

/* Guest-physical page where the monitor writes the Multiboot information. */
#define GUEST_MBINFO		0x00009000

struct vm {
	struct vcpu vcpu;
	uint32_t ram;		/* bytes of RAM at guest-physical 0 */
	/*
	 * The physical-mode page directory: guest-linear = guest-physical
	 * over [0, ram), each page a host page of our choosing, plus the
	 * monitor's own entries from MONBASE up.  While guest paging is off
	 * the guest runs on it, and its page tables are the gpa -> hpa map.
	 */
	pde_t *physmap;
	/* With guest paging on (lab 5), the tables the CPU really walks. */
	struct shadow sh;
	char cmdline[128];	/* the guest's command line */
	char image[64];		/* where the image came from, for messages */
};

/* The one guest; NULL when none is loaded. */
extern struct vm *curvm;

#endif
