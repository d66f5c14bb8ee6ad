/*
 * rseg.c - the monitor's side of the state translated code reaches
 * through %gs (vmm/bt/rseg.h; Adams & Agesen, section 3.2).
 *
 * The virtual IF lives in the vcpu while the monitor runs and in the
 * rseg while translated code does: it is copied in at every entry and
 * back at every exit, so the core, the emulator and interrupt delivery
 * only ever see the vcpu's.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vcpu.h"
#include "vmm/bt/inline.h"
#include "vmm/bt/rseg.h"

struct bt_rseg bt_rseg __attribute__((section(".monbt"), aligned(PGSIZE)));

_Static_assert(((0xffffffffu * BT_IND_MUL) >> (32 - BT_IND_BITS)) != 0,
	       "bt_ind_clear: ~0 and 0 must hash to different slots");

/* The flags lahf saves (SF ZF AF PF CF), and OF, which seto does. */
#define LAHF_FLAGS	(FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

void
bt_rseg_enter(const struct vcpu *v)
{
	uint32_t iopl = v->eflags & FL_IOPL_MASK;
	uint32_t real_if = v->eflags & FL_IF;

	/* Translated code runs with IOPL 0 and the real IF the virtual
	 * one is now (vmm/ringcomp/ringcomp.c), which its cli and pushf
	 * cannot change. */
	bt_rseg.vif = real_if != 0;
	bt_rseg.pushf_delta[0] = iopl - real_if;
	bt_rseg.pushf_delta[1] = iopl + FL_IF - real_if;
}

void
bt_rseg_leave(struct vcpu *v)
{
	v->eflags = (v->eflags & ~FL_IF) | (bt_rseg.vif ? FL_IF : 0);
}

void
bt_rseg_fix(struct vcpu *v, unsigned fix)
{
	if (fix & BT_FIX_EAX)
		v->gpr[REG_EAX] = bt_rseg.save_eax;
	if (fix & BT_FIX_ECX)
		v->gpr[REG_ECX] = bt_rseg.save_ecx;
	if (fix & BT_FIX_ESP4)
		v->gpr[REG_ESP] += 4;
	if (fix & BT_FIX_FLAGS)
		v->eflags = (v->eflags & ~(LAHF_FLAGS | FL_OF)) |
			    ((bt_rseg.save_flags >> 8) & LAHF_FLAGS) |
			    (bt_rseg.save_flags & 1 ? FL_OF : 0);
}

static struct bt_ind_entry *
ind_slot(uint32_t eip)
{
	return &bt_rseg.ind[(eip * BT_IND_MUL) >> (32 - BT_IND_BITS)];
}

void
bt_ind_clear(void)
{
	/* An empty entry must match no EIP that can hash to it: ~0 does for
	 * all but ~0's own slot, which gets 0 (that hashes elsewhere). */
	memset(bt_rseg.ind, 0xff, sizeof(bt_rseg.ind));
	ind_slot(~0u)->eip = 0;
}

void
bt_ind_fill(uint32_t eip, uint32_t tc)
{
	struct bt_ind_entry *e = ind_slot(eip);

	e->eip = eip;
	e->tc = tc;
}
