/*
 * vcpu.h - the virtual CPU: everything the guest believes about its CPU.
 *
 * One struct serves every engine (te, bt, vtx).  Some of this state is on
 * the real CPU while the guest runs (the general registers, EIP, the
 * arithmetic flags); the rest exists only here, because the guest kernel
 * runs deprivileged and must never touch the real thing: the virtual
 * EFLAGS.IF and IOPL, the control registers, the descriptor-table
 * registers.  That split is the paper's section 2.3, "shadow structures":
 * the monitor keeps the primary copy and the hardware sees a shadow.
 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "kern/types.h"

/* General registers in the order instructions encode them (ModRM reg). */
enum gpr {
	REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI,
	NGPRS
};

/* Segment registers in the order instructions encode them. */
enum sreg {
	SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS,
	NSREGS
};

/* A segment register as the guest loaded it: selector and descriptor cache. */
struct vseg {
	uint16_t sel;
	uint32_t base;
	uint32_t limit;		/* in bytes, granularity applied */
	uint16_t attr;		/* the VMCS access-rights layout (vmm/desc.h) */
};

/* A descriptor-table register (GDTR, IDTR). */
struct vdtr {
	uint32_t base;
	uint16_t limit;
};

/* A system segment register (LDTR, TR): selector plus descriptor cache. */
struct vsysreg {
	uint16_t sel;
	uint32_t base;
	uint32_t limit;
	uint16_t attr;
};

struct vcpu {
	uint32_t gpr[NGPRS];
	uint32_t eip;
	uint32_t eflags;	/* as the guest sees them: virtual IF and IOPL */
	struct vseg seg[NSREGS];
	int cpl;		/* the guest's privilege level: 0 or 3 as it believes */

	uint32_t cr0, cr2, cr3, cr4;
	uint32_t dr[8];
	struct vdtr gdtr, idtr;
	struct vsysreg ldtr, tr;

	/* MSRs a 32-bit guest may use (the platform's: vmm/machine.c). */
	uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t tsc_offset;
	uint64_t pat, misc_enable;

	bool halted;		/* executed hlt, waiting for an interrupt */
	/*
	 * sti (or mov/pop %ss) just executed: interrupts stay blocked until
	 * the next instruction completes, as on the CPU (sti; hlt must not
	 * lose a wakeup).  The emulator sets it, at intr_shadow_eip (the
	 * instruction it covers, vm_emulate() notes it); the engine clears
	 * it after the next guest instruction, but not when the guest
	 * trapped on that very instruction (sti; cli takes no interrupt) or
	 * a host interrupt came before it, once (intr_shadow_held), and the
	 * core checks it before injecting.
	 */
	bool intr_shadow;
	bool intr_shadow_held;
	/* The shadow is the monitor's grace after an iret (vm_emulate()),
	 * not the CPU's: "at least one instruction", not "exactly one". */
	bool intr_shadow_grace;
	uint32_t intr_shadow_eip;
};

#endif
