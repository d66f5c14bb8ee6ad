/*
 * run.c - the one run loop, for every engine.
 *
 * docs/design.md section 5: the core owns the loop and every exit the
 * engines share; an engine only enters the guest and reports why it came
 * back (vmm/engine.h).  The loop, as lguest's run_guest():
 *
 *	mirror up to date -> engine->enter() -> the guest runs -> an exit
 *	   -> the devices advance to now -> the exit handled:
 *	        host interrupt     the host's handler takes it
 *	        emulate            vm_emulate() the instruction in hand
 *	        page fault         shadow_page_fault(): true or hidden
 *	        exception          the guest's own: reflected into it
 *	   -> the run is over if the guest asked (debug-exit) or was stopped
 *	   -> idle while halted -> deliver a due interrupt -> round again
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/x86.h"
#include "kern/trap.h"
#include "kern/serial.h"
#include "kern/gdt.h"
#include "vmm/vm.h"
#include "vmm/shadow.h"
#include "vmm/exit.h"
#include "vmm/board.h"
#include "vmm/clock.h"
#include "vmm/mirror.h"
#include "vmm/run.h"

/* How often, in virtual time, the host's serial line is looked at. */
#define INPUT_POLL_NS	1000000

/*
 * Bytes typed on the host's serial line go to the guest's UART.  The host
 * polls its UART (no receive interrupt), so the monitor looks at most
 * every INPUT_POLL_NS at an exit (the host's timer makes one at least
 * every tick while the guest runs with interrupts on) and while the guest
 * idles.  A byte the virtual UART has no room for waits for the next look.
 */
static void
poll_input(struct vm *vm, uint64_t now)
{
	vm->input_polled_ns = now;
	if (vm->held_input < 0)
		vm->held_input = serial_getc();
	while (vm->held_input >= 0 &&
	       vplat_uart_input(&vm->plat, vm->held_input))
		vm->held_input = serial_getc();
}

/* Time has passed: the devices catch up, and the host's input arrives. */
static inline void
advance(struct vm *vm)
{
	uint64_t now = clock_now_ns(vm);

	if (now - vm->input_polled_ns >= INPUT_POLL_NS)
		poll_input(vm, now);
	vplat_advance(&vm->plat, now);
}

/* A host device interrupted the guest: the host's handler takes it. */
static void
host_irq(unsigned vector)
{
	struct trapframe tf;

	memset(&tf, 0, sizeof(tf));
	tf.trapno = vector;
	tf.cs = GD_KT;
	if (vector == IRQ_OFFSET + IRQ_TIMER)
		timer_interrupt(&tf);
	else
		irq_handler(&tf);
}

/*
 * A hidden page fault the shadow MMU fixed (a fill, a dirty bit) leaves
 * the guest where it was, to retry the access, which must then succeed
 * or fault otherwise.  A fix that leaves the shadow's entry as the CPU
 * found it (but for the accessed and dirty bits the CPU sets itself) has
 * fixed nothing: the retry faults again, forever, though timer
 * interrupts and other faults may come in between.  STALL_MAX such fixes
 * of one fault (EIP, address, error code) with no fix of it that did
 * change the entry mean the guest can never go on: stop it, saying so,
 * in well under a second, instead of spinning until the grader's
 * timeout.  A guest that keeps faulting at one place legitimately (a
 * loop that remaps its window each time) changes the entry each time.
 */
#define STALL_MAX	20000

static bool
same_fault(const struct vm *vm, uint32_t eip, const struct vm_exit *x)
{
	return vm->stall.eip == eip && vm->stall.la == x->la &&
	       vm->stall.err == x->err;
}

static int
page_fault(struct vm *vm, const struct vm_exit *x)
{
	uint32_t eip = vm->vcpu.eip;
	pte_t before = shadow_lookup(vm, x->la);
	int r = shadow_page_fault(vm, x->la, x->err);

	if (r < 0 || vm->vcpu.eip != eip)
		return r;
	if ((before ^ shadow_lookup(vm, x->la)) & ~(PTE_A | PTE_D)) {
		if (same_fault(vm, eip, x))
			vm->stall.count = 0;
		return 0;
	}
	if (!same_fault(vm, eip, x)) {
		vm->stall.eip = eip;
		vm->stall.la = x->la;
		vm->stall.err = x->err;
		vm->stall.count = 0;
	}
	if (++vm->stall.count < STALL_MAX)
		return 0;
	/* (vm_kill keeps 160 characters.) */
	return vm_kill(vm, "the page fault at la %08x, err %x was fixed %u "
		       "times and its fix never changed the shadow entry "
		       "(shadow_fault, shadow_entry: lab 5, exercises 1-2)",
		       x->la, x->err, STALL_MAX);
}

static int
handle_exit(struct vm *vm, const struct vm_exit *x)
{
	switch (x->reason) {
	case EXIT_HOST_IRQ:
		host_irq(x->vector);
		return 0;
	case EXIT_EMULATE:
		return vm_emulate(vm, NO_GFN);
	case EXIT_PAGE_FAULT:
		return page_fault(vm, x);
	case EXIT_EXCEPTION:
		return vm_raise(vm, x->vector, x->has_err, x->err);
	case EXIT_INTR_WINDOW:
		return 0;		/* the loop delivers it */
	case EXIT_NREASONS:
		break;
	}
	return vm_kill(vm, "the engine reported an exit of no known reason");
}

/* The guest executed hlt: sleep the host until a virtual interrupt is due. */
static int
idle(struct vm *vm)
{
	if (!(vm->vcpu.eflags & FL_IF))
		return vm_kill(vm, "the guest halted with interrupts off: "
			       "nothing can wake it");
	while (vplat_pending_interrupt(&vm->plat) < 0) {
		vm->st.idle_waits++;
		/* sti; hlt: the host's next interrupt (its timer at worst)
		 * wakes us, and its handler runs here, in the host's world. */
		asm volatile("sti; hlt; cli");
		poll_input(vm, clock_now_ns(vm));
		advance(vm);
	}
	return 0;
}

/* A device interrupt is due and the guest can take it: deliver it. */
static int
deliver_pending(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	int vec;

	if (!(v->eflags & FL_IF) || v->intr_shadow ||
	    vplat_pending_interrupt(&vm->plat) < 0)
		return 0;
	if ((vec = vplat_ack_interrupt(&vm->plat)) < 0)
		return 0;
	return vm_inject(vm, &(struct vm_event) {
		.kind = EVENT_IRQ, .vector = vec });
}

/*
 * An exit on an instruction the guest has not executed yet (one to
 * emulate, a page fault) is an instruction boundary, with the guest's IF
 * as it was before it.  A PC takes a waiting interrupt there, before the
 * instruction; so must we, or the window of an sti; ...; cli closes with
 * the interrupt still waiting.  The instruction traps again when the
 * handler returns to it.
 */
static bool
interrupt_first(struct vm *vm, const struct vm_exit *x)
{
	const struct vcpu *v = &vm->vcpu;

	return (x->reason == EXIT_EMULATE || x->reason == EXIT_PAGE_FAULT) &&
	       (v->eflags & FL_IF) && !v->intr_shadow && !v->halted &&
	       vplat_pending_interrupt(&vm->plat) >= 0;
}

/* Until the guest asks to end (its status) or is stopped (-1). */
static int
loop(struct vm *vm)
{
	struct vm_exit x;
	uint32_t status;
	int r;

	for (;;) {
		mirror_refresh(vm);
		memset(&x, 0, sizeof(x));
		if (vm->engine->enter(vm, &x) < 0)
			return -1;
		vm->st.exits++;
		vm->st.by_reason[x.reason]++;
		advance(vm);
		r = interrupt_first(vm, &x) ? deliver_pending(vm) :
		    handle_exit(vm, &x);
		if (vplat_exit_requested(&vm->plat, &status))
			return (int) status;
		if (r < 0 || vm->dead)
			return -1;
		if (vm->vcpu.halted && idle(vm) < 0)
			return -1;
		if (deliver_pending(vm) < 0)
			return -1;
	}
}

/* Everything the core needs before the guest's first instruction. */
static int
setup(struct vm *vm)
{
	memset(&vm->st, 0, sizeof(vm->st));
	memset(&vm->stall, 0, sizeof(vm->stall));
	vm->dead = false;
	vm->held_input = -1;
	if (board_setup(vm) < 0)
		return -1;
	if (shadow_init(vm) < 0)
		return vm_kill(vm, "no host memory for the shadow MMU");
	mirror_setup(vm);
	clock_start(vm);
	vm->input_polled_ns = 0;
	vm->st.valid = true;
	return vm->engine->setup(vm);
}

int
vm_run(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	int status = -1;

	if (setup(vm) == 0) {
		cprintf("vmm: running %s under %s (%s); guest time from %s\n",
			vm->image, vm->engine->name, vm->engine->what,
			clock_source(vm));
		vm->st.tsc_start = rdtsc();
		status = loop(vm);
		vm->st.tsc_end = rdtsc();
		vm->st.run_ns = clock_now_ns(vm);
	}
	if (status < 0)
		cprintf("vmm: stopped the guest at %04x:%08x: %s\n",
			v->seg[SEG_CS].sel, v->eip, vm->dead ? vm->why_dead :
			"(no reason recorded: a bug in the monitor)");
	if (vm->engine->teardown)
		vm->engine->teardown(vm);
	mirror_free(vm);
	vm->st.mmu = vm->sh.st;
	shadow_fini(vm);
	return status;
}
