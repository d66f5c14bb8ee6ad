/*
 * shadow_fault.c - true and hidden page faults, and keeping the shadow
 * coherent.
 *
 * Adams & Agesen, section 2.4.  Every page fault the guest takes while
 * it runs on the shadow comes here first.  The guest's own walk decides:
 * if its tables forbid the access the fault is true and goes to the
 * guest; otherwise it is hidden, one of the classes of vmm/shadow.h, and
 * the monitor fixes the shadow (a fill, a dirty bit) or performs the
 * access itself (a traced page table, a device page, the monitor's
 * range).  The shadow is a cache of the guest's tables, filled on
 * demand: a shadow entry is made only when the guest first touches a
 * page, and a write to a traced guest table is propagated into every
 * shadow table that copies it.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/assert.h"
#include "kern/pmap.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/shadow.h"
#include "vmm/shadow_int.h"
#include "vmm/exit.h"
#include "vmm/decode.h"

/* Shadow directory entries point to shadow tables with every right: the
 * tables' entries carry the rights the guest's two levels combine to. */
#define SPDE_BITS	(PTE_P | PTE_W | PTE_U)

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
	physaddr_t hpa = gmem_hpa(vm, gfn << PGSHIFT);
	pte_t e = 0;

#if SOL >= 5
	if ((g & (PTE_P | PTE_A)) != (PTE_P | PTE_A) || hpa == (physaddr_t) -1)
		return 0;
	e = hpa | PTE_P | (rights & PTE_U);
	/* With CR0.WP clear a supervisor may write anything; a page only
	 * supervisors reach can then be writable in the shadow too. */
	if (!(rights & PTE_U) && !(vm->vcpu.cr0 & CR0_WP))
		rights |= PTE_W;
	if ((rights & PTE_W) && (g & PTE_D) && !shadow_traced(vm, gfn))
		e |= PTE_W;
#else
	/* LAB 5: your code here.
	 * Build the entry the CPU will walk: the host page hpa (-1 when gfn
	 * is not guest RAM: then nothing may be mapped), present, user if
	 * the guest's rights say so.  Leave it not present while the guest's
	 * accessed bit is clear, and read-only unless the guest allows the
	 * write AND its dirty bit is set AND gfn is not a traced page table.
	 * Each of those rules turns an access into a fault the monitor must
	 * see: which class of vmm/shadow.h is each?  (A page only the guest
	 * kernel reaches may be writable when CR0.WP is clear: why is that
	 * safe, and why not for a user page?) */
	(void) rights;
	(void) hpa;
	panic("shadow_entry: not implemented (lab 5, exercise 2)");
#endif
	return e;
}

/*
 * The shadow table behind root entry pdx for the guest's walk w.  A big
 * page, and under PAE every mapping, goes to a private table of the
 * root's (SP_BIG): there is no one guest table of 1024 entries behind
 * it to share or trace (vmm/shadow.h).
 */
static struct spage *
table_for(struct shadow *sh, struct spage *root, const struct ptwalk *w)
{
	unsigned pdx = PDX(w->la);
	uint32_t role = w->pde & (PTE_U | PTE_W);
	struct spage *sp;

	/* The root and its table are in use: their traced writes are
	 * worth following (SHADOW_FLOOD). */
	if (sh_frame(sh, root->key) != NULL)
		sh_frame(sh, root->key)->flood = 0;
	if (root->ent[pdx] & PTE_P) {
		sp = &sh->pool[root->back[pdx]];
		if (sp->kind == SP_PT)
			sh_frame(sh, sp->key)->flood = 0;
		return sp;
	}
	if (sh->pae)
		sp = sh_page_alloc(sh, SP_BIG, NO_GFN, PTE_U | PTE_W);
	else if (w->big)
		sp = sh_page_alloc(sh, SP_BIG, PTE_ADDR(w->pde) >> PGSHIFT, role);
	else if ((sp = sh_page_find(sh, SP_PT, PTE_ADDR(w->pde) >> PGSHIFT,
			       role)) == NULL)
		sp = sh_page_alloc(sh, SP_PT, PTE_ADDR(w->pde) >> PGSHIFT, role);
	if (sp == NULL)
		return NULL;
	sp->refs++;
	root->ent[pdx] = sp->pa | SPDE_BITS;
	root->back[pdx] = sh_page_index(sh, sp);
	return sp;
}

/*
 * A hidden fault's fix: make the shadow entry for w->la from the guest's
 * walk (which has set the accessed and dirty bits the CPU would have).
 * With no room left, everything is dropped instead, and the guest's
 * retry fills from scratch.
 */
static void
fill(struct vm *vm, const struct ptwalk *w)
{
	struct shadow *sh = &vm->sh;
	uint32_t gfn = w->gpa >> PGSHIFT;
	/* The mapping entry's own bits, with the rights of every level:
	 * a table's role may grant more (a PAE table has no directory
	 * entry of its own above it). */
	uint32_t g = ((w->big ? w->pde : w->pte) & ~(PTE_U | PTE_W)) | w->rights;
	struct spage *sp;

	/* No room for a table or a reverse-map node: a read-only entry
	 * would fault again forever, so start afresh instead. */
	if ((sp = table_for(sh, sh->cur, w)) == NULL ||
	    !sh_spte_set(sh, sp, PTX(w->la), shadow_entry(vm, sp->role, g, gfn),
			 gfn))
		sh_flush(sh);
}

/* ------------------------------------------------------------------------
 * Faults.
 * ------------------------------------------------------------------------ */

__attribute__((noinline)) void
shadow_fault_done(struct vm *vm, uint32_t la, const struct sh_fault *f)
{
	/* Keep the call: it is where GDB stops for the demonstration. */
	asm volatile("" : : "r" (vm), "r" (la), "r" (f) : "memory");
}

/* A read of the mirrored device page: map the mirror read-only.
 * Returns false if there was no room for the table (the read is then
 * emulated like any other). */
static bool
map_mirror(struct vm *vm, const struct ptwalk *w)
{
	struct shadow *sh = &vm->sh;
	struct spage *sp;

	if ((sp = table_for(sh, sh->cur, w)) == NULL)
		return false;
	sh_spte_set(sh, sp, PTX(w->la),
		    sh->mirror_hpa | PTE_P | (w->rights & PTE_U), NO_GFN);
	return true;
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
		/* This read is still emulated; the next ones are not. */
		if (!write && PTE_ADDR(w->gpa) == sh->mirror_gpa &&
		    !shadow_reserved(vm, la) && map_mirror(vm, w))
			out->why = "a read of the LAPIC page: mapped the "
				"monitor's read-only mirror of its registers";
	} else if (shadow_reserved(vm, la)) {
		out->class = SH_MONITOR;
		out->why = "the monitor occupies that address: the access is "
			"emulated on the guest's mapping";
	} else if (write && shadow_watched(vm, w->gpa >> PGSHIFT)) {
		out->class = SH_GDT;
		out->why = "a write to the page of the guest's GDT, which the "
			"shadow GDT copies: emulated, then copied";
	} else if (write && shadow_traced(vm, w->gpa >> PGSHIFT)) {
		out->class = SH_TRACE;
		out->why = "a write to one of the guest's page tables, which the "
			"shadow copies: emulated, then propagated";
	} else if (write && (w->rights & (PTE_U | PTE_W)) == PTE_U) {
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
#if SOL >= 5
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
#else
	/* LAB 5: your code here.
	 * hw_err is what the CPU pushed for the SHADOW's entries.  Ask the
	 * guest's tables instead: walk la with ptwalk() for the same kind of
	 * access (PFERR_W, PFERR_U; and PTW_SET_AD, since the CPU would
	 * have set those bits), into out->walk.  If the guest's walk fails
	 * the fault is true: out->class = SH_TRUE, and out->err is the
	 * error code the GUEST's tables give (why not hw_err?).  A walk that
	 * failed on a table outside guest RAM (walk.bad_table) ends the run:
	 * set out->why and return -1.  Otherwise the fault is hidden:
	 * classify() sorts it and fixes what needs no emulation.  Give
	 * out->why a short reason either way: the demonstration prints it. */
	(void) access;
	(void) classify;
	panic("shadow_fault: not implemented (lab 5, exercise 1)");
#endif
	vm->sh.st.faults[out->class]++;
	shadow_fault_done(vm, la, out);
	return 0;
}

int
shadow_page_fault(struct vm *vm, uint32_t la, uint32_t hw_err)
{
	struct sh_fault f;

	/* With the guest's paging off (lab 4's guests) the only page
	 * faults sent here are writes to the pages of the guest's GDT,
	 * which the shadow GDT watches (te.c): linear is physical, there is
	 * no guest walk to make, and lab 4 must not need lab 5's. */
	if (!(vm->vcpu.cr0 & CR0_PG) && shadow_watched(vm, la >> PGSHIFT)) {
		vm->sh.st.faults[SH_GDT]++;
		return vm_emulate(vm, la >> PGSHIFT);
	}
	if (shadow_fault(vm, la, hw_err, &f) < 0) {
		/*
		 * A directory or table outside guest RAM: on QEMU's pc
		 * machine the CPU reads its entries from unassigned memory,
		 * as zeros, so the access is the guest's own not-present
		 * fault (ptwalk() left that error code in the walk).  The
		 * guest is told as its CPU would tell it, and the monitor
		 * counts what it refused.
		 */
		if (f.walk.bad_table) {
			vm->sh.st.outside_ram++;
			vm->vcpu.cr2 = la;
			return vm_raise(vm, T_PGFLT, true, f.walk.err);
		}
		return vm_kill(vm, "page fault at %08x with guest CR3 %08x: %s",
			       la, vm->vcpu.cr3, f.why);
	}
	switch (f.class) {
	case SH_TRUE:
		vm->vcpu.cr2 = la;
		return vm_raise(vm, T_PGFLT, true, f.err);
	case SH_FILL:
	case SH_DIRTY:
		return 0;
	case SH_TRACE:
	case SH_GDT:
		return vm_emulate(vm, f.walk.gpa >> PGSHIFT);
	case SH_MONITOR:
		/* Code there would fault on every instruction: not run. */
		if (la - (vm->vcpu.seg[SEG_CS].base + vm->vcpu.eip) < INSN_MAXLEN)
			return vm_kill(vm, "the guest runs code at %08x, in the "
				       "range the monitor reserves for itself: "
				       "te cannot run it there", la);
		if (shadow_check_reserved(vm) < 0)
			return -1;
		return vm_emulate(vm, NO_GFN);
	default:
		return vm_emulate(vm, NO_GFN);
	}
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
#if SOL >= 5
		if (gmem_read(vm, (sp->key << PGSHIFT) + 4 * i, &gpte, 4) < 0)
			gpte = 0;
		sh_spte_set(&vm->sh, sp, i,
			    shadow_entry(vm, sp->role, gpte,
					 PTE_ADDR(gpte) >> PGSHIFT),
			    PTE_ADDR(gpte) >> PGSHIFT);
#else
		/* LAB 5: your code here.
		 * Guest table sp->key (a frame number) now holds a new entry
		 * i: read it (gmem_read), and make shadow entry i what a
		 * fill would make of it, with the one function that changes
		 * shadow entries, sh_spte_set().  Why is it enough to
		 * recompute the entry, and never necessary to ask the guest
		 * to flush its TLB? */
		(void) gpte;
		panic("propagate_table: not implemented (lab 5, exercise 3)");
#endif
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
		if (!shadow_reserved(vm, (uintptr_t) i << PDXSHIFT)) {
			sh_root_zap(&vm->sh, root, i);
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

	/* A table rewritten again and again, and used by no fill in
	 * between, is cheaper to rebuild later than to follow now. */
	if (++sh_frame(sh, gfn)->flood >= SHADOW_FLOOD &&
	    shadow_unshadow(vm, gfn))
		return;

	/* Tables first: dropping root entries may free tables. */
	for (sp = *sh_bucket(sh, gfn); sp != NULL; sp = sp->hnext) {
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
		if (sh_frame(&vm->sh, gpa >> PGSHIFT) != NULL &&
		    sh_frame(&vm->sh, gpa >> PGSHIFT)->traced > 0)
			propagate(vm, gpa >> PGSHIFT, PGOFF(gpa), n);
		gpa += n;
	}
}

void
shadow_invlpg(struct vm *vm, uint32_t la)
{
	struct shadow *sh = &vm->sh;
	struct spage *root = sh->cur, *sp;
	unsigned pdx = PDX(la);

	if (!sh->on || root == NULL || shadow_reserved(vm, la) ||
	    !(root->ent[pdx] & PTE_P))
		return;
	sh->st.invlpg++;
	sp = &sh->pool[root->back[pdx]];
	/* A 4 MB page is one TLB entry: all of it goes. */
	if (sp->kind == SP_BIG)
		sh_root_zap(sh, root, pdx);
	else
		sh_spte_set(sh, sp, PTX(la), 0, NO_GFN);
}

