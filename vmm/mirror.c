/*
 * mirror.c - the LAPIC mirror page (vmm/mirror.h says why).
 */
#include "kern/types.h"
#include "kern/pmap.h"
#include "vmm/vm.h"
#include "vmm/shadow.h"
#include "vmm/mirror.h"

void
mirror_setup(struct vm *vm)
{
	struct lapic_mirror *m = &vm->mirror;
	struct page *pp;

	if ((pp = page_alloc(ALLOC_ZERO)) == NULL)
		return;
	pp->refs++;
	m->page = page2kva(pp);
	/* Unequal: the first refresh fills the page. */
	m->generation = vplat_lapic(&vm->plat)->generation - 1;
	shadow_set_mirror(vm, VLAPIC_BASE, page2pa(pp));
}

void
mirror_refresh(struct vm *vm)
{
	struct lapic_mirror *m = &vm->mirror;
	const struct vlapic *l = vplat_lapic(&vm->plat);

	if (m->page == NULL)
		return;
	if (l->generation != m->generation) {
		vlapic_fill_page(l, m->page);
		m->generation = l->generation;
		vm->sh.st.lapic_refreshes++;
	} else if (l->timer_running) {
		/* A guest timing a delay reads the current count: give it
		 * the count as of this entry, not of the last write. */
		vlapic_refresh_count(l, m->page);
	}
}

void
mirror_free(struct vm *vm)
{
	if (vm->mirror.page != NULL) {
		page_decref(pa2page(kva2pa(vm->mirror.page)));
		vm->mirror.page = NULL;
	}
}
