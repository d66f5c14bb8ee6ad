/*
 * shadowdt.h - the descriptor tables the CPU really uses while a guest runs.
 *
 * The guest's GDTR and IDTR are virtual (struct vcpu); the CPU is loaded
 * with the monitor's shadow GDT, built from the guest's descriptors with
 * their privilege compressed (DPL 0 becomes 1) and their limits clipped
 * below MONBASE, and with the monitor's IDT, which sends every vector to
 * the monitor.  Adams & Agesen, section 2.3 ("shadow structures") and
 * 3.2 (segment truncation).
 *
 * The top slots of the shadow GDT are the monitor's own: a guest selector
 * naming one gets a fault, as it would on a GDT that ends earlier.
 */
#ifndef VMM_SHADOWDT_H
#define VMM_SHADOWDT_H

/* 8192 descriptors: as many as any GDTR limit can reach. */
#define SDT_NDESC	8192
/* Slots the guest may use: its GDT is shadowed up to here. */
#define SDT_GUEST_MAX	8184
/* The monitor's slots (selectors, RPL 0). */
#define SDT_MON_CS	(8184 << 3)	/* monitor code, ring 0 */
#define SDT_MON_DS	(8185 << 3)	/* monitor data and stack, ring 0 */
#define SDT_MON_TSS	(8186 << 3)	/* the monitor's TSS: ss0:esp0, no I/O bitmap */
#define SDT_BOOT_CS	(8187 << 3)	/* the guest's flat code before its first lgdt */
#define SDT_BOOT_DS	(8188 << 3)	/* the guest's flat data before its first lgdt */

#endif
