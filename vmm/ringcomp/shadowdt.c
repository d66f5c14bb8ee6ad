/*
 * shadowdt.c - the GDT, IDT and TSS the CPU really uses while a guest runs.
 *
 * Adams & Agesen, section 2.3: the guest's own descriptor tables are
 * "primary structures" the monitor reads but never loads; the CPU gets
 * shadows.  The shadow GDT holds the guest's descriptors after ring
 * compression and truncation (vmm/ringcomp/shadowdesc.c) in the guest's own slots,
 * so guest selectors mean what the guest thinks, and the monitor's few
 * descriptors in slots no GDTR limit below 64 KB reaches.  The IDT is the
 * monitor's alone: every trap, fault and host interrupt while the guest
 * runs must come to the monitor first, and only the monitor decides
 * whether the guest's IDT hears of it (vmm/ringcomp/deliver.c).
 *
 * The CPU reads the shadow GDT whenever the guest loads a segment
 * register, which it does at ring 1 without trapping; so the shadow must
 * never be stale.  The frames the guest's GDT lies in are traced like
 * page tables (shadow_watch): each write to them faults, is emulated, and
 * the descriptors it changed are shadowed again before the guest goes on
 * (section 2.4's tracing, applied to the GDT).  The price is a hidden
 * fault for every write to the rest of such a page, which kernels use
 * for other data as well (xv6 keeps its GDT in struct cpu, beside the
 * pushcli depth it writes on every lock).  A page written SDT_GDT_FLOOD
 * times in a row beside the table stops being traced; its descriptors
 * are compared with the shadow's at every entry instead, which is cheap
 * for a small table but leaves one difference a guest could see: a
 * descriptor rewritten and loaded with no exit between gets the old
 * one.  `vmstat` counts both: "GDT page write", and the pages compared.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/linear.h"
#include "vmm/ptwalk.h"
#include "vmm/shadow.h"
#include "vmm/ringcomp/shadowdesc.h"
#include "vmm/ringcomp/shadowdt.h"

/*
 * The CPU reads these three on the guest's page directory, where they are
 * mapped read-only (vmm/ringcomp/monview.h): MONVIEW puts them there.
 */
#define MONVIEW	__attribute__((section(".monview.data")))

/* 64 KB: any selector the guest can write names a slot of this table. */
uint64_t shadow_gdt[SDT_NDESC] MONVIEW __attribute__((aligned(PGSIZE)));
struct pseudodesc shadow_gdt_pd = { sizeof(shadow_gdt) - 1, 0 };

/*
 * The limit stops after vector 49, and every gate has DPL 0 (but 49's
 * while translated code runs: sdt_translated_code), so a guest `int n`
 * never reaches a gate: the CPU raises #GP(n * 8 + 2) instead, and the
 * monitor decodes the int and delivers it the guest's way.
 */
static struct gatedesc mon_idt[MIDT_NVEC] MONVIEW;
struct pseudodesc mon_idt_pd = { sizeof(mon_idt) - 1, 0 };

/* The CPU reads only ss0:esp0 from it: where a trap out of ring 1 or 3 lands. */
static struct taskstate mon_tss MONVIEW;

/* The entry stubs of vmm/ringcomp/world.S, in vector order. */
extern uint32_t world_vectors[MIDT_NVEC];

static uint64_t
segdesc64(struct segdesc sd)
{
	uint64_t d;

	memcpy(&d, &sd, sizeof(d));
	return d;
}

void
sdt_init(uint32_t esp0)
{
	int i;

	memset(shadow_gdt, 0, sizeof(shadow_gdt));
	/* Accessed bits preset, here and in every shadow descriptor: on the
	 * guest's page directory the CPU could not write them. */
	shadow_gdt[SDT_MON_CS >> 3] =
		segdesc64(SEG(STA_X | STA_R | STA_A, 0, 0xffffffff, 0));
	shadow_gdt[SDT_MON_DS >> 3] =
		segdesc64(SEG(STA_W | STA_A, 0, 0xffffffff, 0));

	memset(&mon_tss, 0, sizeof(mon_tss));
	mon_tss.esp0 = esp0;
	mon_tss.ss0 = SDT_MON_DS;
	/* Past the segment's end: no I/O bitmap, so every in/out at ring 1
	 * or 3 (real IOPL 0) is a #GP the monitor emulates. */
	mon_tss.iomb = sizeof(mon_tss);
	shadow_gdt[SDT_MON_TSS >> 3] = segdesc64(
		SEG16(STS_T32A, (uint32_t) &mon_tss, sizeof(mon_tss) - 1, 0));
	shadow_gdt_pd.base = (uint32_t) shadow_gdt;
	/* Not present until translated code runs on it. */
	shadow_gdt[SDT_TC_CS >> 3] = segdesc64(
		SEG(STA_X | STA_R | STA_A, 0, 0xffffffff, 1)) & ~DESC_P;

	for (i = 0; i < MIDT_NVEC; i++)
		set_gate(&mon_idt[i], STS_IG32, SDT_MON_CS, world_vectors[i], 0);
	mon_idt_pd.base = (uint32_t) mon_idt;
}

/* The bytes of the guest's GDT the shadow copies. */
static uint32_t
gdt_bytes(const struct vdtr *g)
{
	return MIN((uint32_t) g->limit + 1, SDT_GUEST_MAX * 8u);
}

/* What the GDT's frames depend on: the paging the CPU reads it under. */
static uint32_t
paging_key(const struct vcpu *v)
{
	if (!(v->cr0 & CR0_PG))
		return 1;
	return (v->cr3 & ~0x1fu) | ((v->cr4 & CR4_PSE) ? 2 : 0) |
		((v->cr4 & CR4_PAE) ? 4 : 0);
}

/* The guest frame behind linear page la, or NO_GFN; no A bit set, no
 * fault: this is the monitor looking, not the CPU loading. */
static uint32_t
frame_of(struct vm *vm, uint32_t la)
{
	struct ptwalk w;

	if (!(vm->vcpu.cr0 & CR0_PG))
		return la >> PGSHIFT;
	if (ptwalk(vm, la, 0, &w) < 0)
		return NO_GFN;
	return w.gpa >> PGSHIFT;
}

/* Find the frames the GDT lies in now and watch them instead of the
 * ones before.  Whether any changed. */
static bool
watch_gdt(struct vm *vm)
{
	struct ringcomp *rc = &vm->rc;
	uint32_t first = ROUNDDOWN(vm->vcpu.gdtr.base, PGSIZE);
	uint64_t end = (uint64_t) vm->vcpu.gdtr.base + gdt_bytes(&vm->vcpu.gdtr);
	uint32_t frames[SDT_GDT_PAGES];
	unsigned n = (end - first + PGSIZE - 1) / PGSIZE, i;
	bool changed = n != rc->gdt_npages;

	for (i = 0; i < n; i++) {
		frames[i] = frame_of(vm, first + i * PGSIZE);
		changed |= i >= rc->gdt_npages || frames[i] != rc->gdt[i].gfn;
	}
	rc->gdt_space = paging_key(&vm->vcpu);
	if (!changed)
		return false;
	for (i = 0; i < rc->gdt_npages; i++)
		if (rc->gdt[i].watched)
			shadow_watch(vm, rc->gdt[i].gfn, false);
	rc->gdt_compared = 0;
	for (i = 0; i < n; i++) {
		rc->gdt[i] = (struct gdt_page) { .gfn = frames[i] };
		if (frames[i] != NO_GFN && frames[i] < vm->ram >> PGSHIFT) {
			shadow_watch(vm, frames[i], true);
			rc->gdt[i].watched = true;
		}
	}
	rc->gdt_npages = n;
	return true;
}

/* Guest slot i from the guest's table as it is now (0 past its limit,
 * or where it is not mapped), into the shadow; slot 0 is never usable. */
static void
copy_slot(struct vm *vm, unsigned i)
{
	struct ringcomp *rc = &vm->rc;
	struct emu_fault f;
	uint64_t d, sd;

	if (i * 8 + 7 > vm->vcpu.gdtr.limit ||
	    linear_read(vm, vm->vcpu.gdtr.base + i * 8, &d, 8, 0, &f) != 0)
		d = 0;
	rc->guest_gdt[i] = d;
	sd = i == 0 ? 0 : desc_shadow(d, MONBASE, i != rc->shown_user_cs);
	if (shadow_gdt[i] != sd) {
		shadow_gdt[i] = sd;
		rc->sdt_generation++;
	}
}

static void
copy_all_slots(struct vm *vm)
{
	unsigned i;

	vm->rc.shown_user_cs = 0;
	for (i = 0; i < SDT_GUEST_MAX; i++)
		copy_slot(vm, i);
}

/*
 * The guest slots with a byte in [off, off + len) of GDT page p, as
 * [*first, *last]; false if there are none.  Offsets are from the page's
 * start; the table need not start on a page.
 */
static bool
slots_in(const struct vm *vm, unsigned p, unsigned off, unsigned len,
	 unsigned *first, unsigned *last)
{
	int64_t base = vm->vcpu.gdtr.base;
	int64_t at = (int64_t) ROUNDDOWN(vm->vcpu.gdtr.base, PGSIZE) +
		     (int64_t) p * PGSIZE + off - base;
	int64_t lo = at / 8, hi = (at + len - 1) / 8;
	int64_t n = gdt_bytes(&vm->vcpu.gdtr) / 8;

	if (at + len <= 0 || lo >= n)
		return false;
	*first = MAX(lo, 0);
	*last = MIN(hi, n - 1);
	return true;
}

/* Page pg (number p) of the GDT is written too often beside the table:
 * compare it at every entry from now on instead of taking a fault for
 * each write.  A descriptor across the page's end is left to the trace
 * of the next page, or, if that is not traced, to the next lgdt. */
static void
stop_watching(struct vm *vm, struct gdt_page *pg, unsigned p)
{
	uint32_t page = ROUNDDOWN(vm->vcpu.gdtr.base, PGSIZE) + p * PGSIZE;
	uint8_t *host = gmem_page(vm, pg->gfn << PGSHIFT);
	unsigned first, last;

	shadow_watch(vm, pg->gfn, false);
	pg->watched = false;
	vm->rc.gdt_unwatched++;
	if (host == NULL || !slots_in(vm, p, 0, PGSIZE, &first, &last))
		return;
	/* Only whole descriptors. */
	if (vm->vcpu.gdtr.base + first * 8 < page)
		first++;
	if (vm->vcpu.gdtr.base + last * 8 + 8 > page + PGSIZE)
		last--;
	if (first > last)
		return;
	pg->first = first;
	pg->last = last;
	pg->host = (const uint64_t *) (host + (vm->vcpu.gdtr.base + first * 8 - page));
	vm->rc.gdt_compared++;
}

void
sdt_shadow_gdt(struct vm *vm)
{
	watch_gdt(vm);
	copy_all_slots(vm);
}

/* The pages compared at every entry: copy what changed since the last. */
static void
compare_gdt(struct vm *vm)
{
	struct ringcomp *rc = &vm->rc;
	const struct gdt_page *pg, *end = rc->gdt + rc->gdt_npages;
	const uint64_t *h, *g, *g_end;

	for (pg = rc->gdt; pg < end; pg++) {
		if ((h = pg->host) == NULL)
			continue;
		g_end = rc->guest_gdt + pg->last + 1;
		for (g = rc->guest_gdt + pg->first; g < g_end; g++, h++)
			if (*h != *g)
				copy_slot(vm, g - rc->guest_gdt);
	}
}

void
sdt_follow_gdt(struct vm *vm)
{
	if (vm->rc.gdt_space != paging_key(&vm->vcpu) && watch_gdt(vm))
		copy_all_slots(vm);
	if (vm->rc.gdt_compared)
		compare_gdt(vm);
}

void
sdt_gdt_wrote(struct vm *vm, uint32_t gpa, unsigned len)
{
	struct ringcomp *rc = &vm->rc;
	unsigned p, i, first, last;

	for (p = 0; p < rc->gdt_npages; p++) {
		if (!rc->gdt[p].watched || rc->gdt[p].gfn != gpa >> PGSHIFT)
			continue;
		if (!slots_in(vm, p, PGOFF(gpa), len, &first, &last)) {
			if (++rc->gdt[p].flood >= SDT_GDT_FLOOD)
				stop_watching(vm, &rc->gdt[p], p);
			continue;
		}
		rc->gdt[p].flood = 0;
		for (i = first; i <= last; i++)
			copy_slot(vm, i);
	}
}

void
sdt_gdt_unwatch(struct vm *vm, uint32_t gfn)
{
	struct ringcomp *rc = &vm->rc;
	unsigned p;

	for (p = 0; p < rc->gdt_npages; p++)
		if (rc->gdt[p].watched && rc->gdt[p].gfn == gfn)
			stop_watching(vm, &rc->gdt[p], p);
}

/* Shadow guest slot i again, its ring-3 code hidden or not. */
static void
reshadow(struct vm *vm, unsigned i, bool hide_user_code)
{
	shadow_gdt[i] = desc_shadow(vm->rc.guest_gdt[i], MONBASE, hide_user_code);
}

void
sdt_show_user_cs(struct vm *vm, uint16_t sel)
{
	struct ringcomp *rc = &vm->rc;
	unsigned i = sel >> 3;

	if (rc->shown_user_cs == i)
		return;
	if (rc->shown_user_cs)
		reshadow(vm, rc->shown_user_cs, true);
	rc->shown_user_cs = 0;
	if (i == 0 || (sel & 4) || i >= SDT_GUEST_MAX ||
	    i * 8 + 7 > vm->vcpu.gdtr.limit)
		return;
	reshadow(vm, i, false);
	rc->shown_user_cs = i;
}

void
sdt_set_cached(int s, const struct vseg *seg)
{
	shadow_gdt[SDT_CACHED + s] = desc_shadow(desc_from_vseg(seg), MONBASE,
						 false);
}

bool
sdt_selector_ok(uint16_t sel, int seg)
{
	uint64_t d = shadow_gdt[sel >> 3];
	unsigned type = (d >> DESC_TYPE_SHIFT) & 0xf;

	if ((sel & ~3) == 0)
		return seg != SEG_CS && seg != SEG_SS;
	/* The LDT is virtual and the real LDTR null: no LDT selector loads. */
	if ((sel & 4) || !(d & DESC_P) || !(d & DESC_S))
		return false;
	if (seg == SEG_CS)
		return type & STA_X;
	if (seg == SEG_SS)
		return !(type & STA_X) && (type & STA_W);
	return !(type & STA_X) || (type & STA_R);
}

void
sdt_tc_data(uint32_t base, uint32_t size)
{
	/* Not present until translated code runs on it. */
	shadow_gdt[SDT_TC_GS >> 3] = segdesc64(
		SEG(STA_W | STA_A, base, size - 1, 1)) & ~DESC_P;
}

void
sdt_translated_code(bool on, unsigned exit_vec)
{
	if (on) {
		shadow_gdt[SDT_TC_CS >> 3] |= DESC_P;
		shadow_gdt[SDT_TC_GS >> 3] |= DESC_P;
	} else {
		shadow_gdt[SDT_TC_CS >> 3] &= ~DESC_P;
		shadow_gdt[SDT_TC_GS >> 3] &= ~DESC_P;
	}
	mon_idt[exit_vec].dpl = on ? 1 : 0;
}
