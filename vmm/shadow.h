/*
 * shadow.h - the shadow MMU: the page tables the CPU really walks.
 *
 * Adams & Agesen, section 2.4.  The guest's page tables are primary
 * structures the CPU never sees; the CPU runs the guest on shadow page
 * tables the monitor builds from them, mapping guest-linear addresses
 * straight to host-physical pages.  The shadow is a cache of the guest's
 * tables, filled on demand, and every page fault the guest takes is one
 * of two kinds:
 *
 *   true	the guest's own tables forbid the access: inject \#PF with
 *		the guest's error code and CR2 through its IDT
 *   hidden	the guest's tables allow it, the shadow did not (yet): the
 *		monitor fixes the shadow and the guest never knows
 *
 * Hidden faults come in classes, each counted: a shadow miss (fill), a
 * dirty bit to set (the shadow maps clean pages read-only), a write to a
 * guest page table (traced: emulated, then propagated to the shadow), an
 * access to a device page (MMIO, emulated by the device models), an
 * access into the range the monitor occupies.
 *
 * One shadow MMU serves every engine that shadows (te, bt and the first
 * vtx).  Shadow page tables are shared the way the guest shares its own:
 * one shadow table per (guest page table, directory rights), so the
 * kernel half that every guest process maps is shadowed once, and a
 * context switch to a cached root rebuilds nothing.
 *
 * A guest with PAE paging is shadowed more simply, as a TLB would cache
 * it: its tables of 512 eight-byte entries do not line up with the
 * host's of 1024 four-byte ones, so each 4 MB of the host's shadow is a
 * table of its own, filled from whatever guest entries map there,
 * untraced, and dropped at every CR3 load and invlpg, the events after
 * which the SDM lets the CPU forget its TLB.  Guest table writes then
 * cost nothing; address-space switches cost refills.
 */
#ifndef VMM_SHADOW_H
#define VMM_SHADOW_H

#include "kern/types.h"
#include "kern/mmu.h"
#include "vmm/ptwalk.h"

struct vm;

/* Shadow roots cached, one per guest CR3 (a guest process, for xv6). */
#define SHADOW_ROOTS		16
/* Shadow pages (roots and tables) at most; past it, everything is dropped. */
#define SHADOW_MAX_PAGES	4096
/* Buckets of the table from guest frame to the shadow pages of it. */
#define SHADOW_HASH		1024
/*
 * Traced writes to one guest table, with no shadow fill through it in
 * between, after which the monitor stops shadowing it: a table the guest
 * is rewriting wholesale (tearing down an address space, or a freed
 * table reused as ordinary memory) costs less to rebuild later than to
 * trace now.
 */
#define SHADOW_FLOOD		4
/* A shadow entry that maps no guest frame (or a device mirror). */
#define NO_GFN			0xffffffffu

/* Every fault the shadow MMU sees is one of these. */
enum sh_class {
	SH_TRUE,	/* the guest's tables forbid it: injected */
	SH_FILL,	/* hidden: a shadow miss, filled */
	SH_DIRTY,	/* hidden: the shadow mapped a clean page read-only */
	SH_TRACE,	/* hidden: a write to a traced guest page table, emulated */
	SH_MMIO,	/* hidden: a device page, emulated by the device model */
	SH_MONITOR,	/* hidden: an address the engine reserves (the monitor's
			 * range under ring compression), emulated */
	SH_WPEMU,	/* hidden: a supervisor write CR0.WP=0 allows, emulated */
	SH_GDT,		/* hidden: a write to a page holding the guest's GDT,
			 * which the engine copies (shadow_watch): emulated */
	SH_NCLASS
};

/* What a shadow page is. */
enum sp_kind {
	SP_ROOT,	/* a shadow page directory for one guest CR3 */
	SP_PT,		/* a shadow page table for one guest page table */
	SP_BIG,		/* a shadow page table for one guest 4 MB page */
};

/*
 * One shadow page: a page of shadow entries and what it shadows.  The
 * CPU walks ent[]; back[] is the monitor's note on each entry: in a
 * table, the guest frame the entry maps (so that dropping the entry finds
 * its way in the reverse map), in a root, the pool index of the shadow
 * table the entry points to.
 */
struct spage {
	pte_t *ent;		/* the 1024 entries the CPU walks */
	uint32_t *back;		/* per entry: PT, BIG: guest frame or NO_GFN;
				 * ROOT: index in shadow.pool of the table */
	physaddr_t pa;		/* where ent[] is, host-physical */
	uint32_t key;		/* ROOT: the guest directory's frame; PT: the
				 * guest table's frame; BIG: the first frame */
	uint8_t kind;		/* enum sp_kind */
	uint8_t role;		/* PT, BIG: the guest PDE's PTE_U|PTE_W */
	uint16_t refs;		/* PT, BIG: shadow PDEs pointing here */
	uint32_t cr3;		/* ROOT: the guest CR3 it was built for */
	uint64_t used;		/* ROOT: when last switched to (for eviction) */
	struct spage *hnext;	/* the chain of its hash bucket */
};

/* Per guest-physical frame: is it traced, and who maps it writable. */
struct rmap;
struct gframe {
	uint16_t traced;	/* shadow pages shadowing this frame */
	uint16_t watched;	/* the engine's watches on it (shadow_watch) */
	uint16_t flood;		/* traced writes since the last fill through it */
	struct rmap *wmaps;	/* the shadow entries mapping it writable */
};

/* What the shadow MMU counts. */
struct shadow_stats {
	uint64_t faults[SH_NCLASS];	/* page faults, by class */
	uint64_t propagated;		/* shadow entries updated by traced writes */
	uint64_t traces;		/* guest frames that became traced */
	uint64_t unprotected;		/* writable mappings write-protected for a trace */
	uint64_t unshadowed;		/* frames no longer traced: flooded or unemulable */
	uint64_t root_hits, root_misses;	/* CR3 loads: cached root or new one */
	uint64_t root_evictions;
	uint64_t invlpg;		/* invlpg honoured */
	uint64_t flushes;		/* everything dropped (CR0/CR4 change, no room) */
	uint64_t lapic_refreshes;	/* LAPIC mirror page rewritten */
	uint64_t outside_ram;		/* faults through tables beyond RAM,
					 * given to the guest as not present */
	uint32_t pages, pages_max;	/* shadow pages in use, and the most ever */
};

/* The shadow MMU of one guest. */
struct shadow {
	bool on;			/* the guest has paging on */
	bool pae;			/* ... with CR4.PAE: shadowed as a TLB */
	struct spage *cur;		/* the root the guest runs on */
	struct spage *roots[SHADOW_ROOTS];	/* cached, by guest CR3 */
	struct spage *hash[SHADOW_HASH];	/* by guest frame */
	struct spage pool[SHADOW_MAX_PAGES];
	struct spage *free;		/* unused pool entries (chained by hnext) */
	struct gframe **frames;		/* per guest frame, two levels */
	uint32_t nframes;
	struct rmap *rmap_free;		/* unused reverse-map nodes */
	struct rmap *rmap_chunks;	/* the pages they were carved from */
	uint64_t clock;			/* ticks of root use, for eviction */
	/* The directory entry every root carries for the engine (the
	 * monitor's view under ring compression), or 0; its 4 MB at
	 * reserved_pdx are not the guest's to map (SH_MONITOR). */
	pde_t reserved_pde;
	unsigned reserved_pdx;
	/* The device page mirrored read-only (the LAPIC's): reads need no exit. */
	uint32_t mirror_gpa;		/* its guest-physical page, or NO_GFN */
	physaddr_t mirror_hpa;		/* the host page holding its registers */
	struct shadow_stats st;
};

/* The result of shadow_fault(): what happened and why, for the demo. */
struct sh_fault {
	enum sh_class class;
	struct ptwalk walk;		/* the guest's walk of the address */
	uint32_t err;			/* SH_TRUE: the error code to inject */
	const char *why;		/* one line: why this class */
};

/**
 * @brief Set up @p vm's shadow MMU (paging off, nothing cached).
 * @return 0, or -1 with a message if host memory ran out
 */
int shadow_init(struct vm *vm);

/** @brief Free every page the shadow MMU holds for @p vm. */
void shadow_fini(struct vm *vm);

/**
 * @brief The page directory to run the guest on now (host-physical): the
 * physical-mode one with guest paging off, else the shadow root for the
 * guest's CR3, found in the cache or built empty.
 */
physaddr_t shadow_cr3(struct vm *vm);

/**
 * @brief The guest is loading CR0, CR3 or CR4 (@p cr) with @p val, its
 * old value still in the vcpu: a change of paging mode (CR0.PG, CR0.WP,
 * CR4.PSE) drops every shadow.  A CR3 load needs nothing here: the next
 * shadow_cr3() switches roots.
 */
void shadow_write_cr(struct vm *vm, int cr, uint32_t val);

/**
 * @brief Reserve directory entry @p pdx of every shadow root for the
 * engine, holding @p pde (the monitor's view, for ring compression): the
 * guest's own mappings of those 4 MB are never shadowed, and its accesses
 * there are emulated (SH_MONITOR).  Call before the guest turns paging on.
 */
void shadow_reserve(struct vm *vm, unsigned pdx, pde_t pde);

/**
 * @brief Whether the guest's current tables map, present, a page of the
 * reserved range that the engine's own entry maps too: a page the guest
 * would read without a fault, and find the engine's bytes in
 * (vmm/shadow_clash.c).  *@p la is set to the first such page.
 */
bool shadow_reserved_clash(struct vm *vm, uint32_t *la);
/**
 * @brief Stop the guest, saying where, if shadow_reserved_clash().  Call
 * when the guest shows it uses the reserved range (a fault there, a CR3
 * load, an invlpg).
 * @return 0, or -1 after vm_kill()
 */
int shadow_check_reserved(struct vm *vm);
/** @brief Whether @p la lies in the entry shadow_reserve() reserved. */
bool shadow_reserved(const struct vm *vm, uint32_t la);

/**
 * @brief The entry the CPU finds for @p la in the shadow the guest runs
 * on now, or 0 if there is none (paging off, no shadow table there, the
 * engine's reserved range).  For the run loop's test of a fix that
 * changed nothing (run.c).
 */
pte_t shadow_lookup(struct vm *vm, uint32_t la);

/**
 * @brief The guest took a page fault while it ran on the shadow: @p la
 * from CR2, @p hw_err the error code the CPU reported.  The one entry into
 * the shadow MMU for a fault, whatever the engine.
 *
 * shadow_fault() decides; then a true fault reaches the guest as its \#PF
 * (its CR2 set, the error code its own tables give, through vm_raise()),
 * a fill or a dirty bit is fixed and the guest retries, and a traced
 * write, a device access, an access to the reserved range or a CR0.WP=0
 * write is emulated (vm_emulate()), a traced write propagated.  A walk
 * through a table outside guest RAM is the guest's not-present \#PF, as
 * QEMU reads unassigned memory as zeros (counted: st.outside_ram).
 * @return 0, or -1 after vm_kill()
 */
int shadow_page_fault(struct vm *vm, uint32_t la, uint32_t hw_err);

/**
 * @brief The decision behind shadow_page_fault(): walk the guest's tables
 * for the access the CPU reported and say what the fault is.
 *
 * For SH_TRUE, @p out->err is the error code the guest's tables give;
 * SH_FILL and SH_DIRTY are fixed here (the guest resumes and retries);
 * SH_TRACE, SH_MMIO, SH_MONITOR, SH_WPEMU and SH_GDT are left to emulate.
 * @return 0, or -1 if the guest's tables are unusable (out->why says how)
 */
int shadow_fault(struct vm *vm, uint32_t la, uint32_t hw_err,
		 struct sh_fault *out);

/**
 * @brief Called once at the end of every shadow_fault(), decision made:
 * nothing but a place to stop.  `make demo-faults` and the GDB command
 * `vmm-faults` break here (kern/gdb/).
 */
void shadow_fault_done(struct vm *vm, uint32_t la, const struct sh_fault *f);

/**
 * @brief The monitor wrote @p len bytes of guest-physical memory at @p gpa
 * on the guest's behalf (an emulated instruction, a pushed frame):
 * if that memory is a traced page table, bring the shadow up to date.
 */
void shadow_guest_wrote(struct vm *vm, uint32_t gpa, unsigned len);

/**
 * @brief Stop shadowing guest frame @p gfn as a page table (unless it is
 * the directory the guest runs on): every shadow table of it is dropped,
 * so writes to it run directly again, and the engine's watches on it end
 * (struct engine's unwatch).  For a traced or watched write the emulator
 * cannot perform, and for a flooded table (SHADOW_FLOOD).
 * @return whether the frame is no longer traced
 */
bool shadow_unshadow(struct vm *vm, uint32_t gfn);

/** @brief The guest executed invlpg @p la: drop the shadow entry for it. */
void shadow_invlpg(struct vm *vm, uint32_t la);

/**
 * @brief Map guest-physical device page @p gpa read-only to host page
 * @p hpa wherever the guest maps it, so reads of it need no exit (writes
 * still fault and are emulated); the caller keeps @p hpa's contents equal
 * to the device's registers.
 */
void shadow_set_mirror(struct vm *vm, uint32_t gpa, physaddr_t hpa);

/**
 * @brief Whether the guest's writes to frame @p gfn must reach the
 * monitor: it is a shadowed page table, or watched (shadow_watch).
 */
bool shadow_traced(struct vm *vm, uint32_t gfn);

/**
 * @brief Start (@p on) or end one watch on guest frame @p gfn: while any
 * is on, every guest write to the frame faults, with guest paging on or
 * off, and is emulated (SH_GDT), and the engine hears of it through its
 * watched_write operation.  For the engine's copies of guest memory that
 * the CPU reads behind its back: the shadow GDT under ring compression.
 */
void shadow_watch(struct vm *vm, uint32_t gfn, bool on);

/** @brief Whether some watch is on guest frame @p gfn. */
bool shadow_watched(struct vm *vm, uint32_t gfn);

/** @brief The name of a fault class, for counters and the demo. */
const char *sh_class_name(enum sh_class c);

/** @brief Print the shadow MMU's counters (part of `vmstat`). */
void shadow_stats_print(const struct shadow_stats *st);

#endif
