/*
 * engine.c - the binary translation engine: the guest kernel's code runs
 * translated, from the translation cache; the guest's user code runs as
 * it is.
 *
 * Adams & Agesen, section 3.  The kernel is still deprivileged to ring 1
 * (vmm/ringcomp/, as for te), but the CPU never runs its instructions
 * from the guest's pages: each unit is translated first (vmm/bt/
 * translate.c) and run from the TC on the flat ring-1 segment SDT_TC_CS,
 * with every other register the guest's.  So the instructions that would
 * give deprivileging away without trapping (pushf, mov from a segment
 * register, sgdt, a CS-relative read...) are the monitor's to answer, as
 * are those te must trap on.  The run in translated code ends at an exit
 * of the unit's (vmm/bt/bt.h) or at a trap:
 *
 *	a direct exit		the guest goes on at a known EIP: its unit
 *				is run next, without the core, and the exit
 *				chained to it (the next time, no exit at all)
 *	an indirect exit	an inline lookup missed: the target's unit is
 *				run next, and the lookup table learns it
 *	an emulate exit		the instruction is the core's: EXIT_EMULATE
 *	any other trap		as te gives it meaning (rc_trap_reason), at
 *				the guest EIP the unit's map says
 *
 * What runs untranslated: guest user mode (directly, at ring 3, the
 * paper's subsetting), and the guest kernel where the translator does
 * not go (real mode, a 16-bit code segment, single-stepping with TF):
 * that code runs directly at ring 1, exactly as under te.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/trap.h"
#include "kern/mmu.h"
#include "vmm/vm.h"
#include "vmm/desc.h"
#include "vmm/ringcomp/ringcomp.h"
#include "vmm/bt/bt.h"
#include "vmm/bt/cache.h"
#include "vmm/bt/engine.h"
#include "vmm/bt/rseg.h"

/* Whether the translator runs the guest's next instructions. */
static bool
translatable(const struct vcpu *v)
{
	return v->cpl == 0 && (v->cr0 & CR0_PE) &&
	       !(v->eflags & (FL_VM | FL_TF)) &&
	       (v->seg[SEG_CS].attr & ATTR_DB) &&
	       (v->seg[SEG_SS].attr & ATTR_DB);
}

/* The guest EIP that a trap at TC address code_eip stands for, in the
 * unit it lies in (chaining may have taken the CPU on from the one given). */
static uint32_t
tc_guest_eip(struct vm *vm, uint32_t code_eip, unsigned trapno)
{
	struct bt_run *r = &vm->bt;
	uint32_t off = code_eip - (uint32_t) bt_tc, eip;
	/* An exit's int may be the last of its unit's bytes. */
	const struct bt_unit *u = bt_cache_unit_at(r->cur,
				trapno == BT_EXIT_VEC ? off - 1 : off);

	r->exit = NULL;
	r->fix = 0;
	if (u == NULL) {
		r->lost = code_eip;
		return vm->vcpu.eip;
	}
	r->cur = u;
#if SOL >= 6
	if (trapno == BT_EXIT_VEC && (r->exit = bt_exit_at(&u->tx, off)) != NULL)
		switch (r->exit->kind) {
		case BT_EXIT_DIRECT:
			return r->exit->target;
		case BT_EXIT_INDIRECT:
			return bt_rseg.target;
		default:
			return r->exit->at;
		}
	if (bt_guest_eip(&u->tx, off, &eip)) {
		/* Inside an inline sequence: the registers are put right
		 * once the rest of the vcpu is filled in (run_unit). */
		r->fix = bt_point_fix(&u->tx, off);
		return r->fix & BT_FIX_TARGET ? bt_rseg.target : eip;
	}
#else
	/* LAB 6: your code here.
	 * The CPU trapped with vector trapno in unit u's translation, having
	 * saved TC offset off.  Return the guest EIP that the CPU's state
	 * stands for, as a trap of the guest's own code would have saved it.
	 *  - An exit (trapno BT_EXIT_VEC: off is just after its int):
	 *    bt_exit_at() finds it; set r->exit to it.  A direct exit's guest
	 *    goes on at its target, an indirect one's (a lookup that missed)
	 *    at the target in bt_rseg.target; an emulate exit stands for the
	 *    instruction at `at`, which the emulator will run.
	 *  - Any other trap (a fault, a host interrupt): bt_guest_eip() maps
	 *    an instruction boundary to the guest's EIP.  Inside an inline
	 *    sequence the registers may not be the guest's yet: set r->fix
	 *    to bt_point_fix()'s answer, which run_unit() applies, and with
	 *    BT_FIX_TARGET the guest is at bt_rseg.target.
	 * What goes wrong, and where, if a page fault in the middle of a unit
	 * is reported at the unit's first instruction? */
	(void) eip;
#endif
	r->lost = code_eip;
	return u->tx.eip;
}

/* The guest's own code, directly, as te runs it. */
static int
enter_untranslated(struct vm *vm, struct vm_exit *x)
{
	vm->bt.untranslated++;
	if (rc_enter(vm, x, NULL) < 0)
		return -1;
	if (x->vector >= IRQ_OFFSET + NIRQS)
		return vm_kill(vm, "unexpected trap %u from the guest", x->vector);
	x->reason = rc_trap_reason(vm, x);
	return 0;
}

/*
 * Translations and chains assume the guest's paging of the moment: when
 * it may have changed, the cache checks that its code is still where it
 * was (vmm/bt/cache.h).  A propagated write to a page table counts: QEMU's
 * CPU, whose TLB every world switch empties, would see it at once.
 */
static void
follow_paging(struct vm *vm)
{
	const struct vcpu *v = &vm->vcpu;
	struct bt_run *r = &vm->bt;
	uint32_t paging = (v->cr0 & CR0_PG) | (v->cr4 & (CR4_PSE | CR4_PAE));

	if (v->cr3 == r->cr3 && paging == r->paging &&
	    vm->sh.st.invlpg == r->invlpg &&
	    vm->sh.st.propagated == r->propagated)
		return;
	bt_cache_paging_changed(vm);
	r->cr3 = v->cr3;
	r->paging = paging;
	r->invlpg = vm->sh.st.invlpg;
	r->propagated = vm->sh.st.propagated;
}

/* Whether the guest can take the interrupt that is pending, here. */
static bool
window_open(struct vm *vm)
{
	return (vm->vcpu.eflags & FL_IF) && !vm->vcpu.intr_shadow &&
	       vplat_pending_interrupt(&vm->plat) >= 0;
}

/*
 * An inline lookup missed (the ret, call * or jmp * is done): find the
 * target's unit in *next, and send the lookup there next time.
 */
static void
follow_indirect(struct vm *vm, const struct bt_unit **next)
{
	uint32_t drops = bt_cache_drops();

	vm->bt.ind_misses++;
	*next = bt_cache_get(vm, vm->vcpu.eip, false);
#if SOL >= 6
	/* Only a unit that stays valid as long as the table does (the
	 * cache empties it at every drop), and that needs no compare. */
	if (bt_cache_drops() == drops && (*next)->chainable)
		bt_ind_fill(vm->vcpu.eip, (uint32_t) bt_tc + (*next)->tx.start);
#else
	/* LAB 6: your code here.
	 * The next lookup of this target should hit: give the table
	 * (bt_ind_fill()) the guest EIP and the address the translated
	 * code jumps to, the unit's code in the TC (bt_tc is where the TC
	 * begins; the unit's translation starts tx.start bytes in).  But
	 * only for a unit that is chainable, and not if making it dropped
	 * the cache (bt_cache_drops() changed): why would either be wrong?
	 * Until then every indirect branch of the kernel exits here. */
	(void) drops;
#endif
}

/* The lookup table holds EIPs of one code segment: that of the moment. */
static void
follow_cs(struct vm *vm)
{
	if (vm->vcpu.seg[SEG_CS].base != vm->bt.ind_cs_base) {
		bt_ind_clear();
		vm->bt.ind_cs_base = vm->vcpu.seg[SEG_CS].base;
	}
}

/*
 * Run unit u, which is at the guest's EIP.  1 with *next set if the
 * guest left it by a direct exit (chained now), else 0 with x describing
 * the exit for the core.
 */
static int
run_unit(struct vm *vm, const struct bt_unit *u, struct vm_exit *x,
	 const struct bt_unit **next)
{
	struct bt_run *r = &vm->bt;
	struct rc_code code = { .sel = SDT_TC_CS, .gs = SDT_TC_GS,
				.guest_eip = tc_guest_eip };
	int ret;

	r->cur = u;
	code.eip = (uint32_t) bt_tc + u->tx.start;
	r->lost = 0;
	r->fix = 0;
	r->units_run++;
	bt_rseg_enter(&vm->vcpu);
	sdt_translated_code(true, BT_EXIT_VEC);
	ret = rc_enter(vm, x, &code);
	sdt_translated_code(false, BT_EXIT_VEC);
	if (ret < 0)
		return -1;
	bt_rseg_leave(&vm->vcpu);
	bt_rseg_fix(&vm->vcpu, r->fix);
	if (r->lost)
		return vm_kill(vm, "trap %u in translated code at %08x, which "
			       "is no instruction boundary of a unit "
			       "(tc_guest_eip: lab 6, exercise 3)",
			       x->vector, r->lost);
	if (x->vector == BT_EXIT_VEC) {
		if (r->exit == NULL)
			return vm_kill(vm, "an exit from translated code at "
				       "no exit stub of the unit at %08x",
				       r->cur->tx.eip);
		if (r->exit->kind == BT_EXIT_DIRECT) {
			const struct bt_unit *from = r->cur;
			const struct bt_exit *e = r->exit;
			uint32_t drops = bt_cache_drops();

			r->direct_exits++;
			if (from->single && window_open(vm)) {
				r->windows++;
				x->reason = EXIT_INTR_WINDOW;
				return 0;
			}
			if (from->single) {
				*next = NULL;
				return 1;
			}
			*next = bt_cache_get(vm, vm->vcpu.eip, false);
			/* Unless making it dropped the unit left: chain. */
			if (bt_cache_drops() == drops)
				bt_cache_chain(from, e, *next);
			return 1;
		}
		if (r->exit->kind == BT_EXIT_INDIRECT) {
			follow_indirect(vm, next);
			return 1;
		}
		r->emulate_exits++;
		x->reason = EXIT_EMULATE;
		return 0;
	}
	if (x->vector >= IRQ_OFFSET + NIRQS)
		return vm_kill(vm, "unexpected trap %u from translated code",
			       x->vector);
	r->traps++;
	x->reason = rc_trap_reason(vm, x);
	return 0;
}

/* Whether the guest is in an sti (or mov %ss) shadow with an interrupt
 * waiting for it to end: exactly one instruction must run first. */
static bool
in_cpu_shadow(struct vm *vm)
{
	const struct vcpu *v = &vm->vcpu;

	return v->intr_shadow && !v->intr_shadow_grace &&
	       (v->eflags & FL_IF) && vplat_pending_interrupt(&vm->plat) >= 0;
}

/*
 * Units run one after the other without the core, which delivers
 * interrupts when the monitor next has the guest: at a trap (the host's
 * timer at the latest) or an exit.  An interrupt pending when the guest
 * opens its window (the instruction after an sti) is taken after that
 * instruction, which runs alone for that, as on a PC.
 */
static int
bt_enter(struct vm *vm, struct vm_exit *x)
{
	const struct vcpu *v = &vm->vcpu;
	const struct bt_unit *u = NULL;
	int r;

	do {
		if (!translatable(v))
			return enter_untranslated(vm, x);
		follow_paging(vm);
		follow_cs(vm);
		if (u == NULL)
			u = bt_cache_get(vm, v->eip, in_cpu_shadow(vm));
	} while ((r = run_unit(vm, u, x, &u)) == 1);
	return r;
}

static void
bt_watched_write(struct vm *vm, uint32_t gpa, unsigned len)
{
	rc_watched_write(vm, gpa, len);
	bt_cache_wrote(vm, gpa);
}

static void
bt_unwatch(struct vm *vm, uint32_t gfn)
{
	rc_unwatch(vm, gfn);
	bt_cache_unwatch(vm, gfn);
}

static int
bt_setup(struct vm *vm)
{
	if (rc_setup(vm) < 0)
		return -1;
	memset(&vm->bt, 0, sizeof(vm->bt));
	memset(&bt_rseg, 0, sizeof(bt_rseg));
	sdt_tc_data((uint32_t) &bt_rseg, sizeof(bt_rseg));
	bt_cache_reset(vm);
	return 0;
}

static void
bt_print_stats(const struct vm *vm)
{
	const struct bt_cache_stats *c = bt_cache_stats();
	const struct bt_run *r = &vm->bt;
	unsigned k;

	rc_print_stats(vm, "bt");
	cprintf("bt: %llu translations of %llu guest instructions (",
		(unsigned long long) c->translations,
		(unsigned long long) c->guest_insns);
	for (k = 0; k < BT_NCLASSES; k++)
		cprintf("%s%s %llu", k ? ", " : "", bt_class_name(k),
			(unsigned long long) c->by_class[k]);
	cprintf(")\n");
	if (c->guest_insns)
		cprintf("bt: translating took %llu TSC cycles per guest "
			"instruction\n", (unsigned long long)
			(c->translate_tsc / c->guest_insns));
	cprintf("bt: in line:");
	for (k = 0; k < BT_NRULES; k++)
		cprintf("%s %s %llu", k ? "," : "", bt_rule_name(k),
			(unsigned long long) c->by_rule[k]);
	cprintf("; indirect lookups %u, of which %llu missed\n", bt_rseg.lookups,
		(unsigned long long) r->ind_misses);
	cprintf("bt: cache: %u units, %u bytes of code, %u guest frames of "
		"code (%u not watched); %llu lookups, %llu stale; dropped %llu "
		"times full, %llu for a write to guest code\n", c->units,
		c->tc_used, c->frames, c->unwatched,
		(unsigned long long) c->lookups, (unsigned long long) c->stale,
		(unsigned long long) c->flushes,
		(unsigned long long) c->code_writes);
	cprintf("bt: %llu chains made; %llu paging changes, %llu of which "
		"moved translated code (all dropped)\n",
		(unsigned long long) c->chains,
		(unsigned long long) c->paging_checks,
		(unsigned long long) c->remaps);
	cprintf("bt: %llu entries to translated code, left by %llu direct "
		"exits, %llu emulate exits, %llu traps; %llu entries to "
		"untranslated code\n", (unsigned long long) r->units_run,
		(unsigned long long) r->direct_exits,
		(unsigned long long) r->emulate_exits,
		(unsigned long long) r->traps,
		(unsigned long long) r->untranslated);
}

const struct engine bt_engine = {
	.name = "bt",
	.what = "binary translation, the guest kernel from the translation cache at ring 1",
	.setup = bt_setup,
	.enter = bt_enter,
	.inject = rc_deliver,
	.print_stats = bt_print_stats,
	.load_dtr = rc_load_dtr,
	.watched_write = bt_watched_write,
	.unwatch = bt_unwatch,
};
