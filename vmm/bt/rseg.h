/*
 * rseg.h - the monitor's state that translated code reaches itself,
 * through the one segment register the translator keeps for it (%gs).
 *
 * Adams & Agesen, section 3.2: VMware's translator reaches the VMM's
 * state through a reserved segment register, so that translated code can
 * do what a privileged instruction would without leaving the TC.  Here
 * that is one page-aligned block in the monitor's view of every guest
 * address space (.monbt, mapped writable for rings 0-2 only), on a ring-1
 * data segment (SDT_TC_GS) that exists only while translated code runs.
 * The guest's own %gs lives in the vcpu meanwhile: every guest
 * instruction that names %gs is the monitor's (vmm/bt/class.c), and no
 * guest data segment reaches the monitor's range.
 *
 * Translated code keeps here the virtual IF (cli is a store), what
 * pushf adds to the real EFLAGS to make the virtual ones, the registers
 * an inline sequence borrows, and the table of the inline lookup that
 * takes a ret, call * or jmp * to its target's translation without an
 * exit.  The layout
 * is the translator's (vmm/bt/translate.c emits its offsets): plain
 * types only, so that the host-side tests see the same offsets.
 */
#ifndef VMM_BT_RSEG_H
#define VMM_BT_RSEG_H

#include "kern/types.h"

/* Entries of the indirect lookup table: a guest EIP's bits above
 * (32 - BT_IND_BITS) of its product with BT_IND_MUL. */
#define BT_IND_BITS	10
#define BT_IND_SIZE	(1u << BT_IND_BITS)
#define BT_IND_MUL	0x9e3779b1u	/* Knuth's: spreads nearby addresses */

struct bt_ind_entry {
	uint32_t eip;		/* a guest EIP of the current code segment */
	uint32_t tc;		/* its unit's code, as a TC segment offset */
};

struct bt_rseg {
	/* The virtual IF as an index: 0 clear, 1 set (cli stores 0). */
	uint32_t vif;
	/* What pushf adds to the real EFLAGS image (IOPL 0, IF as it was
	 * at the entry) to give the virtual one, by vif. */
	uint32_t pushf_delta[2];
	/* What inline sequences borrow: the guest's registers, its
	 * arithmetic flags (lahf in bits 8-15, seto in bit 0), an indirect branch's
	 * guest target, and the TC address it jumps to. */
	uint32_t save_eax, save_ecx, save_flags;
	uint32_t target, jump;
	/* Inline lookups made (the monitor counts the misses). */
	uint32_t lookups;
	struct bt_ind_entry ind[BT_IND_SIZE] __attribute__((aligned(64)));
};

#define BT_RSEG_FIELD(f)	((uint32_t) __builtin_offsetof(struct bt_rseg, f))

/* The monitor's side (vmm/bt/rseg.c). */
struct vcpu;

/* In .monbt: kern/kernel.ld puts it where vmm/ringcomp/monview.c maps
 * it into every guest address space. */
extern struct bt_rseg bt_rseg;

/** @brief Give the rseg the vcpu's virtual IF and IOPL, before
 * translated code runs. */
void bt_rseg_enter(const struct vcpu *v);

/** @brief Take the virtual IF back into @p v, after translated code ran. */
void bt_rseg_leave(struct vcpu *v);

/**
 * @brief Make @p v, the CPU's state at a point inside an inline sequence,
 * the guest's: apply @p fix (vmm/bt/inline.h's BT_FIX_*, but the EIP,
 * which the caller has).
 */
void bt_rseg_fix(struct vcpu *v, unsigned fix);

/** @brief Empty the indirect lookup table. */
void bt_ind_clear(void);

/** @brief Send the inline lookup of guest EIP @p eip to TC address @p tc. */
void bt_ind_fill(uint32_t eip, uint32_t tc);

#endif
