/*
 * shadow.c - the shadow MMU: shadow page tables as a cache of the guest's.
 *
 * Adams & Agesen, section 2.4.  The CPU runs the guest on page tables
 * the monitor builds (vmm/shadow.h says why and what they hold).  This
 * file keeps them a faithful cache:
 *
 *   fill	a shadow entry is made only when the guest first touches the
 *		page (a hidden fault), from the guest's walk (vmm/ptwalk.c);
 *   dirty	a clean guest page is mapped read-only, so the first write
 *		faults and the monitor can set the guest's dirty bit;
 *   trace	every guest page table that a shadow page copies is
 *		write-protected in every shadow; a write to it faults, is
 *		emulated, and the change is propagated (shadow_guest_wrote);
 *   reuse	shadow roots are cached per guest CR3 and shadow tables are
 *		shared between roots (keyed by guest table and directory
 *		rights), so a context switch costs no rebuilding.
 *
 * The reverse map (struct gframe) records, per guest frame, every shadow
 * entry that maps it writable: when the frame becomes a traced page
 * table, exactly those entries lose their write permission.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/assert.h"
#include "kern/pmap.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/shadow.h"

/* A reverse-map node: one writable shadow entry of a guest frame. */
struct rmap {
	pte_t *spte;
	struct rmap *next;
};

#define FRAMES_PER_PAGE	(PGSIZE / sizeof(struct gframe))
#define RMAPS_PER_PAGE	(PGSIZE / sizeof(struct rmap))

/* Shadow directory entries point to shadow tables with every right: the
 * tables' entries carry the rights the guest's two levels combine to. */
#define SPDE_BITS	(PTE_P | PTE_W | PTE_U)

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

static struct gframe *
frame(struct shadow *sh, uint32_t gfn)
{
	if (gfn >= sh->nframes)
		return NULL;
	return &sh->frames[gfn / FRAMES_PER_PAGE][gfn % FRAMES_PER_PAGE];
}

bool
shadow_traced(struct vm *vm, uint32_t gfn)
{
	struct gframe *g = frame(&vm->sh, gfn);

	return g && g->traced > 0;
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
	struct gframe *g = frame(sh, gfn);
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
	struct gframe *g = frame(sh, gfn);
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

/* Frame gfn has just become a page table we shadow: write-protect it
 * everywhere, so that every guest write to it reaches us. */
static void
trace_start(struct shadow *sh, uint32_t gfn)
{
	struct gframe *g = frame(sh, gfn);
	struct rmap *r;

	if (g == NULL || g->traced++ > 0)
		return;
	sh->st.traces++;
	while ((r = g->wmaps) != NULL) {
		*r->spte &= ~PTE_W;
		sh->st.unprotected++;
		g->wmaps = r->next;
		r->next = sh->rmap_free;
		sh->rmap_free = r;
	}
	g->flood = 0;
}

/* The last shadow of frame gfn is gone.  Entries left read-only by the
 * trace become writable again on their next write fault (a fill). */
static void
trace_stop(struct shadow *sh, uint32_t gfn)
{
	struct gframe *g = frame(sh, gfn);

	if (g != NULL) {
		assert(g->traced > 0);
		g->traced--;
	}
}

/*
 * The one place an entry of a shadow table changes: it keeps the reverse
 * map of writable entries exact.  Returns false if the reverse map ran
 * out of memory (the entry is then left read-only, which is safe).
 */
static bool
spte_set(struct shadow *sh, struct spage *sp, unsigned i, pte_t val,
	 uint32_t gfn)
{
	pte_t old = sp->ent[i];
	bool ok = true;

	if ((old & (PTE_P | PTE_W)) == (PTE_P | PTE_W) && sp->back[i] != NO_GFN)
		rmap_del(sh, sp->back[i], &sp->ent[i]);
	if (!(val & PTE_P) || frame(sh, gfn) == NULL)
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

static unsigned
sp_index(struct shadow *sh, struct spage *sp)
{
	return sp - sh->pool;
}

static struct spage **
bucket(struct shadow *sh, uint32_t key)
{
	return &sh->hash[key % SHADOW_HASH];
}

static void
sp_unhash(struct shadow *sh, struct spage *sp)
{
	struct spage **pp;

	for (pp = bucket(sh, sp->key); *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == sp) {
			*pp = sp->hnext;
			return;
		}
}

/* A fresh shadow page, or NULL if the pool or host memory is exhausted. */
static struct spage *
sp_alloc(struct shadow *sh, enum sp_kind kind, uint32_t key, uint32_t role)
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
		sp->hnext = *bucket(sh, key);
		*bucket(sh, key) = sp;
	}
	if (kind != SP_BIG)
		trace_start(sh, key);
	if (++sh->st.pages > sh->st.pages_max)
		sh->st.pages_max = sh->st.pages;
	return sp;
}

/* Drop root entry pdx, and with it a reference to its shadow table. */
static void
root_zap(struct shadow *sh, struct spage *root, unsigned pdx)
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
			root_zap(sh, sp, i);
	} else {
		for (i = 0; i < NPTENTRIES; i++)
			if (sp->ent[i] & PTE_P)
				spte_set(sh, sp, i, 0, NO_GFN);
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
static struct spage *
sp_find(struct shadow *sh, enum sp_kind kind, uint32_t key, uint32_t role)
{
	struct spage *sp;

	for (sp = *bucket(sh, key); sp != NULL; sp = sp->hnext)
		if (sp->key == key && sp->kind == kind && sp->role == role)
			return sp;
	return NULL;
}

/* Drop every shadow: a change of paging mode, or no room left. */
static void
flush_all(struct shadow *sh)
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
		flush_all(sh);
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
	uint32_t key = PTE_ADDR(cr3) >> PGSHIFT;
	struct spage *root;
	unsigned i;

	for (i = 0; i < SHADOW_ROOTS; i++)
		if (sh->roots[i] != NULL && sh->roots[i]->key == key) {
			sh->st.root_hits++;
			sh->roots[i]->cr3 = cr3;
			return sh->roots[i];
		}
	sh->st.root_misses++;
	i = root_slot(sh);
	if ((root = sp_alloc(sh, SP_ROOT, key, 0)) == NULL) {
		flush_all(sh);
		if ((root = sp_alloc(sh, SP_ROOT, key, 0)) == NULL)
			return NULL;
		i = 0;
	}
	/* The monitor's own entries: what the world switch runs on. */
	pgdir_copy_monitor(root->ent);
	root->cr3 = cr3;
	sh->roots[i] = root;
	return root;
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
			flush_all(sh);
		sh->on = (val & CR0_PG) != 0;
	} else if (cr == 4) {
		old = vm->vcpu.cr4;
		if ((old ^ val) & CR4_PSE)
			flush_all(sh);
	}
}

/* ------------------------------------------------------------------------
 * From guest entries to shadow entries.
 * ------------------------------------------------------------------------ */

/*
 * The shadow entry for a guest mapping: guest entry g (a PTE, or the PDE
 * of a 4 MB page) of frame gfn, under a directory entry with rights role.
 * Not present until the guest's accessed bit is set, read-only until its
 * dirty bit is, read-only while the frame is a traced page table: each
 * of those is a fault the monitor must see.
 */
static pte_t
shadow_entry(struct vm *vm, uint32_t role, uint32_t g, uint32_t gfn)
{
	uint32_t rights = role & g & (PTE_U | PTE_W);
	physaddr_t hpa;
	pte_t e;

	if ((g & (PTE_P | PTE_A)) != (PTE_P | PTE_A) ||
	    (hpa = gmem_hpa(vm, gfn << PGSHIFT)) == (physaddr_t) -1)
		return 0;
	e = hpa | PTE_P | (rights & PTE_U);
	/* With CR0.WP clear a supervisor may write anything; a page only
	 * supervisors reach can then be writable in the shadow too. */
	if (!(rights & PTE_U) && !(vm->vcpu.cr0 & CR0_WP))
		rights |= PTE_W;
	if ((rights & PTE_W) && (g & PTE_D) && !shadow_traced(vm, gfn))
		e |= PTE_W;
	return e;
}

/* The shadow table behind root entry pdx for the guest's walk w. */
static struct spage *
table_for(struct shadow *sh, struct spage *root, const struct ptwalk *w)
{
	unsigned pdx = PDX(w->la);
	uint32_t role = w->pde & (PTE_U | PTE_W);
	struct spage *sp;

	if (root->ent[pdx] & PTE_P) {
		sp = &sh->pool[root->back[pdx]];
		/* The table is in use: its traced writes are worth it. */
		if (sp->kind == SP_PT)
			frame(sh, sp->key)->flood = 0;
		return sp;
	}
	if (w->big)
		sp = sp_alloc(sh, SP_BIG, PTE_ADDR(w->pde) >> PGSHIFT, role);
	else if ((sp = sp_find(sh, SP_PT, PTE_ADDR(w->pde) >> PGSHIFT,
			       role)) == NULL)
		sp = sp_alloc(sh, SP_PT, PTE_ADDR(w->pde) >> PGSHIFT, role);
	if (sp == NULL)
		return NULL;
	sp->refs++;
	root->ent[pdx] = sp->pa | SPDE_BITS;
	root->back[pdx] = sp_index(sh, sp);
	return sp;
}

/*
 * A hidden fault's fix: make the shadow entry for w->la from the guest's
 * walk (which has set the accessed and dirty bits the CPU would have).
 * Returns false if there was no room: everything was dropped instead, and
 * the guest's retry fills from scratch.
 */
static bool
fill(struct vm *vm, const struct ptwalk *w)
{
	struct shadow *sh = &vm->sh;
	uint32_t gfn = w->gpa >> PGSHIFT;
	struct spage *sp;

	if ((sp = table_for(sh, sh->cur, w)) == NULL) {
		flush_all(sh);
		return false;
	}
	spte_set(sh, sp, PTX(w->la),
		 shadow_entry(vm, sp->role, w->big ? w->pde : w->pte, gfn),
		 gfn);
	return true;
}

/* ------------------------------------------------------------------------
 * Faults.
 * ------------------------------------------------------------------------ */

void
shadow_fault_done(struct vm *vm, uint32_t la, const struct sh_fault *f)
{
	/* Keep the call: it is where GDB stops for the demonstration. */
	asm volatile("" : : "r" (vm), "r" (la), "r" (f) : "memory");
}

/* A read of the mirrored device page: map the mirror read-only. */
static void
map_mirror(struct vm *vm, const struct ptwalk *w)
{
	struct shadow *sh = &vm->sh;
	struct spage *sp;

	if ((sp = table_for(sh, sh->cur, w)) == NULL)
		return;
	spte_set(sh, sp, PTX(w->la),
		 sh->mirror_hpa | PTE_P | (w->rights & PTE_U), NO_GFN);
}

/* Decide what fault this is; fix the hidden ones that need no emulation. */
static void
classify(struct vm *vm, uint32_t la, uint32_t hw_err, struct sh_fault *out)
{
	struct shadow *sh = &vm->sh;
	const struct ptwalk *w = &out->walk;
	bool write = hw_err & PFERR_W;

	if (w->gpa >= vm->ram) {
		out->class = SH_MMIO;
		out->why = "the guest maps a device page there: the device model "
			"performs the access";
		if (!write && PTE_ADDR(w->gpa) == sh->mirror_gpa &&
		    !monitor_image_la(la)) {
			map_mirror(vm, w);
			out->why = "a read of the LAPIC page: mapped the "
				"monitor's read-only mirror of its registers";
		}
	} else if (monitor_image_la(la)) {
		out->class = SH_MONITOR;
		out->why = "the monitor occupies that address: the access is "
			"emulated on the guest's mapping";
	} else if (write && shadow_traced(vm, w->gpa >> PGSHIFT)) {
		out->class = SH_TRACE;
		out->why = "a write to one of the guest's page tables, which the "
			"shadow copies: emulated, then propagated";
		if (++frame(sh, w->gpa >> PGSHIFT)->flood >= SHADOW_FLOOD &&
		    shadow_unshadow(vm, w->gpa >> PGSHIFT))
			out->why = "yet another write to a guest page table not "
				"used since: emulated, and no longer shadowed";
	} else if (write && !(w->rights & PTE_W)) {
		out->class = SH_WPEMU;
		out->why = "CR0.WP is clear: the guest kernel may write a page "
			"its user cannot; emulated";
	} else {
		out->class = (hw_err & PFERR_P) && w->set_d ? SH_DIRTY : SH_FILL;
		out->why = out->class == SH_DIRTY ?
			"first write to a clean page the shadow maps read-only: "
			"set the guest's dirty bit, map it writable" :
			"the guest maps the page, the shadow did not yet: filled";
		fill(vm, w);
	}
}

int
shadow_fault(struct vm *vm, uint32_t la, uint32_t hw_err, struct sh_fault *out)
{
	unsigned access = PTW_SET_AD;

	memset(out, 0, sizeof(*out));
	if (hw_err & PFERR_W)
		access |= PTW_WRITE;
	if (hw_err & PFERR_U)
		access |= PTW_USER;
	if (ptwalk(vm, la, access, &out->walk) < 0) {
		if (out->walk.bad_table) {
			out->why = "the guest's page tables are not in its RAM";
			return -1;
		}
		out->class = SH_TRUE;
		out->err = out->walk.err;
		out->why = out->err & PFERR_P ?
			"the guest's tables forbid this access: its own fault" :
			"the guest's tables map nothing there: its own fault";
	} else {
		classify(vm, la, hw_err, out);
	}
	vm->sh.st.faults[out->class]++;
	shadow_fault_done(vm, la, out);
	return 0;
}

/* ------------------------------------------------------------------------
 * Keeping the shadow coherent: traced writes, invlpg.
 * ------------------------------------------------------------------------ */

/* Entries [first, last] of guest table sp->key changed: recompute them. */
static void
propagate_table(struct vm *vm, struct spage *sp, unsigned first, unsigned last)
{
	uint32_t gpte;
	unsigned i;

	for (i = first; i <= last; i++) {
		if (gmem_read(vm, (sp->key << PGSHIFT) + 4 * i, &gpte, 4) < 0)
			gpte = 0;
		spte_set(&vm->sh, sp, i,
			 shadow_entry(vm, sp->role, gpte, PTE_ADDR(gpte) >> PGSHIFT),
			 PTE_ADDR(gpte) >> PGSHIFT);
		vm->sh.st.propagated++;
	}
}

/* Entries [first, last] of guest directory root->key changed: drop them
 * (the next fault through each fills it from the new guest entry). */
static void
propagate_root(struct vm *vm, struct spage *root, unsigned first,
	       unsigned last)
{
	unsigned i;

	for (i = first; i <= last; i++)
		if (!monitor_image_la((uintptr_t) i << PDXSHIFT)) {
			root_zap(&vm->sh, root, i);
			vm->sh.st.propagated++;
		}
}

/* The traced frame gfn changed in bytes [off, off + len) of the page. */
static void
propagate(struct vm *vm, uint32_t gfn, unsigned off, unsigned len)
{
	struct shadow *sh = &vm->sh;
	struct spage *sp, *roots[SHADOW_ROOTS];
	unsigned first = off / 4, last = (off + len - 1) / 4, nroots = 0, i;

	/* Tables first: dropping root entries may free tables. */
	for (sp = *bucket(sh, gfn); sp != NULL; sp = sp->hnext) {
		if (sp->key != gfn)
			continue;
		if (sp->kind == SP_PT)
			propagate_table(vm, sp, first, last);
		else if (sp->kind == SP_ROOT && nroots < SHADOW_ROOTS)
			roots[nroots++] = sp;
	}
	for (i = 0; i < nroots; i++)
		propagate_root(vm, roots[i], first, last);
}

void
shadow_guest_wrote(struct vm *vm, uint32_t gpa, unsigned len)
{
	uint32_t end = gpa + len, n;

	while (gpa < end) {
		n = MIN(end - gpa, PGSIZE - PGOFF(gpa));
		if (shadow_traced(vm, gpa >> PGSHIFT))
			propagate(vm, gpa >> PGSHIFT, PGOFF(gpa), n);
		gpa += n;
	}
}

/* Drop every root entry that points to shadow table sp (freeing it). */
static void
drop_table(struct shadow *sh, struct spage *sp)
{
	uint32_t idx = sp_index(sh, sp);
	unsigned r, pdx;

	for (r = 0; r < SHADOW_ROOTS; r++)
		for (pdx = 0; sh->roots[r] != NULL && pdx < NPDENTRIES; pdx++)
			if ((sh->roots[r]->ent[pdx] & PTE_P) &&
			    sh->roots[r]->back[pdx] == idx)
				root_zap(sh, sh->roots[r], pdx);
}

bool
shadow_unshadow(struct vm *vm, uint32_t gfn)
{
	struct shadow *sh = &vm->sh;
	struct spage *sp, *next;
	unsigned r;

	for (sp = *bucket(sh, gfn); sp != NULL; sp = next) {
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
	if (shadow_traced(vm, gfn))
		return false;
	sh->st.unshadowed++;
	return true;
}

void
shadow_invlpg(struct vm *vm, uint32_t la)
{
	struct shadow *sh = &vm->sh;
	struct spage *root = sh->cur, *sp;
	unsigned pdx = PDX(la);

	if (!sh->on || root == NULL || monitor_image_la(la) ||
	    !(root->ent[pdx] & PTE_P))
		return;
	sh->st.invlpg++;
	sp = &sh->pool[root->back[pdx]];
	/* A 4 MB page is one TLB entry: all of it goes. */
	if (sp->kind == SP_BIG)
		root_zap(sh, root, pdx);
	else
		spte_set(sh, sp, PTX(la), 0, NO_GFN);
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
}
