/*
 * vlapic.h - the local APIC model (MMIO page at 0xFEE00000) of the one
 * virtual CPU.
 */
#ifndef VMM_DEV_LAPIC_H
#define VMM_DEV_LAPIC_H

#include "kern/types.h"
#include "vmm/dev/virq.h"

#define VLAPIC_BASE	0xFEE00000u
#define VLAPIC_VERSION	0x00050014u	/* version 0x14, 6 LVT entries */

/* Register offsets in the page. */
#define VLAPIC_ID	0x020
#define VLAPIC_VER	0x030
#define VLAPIC_TPR	0x080
#define VLAPIC_APR	0x090
#define VLAPIC_PPR	0x0A0
#define VLAPIC_EOI	0x0B0
#define VLAPIC_LDR	0x0D0
#define VLAPIC_DFR	0x0E0
#define VLAPIC_SVR	0x0F0
#define VLAPIC_ISR	0x100	/* 8 registers, 16 bytes apart */
#define VLAPIC_TMR	0x180
#define VLAPIC_IRR	0x200
#define VLAPIC_ESR	0x280
#define VLAPIC_ICRLO	0x300
#define VLAPIC_ICRHI	0x310
#define VLAPIC_LVT_TIMER	0x320
#define VLAPIC_LVT_THERMAL	0x330
#define VLAPIC_LVT_PERF	0x340
#define VLAPIC_LVT_LINT0	0x350
#define VLAPIC_LVT_LINT1	0x360
#define VLAPIC_LVT_ERROR	0x370
#define VLAPIC_TICR	0x380
#define VLAPIC_TCCR	0x390
#define VLAPIC_TDCR	0x3E0

#define VLAPIC_SVR_ENABLE	0x100
#define VLAPIC_LVT_MASKED	0x10000
#define VLAPIC_LVT_PERIODIC	0x20000

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, NLVT };

struct vlapic {
	uint32_t id, tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending;	/* ESR shows what was pending at its last write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[NLVT];
	uint32_t ticr, tdcr;
	uint32_t irr[8], isr[8], tmr[8];
	uint64_t timer_start;	/* virtual ns when the count was (re)loaded */
	uint64_t timer_fired;	/* periods already delivered */
	bool timer_running;
	uint64_t now_ns;
	uint32_t generation;	/* bumped whenever a register in the page changes */
	void (*eoi_level)(void *ctx, int vector);	/* EOI of a level-triggered vector */
	void *eoi_ctx;
	uint64_t timer_irqs;
	uint32_t apic_base;	/* IA32_APIC_BASE: base, BSP, global enable */
};

/* IA32_APIC_BASE: the bootstrap processor, the global enable (bit 11). */
#define VLAPIC_BASE_BSP		0x100
#define VLAPIC_BASE_ENABLE	0x800

/** @brief Reset the LAPIC (ID @p id) at virtual time @p now_ns. */
void vlapic_init(struct vlapic *l, uint32_t id, uint64_t now_ns);
/** @brief Guest read of the register at @p offset in the page (32-bit). */
uint32_t vlapic_read(struct vlapic *l, uint32_t offset);
/** @brief Guest write of @p val to the register at @p offset (32-bit). */
void vlapic_write(struct vlapic *l, uint32_t offset, uint32_t val);
/** @brief An interrupt message for @p vector arrives (from the IOAPIC, an IPI, an LVT). */
void vlapic_accept(struct vlapic *l, int vector, bool level);
/** @brief The vector the CPU would take now, honouring PPR and ISR, or -1. */
int vlapic_pending(const struct vlapic *l);
/** @brief The CPU takes the interrupt: IRR to ISR; returns the vector, or -1. */
int vlapic_ack(struct vlapic *l);
/** @brief The IA32_APIC_BASE MSR. */
uint64_t vlapic_base(const struct vlapic *l);
/**
 * @brief A write of IA32_APIC_BASE.  Clearing the global enable disables
 * the LAPIC until reset, as on QEMU's CPU (a later write cannot set it
 * again); the base stays at VLAPIC_BASE.
 * @return 0, or -1 (the CPU's \#GP) for a reserved bit or another base
 */
int vlapic_set_base(struct vlapic *l, uint64_t val);
/** @brief Leave the LAPIC as the PC's BIOS does: software-enabled, LINT0
 *  ExtINT and LINT1 NMI (the virtual-wire mode of the MP specification). */
void vlapic_bios_setup(struct vlapic *l);

/** @brief True if the LAPIC is enabled: globally (IA32_APIC_BASE bit 11)
 *  and in software (SVR bit 8). */
bool vlapic_enabled(const struct vlapic *l);
/** @brief Bring the timer to @p now_ns, delivering the interrupts of periods that ended. */
void vlapic_advance(struct vlapic *l, uint64_t now_ns);
/** @brief The virtual time of the timer's next interrupt, or UINT64_MAX. */
uint64_t vlapic_deadline(const struct vlapic *l);
/** @brief Write every register's current value at its offset in @p page
 *  (the read-only page of docs/design.md section 5; TCCR is as of l->now_ns).
 *  Only the register area, the first 1 KB, is written: give it a page
 *  that was zeroed once. */
void vlapic_fill_page(const struct vlapic *l, uint8_t page[4096]);
/** @brief Rewrite only the timer's current count (TCCR, as of l->now_ns)
 *  in a page vlapic_fill_page() filled: the one register that moves
 *  without a write, so the generation does not follow it. */
void vlapic_refresh_count(const struct vlapic *l, uint8_t page[4096]);

#endif
