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
 * The top slots of the shadow GDT are the monitor's own: six hold the
 * descriptors of guest segment registers that no guest slot holds any
 * more (vmm/ringcomp/ringcomp.c), three the monitor's segments and TSS.
 * A guest GDT that reaches them (a limit above 0xff8f) is shadowed
 * only below them.
 */
#ifndef VMM_RINGCOMP_SHADOWDT_H
#define VMM_RINGCOMP_SHADOWDT_H

/* 8192 descriptors: as many as any GDTR limit can reach. */
#define SDT_NDESC	8192
/* Slots the guest may use: its GDT is shadowed up to here. */
#define SDT_GUEST_MAX	8178
/* Six slots, one per segment register (enum sreg), for a register's own
 * descriptor when the guest's table no longer holds it. */
#define SDT_CACHED	8178
/* The monitor's slots (selectors, RPL 0). */
#define SDT_MON_CS	(8184 << 3)	/* monitor code, ring 0 */
#define SDT_MON_DS	(8185 << 3)	/* monitor data and stack, ring 0 */
#define SDT_MON_TSS	(8186 << 3)	/* the monitor's TSS: ss0:esp0, no I/O bitmap */
#define SDT_TC_CS	(8187 << 3 | 1)	/* flat code, ring 1: the binary
					 * translator's translation cache */
#define SDT_TC_GS	(8188 << 3 | 1)	/* data, ring 1: the state that
					 * translated code reaches (sdt_tc_data) */

/* Pages the shadowed part of a GDT can touch: 64 KB, not page-aligned. */
#define SDT_GDT_PAGES	17
/* Writes in a row to a GDT page that change no descriptor, after which the
 * page is compared at each entry rather than traced. */
#define SDT_GDT_FLOOD	16
/* Vectors the monitor's IDT has gates for: exceptions, host IRQs, 48,
 * and the binary translator's exits (vmm/bt/bt.h's BT_EXIT_VEC, 49). */
#define MIDT_NVEC	50

#ifndef ASSEMBLER
#include "kern/types.h"
#include "kern/mmu.h"

struct vm;
struct vseg;

/* The tables themselves: world.S loads them on the way into the guest. */
extern uint64_t shadow_gdt[SDT_NDESC];
extern struct pseudodesc shadow_gdt_pd, mon_idt_pd;

/**
 * @brief Build the monitor's slots of the shadow GDT, the monitor's TSS
 * (ring-0 stack @p esp0, no I/O bitmap) and the monitor's IDT, whose
 * gates lead to the stubs of vmm/ringcomp/world.S.  The guest's slots
 * start empty.
 */
void sdt_init(uint32_t esp0);

/**
 * @brief Shadow the guest's GDT (at the start, and after each lgdt):
 * every descriptor the guest's GDTR reaches, up to SDT_GUEST_MAX, through
 * desc_shadow() with ring-3 code hidden; the rest of the guest's slots
 * are cleared, as are those on pages the guest has not mapped (a load of
 * one faults to the monitor, which emulates it from the guest's table).
 * The frames the table lies in are watched from then on.
 */
void sdt_shadow_gdt(struct vm *vm);

/**
 * @brief Keep the shadow GDT coherent across a change of the guest's
 * paging: if its GDT now lies in other frames, watch those and shadow it
 * again.  Cheap when nothing changed; called on every entry.
 */
void sdt_follow_gdt(struct vm *vm);

/**
 * @brief The guest wrote [@p gpa, @p gpa + @p len), within one page of a
 * watched frame: shadow again the descriptors of its GDT there.
 */
void sdt_gdt_wrote(struct vm *vm, uint32_t gpa, unsigned len);

/**
 * @brief Stop watching frame @p gfn of the GDT; its descriptors are
 * compared on each entry from now on (sdt_follow_gdt).
 */
void sdt_gdt_unwatch(struct vm *vm, uint32_t gfn);

/**
 * @brief Make the guest's code segment @p sel present in the shadow GDT
 * (0: none), hiding again the one shown before.
 *
 * The shadow GDT hides every ring-3 code descriptor, so that the guest
 * kernel's iret to user mode raises \#NP and the monitor can finish it
 * (an iret at ring 1 cannot set IF).  The world switch itself must then
 * enter ring 3 on the one descriptor it shows here.
 */
void sdt_show_user_cs(struct vm *vm, uint16_t sel);

/**
 * @brief Put segment register @p s's descriptor @p seg, shadowed, into
 * its SDT_CACHED slot, for the world switch to load.
 */
void sdt_set_cached(int s, const struct vseg *seg);

/**
 * @brief Whether selector @p sel may be put into segment register @p seg
 * (enum sreg) by the world switch without faulting at ring 0: null (not
 * for CS or SS), or a present shadow descriptor of a fitting type.
 */
bool sdt_selector_ok(uint16_t sel, int seg);

/**
 * @brief Make SDT_TC_GS the @p size bytes at @p base (page-aligned, whole
 * pages of the monitor's view), for translated code's %gs.
 */
void sdt_tc_data(uint32_t base, uint32_t size);

/**
 * @brief Open (@p on) or close the way into and out of translated code:
 * the SDT_TC_CS and SDT_TC_GS descriptors present and gate @p exit_vec
 * at DPL 1.  Open
 * only while the CPU runs the translation cache, where the guest's own
 * code can neither far-jump to that segment nor raise that vector (both
 * are the monitor's instructions there); closed, a guest `ljmp` or `int`
 * to them faults as to any slot or gate it has not got.
 */
void sdt_translated_code(bool on, unsigned exit_vec);
#endif

#endif
