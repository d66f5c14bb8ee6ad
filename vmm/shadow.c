/*
 * shadow.c - the shadow MMU's books: shadow pages, traces, the reverse
 * map, the cache of roots.
 *
 * Adams & Agesen, section 2.4.  The CPU runs the guest on page tables
 * the monitor builds (vmm/shadow.h says why and what they hold); the
 * decisions - true or hidden, what an entry holds, how a traced write
 * propagates - are vmm/shadow_fault.c's.  This file keeps the structures
 * those decisions rely on honest:
 *
 *   trace	every guest page table that a shadow page copies is
 *		write-protected in every shadow, so that a guest write to it
 *		faults; the reverse map (struct gframe) records, per guest
 *		frame, the shadow entries that map it writable, and exactly
 *		those lose their write permission when the frame is traced;
 *   share	a shadow table belongs to a guest table and the rights of the
 *		directory entry above it, not to a root, so the kernel half
 *		that every guest process maps is shadowed once;
 *   cache	roots are kept per guest CR3, so a context switch to a
 *		process seen recently rebuilds nothing.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/assert.h"
#include "kern/pmap.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/shadow.h"
#include "vmm/shadow_int.h"

/* A reverse-map node: one writable shadow entry of a guest frame. */
struct rmap {
	pte_t *spte;
	struct rmap *next;
};

#define FRAMES_PER_PAGE	(PGSIZE / sizeof(struct gframe))
#define RMAPS_PER_PAGE	(PGSIZE / sizeof(struct rmap))

static void sp_put(struct shadow *sh, struct spage *sp);

/* ------------------------------------------------------------------------
 * Host pages for the monitor's own bookkeeping.
 * ------------------------------------------------------------------------ */

static void *
zpage(void)
{
	struct page *pp = page_alloc(ALLOC_ZERO);

	if (pp == NULL)
		return NULL;
	pp->refs++;
	return page2kva(pp);
}

static void
zpage_free(void *kva)
{
	if (kva)
		page_decref(pa2page(kva2pa(kva)));
}

/* ------------------------------------------------------------------------
 * Guest frames: traced or not, and the reverse map of writable entries.
 * ------------------------------------------------------------------------ */

struct gframe *
sh_frame(struct shadow *sh, uint32_t gfn)
{
	if (gfn >= sh->nframes)
		return NULL;
	return &sh->frames[gfn / FRAMES_PER_PAGE][gfn % FRAMES_PER_PAGE];
}

bool
shadow_traced(struct vm *vm, uint32_t gfn)
{
	struct gframe *g = sh_frame(&vm->sh, gfn);

	return g && (g->traced > 0 || g->watched > 0);
}

bool
shadow_watched(struct vm *vm, uint32_t gfn)
{
	struct gframe *g = sh_frame(&vm->sh, gfn);

	return g && g->watched > 0;
}

static struct rmap *
rmap_alloc(struct shadow *sh)
{
	struct rmap *chunk, *r;
	unsigned i;

	if (sh->rmap_free == NULL) {
		/* Node 0 of each chunk links the chunks, for shadow_fini. */
		if ((chunk = zpage()) == NULL)
			return NULL;
		chunk[0].next = sh->rmap_chunks;
		sh->rmap_chunks = chunk;
		for (i = 1; i < RMAPS_PER_PAGE; i++) {
			chunk[i].next = sh->rmap_free;
			sh->rmap_free = &chunk[i];
		}
	}
	r = sh->rmap_free;
	sh->rmap_free = r->next;
	return r;
}

/* Note that *spte maps gfn writable.  Returns false if out of memory. */
static bool
rmap_add(struct shadow *sh, uint32_t gfn, pte_t *spte)
{
	struct gframe *g = sh_frame(sh, gfn);
	struct rmap *r;

	if ((r = rmap_alloc(sh)) == NULL)
		return false;
	r->spte = spte;
	r->next = g->wmaps;
	g->wmaps = r;
	return true;
}

static void
rmap_del(struct shadow *sh, uint32_t gfn, pte_t *spte)
{
	struct gframe *g = sh_frame(sh, gfn);
	struct rmap **pp, *r;

	for (pp = &g->wmaps; (r = *pp) != NULL; pp = &r->next)
		if (r->spte == spte) {
			*pp = r->next;
			r->next = sh->rmap_free;
			sh->rmap_free = r;
			return;
		}
	panic("shadow: gfn %x has no reverse map for %p", gfn, spte);
}

/* Take write permission from every shadow entry that maps frame g, so
 * that the guest's next write to it faults.  They get it back, once the
 * frame is neither traced nor watched, on their next write fault (a fill). */
static void
write_protect(struct shadow *sh, struct gframe *g)
{
	struct rmap *r;

	while ((r = g->wmaps) != NULL) {
		*r->spte &= ~PTE_W;
		sh->st.unprotected++;
		g->wmaps = r->next;
		r->next = sh->rmap_free;
		sh->rmap_free = r;
	}
}

/* Frame gfn has just become a page table we shadow: write-protect it
 * everywhere, so that every guest write to it reaches us. */
static void
trace_start(struct shadow *sh, uint32_t gfn)
{
	struct gframe *g = sh_frame(sh, gfn);

	if (g == NULL || g->traced++ > 0)
		return;
	sh->st.traces++;
	write_protect(sh, g);
	g->flood = 0;
}

/*
 * A watch also covers the physical-mode directory, which maps all of RAM
 * writable for a guest with paging off: the shadow's entries alone would
 * leave a GDT written before paging is on unseen.
 */
void
shadow_watch(struct vm *vm, uint32_t gfn, bool on)
{
	struct shadow *sh = &vm->sh;
	struct gframe *g = sh_frame(sh, gfn);

	if (g == NULL)
		return;
	if (on) {
		if (g->watched++ == 0) {
			write_protect(sh, g);
			gmem_set_writable(vm, gfn << PGSHIFT, false);
		}
	} else {
		assert(g->watched > 0);
		if (--g->watched == 0)
			gmem_set_writable(vm, gfn << PGSHIFT, true);
	}
}

/* The last shadow of frame gfn is gone.  Entries left read-only by the
 * trace become writable again on their next write fault (a fill). */
static void
trace_stop(struct shadow *sh, uint32_t gfn)
{
	struct gframe *g = sh_frame(sh, gfn);

	if (g != NULL) {
		assert(g->traced > 0);
		g->traced--;
	}
}

/*
 * The one place an entry of a shadow table changes (but for trace_start()
 * taking write permission away, reverse map in hand): it keeps the
 * reverse map of writable entries exact.  Returns false if the reverse
 * map ran out of memory (the entry is then left read-only).
 */
bool
sh_spte_set(struct shadow *sh, struct spage *sp, unsigned i, pte_t val,
	 uint32_t gfn)
{
	pte_t old = sp->ent[i];
	bool ok = true;

	if ((old & (PTE_P | PTE_W)) == (PTE_P | PTE_W) && sp->back[i] != NO_GFN)
		rmap_del(sh, sp->back[i], &sp->ent[i]);
	if (!(val & PTE_P) || sh_frame(sh, gfn) == NULL)
		gfn = NO_GFN;
	if ((val & (PTE_P | PTE_W)) == (PTE_P | PTE_W) && gfn != NO_GFN &&
	    !rmap_add(sh, gfn, &sp->ent[i])) {
		val &= ~PTE_W;
		ok = false;
	}
	sp->ent[i] = val;
	sp->back[i] = gfn;
	return ok;
}

/* ------------------------------------------------------------------------
 * Shadow pages: the pool, the hash by guest frame, allocation and freeing.
 * ------------------------------------------------------------------------ */

unsigned
sh_page_index(struct shadow *sh, struct spage *sp)
{
	return sp - sh->pool;
}

struct spage **
sh_bucket(struct shadow *sh, uint32_t key)
{
	return &sh->hash[key % SHADOW_HASH];
}

static void
sp_unhash(struct shadow *sh, struct spage *sp)
{
	struct spage **pp;

	for (pp = sh_bucket(sh, sp->key); *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == sp) {
			*pp = sp->hnext;
			return;
		}
}

/* A fresh shadow page, or NULL if the pool or host memory is exhausted. */
struct spage *
sh_page_alloc(struct shadow *sh, enum sp_kind kind, uint32_t key, uint32_t role)
{
	struct spage *sp = sh->free;
	unsigned i;

	if (sp == NULL)
		return NULL;
	sp->ent = zpage();
	sp->back = zpage();
	if (sp->ent == NULL || sp->back == NULL) {
		zpage_free(sp->ent);
		zpage_free(sp->back);
		return NULL;
	}
	sh->free = sp->hnext;
	for (i = 0; i < NPTENTRIES; i++)
		sp->back[i] = NO_GFN;
	sp->pa = kva2pa(sp->ent);
	sp->kind = kind;
	sp->key = key;
	sp->role = role;
	sp->refs = 0;
	sp->cr3 = 0;
	sp->used = 0;
	sp->hnext = NULL;
	/* Big-page tables are private to their directory entry (nothing to
	 * share: no guest table behind them), so only the others are found
	 * by frame. */
	if (kind != SP_BIG) {
		sp->hnext = *sh_bucket(sh, key);
		*sh_bucket(sh, key) = sp;
		trace_start(sh, key);
	}
	if (++sh->st.pages > sh->st.pages_max)
		sh->st.pages_max = sh->st.pages;
	return sp;
}

/* Drop root entry pdx, and with it a reference to its shadow table. */
void
sh_root_zap(struct shadow *sh, struct spage *root, unsigned pdx)
{
	struct spage *sp;

	if (!(root->ent[pdx] & PTE_P) || root->back[pdx] == NO_GFN)
		return;
	sp = &sh->pool[root->back[pdx]];
	root->ent[pdx] = 0;
	root->back[pdx] = NO_GFN;
	sp_put(sh, sp);
}

static void
sp_free(struct shadow *sh, struct spage *sp)
{
	unsigned i;

	if (sp->kind == SP_ROOT) {
		for (i = 0; i < NPDENTRIES; i++)
			sh_root_zap(sh, sp, i);
	} else {
		for (i = 0; i < NPTENTRIES; i++)
			if (sp->ent[i] & PTE_P)
				sh_spte_set(sh, sp, i, 0, NO_GFN);
	}
	if (sp->kind != SP_BIG) {
		sp_unhash(sh, sp);
		trace_stop(sh, sp->key);
	}
	zpage_free(sp->ent);
	zpage_free(sp->back);
	sp->ent = NULL;
	sp->back = NULL;
	sp->hnext = sh->free;
	sh->free = sp;
	sh->st.pages--;
}

static void
sp_put(struct shadow *sh, struct spage *sp)
{
	assert(sp->refs > 0);
	if (--sp->refs == 0)
		sp_free(sh, sp);
}

/* The shared shadow table for guest table `key` seen through rights `role`. */
struct spage *
sh_page_find(struct shadow *sh, enum sp_kind kind, uint32_t key, uint32_t role)
{
	struct spage *sp;

	for (sp = *sh_bucket(sh, key); sp != NULL; sp = sp->hnext)
		if (sp->key == key && sp->kind == kind && sp->role == role)
			return sp;
	return NULL;
}

/* Drop every shadow: a change of paging mode, or no room left. */
void
sh_flush(struct shadow *sh)
{
	unsigned i;

	for (i = 0; i < SHADOW_ROOTS; i++)
		if (sh->roots[i] != NULL) {
			sp_free(sh, sh->roots[i]);
			sh->roots[i] = NULL;
		}
	sh->cur = NULL;
	sh->st.flushes++;
}

/* ------------------------------------------------------------------------
 * Set-up and tear-down.
 * ------------------------------------------------------------------------ */

int
shadow_init(struct vm *vm)
{
	struct shadow *sh = &vm->sh;
	uint32_t ndir, i;

	memset(sh, 0, sizeof(*sh));
	sh->mirror_gpa = NO_GFN;
	sh->nframes = vm->ram / PGSIZE;
	ndir = ROUNDUP(sh->nframes, FRAMES_PER_PAGE) / FRAMES_PER_PAGE;
	if (ndir * sizeof(struct gframe *) > PGSIZE ||
	    (sh->frames = zpage()) == NULL)
		goto nomem;
	for (i = 0; i < ndir; i++)
		if ((sh->frames[i] = zpage()) == NULL)
			goto nomem;
	for (i = SHADOW_MAX_PAGES; i-- > 0;) {
		sh->pool[i].hnext = sh->free;
		sh->free = &sh->pool[i];
	}
	sh->on = (vm->vcpu.cr0 & CR0_PG) != 0;
	sh->pae = (vm->vcpu.cr4 & CR4_PAE) != 0;
	return 0;
nomem:
	cprintf("shadow: no host memory for the shadow MMU's frame table\n");
	shadow_fini(vm);
	return -1;
}

void
shadow_fini(struct vm *vm)
{
	struct shadow *sh = &vm->sh;
	struct rmap *chunk;
	uint32_t i;

	if (sh->frames != NULL) {
		sh_flush(sh);
		sh->st.flushes--;	/* not the guest's doing */
		for (i = 0; i < PGSIZE / sizeof(struct gframe *); i++)
			zpage_free(sh->frames[i]);
		zpage_free(sh->frames);
		sh->frames = NULL;
	}
	while ((chunk = sh->rmap_chunks) != NULL) {
		sh->rmap_chunks = chunk[0].next;
		zpage_free(chunk);
	}
	sh->rmap_free = NULL;
	sh->free = NULL;
}

/* ------------------------------------------------------------------------
 * Roots: one per guest CR3, cached.
 * ------------------------------------------------------------------------ */

/* The cache slot for a new root: a free one, else the least recently used. */
static unsigned
root_slot(struct shadow *sh)
{
	unsigned i, lru = 0;

	for (i = 0; i < SHADOW_ROOTS; i++) {
		if (sh->roots[i] == NULL)
			return i;
		if (sh->roots[i]->used < sh->roots[lru]->used)
			lru = i;
	}
	sp_free(sh, sh->roots[lru]);
	sh->roots[lru] = NULL;
	sh->st.root_evictions++;
	return lru;
}

static struct spage *
root_get(struct shadow *sh, uint32_t cr3)
{
	/* A PAE root copies no guest page (the pointers are 32 bytes of
	 * one), so it is keyed by no frame and traces nothing. */
	uint32_t key = sh->pae ? NO_GFN : PTE_ADDR(cr3) >> PGSHIFT;
	struct spage *root;
	unsigned i;

	for (i = 0; i < SHADOW_ROOTS; i++)
		if (sh->roots[i] != NULL && sh->roots[i]->key == key &&
		    (!sh->pae || sh->roots[i]->cr3 == cr3)) {
			sh->st.root_hits++;
			sh->roots[i]->cr3 = cr3;
			return sh->roots[i];
		}
	sh->st.root_misses++;
	i = root_slot(sh);
	if ((root = sh_page_alloc(sh, SP_ROOT, key, 0)) == NULL) {
		sh_flush(sh);
		if ((root = sh_page_alloc(sh, SP_ROOT, key, 0)) == NULL)
			return NULL;
		i = 0;
	}
	/* The engine's own entry (the world switch runs on it). */
	if (sh->reserved_pde)
		root->ent[sh->reserved_pdx] = sh->reserved_pde;
	root->cr3 = cr3;
	sh->roots[i] = root;
	return root;
}

pte_t
shadow_lookup(struct vm *vm, uint32_t la)
{
	struct shadow *sh = &vm->sh;
	struct spage *root = sh->cur;
	unsigned pdx = PDX(la);

	if (!sh->on || root == NULL || !(root->ent[pdx] & PTE_P) ||
	    shadow_reserved(vm, la))
		return 0;
	return sh->pool[root->back[pdx]].ent[PTX(la)];
}

physaddr_t
shadow_cr3(struct vm *vm)
{
	struct shadow *sh = &vm->sh;

	if (!sh->on)
		return kva2pa(vm->physmap);
	if (sh->cur == NULL || sh->cur->cr3 != vm->vcpu.cr3) {
		sh->cur = root_get(sh, vm->vcpu.cr3);
		if (sh->cur == NULL)
			panic("shadow: no host memory for even one shadow root");
	}
	sh->cur->used = ++sh->clock;
	return sh->cur->pa;
}

void
shadow_write_cr(struct vm *vm, int cr, uint32_t val)
{
	struct shadow *sh = &vm->sh;
	uint32_t old;

	if (cr == 0) {
		old = vm->vcpu.cr0;
		if ((old ^ val) & (CR0_PG | CR0_WP))
			sh_flush(sh);
		sh->on = (val & CR0_PG) != 0;
	} else if (cr == 3) {
		/* Untraced PAE shadows are only as fresh as a TLB. */
		if (sh->on && sh->pae)
			sh_flush(sh);
	} else if (cr == 4) {
		old = vm->vcpu.cr4;
		if ((old ^ val) & (CR4_PSE | CR4_PAE))
			sh_flush(sh);
		sh->pae = (val & CR4_PAE) != 0;
	}
}

/* Drop every root entry that points to shadow table sp (freeing it). */
static void
drop_table(struct shadow *sh, struct spage *sp)
{
	uint32_t idx = sh_page_index(sh, sp);
	unsigned r, pdx;

	for (r = 0; r < SHADOW_ROOTS; r++)
		for (pdx = 0; sh->roots[r] != NULL && pdx < NPDENTRIES; pdx++)
			if ((sh->roots[r]->ent[pdx] & PTE_P) &&
			    sh->roots[r]->back[pdx] == idx)
				sh_root_zap(sh, sh->roots[r], pdx);
}

bool
shadow_unshadow(struct vm *vm, uint32_t gfn)
{
	struct shadow *sh = &vm->sh;
	struct spage *sp, *next;
	unsigned r;

	for (sp = *sh_bucket(sh, gfn); sp != NULL; sp = next) {
		next = sp->hnext;
		if (sp->key == gfn && sp->kind == SP_PT)
			drop_table(sh, sp);
	}
	for (r = 0; r < SHADOW_ROOTS; r++)
		if (sh->roots[r] != NULL && sh->roots[r]->key == gfn &&
		    sh->roots[r] != sh->cur) {
			sp_free(sh, sh->roots[r]);
			sh->roots[r] = NULL;
		}
	if (shadow_watched(vm, gfn) && vm->engine->unwatch != NULL)
		vm->engine->unwatch(vm, gfn);
	if (shadow_traced(vm, gfn))
		return false;
	sh->st.unshadowed++;
	return true;
}

void
shadow_reserve(struct vm *vm, unsigned pdx, pde_t pde)
{
	vm->sh.reserved_pdx = pdx;
	vm->sh.reserved_pde = pde;
}

bool
shadow_reserved(const struct vm *vm, uint32_t la)
{
	return vm->sh.reserved_pde != 0 && PDX(la) == vm->sh.reserved_pdx;
}

void
shadow_set_mirror(struct vm *vm, uint32_t gpa, physaddr_t hpa)
{
	vm->sh.mirror_gpa = PTE_ADDR(gpa);
	vm->sh.mirror_hpa = PTE_ADDR(hpa);
}

/* ------------------------------------------------------------------------
 * Counters.
 * ------------------------------------------------------------------------ */

const char *
sh_class_name(enum sh_class c)
{
	static const char *const names[SH_NCLASS] = {
		[SH_TRUE] = "true",
		[SH_FILL] = "hidden: shadow fill",
		[SH_DIRTY] = "hidden: dirty bit",
		[SH_TRACE] = "hidden: traced write",
		[SH_MMIO] = "hidden: MMIO",
		[SH_MONITOR] = "hidden: monitor range",
		[SH_WPEMU] = "hidden: CR0.WP=0 write",
		[SH_GDT] = "hidden: GDT page write",
	};

	return (unsigned) c < SH_NCLASS ? names[c] : "?";
}

void
shadow_stats_print(const struct shadow_stats *st)
{
	uint64_t total = 0;
	int c;

	for (c = 0; c < SH_NCLASS; c++)
		total += st->faults[c];
	cprintf("shadow: %llu page faults\n", (unsigned long long) total);
	for (c = 0; c < SH_NCLASS; c++)
		cprintf("shadow:   %-24s %llu\n", sh_class_name(c),
			(unsigned long long) st->faults[c]);
	cprintf("shadow: %llu frames traced, %llu writable mappings "
		"write-protected, %llu entries propagated, %llu frames "
		"unshadowed\n", (unsigned long long) st->traces,
		(unsigned long long) st->unprotected,
		(unsigned long long) st->propagated,
		(unsigned long long) st->unshadowed);
	cprintf("shadow: roots %llu hits %llu misses %llu evicted; "
		"%llu invlpg, %llu flushes\n",
		(unsigned long long) st->root_hits,
		(unsigned long long) st->root_misses,
		(unsigned long long) st->root_evictions,
		(unsigned long long) st->invlpg,
		(unsigned long long) st->flushes);
	cprintf("shadow: %u shadow pages in use, at most %u; "
		"%llu LAPIC mirror refreshes\n", st->pages, st->pages_max,
		(unsigned long long) st->lapic_refreshes);
	if (st->outside_ram)
		cprintf("shadow: %llu accesses through page tables outside guest "
			"RAM, refused as not present\n",
			(unsigned long long) st->outside_ram);
}
