/*
 * hostile.h - what the files of the hostile guest share: its machine
 * (descriptor tables, paging, user mode), its ways of judging an attempt,
 * and one entry point per area of attack.
 *
 * The hostile guest (grade/guests/hostile.c) is a kernel that tries to
 * reach or break the monitor it may be running under.  Each attempt is
 * something a bare PC answers in a definite way, a fault or a value; the
 * guest prints one line per attempt, natively and under the monitor, and
 * the two runs must print the same lines (grade/hostile.c).
 */
#ifndef GRADE_GUESTS_HOSTILE_H
#define GRADE_GUESTS_HOSTILE_H

#include "grade/guests/guest.h"

/* The GDT of every area: guest.h's four, user mode's two, then slots
 * each area fills for its own attempts (HSLOT(0) .. HSLOT(HNSLOTS - 1)). */
#define UCODE		0x28
#define UDATA		0x30
#define HSLOT(i)	(0x38 + 8 * (i))
#define HNSLOTS		9
#define HNGDT		16	/* the GDT's limit is HNGDT * 8 - 1 */
#define HNIDT		256

/* Vectors of the guest's IDT beyond the exceptions. */
#define V_USER_DONE	0x30	/* int $0x30: a user-mode probe is over */
#define V_IRQ0		0x20	/* the 8259s are remapped to 0x20-0x2f */

/* A word that names the frame it is in: what a read through a mapping
 * of @p pa must find there. */
#define MAGIC(pa)	(0x5ad00000u ^ (uint32_t) (pa))
/** @brief Write MAGIC(pa) into the first word of frames [pa, pa + n pages). */
void fill_frames(uint32_t pa, int n);

/* Paging. */
#define CR0_PG		0x80000000u
#define CR0_WP		0x00010000u
#define PDX(la)		((uint32_t) (la) >> 22)
#define PTX(la)		(((uint32_t) (la) >> 12) & 0x3ff)
/* [0, IDMAP) is mapped to itself, with user access, while paging is on. */
#define IDMAP		0x00800000u
/* Frames for the attempts' data, inside the identity map and above the
 * image: FRAME(0) .. FRAME(HNFRAMES - 1). */
#define FRAME(n)	(0x00400000u + (n) * PGSIZE)
#define HNFRAMES	1024

/* Where the monitor lives in a guest's address space under te
 * (kern/memlayout.h: MONBASE, the 4 MB of vmm/ringcomp/monview.h), and
 * the selectors of its own slots in the shadow GDT (shadowdt.h). */
#define MONBASE		0xFC000000u
#define MONSIZE		0x00400000u
#define MON_CS		0xffc0
#define MON_DS		0xffc8
#define MON_TSS		0xffd0

/* Guest-physical addresses that are RAM under no configuration: QEMU's
 * -m and the monitor's guestmem= stop at 1 GB here. */
#define BEYOND_RAM	0x40000000u

/* The machine every area starts from (hostile.c). */
extern uint64_t hgdt[HNGDT];
extern uint64_t hidt[HNIDT];
extern uint32_t htss[26];
/** @brief First guest-physical address past RAM (probed at start). */
extern uint32_t ram_end;

/** @brief Load the GDT with the limit @p bytes - 1 (the IDT stays). */
void hload_gdt(uint32_t bytes);
/** @brief Load the IDT with the limit @p bytes - 1 (the GDT stays). */
void hload_idt(const void *base, uint32_t bytes);
/** @brief Put every table back as hostile.c set it up. */
void hreset_tables(void);

/** @brief The guest's page directory: identity map of [0, IDMAP) only. */
extern uint32_t *const hpgdir;
/** @brief Turn paging on, on hpgdir, with CR0.WP set. */
void paging_on(void);
/** @brief Turn paging off, and drop every mapping map() made. */
void paging_off(void);
/** @brief Map page @p la to frame @p pa with @p perm (PTE_P included),
 * taking a page table from the pool if the directory has none there. */
void map(uint32_t la, uint32_t pa, uint32_t perm);
/** @brief The page-table entry that maps @p la, or NULL if no table. */
uint32_t *pte_of(uint32_t la);
/** @brief A zeroed page table from the pool, for a directory entry. */
uint32_t *pt_alloc(void);
/** @brief A probe: read the word at linear address (uint32_t) @p la. */
void probe_read(void *la);
/** @brief A probe: write a word at linear address (uint32_t) @p la. */
void probe_write(void *la);

static inline uint32_t rcr0(void) { uint32_t v; asm volatile("movl %%cr0, %0" : "=r" (v)); return v; }
static inline uint32_t rcr2(void) { uint32_t v; asm volatile("movl %%cr2, %0" : "=r" (v)); return v; }
static inline uint32_t rcr3(void) { uint32_t v; asm volatile("movl %%cr3, %0" : "=r" (v)); return v; }
static inline void lcr0(uint32_t v) { asm volatile("movl %0, %%cr0" : : "r" (v) : "memory"); }
static inline void lcr3(uint32_t v) { asm volatile("movl %0, %%cr3" : : "r" (v) : "memory"); }
static inline void invlpg(uint32_t la) { asm volatile("invlpg (%0)" : : "r" (la) : "memory"); }
static inline uint32_t peek(uint32_t a) { return *(volatile uint32_t *) a; }
static inline void poke(uint32_t a, uint32_t v) { *(volatile uint32_t *) a = v; }

/**
 * @brief Run @p fn at ring 3 (UCODE, UDATA, a stack of its own, the
 * interrupt flag as it is now), as gtry() runs a probe at ring 0: -1
 * when it returns, else the vector it raised, described in *@p f.
 */
int gtry_user(void (*fn)(void), struct gfault *f);

/** @brief A gate of the IDT or GDT: @p sel:@p off, access byte @p access. */
uint64_t hgate(uint32_t off, uint16_t sel, uint8_t access);

/* Judging one attempt: one line each, through gresult(). */
/** @brief @p fn(@p arg) at ring 0 must raise @p vector with @p err. */
void expect_fault(const char *name, void (*fn)(void *), void *arg, int vector,
		  uint32_t err);
/** @brief @p fn at ring 3 must raise @p vector with @p err. */
void expect_user_fault(const char *name, void (*fn)(void), int vector,
		       uint32_t err);
/** @brief @p fn(@p arg) at ring 0 must raise \#PF with @p err and CR2 @p cr2. */
void expect_pf(const char *name, void (*fn)(void *), void *arg, uint32_t err,
	       uint32_t cr2);
/** @brief @p fn(@p arg) at ring 0 must return without a fault. */
void expect_no_fault(const char *name, void (*fn)(void *), void *arg);
/** @brief @p fn at ring 3 must return without a fault. */
void expect_user_no_fault(const char *name, void (*fn)(void));

/** @brief Whether strings @p a and @p b are equal. */
int hstreq(const char *a, const char *b);

/* The areas of attack, each in a file of its own. */
void area_memory(void);		/* hostile_mem.c */
void area_monitor(void);	/* hostile_mon.c */
void area_world_switch(void);	/* hostile_mon.c */
void area_monitor_exec(void);	/* hostile_mon.c */
void area_outside(void);	/* hostile_mem.c */
void area_cr3(void);		/* hostile_mem.c */
void area_tables(void);		/* hostile_dt.c */
void area_segments(void);	/* hostile_dt.c */
/** @brief The one attempt of area_segments() named @p name (the area
 * "seg:NAME"): how many ran, 0 if none has that name. */
int area_segment(const char *name);
void area_io(void);		/* hostile_io.c */
void area_smc(void);		/* hostile_smc.c */
void area_exceptions(void);	/* hostile_exc.c */

#endif
