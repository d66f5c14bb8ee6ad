/*
 * unit_ptwalk.c - the guest page-table walker (vmm/ptwalk.c) against the
 * Intel SDM, over every combination of the bits it reads.
 *
 * A guest of 8 MB (vmm/gmem.c over grade/unit/simphys.c's simulated
 * physical memory) gets a page directory and a page table; each case
 * writes one PDE and one PTE into them, sets the vcpu's CR0.WP and
 * CR4.PSE, walks, and compares everything the walk reports, and the
 * entries as guest memory holds them afterwards, with sdm_walk() below.
 * That reads the entries from guest memory and computes the addresses
 * (4.3 32-bit paging); whether the access completes, its error code, the
 * combined rights and the accessed and dirty bits it sets are
 * grade/unit/sdm_paging.c's: the independent model of the SDM (vol. 3A,
 * 4.6, 4.7, 4.8) that grade/unit/unit_shadow.c holds the shadow MMU to.
 * No expected value is written by hand.
 *
 * The sweeps cover PDE bits P W U PS A D, PTE bits P W U A D, reads,
 * writes and fetches, user and supervisor, CR0.WP and CR4.PSE on and off,
 * at two linear addresses (offsets in the page and, for 4 MB pages, in
 * the 4 MB), with and without PTW_SET_AD.  The page table lies at a
 * frame with bits 13-20 set, so that a PDE naming it, read as a 4 MB
 * page, also carries PSE-36 address bits, which the walker treats as 0.
 * Further tests put the directory or the page table outside guest RAM,
 * make a directory entry its own page table (a self-map), and turn
 * paging off.
 *
 * Two choices the SDM leaves open are QEMU's CPU's, and so the walker's:
 * a PDE that names a table gets its accessed bit even when the walk then
 * faults at the PTE, and with CR0.PG clear a walk succeeds with gpa = la.
 * An entry the walk has no bit to set in must not even be written (a
 * write to a traced page table costs the shadow MMU work): its host page
 * is read-only during the walk, and a write crashes the test, naming the
 * case.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <criterion/criterion.h>

#include "grade/unit/simphys.h"
#include "grade/unit/sdm_paging.h"
#include "vmm/gmem.h"
#include "vmm/ptwalk.h"

#define GUEST_RAM	(8u << 20)
#define DIR_GPA		0x00001000u	/* the guest's page directory */
#define PT_GPA		0x005FE000u	/* its page table: bits 13-20 set */
#define FRAME_GPA	0x00123000u	/* the 4 KB page the PTE maps */
#define SOFT_BIT	0x00000200u	/* an AVL bit: ignored, and kept */

static struct vm vm;

/* One case: the guest's state and the access. */
struct combo {
	uint32_t cr0, cr3, cr4;
	uint32_t la;
	unsigned access;	/* PTW_* */
	/* The entries the guest wrote (at most two), and where. */
	int nent;
	uint32_t ent_gpa[2], ent[2];
};

/* What the SDM says the walk does: the shared model's decision, and
 * what only a walk through memory has. */
struct sdm {
	struct sdm_decision d;	/* ok, err, big, rights */
	bool bad_table;		/* a paging structure lies outside RAM */
	uint32_t gpa;
	uint32_t pde_gpa, pte_gpa;	/* where the controlling entries are */
	uint32_t pde_set, pte_set;	/* bits the CPU sets in them */
	bool set_a, set_d;
};

/* ------------------------------------------------------------------------
 * Guest memory
 * ------------------------------------------------------------------------ */

/* Whether the entry at @gpa is guest RAM: the model's own rule, not gmem's. */
static bool
in_ram(uint32_t gpa)
{
	return gpa <= GUEST_RAM - 4;
}

static uint32_t
peek(uint32_t gpa)
{
	uint32_t v;

	cr_assert_eq(gmem_read(&vm, gpa, &v, 4), 0, "gmem_read(%08x) failed", gpa);
	return v;
}

static void
poke(uint32_t gpa, uint32_t v)
{
	cr_assert_eq(gmem_write(&vm, gpa, &v, 4), 0, "gmem_write(%08x) failed", gpa);
}

static void on_segv(int sig);

static void
boot_guest(void)
{
	signal(SIGSEGV, on_segv);
	sim_boot();
	cr_assert_eq(gmem_alloc(&vm, GUEST_RAM), 0, "gmem_alloc of 8 MB failed");
}

/* Nothing but the entries the tests wrote, and cleared, was ever written. */
static void
check_ram_clean(void)
{
	static uint32_t buf[PGSIZE / 4];
	uint32_t gpa;
	size_t i;

	for (gpa = 0; gpa < GUEST_RAM; gpa += PGSIZE) {
		cr_assert_eq(gmem_read(&vm, gpa, buf, PGSIZE), 0);
		for (i = 0; i < ARRAY_SIZE(buf); i++)
			cr_assert_eq(buf[i], 0, "guest-physical %08zx holds %08x: "
				     "the walker wrote where no entry it used is",
				     gpa + 4 * i, buf[i]);
	}
}

/* ------------------------------------------------------------------------
 * The model: the SDM's 32-bit paging over guest memory (the decision is
 * grade/unit/sdm_paging.c's)
 * ------------------------------------------------------------------------ */

/* Bits hi:lo of @v, as the SDM's tables name them. */
static uint32_t
field(uint32_t v, int hi, int lo)
{
	return (v >> lo) & (uint32_t) ((1ull << (hi - lo + 1)) - 1);
}

/*
 * What the SDM says case @c does, reading the entries it names: an
 * entry beyond guest RAM cannot be read, and counts as not present (the
 * walker's bad_table), so the access faults with P = 0 in its error code.
 */
static struct sdm
sdm_walk(const struct combo *c)
{
	struct sdm s = { 0 };
	uint32_t pde = 0, pte = 0, new_bits;

	/* 4.1.1: with CR0.PG = 0 linear addresses are physical addresses. */
	if (!(c->cr0 & CR0_PG)) {
		s.d.ok = true;
		s.gpa = c->la;
		s.d.rights = PTE_U | PTE_W;
		return s;
	}
	/* 4.3: the PDE is at CR3[31:12] : la[31:22] : 00. */
	s.pde_gpa = field(c->cr3, 31, 12) << 12 | field(c->la, 31, 22) << 2;
	s.bad_table = !in_ram(s.pde_gpa);
	if (!s.bad_table)
		pde = peek(s.pde_gpa);
	/* 4.3: a non-present PDE is not followed, nor one mapping 4 MB. */
	if (!s.bad_table && field(pde, 0, 0) && !sdm_big(pde, c->cr4)) {
		/* The PTE is at PDE[31:12] : la[21:12] : 00. */
		s.pte_gpa = field(pde, 31, 12) << 12 |
			    field(c->la, 21, 12) << 2;
		s.bad_table = !in_ram(s.pte_gpa);
		if (!s.bad_table)
			pte = peek(s.pte_gpa);
	}
	s.d = sdm_decide(pde, pte, c->access, c->cr0, c->cr4);
	if (s.d.big) {
		/* PDE[31:22] : la[21:0]; PSE-36 bits 20:13 would be address
		 * bits 39:32, beyond a 32-bit gpa. */
		s.pte_gpa = s.pde_gpa;
		s.gpa = field(pde, 31, 22) << 22 | field(c->la, 21, 0);
	} else {
		s.gpa = field(pte, 31, 12) << 12 | field(c->la, 11, 0);
	}
	if (!(c->access & PTW_SET_AD))
		return s;
	/* The bits the model's CPU sets (4.8), which the walker reports. */
	s.pde_set = s.d.pde & ~pde;
	s.pte_set = s.d.pte & ~pte;
	new_bits = s.pde_set | s.pte_set;
	s.set_a = new_bits & PTE_A;
	s.set_d = new_bits & PTE_D;
	return s;
}

/* ------------------------------------------------------------------------
 * Running one case
 * ------------------------------------------------------------------------ */

/* An entry's flags in words; four calls in one message are safe. */
static const char *
bits(uint32_t e, bool pde)
{
	static char buf[4][32];
	static int n;
	char *b = buf[n++ & 3];

	snprintf(b, 32, "%s%s%s%s%s%s", e & PTE_P ? " P" : "",
		 e & PTE_W ? " W" : "", e & PTE_U ? " U" : "",
		 pde && (e & PTE_PS) ? " PS" : "", e & PTE_A ? " A" : "",
		 e & PTE_D ? " D" : "");
	return b[0] ? b + 1 : "-";
}

/* The case in words, for failure messages. */
static const char *
describe(const struct combo *c)
{
	static char buf[256];
	int n, i;

	n = snprintf(buf, sizeof(buf), "%s %s%s at %08x, CR0.WP=%d CR4.PSE=%d%s%s",
		     c->access & PTW_USER ? "user" : "supervisor",
		     c->access & PTW_FETCH ? "fetch" :
		     c->access & PTW_WRITE ? "write" : "read",
		     c->access & PTW_SET_AD ? " (SET_AD)" : "",
		     c->la, !!(c->cr0 & CR0_WP), !!(c->cr4 & CR4_PSE),
		     c->cr0 & CR0_PG ? "" : " CR0.PG=0",
		     c->nent ? ", guest wrote" : "");
	/* At most some 170 characters: buf has room. */
	for (i = 0; i < c->nent; i++)
		n += snprintf(buf + n, sizeof(buf) - n, " %08x=%08x (%s)",
			      c->ent_gpa[i], c->ent[i], bits(c->ent[i], i == 0));
	snprintf(buf + n, sizeof(buf) - n, " CR3=%08x", c->cr3);
	return buf;
}

/* The case being walked, for on_segv(). */
static const struct combo *current;

/*
 * A write to a page run() made read-only: say which case (stdio in a
 * signal handler, but the process dies next), then return into the
 * same write with the default action, which ends the test.
 */
static void
on_segv(int sig)
{
	(void) sig;
	fprintf(stderr, "%s: the walker wrote a guest page table it had no "
		"bit to set in\n", current ? describe(current) : "?");
	signal(SIGSEGV, SIG_DFL);
}

static void
protect(uint32_t gpa, int prot)
{
	uint8_t *host = sim_phys + gmem_hpa(&vm, ROUNDDOWN(gpa, PGSIZE));

	cr_assert_eq(mprotect(host, PGSIZE, prot), 0);
}

/* What entry @i of @c must hold after the walk, by @s. */
static uint32_t
want_after(const struct combo *c, const struct sdm *s, int i)
{
	uint32_t e = c->ent[i];

	if (c->ent_gpa[i] == s->pde_gpa)
		e |= s->pde_set;
	if (c->ent_gpa[i] == s->pte_gpa)
		e |= s->pte_set;
	return e;
}

/* The entry at @gpa after the walk: one the guest wrote. */
static uint32_t
peek_after(const struct combo *c, const uint32_t *after, uint32_t gpa)
{
	int i;

	for (i = 0; i < c->nent; i++)
		if (c->ent_gpa[i] == gpa)
			return after[i];
	cr_assert_fail("%s: the walk used an entry at %08x the test did not "
		       "write", describe(c), gpa);
	return 0;
}

/* Walk case @c and hold every result against the model's. */
static void
run(const struct combo *c)
{
	struct ptwalk w;
	struct sdm s;
	uint32_t after[2], ro[2];
	int i, j, nro = 0, r;

	for (i = 0; i < c->nent; i++)
		poke(c->ent_gpa[i], c->ent[i]);
	vm.vcpu.cr0 = c->cr0;
	vm.vcpu.cr3 = c->cr3;
	vm.vcpu.cr4 = c->cr4;
	s = sdm_walk(c);

	/* Pages holding only entries the walk must leave alone: read-only. */
	for (i = 0; i < c->nent; i++) {
		bool keep = true;

		for (j = 0; j < c->nent; j++)
			if (ROUNDDOWN(c->ent_gpa[j], PGSIZE) ==
			    ROUNDDOWN(c->ent_gpa[i], PGSIZE))
				keep = keep && want_after(c, &s, j) == c->ent[j];
		for (j = 0; j < nro; j++)
			keep = keep && ro[j] != ROUNDDOWN(c->ent_gpa[i], PGSIZE);
		if (keep)
			ro[nro++] = ROUNDDOWN(c->ent_gpa[i], PGSIZE);
	}
	for (i = 0; i < nro; i++)
		protect(ro[i], PROT_READ);
	current = c;
	memset(&w, 0xa5, sizeof(w));
	r = ptwalk(&vm, c->la, c->access, &w);
	current = NULL;
	for (i = 0; i < nro; i++)
		protect(ro[i], PROT_READ | PROT_WRITE);

	for (i = 0; i < c->nent; i++) {
		after[i] = peek(c->ent_gpa[i]);
		poke(c->ent_gpa[i], 0);
	}

#define D describe(c)
	cr_assert_eq(r, s.d.ok ? 0 : -1, "%s: the walk %s, the SDM says it %s",
		     D, r == 0 ? "succeeded" : "failed",
		     s.d.ok ? "succeeds" : "faults");
	cr_assert_eq(w.la, c->la, "%s: w->la %08x", D, w.la);
	for (i = 0; i < c->nent; i++)
		cr_assert_eq(after[i], want_after(c, &s, i),
			     "%s: the entry at %08x holds %08x (%s) after the "
			     "walk, the SDM says %08x (%s)", D, c->ent_gpa[i],
			     after[i], bits(after[i], c->ent_gpa[i] == s.pde_gpa),
			     want_after(c, &s, i), bits(want_after(c, &s, i),
			     c->ent_gpa[i] == s.pde_gpa));
	cr_assert_eq(w.set_a, s.set_a, "%s: set_a is %d, the SDM says %d",
		     D, w.set_a, s.set_a);
	cr_assert_eq(w.set_d, s.set_d, "%s: set_d is %d, the SDM says %d",
		     D, w.set_d, s.set_d);
	if (!s.d.ok) {
		cr_assert_eq(w.err, s.d.err, "%s: error code %x, the SDM says %x",
			     D, w.err, s.d.err);
		cr_assert_eq(w.bad_table, s.bad_table, "%s: bad_table is %d, "
			     "expected %d", D, w.bad_table, s.bad_table);
		return;
	}
	cr_assert_eq(w.gpa, s.gpa, "%s: gpa %08x, the SDM says %08x",
		     D, w.gpa, s.gpa);
	cr_assert_eq(w.rights, s.d.rights, "%s: rights %x, the SDM's "
		     "combination is %x", D, w.rights, s.d.rights);
	if (!(c->cr0 & CR0_PG))
		return;
	cr_assert_eq(w.big, s.d.big, "%s: big is %d, the SDM says %d",
		     D, w.big, s.d.big);
	cr_assert_eq(w.pde_gpa, s.pde_gpa, "%s: pde_gpa %08x, the SDM says "
		     "%08x", D, w.pde_gpa, s.pde_gpa);
	cr_assert_eq(w.pte_gpa, s.pte_gpa, "%s: pte_gpa %08x, the SDM says "
		     "%08x", D, w.pte_gpa, s.pte_gpa);
	/* Both report the entries as memory now holds them. */
	cr_assert_eq(w.pde, peek_after(c, after, s.pde_gpa),
		     "%s: w->pde %08x, memory holds %08x", D, w.pde,
		     peek_after(c, after, s.pde_gpa));
	cr_assert_eq(w.pte, peek_after(c, after, s.pte_gpa),
		     "%s: w->pte %08x, memory holds %08x", D, w.pte,
		     peek_after(c, after, s.pte_gpa));
#undef D
}

/* ------------------------------------------------------------------------
 * The cases
 * ------------------------------------------------------------------------ */

/* Offsets within the page, and within the 4 MB, both low and high. */
static const uint32_t las[] = { 0x00405123, 0xBFFFFFFF };

#define NMODES		4	/* CR0.WP x CR4.PSE */
#define NACCESSES	6	/* read, write, fetch x supervisor, user */

/* Paging on, with mode @m's CR0.WP and CR4.PSE; CR3 = @dir. */
static void
set_mode(struct combo *c, int m, uint32_t dir)
{
	c->cr0 = CR0_PE | CR0_PG | (m & 1 ? CR0_WP : 0);
	c->cr4 = m & 2 ? CR4_PSE : 0;
	/* CR3's PWT and PCD are not address bits. */
	c->cr3 = dir | PTE_PWT | PTE_PCD;
}

static unsigned
access_of(int a, unsigned set_ad)
{
	static const unsigned kind[] = { 0, PTW_WRITE, PTW_FETCH };

	return kind[a % 3] | (a >= 3 ? PTW_USER : 0) | set_ad;
}

/* Every PDE x PTE x mode x access at each of las[]. */
static void
sweep(unsigned set_ad)
{
	struct combo c = { .nent = 2 };
	unsigned pd, pt;
	size_t l;
	int m, a;

	for (l = 0; l < ARRAY_SIZE(las); l++)
	for (pd = 0; pd < 1u << SDM_NPDE_FLAGS; pd++)
	for (pt = 0; pt < 1u << SDM_NPTE_FLAGS; pt++)
	for (m = 0; m < NMODES; m++)
	for (a = 0; a < NACCESSES; a++) {
		set_mode(&c, m, DIR_GPA);
		c.la = las[l];
		c.access = access_of(a, set_ad);
		/* The guest's tables: PDX(la) in the directory, PTX(la) in
		 * the table. */
		c.ent_gpa[0] = DIR_GPA + (las[l] >> 22) * 4;
		c.ent[0] = PT_GPA | SOFT_BIT |
			   sdm_pick(sdm_pde_flags, SDM_NPDE_FLAGS, pd);
		c.ent_gpa[1] = PT_GPA + ((las[l] >> 12) & 0x3FF) * 4;
		c.ent[1] = FRAME_GPA | SOFT_BIT |
			   sdm_pick(sdm_pte_flags, SDM_NPTE_FLAGS, pt);
		run(&c);
	}
	check_ram_clean();
}

TestSuite(ptwalk, .init = boot_guest);

Test(ptwalk, every_combination_set_ad,
     .description = "every PDE/PTE/access/privilege/WP/PSE case, PTW_SET_AD: "
		    "outcome, error code, gpa, rights and A/D bits as the SDM says")
{
	sweep(PTW_SET_AD);
}

Test(ptwalk, every_combination_no_ad,
     .description = "every case without PTW_SET_AD: the same outcome, and "
		    "guest memory untouched")
{
	sweep(0);
}

/* CR3 beyond guest RAM (one in the simulated RAM, not the guest's). */
Test(ptwalk, directory_outside_ram,
     .description = "a directory outside guest RAM: bad_table, not-present "
		    "error code, nothing written")
{
	static const uint32_t dirs[] = {
		GUEST_RAM, 0x00C00000, 0xFFFFF000,
		GUEST_RAM - PGSIZE,	/* inside: its last entry is RAM's last word */
	};
	static const uint32_t more_las[] = { 0x00405123, 0xBFFFFFFF, 0xFFFFFFFF };
	struct combo c = { .nent = 0 };
	size_t d, l;
	int m, a, ad;

	for (d = 0; d < ARRAY_SIZE(dirs); d++)
	for (l = 0; l < ARRAY_SIZE(more_las); l++)
	for (m = 0; m < NMODES; m++)
	for (a = 0; a < NACCESSES; a++)
	for (ad = 0; ad < 2; ad++) {
		set_mode(&c, m, dirs[d]);
		c.la = more_las[l];
		c.access = access_of(a, ad ? PTW_SET_AD : 0);
		run(&c);
	}
	check_ram_clean();
}

Test(ptwalk, table_outside_ram,
     .description = "a PDE naming a table outside guest RAM: bad_table; as a "
		    "4 MB page it is no table, and the walk succeeds")
{
	static const uint32_t tables[] = { GUEST_RAM, 0x00C00000, 0xFFFFF000 };
	struct combo c = { .nent = 1 };
	size_t t, l;
	unsigned pd;
	int m, a, ad;

	for (t = 0; t < ARRAY_SIZE(tables); t++)
	for (l = 0; l < ARRAY_SIZE(las); l++)
	for (pd = 0; pd < 1u << SDM_NPDE_FLAGS; pd++)
	for (m = 0; m < NMODES; m++)
	for (a = 0; a < NACCESSES; a++)
	for (ad = 0; ad < 2; ad++) {
		set_mode(&c, m, DIR_GPA);
		c.la = las[l];
		c.access = access_of(a, ad ? PTW_SET_AD : 0);
		c.ent_gpa[0] = DIR_GPA + (las[l] >> 22) * 4;
		c.ent[0] = tables[t] | sdm_pick(sdm_pde_flags, SDM_NPDE_FLAGS, pd);
		run(&c);
	}
	check_ram_clean();
}

/*
 * JOS's UVPT: directory entry k names the directory itself, so at
 * la = k:k:off that one entry is both the PDE and the PTE, and gets the
 * bits of both.
 */
Test(ptwalk, self_map,
     .description = "a directory entry that is its own page table (UVPT): "
		    "one entry, both roles")
{
	const uint32_t k = 0x3BD;
	struct combo c = { .nent = 1 };
	unsigned pd;
	int m, a, ad;

	for (pd = 0; pd < 1u << SDM_NPDE_FLAGS; pd++)
	for (m = 0; m < NMODES; m++)
	for (a = 0; a < NACCESSES; a++)
	for (ad = 0; ad < 2; ad++) {
		set_mode(&c, m, DIR_GPA);
		c.la = k << 22 | k << 12 | 0x123;
		c.access = access_of(a, ad ? PTW_SET_AD : 0);
		c.ent_gpa[0] = DIR_GPA + k * 4;
		c.ent[0] = DIR_GPA | sdm_pick(sdm_pde_flags, SDM_NPDE_FLAGS, pd);
		run(&c);
	}
	check_ram_clean();
}

Test(ptwalk, paging_off,
     .description = "CR0.PG clear: gpa = la, every access allowed, nothing "
		    "read or written")
{
	static const uint32_t more_las[] = { 0, 0x00405123, 0xBFFFFFFF, 0xFFFFFFFF };
	struct combo c = { .nent = 0 };
	size_t l;
	int m, a, ad;

	for (l = 0; l < ARRAY_SIZE(more_las); l++)
	for (m = 0; m < NMODES; m++)
	for (a = 0; a < NACCESSES; a++)
	for (ad = 0; ad < 2; ad++) {
		set_mode(&c, m, DIR_GPA);
		c.cr0 &= ~CR0_PG;
		c.la = more_las[l];
		c.access = access_of(a, ad ? PTW_SET_AD : 0);
		run(&c);
	}
	check_ram_clean();
}
