/*
 * unit_shadow.c - the shadow MMU (vmm/shadow.c, vmm/shadow_fault.c): the
 * true/hidden decision over every combination of guest bits, and the
 * bookkeeping that keeps the shadow a faithful cache of the guest's tables.
 *
 * A guest of 8 MB (vmm/gmem.c over grade/unit/simphys.c) runs with paging
 * on; the test plays the CPU.  A guest access is simulated as the
 * hardware performs it on the tables the monitor gives it: cpu_walk()
 * walks the SHADOW root that shadow_cr3() returns (host CR0.WP is set,
 * kern/entry.S, and the shadow never uses 4 MB pages), and either the
 * access completes (a load or store on the host page the shadow maps) or
 * it raises the error code the CPU would push.  That fault goes to
 * shadow_page_fault(), the one entry every engine calls, as an exit of
 * the guest's instruction: a `mov (%ebx),%eax` or `mov %eax,(%ebx)` at
 * CODE_LA, a page of code every directory maps, with %ebx = the address
 * (a fetch is the instruction at the address itself).  A hidden fault
 * of class SH_FILL or SH_DIRTY is retried; one the monitor emulates
 * (SH_TRACE, SH_MMIO, SH_MONITOR, SH_WPEMU) is carried out by the
 * monitor's own emulator (vmm/exit.c) through the guest's tables
 * (vmm/linear.c), with the device models behind guest-physical
 * addresses beyond RAM; a true fault reaches the test's engine as the
 * guest's #PF, the CR2 and error code set.
 *
 * Whatever the shadow decides is held against sdm_decide()
 * (grade/unit/sdm_paging.c): an independent model of the guest's own
 * tables written from the Intel SDM (vol. 3A, 4.3 32-bit paging, 4.6
 * access rights, 4.7 the error code, 4.8 accessed and dirty flags), the
 * one grade/unit/unit_ptwalk.c holds the walker to; cpu_walk() is the
 * same model on the shadow's tables.  After every fault
 * check_shadow() scans every cached shadow root and holds each present
 * entry to what the shadow may grant: no more than the guest's tables as
 * memory holds them now (present only if the guest's A bits are set,
 * user only if both guest levels say user, writable only if the guest
 * allows the write, its D bit is set and the frame is no shadowed page
 * table, the host page the guest's frame really is).
 *
 * The sweep covers guest PDE bits P W U PS A D and PTE bits P W U A D,
 * reads, writes and fetches, user and supervisor, CR0.WP and CR4.PSE,
 * each on a cold shadow and after a supervisor read (a warm, read-only
 * entry: the dirty-bit faults), 98304 cases; one guest serves them all,
 * with a fresh shadow (shadow_init ... shadow_fini) per case, which must
 * give back every host page.  Further tests trace and propagate guest
 * page-table writes (the reverse map, flooding, a self-mapped directory,
 * a 4 MB page over the tables, unaligned and page-crossing writes),
 * switch, share and evict roots, run the pool of shadow pages dry, honour
 * invlpg, flush on paging-mode changes, unshadow, free everything, and
 * map device pages (MMIO, the LAPIC mirror) and the monitor's range.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "grade/unit/simphys.h"
#include "grade/unit/sdm_paging.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/ptwalk.h"
#include "vmm/shadow.h"
#include "vmm/exit.h"

#define GUEST_RAM	(8u << 20)
#define DIR_GPA		0x00001000u	/* the guest's page directory */
#define DIR2_GPA	0x00002000u	/* a second process's */
#define DIR3_GPA	0x00010000u	/* a third's */
#define PT1_GPA		0x00003000u	/* the table of [0, 4 MB) */
#define PT_GPA		0x005FE000u	/* the table of [4, 8 MB): bits 13-20 set */
#define DIRS_GPA	0x00020000u	/* SHADOW_ROOTS + 1 more directories */
#define FRAME_GPA	0x00123000u	/* data pages */
#define FRAME2_GPA	0x00124000u
#define FRAME3_GPA	0x00125000u
#define LA		0x00405123u	/* PDX 1, PTX 5: through PT_GPA */
#define LAPIC_GPA	0xFEE00000u	/* a device page, beyond guest RAM */
/* The guest's code: the instruction whose access is simulated.  Mapped,
 * user and accessed, in every directory at a PDX no test touches. */
#define CODE_LA		0xFF800000u
#define CODE_PT_GPA	0x00004000u
#define CODE_GPA	0x00005000u
#define CODE_PDE	(CODE_PT_GPA | PTE_P | PTE_W | PTE_U | PTE_A)

/* Most faults one access may take: two hidden ones, and one to spare. */
#define MAXFAULTS	4

static struct vm vm;

/* ------------------------------------------------------------------------
 * Guest memory and mode
 * ------------------------------------------------------------------------ */

static uint32_t
peek(uint32_t gpa)
{
	uint32_t v;

	cr_assert_eq(gmem_read(&vm, gpa, &v, 4), 0, "gmem_read(%08x) failed",
		     gpa);
	return v;
}

/* The test (not the guest) writes guest memory, before shadowing starts. */
static void
poke(uint32_t gpa, uint32_t v)
{
	cr_assert_eq(gmem_write(&vm, gpa, &v, 4), 0, "gmem_write(%08x) failed",
		     gpa);
}

/* Where the entries for @la are in directory @dir and in table @pt. */
static uint32_t
pde_gpa(uint32_t dir, uint32_t la)
{
	return dir + PDX(la) * 4;
}

static uint32_t
pte_gpa(uint32_t pt, uint32_t la)
{
	return pt + PTX(la) * 4;
}

/* The guest's events, as the engine would deliver them: the test's engine. */
static struct vm_event injected;
static int ninjected;

static int
test_inject(struct vm *v, const struct vm_event *ev)
{
	(void) v;
	injected = *ev;
	ninjected++;
	return 0;
}

/* What the engine heard of writes to the frames it watches. */
static uint32_t watched_gpa, watched_len;
static int nwatched_writes;

static void
test_watched_write(struct vm *v, uint32_t gpa, unsigned len)
{
	(void) v;
	watched_gpa = gpa;
	watched_len = len;
	nwatched_writes++;
}

/* As ring compression does: end its watch, keep its copy another way. */
static void
test_unwatch(struct vm *v, uint32_t gfn)
{
	shadow_watch(v, gfn, false);
}

static const struct engine test_engine = {
	.name = "unit", .what = "the unit tests' CPU", .inject = test_inject,
	.watched_write = test_watched_write, .unwatch = test_unwatch,
};

/* mov (%ebx), %eax and mov %eax, (%ebx). */
static const uint8_t load_insn[] = { 0x8b, 0x03 };
static const uint8_t store_insn[] = { 0x89, 0x03 };

static void
boot_guest(void)
{
	struct vplat_config cfg = { .ram_bytes = GUEST_RAM };
	uint32_t pte = CODE_GPA | PTE_P | PTE_U | PTE_A;
	int s;

	sim_boot();
	cr_assert_eq(gmem_alloc(&vm, GUEST_RAM), 0, "gmem_alloc of 8 MB "
		     "failed");
	cr_assert_eq(vplat_init(&vm.plat, &cfg), 0);
	vm.engine = &test_engine;
	/* Flat segments, as every guest kernel the monitor runs uses. */
	for (s = 0; s < NSREGS; s++)
		vm.vcpu.seg[s] = (struct vseg) {
			.sel = s == SEG_CS ? 0x08 : 0x10, .base = 0,
			.limit = 0xffffffff, .attr = s == SEG_CS ? 0xc09b : 0xc093,
		};
	cr_assert_eq(gmem_write(&vm, CODE_PT_GPA + PTX(CODE_LA) * 4, &pte, 4), 0);
	cr_assert_eq(gmem_write(&vm, CODE_GPA, load_insn, sizeof(load_insn)), 0);
	cr_assert_eq(gmem_write(&vm, CODE_GPA + 16, store_insn,
				sizeof(store_insn)), 0);
}

/* Paging on with CR3 = @dir, CR0.WP and CR4.PSE as asked. */
static void
set_mode(uint32_t dir, bool wp, bool pse)
{
	vm.vcpu.cr0 = CR0_PE | CR0_PG | (wp ? CR0_WP : 0);
	vm.vcpu.cr4 = pse ? CR4_PSE : 0;
	vm.vcpu.cr3 = dir;
}

/* Start the shadow MMU on the mode set_mode() chose. */
static void
start_shadow(void)
{
	cr_assert_eq(shadow_init(&vm), 0, "shadow_init failed");
	cr_assert(vm.sh.on, "shadow_init with CR0.PG set: the shadow is not "
		  "on");
}

/* ------------------------------------------------------------------------
 * The CPU, on the shadow
 * ------------------------------------------------------------------------ */

/* The shadow entries for @la under root @cr3 (0 where there is none). */
static void
shadow_entries(physaddr_t cr3, uint32_t la, pte_t *spde, pte_t *spte)
{
	pte_t *pd = pa2kva(cr3);

	*spde = pd[PDX(la)];
	*spte = *spde & PTE_P ?
		((pte_t *) pa2kva(PTE_ADDR(*spde)))[PTX(la)] : 0;
}

/*
 * Access @la as the CPU does running on the shadow root @cr3 with CR0.WP
 * set and no 4 MB pages: -1 if it completes (the host-physical address in
 * *@hpa, A and D set in the shadow entries as the CPU sets them), else the
 * error code it pushes.  The CPU is the SDM's, as for the guest's tables.
 */
static int
cpu_walk(physaddr_t cr3, uint32_t la, unsigned acc, physaddr_t *hpa)
{
	pte_t *pd = pa2kva(cr3), *pt = NULL;
	struct sdm_decision d;

	if (pd[PDX(la)] & PTE_P) {
		cr_assert(!(pd[PDX(la)] & PTE_PS), "the shadow PDE for %08x is "
			  "a 4 MB page (%08x): the shadow maps 4 KB pages only",
			  la, pd[PDX(la)]);
		pt = pa2kva(PTE_ADDR(pd[PDX(la)]));
	}
	/* CR4.PSE given as 0: with no PS in the shadow (asserted above),
	 * the host's CR4.PSE could change nothing. */
	d = sdm_decide(pd[PDX(la)], pt ? pt[PTX(la)] : 0, acc,
		       CR0_PE | CR0_PG | CR0_WP, 0);
	if (!d.ok)
		return d.err;
	pd[PDX(la)] = d.pde;
	pt[PTX(la)] = d.pte;
	*hpa = PTE_ADDR(d.pte) | PGOFF(la);
	return -1;
}

/* ------------------------------------------------------------------------
 * What the shadow may grant: never more than the guest's tables
 * ------------------------------------------------------------------------ */

static void
bits_into(char *b, size_t n, uint32_t e, bool pde)
{
	snprintf(b, n, "%s%s%s%s%s%s", e & PTE_P ? " P" : "",
		 e & PTE_W ? " W" : "", e & PTE_U ? " U" : "",
		 pde && (e & PTE_PS) ? " PS" : "", e & PTE_A ? " A" : "",
		 e & PTE_D ? " D" : "");
	if (b[0] == ' ')
		memmove(b, b + 1, strlen(b));
	else
		snprintf(b, n, "-");
}

/* An entry's flags in words; four calls in one message are safe. */
static const char *
bits(uint32_t e, bool pde)
{
	static char buf[4][32];
	static int k;
	char *b = buf[k++ & 3];

	bits_into(b, 32, e, pde);
	return b;
}

/* Guest frames some cached shadow copies (directories and tables): a
 * set, and a list of its members. */
static bool is_table[GUEST_RAM / PGSIZE];
static uint32_t tables[GUEST_RAM / PGSIZE];
static int ntables;

static void
note_table(uint32_t gpa, const char *ctx)
{
	cr_assert_lt(gpa, GUEST_RAM, "%s: the shadow copies a guest table at "
		     "%08x, beyond guest RAM", ctx, gpa);
	if (!is_table[gpa >> PGSHIFT])
		is_table[tables[ntables++] = gpa >> PGSHIFT] = true;
}

/* Note the tables behind the present entries of @root. */
static void
note_tables(const struct spage *root, const char *ctx)
{
	uint32_t dir = PTE_ADDR(root->cr3), pdx, gpde;

	note_table(dir, ctx);
	for (pdx = 0; pdx < NPDENTRIES; pdx++) {
		if (!(root->ent[pdx] & PTE_P) ||
		    shadow_reserved(&vm, pdx << PDXSHIFT))
			continue;
		gpde = peek(pde_gpa(dir, pdx << PDXSHIFT));
		if (!sdm_big(gpde, vm.vcpu.cr4))
			note_table(PTE_ADDR(gpde), ctx);
	}
}

/*
 * Shadow entry @spte under shadow PDE @spde maps @la; the guest's PDE is
 * @gpde (a 4 MB page if @big): it may grant no more than the guest does.
 */
static void
check_entry(uint32_t la, pte_t spde, pte_t spte, uint32_t gpde, bool big,
	    const char *ctx)
{
	bool wp = vm.vcpu.cr0 & CR0_WP;
	uint32_t g, gpa, rights, eff = spde & spte;

	if (big) {
		g = gpde;
		gpa = (gpde & ~(PTSIZE - 1)) | (la & (PTSIZE - 1));
	} else {
		g = peek(PTE_ADDR(gpde) + PTX(la) * 4);
		gpa = PTE_ADDR(g);
	}
	rights = gpde & g & (PTE_U | PTE_W);
	cr_assert((g & (PTE_P | PTE_A)) == (PTE_P | PTE_A), "%s: the shadow "
		  "maps %08x (%08x), the guest's entry is %08x (%s): present "
		  "only once the guest's is present and accessed",
		  ctx, la, spte, g, bits(g, big));
	if (gpa >= GUEST_RAM)
		cr_assert(gpa == vm.sh.mirror_gpa &&
			  PTE_ADDR(spte) == vm.sh.mirror_hpa && !(eff & PTE_W),
			  "%s: the shadow maps %08x (%08x) where the guest maps "
			  "device page %08x: only the mirror, read-only, may be "
			  "mapped", ctx, la, spte, gpa);
	else
		cr_assert_eq(PTE_ADDR(spte), gmem_hpa(&vm, gpa), "%s: the shadow "
			     "maps %08x to host %08x, the guest to gpa %08x, "
			     "which is host %08x", ctx, la, PTE_ADDR(spte), gpa,
			     gmem_hpa(&vm, gpa));
	cr_assert(!(eff & PTE_U) || (rights & PTE_U), "%s: the shadow lets "
		  "user code reach %08x, the guest's PDE %08x (%s) and entry "
		  "%08x (%s) do not", ctx, la, gpde, bits(gpde, true), g,
		  bits(g, big));
	if (!(eff & PTE_W))
		return;
	/* shadow_entry's exception: with CR0.WP clear a page only the
	 * supervisor reaches may be writable. */
	cr_assert((rights & PTE_W) || (!(rights & PTE_U) && !wp), "%s: the "
		  "shadow lets the guest write %08x, its PDE %08x (%s) and "
		  "entry %08x (%s) with CR0.WP=%d do not", ctx, la, gpde,
		  bits(gpde, true), g, bits(g, big), wp);
	cr_assert(g & PTE_D, "%s: the shadow maps %08x writable while the "
		  "guest's entry %08x (%s) is clean: the CPU would not set D",
		  ctx, la, g, bits(g, big));
	/* A shadowed page table is written only through the monitor. */
	cr_assert(!is_table[gpa >> PGSHIFT], "%s: the shadow maps %08x "
		  "writable, and it is guest page table %08x, which the shadow "
		  "copies: a write there would escape it", ctx, la,
		  PTE_ADDR(gpa));
}

/* Every present entry of @root (note_tables() first, for every root). */
static void
check_root(const struct spage *root, const char *ctx)
{
	uint32_t dir = PTE_ADDR(root->cr3), pdx, ptx, gpde, la;
	pte_t spde, *spt;

	for (pdx = 0; pdx < NPDENTRIES; pdx++) {
		if (!((spde = root->ent[pdx]) & PTE_P))
			continue;
		la = pdx << PDXSHIFT;
		if (shadow_reserved(&vm, la))
			continue;
		cr_assert_lt(la, MONBASE, "%s: the shadow root for CR3 %08x maps "
			     "%08x, at or above MONBASE, where no test guest "
			     "maps anything it touches", ctx, root->cr3, la);
		gpde = peek(pde_gpa(dir, la));
		cr_assert((gpde & (PTE_P | PTE_A)) == (PTE_P | PTE_A), "%s: the "
			  "shadow PDE for %08x under CR3 %08x is present, the "
			  "guest's is %08x (%s): present only once the guest's "
			  "is present and accessed", ctx, la, root->cr3, gpde,
			  bits(gpde, true));
		spt = pa2kva(PTE_ADDR(spde));
		for (ptx = 0; ptx < NPTENTRIES; ptx++)
			if (spt[ptx] & PTE_P)
				check_entry(la | ptx << PGSHIFT, spde, spt[ptx],
					    gpde, sdm_big(gpde, vm.vcpu.cr4),
					    ctx);
	}
}

/*
 * Every present entry of every cached root, against the guest's tables as
 * memory holds them now (@ctx names the case).  The rules are the ones a
 * cache of the guest's tables must keep for the guest never to reach
 * what they forbid, nor the monitor to miss a write to them.
 */
static void
check_shadow(const char *ctx)
{
	int r, i;

	ntables = 0;
	for (r = 0; r < SHADOW_ROOTS; r++)
		if (vm.sh.roots[r] != NULL)
			note_tables(vm.sh.roots[r], ctx);
	for (r = 0; r < SHADOW_ROOTS; r++)
		if (vm.sh.roots[r] != NULL)
			check_root(vm.sh.roots[r], ctx);
	for (i = 0; i < ntables; i++) {
		cr_assert(shadow_traced(&vm, tables[i]), "%s: guest frame %05x "
			  "is a page table the shadow copies, and is not traced",
			  ctx, tables[i]);
		is_table[tables[i]] = false;
	}
}

/* ------------------------------------------------------------------------
 * One guest access, from the first try to completion or the guest's #PF
 * ------------------------------------------------------------------------ */

struct op {
	unsigned acc;			/* PTW_WRITE, PTW_USER, PTW_FETCH */
	uint32_t val;			/* a store's value; a load's result */
	/* What happened: */
	int nfaults;
	enum sh_class class[MAXFAULTS];
	uint32_t hw_err[MAXFAULTS];
	bool true_fault;		/* ended as the guest's #PF */
	uint32_t err;			/* its error code */
	bool emulated;			/* performed by the emulator */
	uint64_t counted[SH_NCLASS];	/* vm.sh.st.faults it added */
};

/* The faults of @op in words. */
static const char *
faults_str(const struct op *op)
{
	static char buf[256];
	int n = 0, i;

	n += snprintf(buf + n, sizeof(buf) - n, "%d fault%s", op->nfaults,
		      op->nfaults == 1 ? "" : "s");
	for (i = 0; i < op->nfaults; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s %s (CPU error %x)",
			      i ? "," : ":", sh_class_name(op->class[i]),
			      op->hw_err[i]);
	return buf;
}

/* Set by a test that checks the shadow once at the end, not per fault. */
static bool no_check;

/*
 * The guest's instruction for @op at @la is in the vcpu: the load or the
 * store at CODE_LA with %ebx = la, or for a fetch, whatever is at la.
 * Every directory the test uses maps CODE_LA (set here, where no shadow
 * has copied that entry: nothing of the code page is ever shadowed).
 */
static void
set_insn(uint32_t la, const struct op *op)
{
	uint32_t dir = PTE_ADDR(vm.vcpu.cr3), pde;
	struct vcpu *v = &vm.vcpu;

	cr_assert_eq(gmem_read(&vm, dir + PDX(CODE_LA) * 4, &pde, 4), 0);
	if (pde != CODE_PDE) {
		pde = CODE_PDE;
		cr_assert_eq(gmem_write(&vm, dir + PDX(CODE_LA) * 4, &pde, 4), 0);
	}
	v->cpl = op->acc & PTW_USER ? 3 : 0;
	v->gpr[REG_EBX] = la;
	v->gpr[REG_EAX] = op->val;
	if (op->acc & PTW_FETCH)
		v->eip = la;
	else
		v->eip = CODE_LA + (sdm_is_write(op->acc) ? 16 : 0);
}

/* The one class the last shadow_page_fault() counted. */
static enum sh_class
class_counted(const uint64_t before[SH_NCLASS], const char *ctx)
{
	enum sh_class got = SH_NCLASS;
	int c;

	for (c = 0; c < SH_NCLASS; c++) {
		if (vm.sh.st.faults[c] == before[c])
			continue;
		cr_assert(got == SH_NCLASS && vm.sh.st.faults[c] == before[c] + 1,
			  "%s: one fault counted in more than one class", ctx);
		got = c;
	}
	cr_assert(got != SH_NCLASS, "%s: a fault counted in no class", ctx);
	return got;
}

/*
 * The guest accesses @la (4-aligned): run it on the shadow, sending every
 * fault to shadow_page_fault() until the access completes, is emulated or
 * is the guest's.  The shadow is checked after every fault.
 */
static void
guest_op(uint32_t la, struct op *op, const char *ctx)
{
	uint64_t before[SH_NCLASS], start[SH_NCLASS];
	physaddr_t hpa;
	uint32_t eip;
	int e, c, n;

	op->nfaults = 0;
	op->true_fault = op->emulated = false;
	memcpy(start, vm.sh.st.faults, sizeof(start));
	for (;;) {
		e = cpu_walk(shadow_cr3(&vm), la, op->acc, &hpa);
		if (e < 0) {
			if (sdm_is_write(op->acc))
				memcpy(pa2kva(hpa), &op->val, 4);
			else
				memcpy(&op->val, pa2kva(hpa), 4);
			break;
		}
		cr_assert_lt(op->nfaults, MAXFAULTS, "%s: still faulting after "
			     "%s", ctx, faults_str(op));
		set_insn(la, op);
		eip = vm.vcpu.eip;
		n = ninjected;
		memcpy(before, vm.sh.st.faults, sizeof(before));
		cr_assert_eq(shadow_page_fault(&vm, la, e), 0,
			     "%s: shadow_page_fault stopped the guest: %s", ctx,
			     vm.why_dead);
		op->hw_err[op->nfaults] = e;
		op->class[op->nfaults++] = class_counted(before, ctx);
		if (!no_check)
			check_shadow(ctx);
		if (ninjected != n) {
			cr_assert(injected.kind == EVENT_EXCEPTION &&
				  injected.vector == T_PGFLT && injected.has_err,
				  "%s: the guest was given vector %u, not #PF",
				  ctx, injected.vector);
			cr_assert_eq(vm.vcpu.cr2, la, "%s: #PF with CR2 %08x",
				     ctx, vm.vcpu.cr2);
			op->true_fault = true;
			op->err = injected.err;
			break;
		}
		if (vm.vcpu.eip != eip) {
			/* The monitor carried the instruction out. */
			cr_assert_eq(vm.vcpu.eip, eip + 2, "%s: the emulated "
				     "instruction left EIP at %08x", ctx,
				     vm.vcpu.eip);
			op->emulated = true;
			if (!sdm_is_write(op->acc))
				op->val = vm.vcpu.gpr[REG_EAX];
			break;
		}
	}
	for (c = 0; c < SH_NCLASS; c++)
		op->counted[c] = vm.sh.st.faults[c] - start[c];
}

/* @op's faults are exactly the classes listed (SH_NCLASS ends the list). */
static void
expect_faults(const struct op *op, const char *ctx, ...)
{
	enum sh_class want[MAXFAULTS + 1];
	uint64_t tally[SH_NCLASS] = { 0 };
	va_list ap;
	int n = 0, i;

	va_start(ap, ctx);
	while ((want[n] = va_arg(ap, enum sh_class)) != SH_NCLASS)
		n++;
	va_end(ap);
	cr_assert_eq(op->nfaults, n, "%s: %s, expected %d", ctx,
		     faults_str(op), n);
	for (i = 0; i < n; i++) {
		cr_assert_eq(op->class[i], want[i], "%s: %s; fault %d should "
			     "be %s", ctx, faults_str(op), i + 1,
			     sh_class_name(want[i]));
		tally[want[i]]++;
	}
	for (i = 0; i < SH_NCLASS; i++)
		cr_assert_eq(op->counted[i], tally[i], "%s: %s, but the counter "
			     "of \"%s\" went up by %llu", ctx, faults_str(op),
			     sh_class_name(i), (unsigned long long) op->counted[i]);
}

/* A load, a store, a fetch; kernel (supervisor) or user. */
static struct op
load(unsigned acc, uint32_t la, const char *ctx)
{
	struct op op = { .acc = acc };

	guest_op(la, &op, ctx);
	return op;
}

static struct op
store(unsigned acc, uint32_t la, uint32_t val, const char *ctx)
{
	struct op op = { .acc = acc | PTW_WRITE, .val = val };

	guest_op(la, &op, ctx);
	return op;
}

/* Switch the guest to directory @dir, as a mov to CR3 and the next entry do. */
static physaddr_t
switch_to(uint32_t dir)
{
	shadow_write_cr(&vm, 3, dir);
	vm.vcpu.cr3 = dir;
	return shadow_cr3(&vm);
}

/* The shadow PTE now in force for @la (0 if none). */
static pte_t
spte_of(uint32_t la)
{
	pte_t spde, spte;

	shadow_entries(shadow_cr3(&vm), la, &spde, &spte);
	return spte;
}

/* ------------------------------------------------------------------------
 * The decision, over every combination
 * ------------------------------------------------------------------------ */

static const char *
access_str(unsigned acc)
{
	static char buf[2][32];
	static int k;
	char *b = buf[k++ & 1];

	snprintf(b, 32, "%s %s", acc & PTW_USER ? "user" : "supervisor",
		 acc & PTW_FETCH ? "fetch" : acc & PTW_WRITE ? "write" : "read");
	return b;
}

/* One case of the sweep, in words (for every message it fails with). */
static void
describe(char *buf, size_t n, uint32_t pde, uint32_t pte, unsigned acc,
	 bool warm)
{
	char pdeb[32], pteb[32];

	bits_into(pdeb, sizeof(pdeb), pde, true);
	bits_into(pteb, sizeof(pteb), pte, false);
	snprintf(buf, n, "%s of %08x%s, CR0.WP=%d CR4.PSE=%d, guest PDE %08x "
		 "(%s) PTE %08x (%s)", access_str(acc), LA,
		 warm ? " after a supervisor read" : "",
		 !!(vm.vcpu.cr0 & CR0_WP), !!(vm.vcpu.cr4 & CR4_PSE),
		 pde, pdeb, pte, pteb);
}

/* One access of the sweep, checked against the model. */
static void
sweep_access(unsigned acc, const char *ctx)
{
	uint32_t pde = peek(pde_gpa(DIR_GPA, LA)), pte = peek(pte_gpa(PT_GPA, LA));
	struct sdm_decision m = sdm_decide(pde, pte, acc, vm.vcpu.cr0,
					   vm.vcpu.cr4);
	/* With CR0.WP = 0 the supervisor writes a page it may not map
	 * writable (a user's read-only page): the monitor must emulate. */
	bool must_emulate = m.ok && !(acc & PTW_USER) && sdm_is_write(acc) &&
			    !(m.rights & PTE_W) && (m.rights & PTE_U);
	/* The guest's entry that maps the page: is it dirty yet? */
	bool dirty = (m.big ? pde : pte) & PTE_D;
	struct op op = { .acc = acc, .val = 0x600DF00D };
	enum sh_class want;
	uint32_t got;
	int i, hidden = 0;

	guest_op(LA, &op, ctx);

	/* (a) true exactly when the guest's tables forbid it. */
	if (!m.ok) {
		cr_assert(op.true_fault, "%s: the guest's tables forbid it (error "
			  "code %x), and the shadow %s", ctx, m.err,
			  op.emulated ? "emulated it" : "let it through");
		cr_assert_eq(op.nfaults, 1, "%s: %s; a forbidden access is the "
			     "guest's at the first fault", ctx, faults_str(&op));
		cr_assert_eq(op.err, m.err, "%s: injected error code %x, the "
			     "guest's tables give %x", ctx, op.err, m.err);
	} else {
		cr_assert(!op.true_fault, "%s: %s: a true fault the guest's "
			  "tables would not raise", ctx, faults_str(&op));
		/* (b) hidden: fixed in at most two faults, or emulated. */
		for (i = 0; i < op.nfaults; i++) {
			enum sh_class c = op.class[i];

			if (c == SH_WPEMU) {
				cr_assert(must_emulate,
					  "%s: %s: emulated, though the shadow "
					  "can map it", ctx, faults_str(&op));
				continue;
			}
			cr_assert(c == SH_FILL || c == SH_DIRTY, "%s: %s: only "
				  "fills and dirty-bit faults belong here (no "
				  "device, no traced frame)", ctx, faults_str(&op));
			/* A dirty-bit fault: a write to a page the shadow
			 * has (P in the CPU's error code) and the guest has
			 * clean; any other is a fill. */
			want = (op.hw_err[i] & PFERR_P) && sdm_is_write(acc) &&
			       !dirty ? SH_DIRTY : SH_FILL;
			cr_assert_eq(c, want, "%s: %s: fault %d should be %s",
				     ctx, faults_str(&op), i + 1,
				     sh_class_name(want));
			dirty = dirty || sdm_is_write(acc);
			hidden++;
		}
		cr_assert_leq(hidden, 2, "%s: %s", ctx, faults_str(&op));
		if (must_emulate)
			cr_assert(op.emulated, "%s: %s: the shadow let a "
				  "supervisor write a user's read-only page",
				  ctx, faults_str(&op));
		/* The access happened, on the guest's page. */
		if (sdm_is_write(acc)) {
			got = peek(m.big ? (m.pde & ~(PTSIZE - 1)) |
				   (LA & (PTSIZE - 1)) :
				   PTE_ADDR(m.pte) | PGOFF(LA));
			cr_assert_eq(got, op.val, "%s: the store wrote %08x at "
				     "the guest's page, which holds %08x", ctx,
				     op.val, got);
		}
	}
	/* (d) the guest's A and D bits as the CPU leaves them. */
	cr_assert_eq(peek(pde_gpa(DIR_GPA, LA)), m.pde, "%s: %s; the guest's "
		     "PDE is now %08x (%s), the CPU leaves %08x (%s)", ctx,
		     faults_str(&op), peek(pde_gpa(DIR_GPA, LA)),
		     bits(peek(pde_gpa(DIR_GPA, LA)), true), m.pde,
		     bits(m.pde, true));
	cr_assert_eq(peek(pte_gpa(PT_GPA, LA)), m.pte, "%s: %s; the guest's "
		     "PTE is now %08x (%s), the CPU leaves %08x (%s)", ctx,
		     faults_str(&op), peek(pte_gpa(PT_GPA, LA)),
		     bits(peek(pte_gpa(PT_GPA, LA)), false), m.pte,
		     bits(m.pte, false));
	/* (e) every fault counted, in its class. */
	for (i = 0; i < SH_NCLASS; i++) {
		uint64_t n = 0;
		int k;

		for (k = 0; k < op.nfaults; k++)
			n += op.class[k] == (enum sh_class) i;
		cr_assert_eq(op.counted[i], n, "%s: %s, but the counter of "
			     "\"%s\" went up by %llu", ctx, faults_str(&op),
			     sh_class_name(i), (unsigned long long) op.counted[i]);
	}
}

Test(shadow, decision_every_combination,
     .description = "every guest PDE/PTE/access/privilege/WP/PSE case, cold "
		    "and after a read: true exactly when the guest's tables "
		    "forbid it, hidden ones fixed, A/D as the CPU, the shadow "
		    "never granting more than the guest")
{
	static const unsigned kinds[] = { 0, PTW_WRITE, PTW_FETCH };
	size_t free0;
	unsigned pd, pt, k, user, mode, warm;
	char ctx[256];

	boot_guest();
	free0 = page_free_count();
	for (mode = 0; mode < 4; mode++)
	for (pd = 0; pd < 1u << SDM_NPDE_FLAGS; pd++)
	for (pt = 0; pt < 1u << SDM_NPTE_FLAGS; pt++)
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
	for (user = 0; user < 2; user++)
	for (warm = 0; warm < 2; warm++) {
		uint32_t pde = PT_GPA |
			       sdm_pick(sdm_pde_flags, SDM_NPDE_FLAGS, pd);
		uint32_t pte = FRAME_GPA |
			       sdm_pick(sdm_pte_flags, SDM_NPTE_FLAGS, pt);
		unsigned acc = kinds[k] | (user ? PTW_USER : 0);

		set_mode(DIR_GPA, mode & 1, mode & 2);
		poke(pde_gpa(DIR_GPA, LA), pde);
		poke(pte_gpa(PT_GPA, LA), pte);
		start_shadow();
		if (warm) {
			describe(ctx, sizeof(ctx), pde, pte, 0, false);
			sweep_access(0, ctx);
		}
		describe(ctx, sizeof(ctx), pde, pte, acc, warm);
		sweep_access(acc, ctx);
		shadow_fini(&vm);
		cr_assert_eq(page_free_count(), free0, "%s: shadow_fini left "
			     "%ld host pages allocated", ctx,
			     (long) (free0 - page_free_count()));
	}
}

/*
 * shadow_entry() in vmm/shadow_fault.c: "With CR0.WP clear a supervisor
 * may write anything; a page only supervisors reach can then be writable
 * in the shadow too."  SDM 4.6.1: with CR0.WP = 0 supervisor writes are
 * allowed to any page, so a write to a read-only page whose U/S is 0
 * somewhere is a hidden fault the shadow fixes for good (host CR0.WP = 1
 * and the entry lacks U, so no user access gains anything): one fill,
 * then direct writes, never an emulation per write.
 */
Test(shadow, wp0_kernel_page_write_maps_writable,
     .description = "CR0.WP=0: a supervisor write to a supervisor-only "
		    "read-only page is filled writable, not emulated on "
		    "every write (as shadow_entry intends)")
{
	static const uint32_t ptes[] = {
		FRAME_GPA | PTE_P | PTE_A,			/* clean */
		FRAME_GPA | PTE_P | PTE_A | PTE_D,		/* dirty */
		FRAME_GPA | PTE_P | PTE_U | PTE_A,		/* PDE not U */
	};
	char ctx[256];
	struct op op;
	size_t i;

	boot_guest();
	for (i = 0; i < ARRAY_SIZE(ptes); i++) {
		uint32_t pde = PT_GPA | PTE_P | PTE_W | PTE_A;

		set_mode(DIR_GPA, false, false);
		poke(pde_gpa(DIR_GPA, LA), pde);
		poke(pte_gpa(PT_GPA, LA), ptes[i]);
		start_shadow();
		describe(ctx, sizeof(ctx), pde, ptes[i], PTW_WRITE, false);
		op = store(0, LA, 1, ctx);
		cr_assert(!op.emulated && op.nfaults == 1 &&
			  op.class[0] == SH_FILL,
			  "%s: %s; expected one fill mapping it writable (SDM "
			  "4.6.1: the write is allowed; shadow_entry makes such "
			  "an entry writable), not emulation", ctx, faults_str(&op));
		op = store(0, LA, 2, ctx);
		cr_assert_eq(op.nfaults, 0, "%s, the second write: %s; expected "
			     "it to run directly", ctx, faults_str(&op));
		shadow_fini(&vm);
	}
}

/* ------------------------------------------------------------------------
 * Tracing guest page tables, and propagating writes to them
 * ------------------------------------------------------------------------ */

/*
 * The guest's tables for the tracing tests: PDE 0 -> PT1, PDE 1 -> PT,
 * both user and writable.  PT1 maps the guest's own table PT at 0x6000
 * and its directory at 0x7000 (kernel, writable, dirty), and a data page
 * at 0x5000; PT maps LA's page to FRAME.
 */
#define LA_PTMAP	0x00006000u	/* the guest's view of PT */
#define LA_DIRMAP	0x00007000u	/* and of its directory */
#define LA_DATA		0x00005000u
#define KRW		(PTE_P | PTE_W | PTE_A | PTE_D)
#define URW		(PTE_P | PTE_W | PTE_U | PTE_A | PTE_D)

static void
trace_setup(void)
{
	boot_guest();
	set_mode(DIR_GPA, true, false);
	poke(pde_gpa(DIR_GPA, 0), PT1_GPA | PTE_P | PTE_W | PTE_U | PTE_A);
	poke(pde_gpa(DIR_GPA, LA), PT_GPA | PTE_P | PTE_W | PTE_U | PTE_A);
	poke(pte_gpa(PT1_GPA, LA_PTMAP), PT_GPA | KRW);
	poke(pte_gpa(PT1_GPA, LA_DIRMAP), DIR_GPA | KRW);
	poke(pte_gpa(PT1_GPA, LA_DATA), FRAME_GPA | URW);
	poke(pte_gpa(PT_GPA, LA), FRAME_GPA | URW);
	poke(FRAME_GPA + PGOFF(LA), 0x11111111);
	poke(FRAME2_GPA + PGOFF(LA), 0x22222222);
	poke(FRAME3_GPA + PGOFF(LA), 0x33333333);
	start_shadow();
}

/* The guest's kernel stores @val into its table PT's entry for @la. */
static struct op
write_pt_entry(uint32_t la, uint32_t val, const char *ctx)
{
	return store(0, LA_PTMAP + PTX(la) * 4, val, ctx);
}

Test(shadow, trace_write_protects_existing_mappings,
     .description = "a frame that becomes a shadowed page table loses its "
		    "writable shadow mappings (reverse map); writes to it are "
		    "then traced")
{
	struct op op;

	trace_setup();
	/* The guest writes its table PT before anything walks it. */
	op = store(0, LA_PTMAP + 4 * 100, FRAME2_GPA | URW, "the first write "
		   "to PT through its mapping at 00006000");
	expect_faults(&op, "the first write to PT", SH_FILL, SH_NCLASS);
	cr_assert(!shadow_traced(&vm, PT_GPA >> PGSHIFT),
		  "PT is traced before any shadow copies it");
	cr_assert(spte_of(LA_PTMAP) & PTE_W, "PT is not shadowed yet, but its "
		  "mapping at 00006000 is not writable (%08x)", spte_of(LA_PTMAP));
	/* Now the guest uses PT: the shadow copies it. */
	op = load(PTW_USER, LA, "a user read of 00405123 through PT");
	expect_faults(&op, "a user read through PT", SH_FILL, SH_NCLASS);
	cr_assert_eq(op.val, 0x11111111, "the read through PT got %08x", op.val);
	cr_assert(shadow_traced(&vm, PT_GPA >> PGSHIFT), "PT is shadowed "
		  "and not traced");
	cr_assert_geq(vm.sh.st.unprotected, 1, "no writable mapping was "
		      "write-protected when PT became traced");
	cr_assert((spte_of(LA_PTMAP) & (PTE_P | PTE_W)) == PTE_P, "the "
		  "mapping of PT at 00006000 is %08x: it should stay present, "
		  "read-only", spte_of(LA_PTMAP));
	/* And a write through that mapping is traced, not let through. */
	op = write_pt_entry(LA + 100 * PGSIZE, FRAME3_GPA | URW,
			    "a write to PT once traced");
	expect_faults(&op, "a write to PT once traced", SH_TRACE, SH_NCLASS);
	cr_assert_eq(peek(PT_GPA + 4 * PTX(LA + 100 * PGSIZE)), FRAME3_GPA | URW,
		     "the traced write was not performed");
	/* The guest's directory was traced from the start. */
	op = load(0, LA_DIRMAP, "a read of the directory at 00007000");
	expect_faults(&op, "a read of the directory", SH_FILL, SH_NCLASS);
	cr_assert((spte_of(LA_DIRMAP) & (PTE_P | PTE_W)) == PTE_P, "the "
		  "guest's directory, mapped writable and dirty at 00007000, is "
		  "shadowed %08x: it must be read-only", spte_of(LA_DIRMAP));
	/* Untraced, PT's mapping stays read-only until the next write,
	 * which is a fill: the guest's entry is dirty already. */
	cr_assert(shadow_unshadow(&vm, PT_GPA >> PGSHIFT));
	op = store(0, LA_PTMAP, 0, "a write to PT once no longer traced");
	expect_faults(&op, "a write to PT once no longer traced", SH_FILL,
		      SH_NCLASS);
	cr_assert(spte_of(LA_PTMAP) & PTE_W, "the fill left PT's mapping "
		  "read-only (%08x)", spte_of(LA_PTMAP));
}

Test(shadow, traced_writes_propagate,
     .description = "after a traced write (gmem_write, shadow_guest_wrote) "
		    "the shadow entry follows the guest's: new frame, clean "
		    "(read-only), removed (not present)")
{
	uint64_t prop;
	struct op op;
	pte_t e;

	trace_setup();
	op = store(PTW_USER, LA, 0x11111111, "a user write of 00405123");
	expect_faults(&op, "a user write of 00405123", SH_FILL, SH_NCLASS);
	cr_assert_eq(PTE_ADDR(spte_of(LA)), gmem_hpa(&vm, FRAME_GPA));

	/* A changed frame: the shadow maps the new host page. */
	prop = vm.sh.st.propagated;
	op = write_pt_entry(LA, FRAME3_GPA | URW, "PT[5] := FRAME3, dirty");
	expect_faults(&op, "PT[5] := FRAME3", SH_TRACE, SH_NCLASS);
	cr_assert_gt(vm.sh.st.propagated, prop, "the traced write propagated "
		     "nothing");
	e = spte_of(LA);
	cr_assert(e & PTE_P, "PT[5] now maps FRAME3, and the shadow entry is "
		  "gone (%08x): propagate, not drop, a write that keeps A", e);
	cr_assert_eq(PTE_ADDR(e), gmem_hpa(&vm, FRAME3_GPA), "the shadow still "
		     "maps host %08x, the guest now FRAME3 = host %08x",
		     PTE_ADDR(e), gmem_hpa(&vm, FRAME3_GPA));
	op = load(PTW_USER, LA, "a user read after the frame changed");
	expect_faults(&op, "a user read after the frame changed", SH_NCLASS);
	cr_assert_eq(op.val, 0x33333333, "the read got %08x, not FRAME3's",
		     op.val);

	/* Clean: read-only in the shadow, and a dirty-bit fault to write. */
	op = write_pt_entry(LA, FRAME3_GPA | (URW & ~PTE_D), "PT[5] := clean");
	expect_faults(&op, "PT[5] := clean", SH_TRACE, SH_NCLASS);
	e = spte_of(LA);
	cr_assert((e & (PTE_P | PTE_W)) == PTE_P, "the guest's entry is "
		  "clean, the shadow's %08x: present and read-only", e);
	op = store(PTW_USER, LA, 0x44444444, "a user write of a clean page");
	expect_faults(&op, "a user write of a clean page", SH_DIRTY, SH_NCLASS);
	cr_assert_eq(peek(pte_gpa(PT_GPA, LA)), FRAME3_GPA | URW, "after the "
		     "write the guest's PTE is %08x", peek(pte_gpa(PT_GPA, LA)));
	cr_assert_eq(peek(FRAME3_GPA + PGOFF(LA)), 0x44444444);

	/* Removed: not present, and the guest's next access is its fault. */
	op = write_pt_entry(LA, 0, "PT[5] := 0");
	expect_faults(&op, "PT[5] := 0", SH_TRACE, SH_NCLASS);
	cr_assert(!(spte_of(LA) & PTE_P), "the guest removed the mapping, "
		  "the shadow keeps %08x", spte_of(LA));
	op = load(PTW_USER, LA, "a user read of a removed page");
	expect_faults(&op, "a user read of a removed page", SH_TRUE, SH_NCLASS);
	cr_assert_eq(op.err, PFERR_U, "error code %x for a user read of a "
		     "page not present", op.err);

	/* Accessed cleared: not present until the guest uses it again. */
	op = write_pt_entry(LA, FRAME2_GPA | PTE_P | PTE_U, "PT[5] := not "
			    "accessed");
	expect_faults(&op, "PT[5] := not accessed", SH_TRACE, SH_NCLASS);
	cr_assert(!(spte_of(LA) & PTE_P), "the guest's entry is not accessed, "
		  "the shadow maps it (%08x): the CPU could not set A", spte_of(LA));
	op = load(PTW_USER, LA, "a user read of a page not accessed");
	expect_faults(&op, "a user read of a page not accessed", SH_FILL,
		      SH_NCLASS);
	cr_assert_eq(peek(pte_gpa(PT_GPA, LA)), FRAME2_GPA | PTE_P | PTE_U |
		     PTE_A, "the guest's PTE after the read: %08x",
		     peek(pte_gpa(PT_GPA, LA)));
}

Test(shadow, directory_write_drops_pde,
     .description = "a traced write to the guest's page directory drops the "
		    "shadow PDE; the next access refills it from the new entry")
{
	struct op op;

	trace_setup();
	op = load(PTW_USER, LA, "a user read of 00405123");
	expect_faults(&op, "a user read of 00405123", SH_FILL, SH_NCLASS);
	cr_assert(vm.sh.cur->ent[PDX(LA)] & PTE_P);
	/* The guest's kernel takes U away from PDE 1. */
	op = store(0, LA_DIRMAP + 4 * PDX(LA), PT_GPA | PTE_P | PTE_W | PTE_A,
		   "PDE 1 := kernel only");
	expect_faults(&op, "PDE 1 := kernel only", SH_TRACE, SH_NCLASS);
	cr_assert(!(vm.sh.cur->ent[PDX(LA)] & PTE_P), "the guest rewrote PDE "
		  "1, the shadow PDE stays %08x", vm.sh.cur->ent[PDX(LA)]);
	op = load(PTW_USER, LA, "a user read after PDE 1 lost U");
	expect_faults(&op, "a user read after PDE 1 lost U", SH_TRUE, SH_NCLASS);
	cr_assert_eq(op.err, PFERR_P | PFERR_U);
	op = load(0, LA, "a kernel read after PDE 1 lost U");
	expect_faults(&op, "a kernel read after PDE 1 lost U", SH_FILL, SH_NCLASS);
	cr_assert(!(spte_of(LA) & PTE_U), "the shadow maps 00405123 user, the "
		  "guest's PDE is kernel only");
	/* Removing the PDE that maps the directory itself. */
	op = store(0, LA_DIRMAP, 0, "PDE 0 := 0");
	expect_faults(&op, "PDE 0 := 0", SH_TRACE, SH_NCLASS);
	op = load(0, LA_DATA, "a read through the removed PDE 0");
	expect_faults(&op, "a read through the removed PDE 0", SH_TRUE, SH_NCLASS);
	cr_assert_eq(op.err, 0);
}

Test(shadow, flooded_table_is_unshadowed,
     .description = "SHADOW_FLOOD traced writes with no use of the table in "
		    "between: it is no longer shadowed, and writes run directly")
{
	struct op op;
	char ctx[64];
	int i;

	trace_setup();
	op = load(PTW_USER, LA, "a user read of 00405123");
	cr_assert(shadow_traced(&vm, PT_GPA >> PGSHIFT));
	for (i = 0; i < SHADOW_FLOOD; i++) {
		snprintf(ctx, sizeof(ctx), "traced write %d of PT", i + 1);
		op = write_pt_entry(LA + (i + 10) * PGSIZE, FRAME2_GPA | URW, ctx);
		expect_faults(&op, ctx, SH_TRACE, SH_NCLASS);
	}
	cr_assert(!shadow_traced(&vm, PT_GPA >> PGSHIFT), "after %d traced "
		  "writes and no use PT is still traced", SHADOW_FLOOD);
	cr_assert_eq(vm.sh.st.unshadowed, 1);
	cr_assert(!(vm.sh.cur->ent[PDX(LA)] & PTE_P), "PT is no longer "
		  "shadowed, and a shadow PDE still points to a copy of it");
	op = write_pt_entry(LA + 20 * PGSIZE, FRAME2_GPA | URW, "a write to "
			    "the unshadowed PT");
	expect_faults(&op, "a write to the unshadowed PT", SH_FILL, SH_NCLASS);
	op = write_pt_entry(LA + 21 * PGSIZE, FRAME2_GPA | URW, "another");
	expect_faults(&op, "another write to the unshadowed PT", SH_NCLASS);
	/* Using it again shadows it again, and its mapping is protected. */
	op = load(PTW_USER, LA + 21 * PGSIZE, "a read through PT's new entry");
	expect_faults(&op, "a read through PT's new entry", SH_FILL, SH_NCLASS);
	cr_assert_eq(op.val, 0x22222222);
	cr_assert(shadow_traced(&vm, PT_GPA >> PGSHIFT));
	cr_assert(!(spte_of(LA_PTMAP) & PTE_W), "PT is shadowed again, and "
		  "writable at 00006000");
}

Test(shadow, used_table_stays_shadowed,
     .description = "traced writes to a table the guest keeps using (a fill "
		    "through it between them) never unshadow it")
{
	struct op op;
	char ctx[64];
	int i;

	trace_setup();
	op = load(PTW_USER, LA, "a user read of 00405123");
	for (i = 0; i < 3 * SHADOW_FLOOD; i++) {
		uint32_t la = LA + (i + 10) * PGSIZE;

		snprintf(ctx, sizeof(ctx), "traced write %d of PT", i + 1);
		/* Not accessed: the shadow fills it on the first use. */
		op = write_pt_entry(la, FRAME2_GPA | PTE_P | PTE_W | PTE_U, ctx);
		expect_faults(&op, ctx, SH_TRACE, SH_NCLASS);
		snprintf(ctx, sizeof(ctx), "the use of PT after write %d", i + 1);
		op = load(PTW_USER, la, ctx);
		expect_faults(&op, ctx, SH_FILL, SH_NCLASS);
	}
	cr_assert(shadow_traced(&vm, PT_GPA >> PGSHIFT), "PT was used between "
		  "every two writes, and is no longer shadowed");
	cr_assert_eq(vm.sh.st.unshadowed, 0);
}

Test(shadow, unshadow_untraces,
     .description = "shadow_unshadow drops every copy of a page table and "
		    "untraces it; the directory the guest runs on stays traced")
{
	struct op op;

	trace_setup();
	op = load(PTW_USER, LA, "a user read of 00405123");
	op = store(0, LA_PTMAP, 0, "a write to PT");
	expect_faults(&op, "a write to PT", SH_TRACE, SH_NCLASS);
	cr_assert(shadow_unshadow(&vm, PT_GPA >> PGSHIFT), "shadow_unshadow "
		  "of PT says it is still traced");
	cr_assert(!shadow_traced(&vm, PT_GPA >> PGSHIFT));
	cr_assert_eq(vm.sh.st.unshadowed, 1);
	cr_assert(!(vm.sh.cur->ent[PDX(LA)] & PTE_P), "a shadow PDE still "
		  "points to the unshadowed PT's copy");
	check_shadow("after shadow_unshadow(PT)");
	op = store(0, LA_PTMAP, 0, "a write to the unshadowed PT");
	expect_faults(&op, "a write to the unshadowed PT", SH_FILL, SH_NCLASS);
	cr_assert(spte_of(LA_PTMAP) & PTE_W);
	cr_assert(!shadow_unshadow(&vm, DIR_GPA >> PGSHIFT), "shadow_unshadow "
		  "of the running directory claims it untraced");
	cr_assert(shadow_traced(&vm, DIR_GPA >> PGSHIFT));
	cr_assert_eq(vm.sh.st.unshadowed, 1);
}

Test(shadow, watched_frame,
     .description = "a frame the engine watches (the shadow GDT's pages) "
		    "loses its writable mappings; a write to it is a hidden "
		    "fault of class gdt, emulated, and the engine hears of it; "
		    "unwatched, it runs directly again; shadow_unshadow ends "
		    "the watch for a write the emulator cannot do")
{
	uint32_t gfn = FRAME_GPA >> PGSHIFT;
	struct op op;

	trace_setup();
	op = store(0, LA_DATA, 1, "a first write to the data page");
	cr_assert(spte_of(LA_DATA) & PTE_W);
	shadow_watch(&vm, gfn, true);
	cr_assert(shadow_watched(&vm, gfn) && shadow_traced(&vm, gfn));
	cr_assert(!(spte_of(LA_DATA) & PTE_W), "a watched frame is still "
		  "mapped writable: its writes would not be seen");
	cr_assert(!(vm.physmap_pt[PDX(FRAME_GPA)][PTX(FRAME_GPA)] & PTE_W),
		  "the physical map (paging off) still maps the watched frame "
		  "writable");
	nwatched_writes = 0;
	op = store(0, LA_DATA + 8, 0x5eed, "a write to the watched frame");
	expect_faults(&op, "a write to the watched frame", SH_GDT, SH_NCLASS);
	cr_assert(op.emulated, "the write to a watched frame was not emulated");
	cr_assert_eq(peek(FRAME_GPA + 8), 0x5eed);
	cr_assert(nwatched_writes == 1 && watched_gpa == FRAME_GPA + 8 &&
		  watched_len == 4, "the engine heard of %d writes (the last "
		  "%u bytes at %08x), expected one of 4 at %08x",
		  nwatched_writes, watched_len, watched_gpa, FRAME_GPA + 8);
	shadow_watch(&vm, gfn, false);
	cr_assert(!shadow_watched(&vm, gfn) && !shadow_traced(&vm, gfn));
	op = store(0, LA_DATA + 8, 2, "a write to the frame once unwatched");
	cr_assert(!op.emulated && nwatched_writes == 1, "%s after the watch "
		  "ended", faults_str(&op));
	shadow_watch(&vm, gfn, true);
	cr_assert(shadow_unshadow(&vm, gfn), "shadow_unshadow of a watched "
		  "frame says it is still traced: the engine was not told");
	cr_assert(!shadow_watched(&vm, gfn));
}

/*
 * JOS's UVPT: a directory entry that names the directory itself, so that
 * one guest frame is shadowed both as a root and as a page table.
 */
Test(shadow, self_map,
     .description = "a directory that is its own page table (UVPT): read "
		    "through, write-protected, and a write through it drops the "
		    "shadow PDE")
{
	const uint32_t k = 0x3BD, k2 = 0x3BE;
	const uint32_t uvpt = k << PDXSHIFT, kvpt = k2 << PDXSHIFT;
	const uint32_t newpde = PT_GPA | PTE_P | PTE_W | PTE_A;
	struct op op;

	trace_setup();
	/* For user reads, as JOS has it; and one the kernel writes through. */
	poke(DIR_GPA + 4 * k, DIR_GPA | PTE_P | PTE_U | PTE_A);
	poke(DIR_GPA + 4 * k2, DIR_GPA | PTE_P | PTE_W | PTE_A);
	op = load(PTW_USER, uvpt | k << PGSHIFT | 4 * PDX(LA),
		  "a user read of PDE 1 through UVPT");
	expect_faults(&op, "a user read of PDE 1 through UVPT", SH_FILL,
		      SH_NCLASS);
	cr_assert_eq(op.val, peek(pde_gpa(DIR_GPA, LA)), "UVPT read %08x as "
		     "PDE 1", op.val);
	op = load(PTW_USER, uvpt | PDX(LA) << PGSHIFT | 4 * PTX(LA),
		  "a user read of PT[5] through UVPT");
	expect_faults(&op, "a user read of PT[5] through UVPT", SH_FILL,
		      SH_NCLASS);
	cr_assert_eq(op.val, peek(pte_gpa(PT_GPA, LA)));
	op = load(PTW_USER, LA, "a user read of 00405123");
	op = store(PTW_USER, uvpt | k << PGSHIFT, 0, "a user write through UVPT");
	expect_faults(&op, "a user write through UVPT", SH_TRUE, SH_NCLASS);
	cr_assert_eq(op.err, PFERR_P | PFERR_W | PFERR_U);
	op = store(0, kvpt | k2 << PGSHIFT | 4 * PDX(LA), newpde,
		   "the kernel rewrites PDE 1 through its self-map");
	expect_faults(&op, "the kernel rewrites PDE 1 through its self-map",
		      SH_TRACE, SH_NCLASS);
	cr_assert(!(vm.sh.cur->ent[PDX(LA)] & PTE_P), "PDE 1 was rewritten, "
		  "its shadow stays %08x", vm.sh.cur->ent[PDX(LA)]);
	op = load(PTW_USER, uvpt | k << PGSHIFT | 4 * PDX(LA),
		  "a user read of the new PDE 1 through UVPT");
	expect_faults(&op, "a user read of the new PDE 1", SH_NCLASS);
	cr_assert_eq(op.val, newpde, "UVPT shows PDE 1 as %08x", op.val);
	op = load(PTW_USER, uvpt | PDX(LA) << PGSHIFT,
		  "a user read of PT through UVPT, PDE 1 now kernel-only");
	expect_faults(&op, "a user read of PT through UVPT, PDE 1 kernel-only",
		      SH_TRUE, SH_NCLASS);
	op = load(PTW_USER, LA, "a user read after PDE 1 lost U");
	expect_faults(&op, "a user read after PDE 1 lost U", SH_TRUE, SH_NCLASS);
	cr_assert_eq(op.err, PFERR_P | PFERR_U);
}

/* xv6 boots on a 4 MB page over low memory, its own tables included. */
Test(shadow, big_page_over_tables,
     .description = "a 4 MB guest page over the guest's own page tables: "
		    "writes to them through it are traced, and mappings made "
		    "before they were tables are write-protected")
{
	const uint32_t kb = 0xC0000000;
	struct op op;

	trace_setup();
	shadow_write_cr(&vm, 4, CR4_PSE);
	vm.vcpu.cr4 = CR4_PSE;
	poke(pde_gpa(DIR_GPA, kb), PTE_PS | KRW);
	op = store(0, kb + FRAME_GPA, 1, "a kernel write of data through the "
		   "4 MB page");
	expect_faults(&op, "a kernel write through the 4 MB page", SH_FILL,
		      SH_NCLASS);
	cr_assert(spte_of(kb + FRAME_GPA) & PTE_W);
	op = load(0, kb + DIR_GPA, "a kernel read of the directory through "
		  "the 4 MB page");
	expect_faults(&op, "a kernel read of the directory", SH_FILL, SH_NCLASS);
	cr_assert(!(spte_of(kb + DIR_GPA) & PTE_W), "the running directory is "
		  "writable through the 4 MB page");
	op = store(0, kb + PT1_GPA + 4 * 300, FRAME2_GPA | URW, "a kernel write "
		   "to PT1 before anything walks it");
	expect_faults(&op, "a kernel write to PT1, not yet a table", SH_FILL,
		      SH_NCLASS);
	cr_assert(spte_of(kb + PT1_GPA) & PTE_W);
	op = load(PTW_USER, LA_DATA, "a user read through PT1");
	expect_faults(&op, "a user read through PT1", SH_FILL, SH_NCLASS);
	cr_assert((spte_of(kb + PT1_GPA) & (PTE_P | PTE_W)) == PTE_P, "PT1 is "
		  "shadowed, and mapped %08x through the 4 MB page",
		  spte_of(kb + PT1_GPA));
	op = store(0, kb + PT1_GPA + 4 * PTX(LA_DATA), FRAME2_GPA | URW,
		   "the kernel remaps 00005000 through the 4 MB page");
	expect_faults(&op, "the kernel remaps 00005000", SH_TRACE, SH_NCLASS);
	cr_assert_eq(PTE_ADDR(spte_of(LA_DATA)), gmem_hpa(&vm, FRAME2_GPA));
	op = store(0, kb + DIR_GPA + 4 * PDX(LA_DATA), 0, "the kernel removes "
		   "PDE 0 through the 4 MB page");
	expect_faults(&op, "the kernel removes PDE 0", SH_TRACE, SH_NCLASS);
	cr_assert(!(vm.sh.cur->ent[0] & PTE_P));
}

Test(shadow, wide_and_crossing_writes,
     .description = "an emulated write of several entries, unaligned or "
		    "across a page boundary, updates every shadow entry it "
		    "touches")
{
	static const uint32_t las[] = { LA, LA + PGSIZE, LA + 2 * PGSIZE,
					0x00400000 };
	uint32_t ent[3] = { 0x00200000 | URW, FRAME_GPA | URW, FRAME2_GPA | URW };
	uint32_t two[2] = { 0xDEADBEEF, FRAME3_GPA | URW };
	char ctx[64];
	struct op op;
	size_t i;

	trace_setup();
	poke(pte_gpa(PT_GPA, LA + PGSIZE), FRAME2_GPA | URW);
	poke(pte_gpa(PT_GPA, LA + 2 * PGSIZE), FRAME3_GPA | URW);
	poke(pte_gpa(PT_GPA, 0x00400000), FRAME_GPA | URW);
	for (i = 0; i < ARRAY_SIZE(las); i++) {
		snprintf(ctx, sizeof(ctx), "a user read of %08x", las[i]);
		op = load(PTW_USER, las[i], ctx);
		expect_faults(&op, ctx, SH_FILL, SH_NCLASS);
	}
	/* Bytes 22-29 of PT: half of entry 5, entry 6, half of entry 7. */
	cr_assert_eq(gmem_write(&vm, PT_GPA + 22, (uint8_t *) ent + 2, 8), 0);
	shadow_guest_wrote(&vm, PT_GPA + 22, 8);
	/* The last word of the frame before PT, and PT's entry 0. */
	cr_assert_eq(gmem_write(&vm, PT_GPA - 4, two, 8), 0);
	shadow_guest_wrote(&vm, PT_GPA - 4, 8);
	for (i = 0; i < ARRAY_SIZE(las); i++) {
		uint32_t g = peek(pte_gpa(PT_GPA, las[i]));

		cr_assert_eq(PTE_ADDR(spte_of(las[i])), gmem_hpa(&vm, PTE_ADDR(g)),
			     "after the write PT's entry for %08x is %08x, its "
			     "shadow maps host %08x, not the guest's %08x",
			     las[i], g, PTE_ADDR(spte_of(las[i])),
			     gmem_hpa(&vm, PTE_ADDR(g)));
	}
	check_shadow("after the wide writes");
}

Test(shadow, table_outside_ram,
     .description = "a guest PDE naming a table beyond RAM: shadow_fault "
		    "fails and says why, counting nothing")
{
	const uint32_t la = 0x00800000;
	struct sh_fault f;
	physaddr_t hpa;
	int e, c;

	trace_setup();
	poke(pde_gpa(DIR_GPA, la), 0x00C00000 | PTE_P | PTE_W | PTE_U | PTE_A);
	e = cpu_walk(shadow_cr3(&vm), la, 0, &hpa);
	cr_assert_geq(e, 0, "the shadow maps %08x before any fault", la);
	cr_assert_eq(shadow_fault(&vm, la, e, &f), -1, "shadow_fault on a "
		     "table outside guest RAM returned 0 (%s, %s)",
		     sh_class_name(f.class), f.why ? f.why : "no reason");
	cr_assert(f.why != NULL && f.why[0], "no reason given");
	for (c = 0; c < SH_NCLASS; c++)
		cr_assert_eq(vm.sh.st.faults[c], 0, "a failed walk was counted as "
			     "%s", sh_class_name(c));
	cr_assert(!(vm.sh.cur->ent[PDX(la)] & PTE_P));
}

Test(shadow, table_outside_ram_faults_guest,
     .description = "an access through a table beyond RAM is the guest's "
		    "not-present #PF (QEMU reads zeros there), counted, and "
		    "the guest goes on")
{
	static const uint32_t tables[] = { GUEST_RAM, 0x00C00000, 0xFFFFF000 };
	const uint32_t la = 0x00800000;
	physaddr_t hpa;
	unsigned t, w;
	int e, n;

	trace_setup();
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
	for (w = 0; w < 2; w++) {
		poke(pde_gpa(DIR_GPA, la), tables[t] | PTE_P | PTE_W | PTE_U);
		e = cpu_walk(shadow_cr3(&vm), la, w ? PTW_WRITE : 0, &hpa);
		cr_assert_geq(e, 0, "the shadow maps %08x before any fault", la);
		n = ninjected;
		cr_assert_eq(shadow_page_fault(&vm, la, e), 0, "a table at %08x "
			     "stopped the guest: %s", tables[t], vm.why_dead);
		cr_assert(!vm.dead);
		cr_assert_eq(ninjected, n + 1, "no event for the guest");
		cr_assert(injected.kind == EVENT_EXCEPTION &&
			  injected.vector == T_PGFLT && injected.has_err,
			  "the guest was given vector %u, not #PF",
			  injected.vector);
		cr_assert_eq(injected.err, w ? PFERR_W : 0, "#PF error %x for a "
			     "%s: not-present, as zeros read", injected.err,
			     w ? "write" : "read");
		cr_assert_eq(vm.vcpu.cr2, la, "CR2 %08x", vm.vcpu.cr2);
		cr_assert(!(vm.sh.cur->ent[PDX(la)] & PTE_P), "the shadow "
			  "mapped the table beyond RAM");
	}
	cr_assert_eq(vm.sh.st.outside_ram, 6, "%llu refusals counted, not 6",
		     (unsigned long long) vm.sh.st.outside_ram);
}

Test(shadow, pool_exhausted_flushes,
     .description = "past SHADOW_MAX_PAGES shadow pages everything is "
		    "dropped and the access refilled: two hidden faults at most")
{
	const unsigned ndirs = 5, npdx = PDX(MONBASE), ptbase = 0x200;
	const unsigned npts = GUEST_RAM / PGSIZE - ptbase;
	size_t free0;
	unsigned d, i, n, role;
	char ctx[64];
	struct op op;

	boot_guest();
	set_mode(DIRS_GPA, true, false);
	/* Directory d's entry i names table n % npts with rights n / npts:
	 * every (table, rights) pair distinct, more than the pool holds. */
	for (n = 0; n < npts; n++)
		poke((ptbase + n) << PGSHIFT, FRAME_GPA | PTE_P | PTE_W | PTE_U |
		     PTE_A);
	for (d = 0; d < ndirs; d++)
		for (i = 0; i < npdx; i++) {
			n = d * npdx + i;
			role = n / npts;
			cr_assert_lt(role, 4);
			poke(DIRS_GPA + d * PGSIZE + 4 * i,
			     (ptbase + n % npts) << PGSHIFT | PTE_P | PTE_A |
			     (role & 1 ? PTE_W : 0) | (role & 2 ? PTE_U : 0));
		}
	cr_assert_gt(ndirs * (npdx + 1), SHADOW_MAX_PAGES);
	free0 = page_free_count();
	start_shadow();
	no_check = true;
	for (d = 0; d < ndirs; d++) {
		switch_to(DIRS_GPA + d * PGSIZE);
		for (i = 0; i < npdx; i++) {
			snprintf(ctx, sizeof(ctx), "process %u reads %08x", d,
				 i << PDXSHIFT);
			op = load(0, i << PDXSHIFT, ctx);
			cr_assert(!op.true_fault && !op.emulated &&
				  op.nfaults >= 1 && op.nfaults <= 2,
				  "%s: %s", ctx, faults_str(&op));
			cr_assert(op.class[0] == SH_FILL && op.class[op.nfaults - 1] ==
				  SH_FILL, "%s: %s", ctx, faults_str(&op));
		}
	}
	no_check = false;
	cr_assert_eq(vm.sh.st.flushes, 1, "%u shadow pages needed, %u fit: one "
		     "flush expected, %llu seen", ndirs * (npdx + 1),
		     SHADOW_MAX_PAGES, (unsigned long long) vm.sh.st.flushes);
	cr_assert_eq(vm.sh.st.pages_max, SHADOW_MAX_PAGES);
	check_shadow("after the pool ran out");
	shadow_fini(&vm);
	cr_assert_eq(page_free_count(), free0, "shadow_fini left %ld host "
		     "pages allocated", (long) (free0 - page_free_count()));
}

/* ------------------------------------------------------------------------
 * Roots: cached per CR3, shared tables, eviction
 * ------------------------------------------------------------------------ */

Test(shadow, roots_cached_per_cr3,
     .description = "switching CR3 away and back hits the root cache, and "
		    "each directory keeps its fills")
{
	physaddr_t r1, r2;
	struct op op;

	trace_setup();
	/* Process 2 shares PT (kernel-style) and has its own PDE 0. */
	poke(pde_gpa(DIR2_GPA, LA), PT_GPA | PTE_P | PTE_W | PTE_U | PTE_A);
	poke(pde_gpa(DIR2_GPA, 0), PT1_GPA | PTE_P | PTE_U | PTE_A);
	r1 = shadow_cr3(&vm);
	op = load(PTW_USER, LA, "process 1 reads 00405123");
	op = store(PTW_USER, LA_DATA, 7, "process 1 writes 00005000");
	expect_faults(&op, "process 1 writes 00005000", SH_FILL, SH_NCLASS);
	cr_assert_eq(vm.sh.st.root_misses, 1);

	r2 = switch_to(DIR2_GPA);
	cr_assert_neq(r2, r1, "two directories, one shadow root");
	cr_assert_eq(vm.sh.st.root_misses, 2);
	op = load(PTW_USER, LA, "process 2 reads 00405123");
	expect_faults(&op, "process 2 reads 00405123", SH_FILL, SH_NCLASS);
	op = store(PTW_USER, LA_DATA, 8, "process 2 writes 00005000 (its PDE "
		   "is read-only)");
	expect_faults(&op, "process 2 writes 00005000", SH_TRUE, SH_NCLASS);

	cr_assert_eq(switch_to(DIR_GPA), r1, "back to process 1: a new root");
	cr_assert_eq(vm.sh.st.root_hits, 1);
	op = load(PTW_USER, LA, "process 1 reads 00405123 again");
	expect_faults(&op, "process 1 reads 00405123 again", SH_NCLASS);
	op = store(PTW_USER, LA_DATA, 9, "process 1 writes 00005000 again");
	expect_faults(&op, "process 1 writes 00005000 again", SH_NCLASS);
	cr_assert_eq(switch_to(DIR2_GPA), r2);
	cr_assert_eq(vm.sh.st.root_hits, 2);
	op = load(PTW_USER, LA, "process 2 reads 00405123 again");
	expect_faults(&op, "process 2 reads 00405123 again", SH_NCLASS);
	cr_assert_eq(vm.sh.st.root_misses, 2);
}

/* The shadow table behind @root's entry for @la. */
static physaddr_t
table_pa(physaddr_t root, uint32_t la)
{
	pte_t *pd = pa2kva(root);

	cr_assert(pd[PDX(la)] & PTE_P, "root %08x has no entry for %08x",
		  root, la);
	return PTE_ADDR(pd[PDX(la)]);
}

Test(shadow, shared_tables,
     .description = "two directories pointing to one guest table with the "
		    "same rights share its shadow table; other rights, another")
{
	physaddr_t r1, r2, r3;
	uint32_t pages;
	struct op op;

	trace_setup();
	poke(pde_gpa(DIR2_GPA, LA), PT_GPA | PTE_P | PTE_W | PTE_U | PTE_A);
	poke(pde_gpa(DIR3_GPA, 0), PT1_GPA | PTE_P | PTE_W | PTE_A);
	poke(pde_gpa(DIR3_GPA, LA), PT_GPA | PTE_P | PTE_W | PTE_A);
	r1 = shadow_cr3(&vm);
	op = load(PTW_USER, LA, "process 1 reads 00405123");
	pages = vm.sh.st.pages;
	r2 = switch_to(DIR2_GPA);
	op = load(PTW_USER, LA, "process 2 reads 00405123");
	expect_faults(&op, "process 2 reads 00405123", SH_FILL, SH_NCLASS);
	cr_assert_eq(table_pa(r2, LA), table_pa(r1, LA), "the same guest table "
		     "under the same rights has two shadow tables");
	cr_assert_eq(vm.sh.st.pages, pages + 1, "a second process should cost "
		     "one root, no table: %u shadow pages, was %u",
		     vm.sh.st.pages, pages);
	r3 = switch_to(DIR3_GPA);
	op = load(0, LA, "process 3 (PDE without U) reads 00405123");
	expect_faults(&op, "process 3 reads 00405123", SH_FILL, SH_NCLASS);
	cr_assert_neq(table_pa(r3, LA), table_pa(r1, LA), "a kernel-only PDE "
		      "shares the shadow table of a user PDE: its user rights "
		      "would leak");
	op = load(PTW_USER, LA, "a user read by process 3");
	expect_faults(&op, "a user read by process 3", SH_TRUE, SH_NCLASS);
	/* A propagated write reaches every copy. */
	op = write_pt_entry(LA, FRAME2_GPA | URW, "process 3 rewrites PT[5]");
	cr_assert_eq(PTE_ADDR(((pte_t *) pa2kva(table_pa(r1, LA)))[PTX(LA)]),
		     gmem_hpa(&vm, FRAME2_GPA), "the shared table was not "
		     "updated by a write to PT");
	cr_assert_eq(PTE_ADDR(((pte_t *) pa2kva(table_pa(r3, LA)))[PTX(LA)]),
		     gmem_hpa(&vm, FRAME2_GPA), "the kernel-only copy of PT "
		     "was not updated");
	check_shadow("after PT[5] changed under three roots");
}

Test(shadow, roots_evicted_lru,
     .description = "with more than SHADOW_ROOTS directories the least "
		    "recently used root is evicted (and its directory untraced)")
{
	uint32_t dir[SHADOW_ROOTS + 1];
	char ctx[64];
	struct op op;
	int i;

	trace_setup();
	for (i = 0; i <= SHADOW_ROOTS; i++) {
		dir[i] = DIRS_GPA + i * PGSIZE;
		poke(pde_gpa(dir[i], LA), PT_GPA | PTE_P | PTE_W | PTE_U | PTE_A);
	}
	/* The first process (DIR_GPA), then SHADOW_ROOTS more. */
	shadow_cr3(&vm);
	for (i = 0; i < SHADOW_ROOTS; i++) {
		snprintf(ctx, sizeof(ctx), "process %d reads 00405123", i);
		switch_to(dir[i]);
		op = load(PTW_USER, LA, ctx);
		expect_faults(&op, ctx, SH_FILL, SH_NCLASS);
	}
	cr_assert_eq(vm.sh.st.root_evictions, 1, "%d directories and %d "
		     "slots: one eviction", SHADOW_ROOTS + 1, SHADOW_ROOTS);
	cr_assert(!shadow_traced(&vm, DIR_GPA >> PGSHIFT), "the evicted root's "
		  "directory is still traced");
	/* Process 0 again: now process 1 is the least recently used. */
	switch_to(dir[0]);
	op = load(PTW_USER, LA, "process 0 again");
	expect_faults(&op, "process 0 again", SH_NCLASS);
	switch_to(dir[SHADOW_ROOTS]);
	cr_assert_eq(vm.sh.st.root_evictions, 2);
	cr_assert(!shadow_traced(&vm, dir[1] >> PGSHIFT), "process 1's root "
		  "was the least recently used, and is still cached");
	cr_assert(shadow_traced(&vm, dir[0] >> PGSHIFT), "process 0's root "
		  "was used recently, and was evicted");
	switch_to(dir[0]);
	op = load(PTW_USER, LA, "process 0 once more");
	expect_faults(&op, "process 0 once more", SH_NCLASS);
	check_shadow("after evictions");
}

/* ------------------------------------------------------------------------
 * invlpg, mode changes, tear-down
 * ------------------------------------------------------------------------ */

Test(shadow, invlpg_drops_entry,
     .description = "invlpg drops the shadow entry of one page (of a 4 MB "
		    "page, the whole shadow PDE); the next access refills it")
{
	struct op op;

	trace_setup();
	op = load(PTW_USER, LA, "a read of 00405123");
	op = load(PTW_USER, LA_DATA, "a read of 00005000");
	shadow_invlpg(&vm, LA);
	cr_assert_eq(vm.sh.st.invlpg, 1);
	cr_assert(!(spte_of(LA) & PTE_P), "invlpg 00405123 left %08x",
		  spte_of(LA));
	cr_assert(spte_of(LA_DATA) & PTE_P, "invlpg 00405123 dropped "
		  "00005000's entry too");
	op = load(PTW_USER, LA, "a read after invlpg");
	expect_faults(&op, "a read after invlpg", SH_FILL, SH_NCLASS);

	/* A 4 MB page. */
	shadow_write_cr(&vm, 4, CR4_PSE);
	vm.vcpu.cr4 = CR4_PSE;
	poke(pde_gpa(DIR_GPA, LA), 0x00400000 | PTE_PS | URW);
	op = load(PTW_USER, LA, "a read of a 4 MB page");
	expect_faults(&op, "a read of a 4 MB page", SH_FILL, SH_NCLASS);
	op = load(PTW_USER, LA + PGSIZE, "a read of its next 4 KB");
	expect_faults(&op, "a read of its next 4 KB", SH_FILL, SH_NCLASS);
	shadow_invlpg(&vm, LA + 7 * PGSIZE);
	cr_assert(!(vm.sh.cur->ent[PDX(LA)] & PTE_P), "invlpg in a 4 MB page "
		  "left its shadow PDE");
	op = load(PTW_USER, LA + PGSIZE, "a read after invlpg of the 4 MB page");
	expect_faults(&op, "a read after invlpg of the 4 MB page", SH_FILL,
		      SH_NCLASS);
	check_shadow("after invlpg");
}

Test(shadow, mode_changes_flush,
     .description = "a change of CR0.WP or CR4.PSE drops every shadow "
		    "(st.flushes); other CR0 bits and CR3 loads do not")
{
	uint32_t pde = PT_GPA | PTE_P | PTE_W | PTE_A, cr0;
	struct op op;

	trace_setup();
	/* WP=0: the kernel reads, then writes, a read-only kernel page. */
	shadow_fini(&vm);
	set_mode(DIR_GPA, false, false);
	poke(pde_gpa(DIR_GPA, LA), pde);
	poke(pte_gpa(PT_GPA, LA), FRAME_GPA | PTE_P | PTE_A | PTE_D);
	start_shadow();
	op = load(0, LA, "a kernel read, CR0.WP=0");
	op = store(0, LA, 5, "a kernel write, CR0.WP=0");
	cr_assert(!op.true_fault, "CR0.WP=0: the kernel may write");

	cr0 = vm.vcpu.cr0;
	shadow_write_cr(&vm, 0, cr0 | CR0_TS);
	vm.vcpu.cr0 = cr0 | CR0_TS;
	shadow_write_cr(&vm, 3, DIR_GPA);
	cr_assert_eq(vm.sh.st.flushes, 0, "CR0.TS or a CR3 load flushed");
	shadow_write_cr(&vm, 0, vm.vcpu.cr0 | CR0_WP);
	vm.vcpu.cr0 |= CR0_WP;
	cr_assert_eq(vm.sh.st.flushes, 1, "setting CR0.WP did not flush");
	for (int i = 0; i < SHADOW_ROOTS; i++)
		cr_assert_null(vm.sh.roots[i], "a root survived the flush");
	cr_assert_eq(vm.sh.st.pages, 0);
	op = store(0, LA, 6, "a kernel write, CR0.WP=1");
	expect_faults(&op, "a kernel write to a read-only page once CR0.WP=1",
		      SH_TRUE, SH_NCLASS);
	cr_assert_eq(op.err, PFERR_P | PFERR_W);

	shadow_write_cr(&vm, 4, CR4_PSE);
	vm.vcpu.cr4 = CR4_PSE;
	cr_assert_eq(vm.sh.st.flushes, 2, "setting CR4.PSE did not flush");
	poke(pde_gpa(DIR_GPA, LA), 0x00400000 | PTE_PS | URW);
	op = load(PTW_USER, LA, "a user read of a 4 MB page");
	expect_faults(&op, "a user read of a 4 MB page", SH_FILL, SH_NCLASS);
	shadow_write_cr(&vm, 4, 0);
	vm.vcpu.cr4 = 0;
	cr_assert_eq(vm.sh.st.flushes, 3, "clearing CR4.PSE did not flush");
	op = load(PTW_USER, LA, "the same PDE read as a table");
	expect_faults(&op, "the same PDE read as a table", SH_TRUE, SH_NCLASS);
	check_shadow("after the mode changes");
}

Test(shadow, paging_on_and_off,
     .description = "with guest paging off the guest runs on the physical-mode "
		    "directory; turning it on starts the shadow, off again drops it")
{
	struct op op;

	trace_setup();
	shadow_fini(&vm);
	vm.vcpu.cr0 = CR0_PE;
	cr_assert_eq(shadow_init(&vm), 0);
	cr_assert(!vm.sh.on, "paging is off, and the shadow is on");
	cr_assert_eq(shadow_cr3(&vm), kva2pa(vm.physmap), "paging off: the "
		     "guest must run on the physical-mode directory");
	shadow_write_cr(&vm, 0, CR0_PE | CR0_PG | CR0_WP);
	vm.vcpu.cr0 = CR0_PE | CR0_PG | CR0_WP;
	cr_assert(vm.sh.on);
	cr_assert_neq(shadow_cr3(&vm), kva2pa(vm.physmap));
	op = load(PTW_USER, LA, "a user read with paging on");
	expect_faults(&op, "a user read with paging on", SH_FILL, SH_NCLASS);
	shadow_write_cr(&vm, 0, CR0_PE | CR0_WP);
	vm.vcpu.cr0 = CR0_PE | CR0_WP;
	cr_assert(!vm.sh.on);
	cr_assert_eq(vm.sh.st.pages, 0, "paging is off, %u shadow pages are "
		     "still held", vm.sh.st.pages);
	cr_assert_eq(shadow_cr3(&vm), kva2pa(vm.physmap));
}

Test(shadow, fini_frees_everything,
     .description = "shadow_fini gives back every host page: roots, tables, "
		    "the frame table, the reverse map")
{
	size_t free0;
	char ctx[64];
	struct op op;
	int i, j;

	boot_guest();
	set_mode(DIR_GPA, true, false);
	free0 = page_free_count();
	start_shadow();
	/* Four processes sharing two tables, 600 pages written (3 pages of
	 * reverse map). */
	for (i = 0; i < 4; i++) {
		uint32_t dir = DIRS_GPA + i * PGSIZE;

		poke(pde_gpa(dir, 0), PT1_GPA | PTE_P | PTE_W | PTE_U | PTE_A);
		poke(pde_gpa(dir, LA), PT_GPA | PTE_P | PTE_W | PTE_U | PTE_A);
	}
	for (j = 0; j < 600; j++) {
		poke(PT_GPA + 4 * (j % 1024), (0x100000 + j * PGSIZE) | URW);
		poke(PT1_GPA + 4 * (256 + j % 512), (0x100000 + j * PGSIZE) | URW);
	}
	for (i = 0; i < 4; i++) {
		switch_to(DIRS_GPA + i * PGSIZE);
		for (j = 0; j < 600; j++) {
			snprintf(ctx, sizeof(ctx), "process %d writes page %d", i, j);
			op = store(PTW_USER, 0x00400000 + j * PGSIZE, j, ctx);
			cr_assert(!op.true_fault, "%s: %s", ctx, faults_str(&op));
		}
		op = store(PTW_USER, 0x00100000 + 256 * PGSIZE, i, "a write "
			   "through PT1");
	}
	cr_assert_gt(vm.sh.st.pages, 4);
	cr_assert_lt(page_free_count(), free0);
	shadow_fini(&vm);
	cr_assert_eq(page_free_count(), free0, "shadow_fini left %ld host "
		     "pages allocated", (long) (free0 - page_free_count()));
}

/* ------------------------------------------------------------------------
 * Device pages and the monitor's range
 * ------------------------------------------------------------------------ */

#define LA_LAPIC	0x00408000u	/* through PT */
#define LA_EDGE		0x00409000u	/* gpa GUEST_RAM: just beyond RAM */

Test(shadow, mmio_beyond_ram,
     .description = "a guest mapping of a guest-physical address beyond RAM "
		    "is SH_MMIO (emulated), never mapped")
{
	struct op op;

	trace_setup();
	poke(pte_gpa(PT_GPA, LA_LAPIC), LAPIC_GPA | PTE_P | PTE_W);
	poke(pte_gpa(PT_GPA, LA_EDGE), GUEST_RAM | URW);
	op = load(0, LA_LAPIC + 0x20, "a kernel read of the LAPIC ID");
	expect_faults(&op, "a read of the LAPIC", SH_MMIO, SH_NCLASS);
	cr_assert_eq(peek(pte_gpa(PT_GPA, LA_LAPIC)), LAPIC_GPA | PTE_P |
		     PTE_W | PTE_A, "the guest's PTE of the LAPIC should be "
		     "accessed, not dirty");
	cr_assert(!(spte_of(LA_LAPIC) & PTE_P), "a device page is mapped: %08x",
		  spte_of(LA_LAPIC));
	op = store(0, LA_LAPIC + 0xB0, 0, "a kernel write of the LAPIC EOI");
	expect_faults(&op, "a write of the LAPIC", SH_MMIO, SH_NCLASS);
	cr_assert_eq(vm.plat.stats.mmio_write, 1, "the EOI write reached the "
		     "LAPIC model %llu times",
		     (unsigned long long) vm.plat.stats.mmio_write);
	op = load(PTW_USER, LA_LAPIC, "a user read of the kernel's LAPIC page");
	expect_faults(&op, "a user read of the LAPIC", SH_TRUE, SH_NCLASS);
	cr_assert_eq(op.err, PFERR_P | PFERR_U);
	op = store(PTW_USER, LA_EDGE, 1, "a user write at gpa = RAM size");
	expect_faults(&op, "a write just beyond RAM", SH_MMIO, SH_NCLASS);
	cr_assert(!(spte_of(LA_EDGE) & PTE_P));
}

Test(shadow, unassigned_memory,
     .description = "a guest page mapped beyond RAM and beyond every device "
		    "reads zeros and drops writes, as QEMU's unassigned memory")
{
	struct op op;

	trace_setup();
	poke(pte_gpa(PT_GPA, LA_EDGE), GUEST_RAM | URW);
	op = load(0, LA_EDGE + 8, "a kernel read at gpa = RAM size");
	expect_faults(&op, "a read just beyond RAM", SH_MMIO, SH_NCLASS);
	cr_assert_eq(op.val, 0, "a read of unassigned memory got %08x, not 0 "
		     "(QEMU's pc machine)", op.val);
	op = store(0, LA_EDGE + 8, 0x12345678, "a kernel write beyond RAM");
	expect_faults(&op, "a write just beyond RAM", SH_MMIO, SH_NCLASS);
	op = load(0, LA_EDGE + 8, "the read after the write");
	cr_assert_eq(op.val, 0, "unassigned memory kept a write: read %08x",
		     op.val);
}

Test(shadow, lapic_mirror,
     .description = "with shadow_set_mirror, a read of the device page maps "
		    "the mirror read-only; writes stay SH_MMIO")
{
	struct page *pp;
	physaddr_t hpa;
	struct op op;
	pte_t e;

	trace_setup();
	cr_assert_not_null(pp = page_alloc(ALLOC_ZERO));
	pp->refs++;
	hpa = page2pa(pp);
	*(uint32_t *) pa2kva(hpa + 0x20) = 0x05000000;	/* the ID register */
	shadow_set_mirror(&vm, LAPIC_GPA, hpa);
	poke(pte_gpa(PT_GPA, LA_LAPIC), LAPIC_GPA | PTE_P | PTE_W);
	op = load(0, LA_LAPIC + 0x20, "a kernel read of the LAPIC ID");
	expect_faults(&op, "the first read of the LAPIC", SH_MMIO, SH_NCLASS);
	e = spte_of(LA_LAPIC);
	cr_assert((e & (PTE_P | PTE_W | PTE_U)) == PTE_P, "the mirror is mapped "
		  "%08x: present, read-only, kernel", e);
	cr_assert_eq(PTE_ADDR(e), hpa, "the LAPIC page is mapped to host %08x, "
		     "the mirror is at %08x", PTE_ADDR(e), hpa);
	op = load(0, LA_LAPIC + 0x20, "the next read of the LAPIC ID");
	expect_faults(&op, "the next read of the LAPIC", SH_NCLASS);
	cr_assert_eq(op.val, 0x05000000, "a read of the mirror got %08x", op.val);
	op = store(0, LA_LAPIC + 0x80, 0x10, "a write of the LAPIC TPR");
	expect_faults(&op, "a write of the mirrored LAPIC", SH_MMIO, SH_NCLASS);
	cr_assert_eq(vm.plat.stats.mmio_write, 1);
	cr_assert_eq(vm.plat.lapic.tpr, 0x10, "the LAPIC model's TPR is %x "
		     "after the guest wrote 10", vm.plat.lapic.tpr);
	cr_assert_eq(*(uint32_t *) pa2kva(hpa + 0x80), 0, "the write reached "
		     "the mirror page");
	op = store(0, LA_LAPIC + 0x80, 0x20, "another write of the TPR");
	expect_faults(&op, "another write of the LAPIC", SH_MMIO, SH_NCLASS);
	op = load(PTW_USER, LA_LAPIC, "a user read of the kernel's LAPIC page");
	expect_faults(&op, "a user read of the LAPIC", SH_TRUE, SH_NCLASS);
	/* The guest maps RAM there instead: the mirror mapping goes. */
	op = write_pt_entry(LA_LAPIC, FRAME2_GPA | KRW, "the LAPIC's PTE := "
			    "FRAME2");
	expect_faults(&op, "the LAPIC's PTE := FRAME2", SH_TRACE, SH_NCLASS);
	cr_assert_eq(PTE_ADDR(spte_of(LA_LAPIC)), gmem_hpa(&vm, FRAME2_GPA),
		     "the guest remapped its LAPIC page to RAM, the shadow maps "
		     "host %08x", PTE_ADDR(spte_of(LA_LAPIC)));
	shadow_fini(&vm);
	page_decref(pp);
}

Test(shadow, monitor_range,
     .description = "a guest mapping inside the monitor's range is "
		    "SH_MONITOR (emulated), never mapped, unless the guest's "
		    "own tables forbid the access")
{
	uint32_t la = MONBASE + 0x1000;
	struct page *pp;
	struct op op;

	trace_setup();
	/* The engine's entry there, as ring compression reserves it: a
	 * table of its own (empty here). */
	cr_assert_not_null(pp = page_alloc(ALLOC_ZERO));
	pp->refs++;
	shadow_reserve(&vm, PDX(MONBASE), page2pa(pp) | PTE_P | PTE_W);
	poke(pde_gpa(DIR_GPA, la), PT1_GPA | PTE_P | PTE_W | PTE_A);
	poke(pte_gpa(PT1_GPA, la), FRAME_GPA | KRW);
	poke(FRAME_GPA + PGOFF(la), 0x5EC0DE);
	op = load(0, la, "a kernel read at MONBASE + 0x1000");
	expect_faults(&op, "a kernel read in the monitor's range", SH_MONITOR,
		      SH_NCLASS);
	cr_assert_eq(op.val, 0x5EC0DE, "the emulated read got %08x", op.val);
	cr_assert(vm.sh.cur->ent[PDX(la)] == 0 ||
		  vm.sh.cur->ent[PDX(la)] == vm.sh.reserved_pde, "the monitor's "
		  "range holds a guest mapping (%08x)", vm.sh.cur->ent[PDX(la)]);
	op = load(PTW_USER, la, "a user read at MONBASE + 0x1000");
	expect_faults(&op, "a user read in the monitor's range", SH_TRUE,
		      SH_NCLASS);
	cr_assert_eq(op.err, PFERR_P | PFERR_U);
}

Test(shadow, monitor_range_clash,
     .description = "a guest page over one the engine keeps mapped in its "
		    "range is a clash (stops the guest on the next fault "
		    "there); pages beside it, absent ones and 4 MB pages "
		    "are judged as the guest's tables say")
{
	uint32_t la = MONBASE + 0x1000, mon = MONBASE + 0x117000, at = 0;
	struct page *pp, *frame;
	char name[16];
	pte_t *mine;
	struct op op;

	trace_setup();
	/* The engine's table maps one page of its own, at mon. */
	cr_assert_not_null(pp = page_alloc(ALLOC_ZERO));
	cr_assert_not_null(frame = page_alloc(ALLOC_ZERO));
	pp->refs++;
	frame->refs++;
	mine = page2kva(pp);
	mine[PTX(mon)] = page2pa(frame) | PTE_P;
	shadow_reserve(&vm, PDX(MONBASE), page2pa(pp) | PTE_P | PTE_W);
	cr_assert(!shadow_reserved_clash(&vm, &at), "no guest entry there, "
		  "yet a clash at %08x", at);
	/* The guest maps la, beside the engine's page: no clash. */
	poke(pde_gpa(DIR_GPA, la), PT1_GPA | PTE_P | PTE_W | PTE_A);
	poke(pte_gpa(PT1_GPA, la), FRAME_GPA | KRW);
	cr_assert(!shadow_reserved_clash(&vm, &at), "a guest page beside the "
		  "engine's called a clash at %08x", at);
	op = load(0, la, "a kernel read beside the engine's page");
	expect_faults(&op, "a read beside the engine's page", SH_MONITOR,
		      SH_NCLASS);
	cr_assert(!vm.dead, "stopped: %s", vm.why_dead);
	/* An absent entry over the engine's page is no clash either. */
	poke(pte_gpa(PT1_GPA, mon), FRAME_GPA | (KRW & ~PTE_P));
	cr_assert(!shadow_reserved_clash(&vm, &at));
	/* A present one is, and the next fault in the range stops the guest. */
	poke(pte_gpa(PT1_GPA, mon), FRAME_GPA | KRW);
	cr_assert(shadow_reserved_clash(&vm, &at), "the guest maps %08x over "
		  "the engine's page: no clash found", mon);
	cr_assert_eq(at, mon, "the clash reported at %08x, not %08x", at, mon);
	set_insn(la, &op);
	cr_assert_eq(shadow_page_fault(&vm, la, 0), -1, "a fault in the range "
		     "with a clash let the guest go on");
	snprintf(name, sizeof(name), "%08x", mon);
	cr_assert(vm.dead && strstr(vm.why_dead, name) != NULL, "the reason "
		  "does not name the page %s: '%s'", name, vm.why_dead);
	/* A 4 MB page there, with PSE on, covers the engine's page. */
	vm.dead = false;
	poke(pte_gpa(PT1_GPA, mon), 0);
	cr_assert(!shadow_reserved_clash(&vm, &at));
	poke(pde_gpa(DIR_GPA, la), FRAME_GPA | PTE_P | PTE_W | PTE_PS);
	vm.vcpu.cr4 |= CR4_PSE;
	cr_assert(shadow_reserved_clash(&vm, &at), "a 4 MB page over the "
		  "engine's: no clash");
	vm.vcpu.cr4 &= ~CR4_PSE;
	poke(pde_gpa(DIR_GPA, la), 0);
	page_decref(frame);
	page_decref(pp);
}

/*
 * Not the shadow's, but the core's emulation on the same guest: an iret
 * that turns interrupts on leaves the one instruction it returns to a
 * shadow, so that a handler slower than its interrupt's period still
 * lets the interrupted code move (vm_emulate()); one that leaves IF as
 * it was casts none, and the next emulated instruction ends a shadow.
 */
Test(shadow, iret_interrupt_shadow,
     .description = "an emulated iret that sets IF shadows the instruction "
		    "it returns to, at its address; one that does not, none")
{
	static const uint32_t gdt[] = { 0, 0, 0xffff, 0xcf9a00 };
	static const uint8_t iret[] = { 0xcf }, nop_insn[] = { 0x90 };
	const uint32_t code = 0x3000, stack = 0x7000;
	uint32_t frame[3] = { 0x1234, 0x08, 0x2 | FL_IF };
	struct vcpu *v = &vm.vcpu;

	boot_guest();
	v->cr0 = CR0_PE;
	cr_assert_eq(shadow_init(&vm), 0);
	cr_assert_eq(gmem_write(&vm, 0x2000, gdt, sizeof(gdt)), 0);
	v->gdtr = (struct vdtr) { .base = 0x2000, .limit = sizeof(gdt) - 1 };
	cr_assert_eq(gmem_write(&vm, code, iret, 1), 0);
	cr_assert_eq(gmem_write(&vm, 0x1234, nop_insn, 1), 0);

	/* IF off before, on after: the shadow, at the return address. */
	cr_assert_eq(gmem_write(&vm, stack, frame, sizeof(frame)), 0);
	v->eip = code;
	v->gpr[REG_ESP] = stack;
	v->eflags = 0x2;
	cr_assert_eq(vm_emulate(&vm, NO_GFN), 0, "iret: %s", vm.why_dead);
	cr_assert_eq(v->eip, 0x1234);
	cr_assert(v->eflags & FL_IF);
	cr_assert(v->intr_shadow, "an iret that set IF cast no shadow");
	cr_assert_eq(v->intr_shadow_eip, 0x1234, "the shadow covers %08x",
		     v->intr_shadow_eip);

	/* IF on before and after: no shadow, and the old one is over. */
	cr_assert_eq(gmem_write(&vm, stack, frame, sizeof(frame)), 0);
	v->eip = code;
	v->gpr[REG_ESP] = stack;
	cr_assert_eq(vm_emulate(&vm, NO_GFN), 0, "iret: %s", vm.why_dead);
	cr_assert(!v->intr_shadow, "an iret with IF already on cast a shadow");
}
