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
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vm.h"
#include "vmm/linear.h"
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
 * The limit stops after vector 48, and every gate has DPL 0, so a guest
 * `int n` never reaches a gate: the CPU raises #GP(n * 8 + 2) instead,
 * and the monitor decodes the int and delivers it the guest's way.
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

	for (i = 0; i < MIDT_NVEC; i++)
		set_gate(&mon_idt[i], STS_IG32, SDT_MON_CS, world_vectors[i], 0);
	mon_idt_pd.base = (uint32_t) mon_idt;
}

int
sdt_shadow_gdt(struct vm *vm)
{
	struct vdtr *g = &vm->vcpu.gdtr;
	uint32_t n = MIN((uint32_t) g->limit + 1, SDT_GUEST_MAX * 8u) / 8;
	struct emu_fault f;
	uint64_t d;
	uint32_t i;

	/* The GDTR's base is linear: read it as the CPU would (supervisor). */
	if (n > 1 && linear_read(vm, g->base + 8, &d, 8, 0, &f) != 0)
		return -1;
	for (i = 0; i < SDT_GUEST_MAX; i++) {
		if (i == 0 || i >= n ||
		    linear_read(vm, g->base + i * 8, &d, 8, 0, &f) != 0)
			d = 0;
		vm->rc.guest_gdt[i] = d;
		shadow_gdt[i] = desc_shadow(d, MONBASE, true);
	}
	vm->rc.shown_user_cs = 0;
	vm->rc.sdt_generation++;
	return 0;
}

/* Shadow guest slot i again, its ring-3 code hidden or not. */
static void
reshadow(struct vm *vm, unsigned i, bool hide_user_code)
{
	shadow_gdt[i] = desc_shadow(vm->rc.guest_gdt[i], MONBASE, hide_user_code);
	vm->rc.sdt_generation++;
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
