/*
 * ringcomp.h - a guest kernel run deprivileged on the real CPU: what the
 * trap-and-emulate engine and the binary translator share.
 *
 * Adams & Agesen, sections 2.1-2.3 and 3.2.  Both software engines run
 * the guest's kernel at ring 1 and its user code at ring 3, on tables
 * the monitor builds: the shadow GDT (the guest's descriptors with DPL 0
 * made 1 and limits truncated below the monitor), the monitor's IDT and
 * TSS, and a page table that shows the world switch in every guest
 * address space.  Squeezing the guest's two rings into the CPU's rings
 * 1 and 3 is "ring compression", and this module hides it from the guest
 * wherever the guest could look:
 *
 *	ringcomp.c	the vcpu (what the guest believes) to the CPU's
 *			registers and back: RPL 1 where the guest sees 0,
 *			IOPL 0 so that cli/sti/in/out trap, real IF = virtual IF
 *	world.S		the world switch and the monitor's trap stubs
 *	shadowdt.c	the shadow GDT, the monitor's IDT and TSS
 *	shadowdesc.c	the rule for one shadow descriptor
 *	monview.c	what a guest address space maps of the monitor
 *	deliver.c	interrupts and exceptions through the guest's IDT,
 *			with frames that show ring 0
 *
 * The VT-x engine needs none of it: VMX non-root mode runs the guest at
 * its own rings, and the hardware delivers through the guest's IDT.
 */
#ifndef VMM_RINGCOMP_RINGCOMP_H
#define VMM_RINGCOMP_RINGCOMP_H

#include "kern/types.h"
#include "vmm/emulate.h"
#include "vmm/vcpu.h"
#include "vmm/ringcomp/shadowdt.h"

struct vm;
struct vm_exit;
struct vm_event;

/* A deprivileged guest's CPU-side state (part of struct vm). */
struct ringcomp {
	/*
	 * The guest's descriptors as the shadow last copied them: the user
	 * code slot shown for a return to ring 3 is shown and hidden again
	 * from them, with no walk of the guest's tables (and none that
	 * could fail and leave a slot shown).
	 */
	uint64_t guest_gdt[SDT_GUEST_MAX];
	unsigned shown_user_cs;		/* the slot made present, or 0 */
	/*
	 * The pages of the guest's GDT, as the guest's paging mapped them
	 * when last looked at (lgdt, or a change of CR3, CR0.PG or
	 * CR4.PSE or PAE): each traced, so that every write to a
	 * descriptor reaches the shadow, or compared at every entry
	 * (vmm/ringcomp/shadowdt.c).
	 */
	struct gdt_page {
		uint32_t gfn;		/* the guest frame, or NO_GFN */
		bool watched;		/* writes fault (shadow_watch) */
		uint16_t flood;		/* writes in a row beside the table */
		/* Not watched: the slots wholly inside the page, and
		 * where the first lies, host-mapped. */
		unsigned first, last;
		const uint64_t *host;
	} gdt[SDT_GDT_PAGES];
	unsigned gdt_npages;
	unsigned gdt_compared;		/* pages compared at every entry */
	uint32_t gdt_space;		/* the paging they were found under */
	uint64_t gdt_unwatched;		/* pages that stopped being traced */
	/*
	 * Bumped whenever a guest slot of the shadow GDT changes (but for
	 * the user code slot shown and hidden on the way to and from ring
	 * 3, which the choices below are keyed by instead).
	 */
	uint32_t sdt_generation;
	/*
	 * The selectors the world switch last loaded at each real ring
	 * (1, 3), and the guest's selectors, generation and shown user
	 * code slot they were chosen for: they spare the choice on the many
	 * entries that change none of it (docs/design.md section 8: an
	 * exit's cost is the lesson).  A register on a GDT selector can
	 * change its descriptor only by a load from the table, which the
	 * generation follows; one on an SDT_CACHED slot is compared whole.
	 */
	struct world_choice {
		uint32_t generation;
		unsigned shown_user_cs;
		uint16_t guest_sel[NSREGS];
		struct vseg seg[NSREGS];
		uint16_t sel[NSREGS];
		bool cached;		/* some sel is an SDT_CACHED slot */
	} world[2];
	unsigned entered;		/* the world[] of the last entry */
	uint64_t cached_entries;	/* entries with one: non-reversible */
	uint64_t by_vector[MIDT_NVEC];	/* exits by the CPU's vector */
};

/**
 * @brief Build the tables the CPU runs a deprivileged guest on: the
 * shadow GDT from the guest's, the monitor's IDT and TSS, and the
 * monitor's view in the physical-mode directory and in every shadow root.
 * @return 0, or -1 after vm_kill()
 */
int rc_setup(struct vm *vm);

/*
 * Code the monitor runs in the guest's place (the binary translator's
 * translation cache): the CPU starts at sel:eip instead of the guest's
 * CS:EIP, with every other register the guest's.
 */
struct rc_code {
	uint16_t sel;		/* a monitor code segment at ring 1 */
	uint32_t eip;
	/* If not 0, the monitor data segment %gs holds while the code runs
	 * (the guest's own stays in the vcpu). */
	uint16_t gs;
	/* The guest EIP that a trap with vector trapno, whose saved EIP
	 * is code_eip in that code, stands for. */
	uint32_t (*guest_eip)(struct vm *vm, uint32_t code_eip, unsigned trapno);
};

/**
 * @brief Run the guest at its compressed ring until its next trap, then
 * bring the vcpu up to date from what the CPU saved; @p exit gets the
 * trap's vector, error code and (for a page fault) CR2, for the engine
 * to give it a reason.  @p code, if not NULL, is where the CPU runs
 * instead of the guest's own code.
 * @return 0, or -1 after vm_kill() (a selector the CPU cannot be given,
 * or a fault inside the world switch)
 */
int rc_enter(struct vm *vm, struct vm_exit *exit, const struct rc_code *code);

/**
 * @brief What a trap out of a deprivileged guest means (the table at the
 * top of vmm/te/te.c): a host interrupt, an instruction or page fault for
 * the monitor, or the guest's own exception.  Vectors past the host's
 * IRQs are the engine's to interpret first.
 */
enum vm_exit_reason rc_trap_reason(struct vm *vm, const struct vm_exit *x);

/**
 * @brief Deliver @p ev through the guest's IDT as the CPU would at the
 * guest's privilege level (struct engine's inject).
 * @return 0, or -1 after vm_kill() if the delivery itself failed beyond
 * what the guest could handle (on a real CPU: a triple fault)
 */
int rc_deliver(struct vm *vm, const struct vm_event *ev);

/**
 * @brief The guest loaded a descriptor-table register (struct engine's
 * load_dtr): re-shadow its GDT after an lgdt.  Never refuses: the CPU's
 * lgdt reads nothing of the table.
 */
int rc_load_dtr(struct vm *vm, enum emu_dtr which, struct emu_fault *f);

/**
 * @brief A guest write to a frame of its GDT was carried out (struct
 * engine's watched_write): copy the descriptors it changed into the
 * shadow GDT.
 */
void rc_watched_write(struct vm *vm, uint32_t gpa, unsigned len);

/**
 * @brief A write to GDT frame @p gfn that the emulator cannot do (struct
 * engine's unwatch): compare that page on each entry instead.
 */
void rc_unwatch(struct vm *vm, uint32_t gfn);

/** @brief Print the exits by vector, each line starting "NAME: ". */
void rc_print_stats(const struct vm *vm, const char *name);

#endif
