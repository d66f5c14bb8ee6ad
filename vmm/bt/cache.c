/*
 * cache.c - the translation cache, its index and its chains
 * (vmm/bt/cache.h).
 *
 * Three pools filled from the bottom, one hash table over them: the TC's
 * code, the units' tables, the guest bytes the units were made from.
 * Units are laid out in the TC in the order they were made, so the unit
 * holding a TC offset is found by bisection.  Nothing is ever freed
 * alone; a full pool drops everything (the paper's flush), which is
 * simple and, for a kernel's working set, rare.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/memlayout.h"
#include "kern/x86.h"
#include "vmm/vm.h"
#include "vmm/linear.h"
#include "vmm/shadow.h"
#include "vmm/ptwalk.h"
#include "vmm/bt/cache.h"
#include "vmm/bt/rseg.h"

#define BT_HASH_BITS	12
#define BT_HASH_SIZE	(1u << BT_HASH_BITS)

/* In .montc: kern/kernel.ld puts it where vmm/ringcomp/monview.c maps
 * it, read-only, into every guest address space. */
uint8_t bt_tc[BT_TC_BYTES] __attribute__((section(".montc"), aligned(PGSIZE)));

/* A guest frame that holds translated code. */
struct code_frame {
	uint32_t gfn;
	uint16_t writes;	/* guest writes that dropped the cache */
	bool watched;		/* now (until the next drop) */
};

/* A page of guest-linear addresses that translated code was made from,
 * and the frame it was in then. */
struct code_page {
	uint32_t la, gfn;
};

static struct {
	struct bt_buf buf;		/* over bt_tc */
	struct bt_unit unit[BT_MAX_UNITS];
	unsigned nunits;
	uint8_t copy[BT_GUEST_BYTES];
	uint32_t ncopy;
	int hash[BT_HASH_SIZE];		/* unit index, or -1 */
	struct bt_unit scratch;		/* a unit of none: not kept */
	struct code_frame frame[BT_MAX_FRAMES];
	unsigned nframes;
	struct code_page page[BT_MAX_PAGES];
	unsigned npages;
	struct bt_cache_stats st;
} cache;

static unsigned
hash_of(uint32_t la)
{
	return (la * 2654435761u) >> (32 - BT_HASH_BITS);
}

/* ------------------------------------------------------------------------
 * The frames of guest code
 * ------------------------------------------------------------------------ */

static struct code_frame *
find_frame(uint32_t gfn)
{
	unsigned i;

	for (i = 0; i < cache.nframes; i++)
		if (cache.frame[i].gfn == gfn)
			return &cache.frame[i];
	return NULL;
}

/* Watch frame gfn for unit code; false if it is one written too often
 * (or there is no room to remember it), whose units are then not chained. */
static bool
watch_frame(struct vm *vm, uint32_t gfn)
{
	struct code_frame *f = find_frame(gfn);

	if (f == NULL) {
		if (cache.nframes == BT_MAX_FRAMES)
			return false;
		f = &cache.frame[cache.nframes++];
		*f = (struct code_frame) { .gfn = gfn };
	}
	if (f->writes >= BT_FRAME_FLOOD)
		return false;
	if (!f->watched) {
		shadow_watch(vm, gfn, true);
		f->watched = true;
	}
	return true;
}

/* End every watch; forget the frames the guest never wrote (a frame's
 * count of writes must outlive the drops it causes, or a frame of code
 * beside data would drop the cache forever). */
static void
unwatch_frames(struct vm *vm)
{
	unsigned i, kept = 0;

	for (i = 0; i < cache.nframes; i++) {
		struct code_frame *f = &cache.frame[i];

		if (f->watched)
			shadow_watch(vm, f->gfn, false);
		f->watched = false;
		if (f->writes > 0)
			cache.frame[kept++] = *f;
	}
	cache.nframes = kept;
}

/* ------------------------------------------------------------------------
 * Dropping and chaining
 * ------------------------------------------------------------------------ */

static void
drop_all(struct vm *vm)
{
	cache.st.drops++;
	unwatch_frames(vm);
	cache.buf = (struct bt_buf) { .code = bt_tc, .cap = sizeof(bt_tc) };
	cache.nunits = 0;
	cache.ncopy = 0;
	cache.npages = 0;
	memset(cache.hash, 0xff, sizeof(cache.hash));
	bt_ind_clear();
}

void
bt_cache_reset(struct vm *vm)
{
	cache.nframes = 0;
	drop_all(vm);
	memset(&cache.st, 0, sizeof(cache.st));
}

void
bt_cache_chain(const struct bt_unit *from, const struct bt_exit *x,
	       const struct bt_unit *to)
{
#if SOL >= 6
	/* A unit whose frames are not watched is compared with its guest
	 * bytes at each entry, which a chain would skip; a unit made under
	 * another code segment base is other code at the same EIP. */
	if (!from->chainable || !to->chainable || from->cs_base != to->cs_base)
		return;
	bt_patch_rel32(&cache.buf, x->patch, to->tx.start);
	cache.st.chains++;
#else
	/* LAB 6: your code here.
	 * The direct exit x of unit `from` was just taken, to unit `to`.
	 * Point its jump (the rel32 at buffer offset x->patch, which now
	 * aims at the exit's stub) at to's translation, so that the next
	 * time the CPU goes from one to the other without the monitor, and
	 * count it in cache.st.chains.  But not if either unit is not
	 * chainable (why does a unit whose guest frames are not watched
	 * need the monitor at every entry?), nor if the two were made
	 * under different code segment bases.  emit.h has the helper. */
	(void) from;
	(void) x;
	(void) to;
#endif
}

/* Where the guest's paging now puts linear page la, for a fetch;
 * false if nowhere. */
static bool
code_frame_of(struct vm *vm, uint32_t la, uint32_t *gfn)
{
	struct ptwalk w;

	if (ptwalk(vm, la, PTW_FETCH, &w) < 0)
		return false;
	*gfn = w.gpa >> PGSHIFT;
	return true;
}

/* Remember that translated code was made from linear page la, in frame
 * gfn; false if there is no room (its unit is then not chained). */
static bool
remember_page(uint32_t la, uint32_t gfn)
{
	unsigned i;

	for (i = 0; i < cache.npages; i++)
		if (cache.page[i].la == la)
			return cache.page[i].gfn == gfn;
	if (cache.npages == BT_MAX_PAGES)
		return false;
	cache.page[cache.npages++] = (struct code_page) { la, gfn };
	return true;
}

void
bt_cache_paging_changed(struct vm *vm)
{
	uint32_t gfn;
	unsigned i;

	cache.st.paging_checks++;
	for (i = 0; i < cache.npages; i++)
		if (!code_frame_of(vm, cache.page[i].la, &gfn) ||
		    gfn != cache.page[i].gfn) {
			cache.st.remaps++;
			drop_all(vm);
			return;
		}
}

void
bt_cache_wrote(struct vm *vm, uint32_t gpa)
{
	struct code_frame *f = find_frame(gpa >> PGSHIFT);

#if SOL >= 6
	if (f == NULL || !f->watched)
		return;
	f->writes++;
	cache.st.code_writes++;
	drop_all(vm);
#else
	/* LAB 6: your code here.
	 * The monitor just carried out a guest write to frame gpa, which
	 * the shadow MMU traces for us.  If f is a frame of translated code
	 * that is watched, its translations may now be wrong: count the
	 * write in the frame (after BT_FRAME_FLOOD of them it is compared
	 * instead of watched: see watch_frame()) and in cache.st.code_writes,
	 * and drop every translation (drop_all(): chains point from unit to
	 * unit, so one stale unit can be reached from any).  Until then a
	 * guest that rewrites its code runs the old. */
	(void) f;
	(void) vm;
#endif
}

void
bt_cache_unwatch(struct vm *vm, uint32_t gfn)
{
	struct code_frame *f = find_frame(gfn);

	if (f == NULL || !f->watched)
		return;
	f->writes = BT_FRAME_FLOOD;
	cache.st.code_writes++;
	drop_all(vm);
}

uint32_t
bt_cache_drops(void)
{
	return cache.st.drops;
}

const struct bt_cache_stats *
bt_cache_stats(void)
{
	unsigned i;

	cache.st.tc_used = cache.buf.len;
	cache.st.units = cache.nunits;
	cache.st.frames = cache.nframes;
	cache.st.unwatched = 0;
	for (i = 0; i < cache.nframes; i++)
		cache.st.unwatched += cache.frame[i].writes >= BT_FRAME_FLOOD;
	return &cache.st;
}

/* ------------------------------------------------------------------------
 * Translating and finding
 * ------------------------------------------------------------------------ */

/* The translator's view of guest code: the current CS, supervisor
 * fetches, stopping at the first byte that is not mapped.  A unit's
 * bytes are read once, a page at a time, into `bytes`: each of its
 * instructions is then fetched from there, without a walk of its own. */
struct fetch_ctx {
	struct vm *vm;
	uint32_t cs_base;
	uint32_t start, len;		/* guest EIPs in bytes[] */
	uint8_t bytes[BT_TU_MAX * INSN_MAXLEN];
};

/* Read up to len bytes at guest EIP eip into buf, page by page (the
 * next page may rightly be unmapped); how many could be. */
static size_t
read_code(struct fetch_ctx *c, uint32_t eip, uint8_t *buf, size_t len)
{
	uint32_t la = c->cs_base + eip;
	size_t done = 0;
	struct emu_fault f;

	while (done < len) {
		size_t n = MIN(len - done, (size_t) (PGSIZE - PGOFF(la + done)));

		if (linear_read(c->vm, la + done, buf + done, n, 0, &f) < 0)
			break;
		done += n;
	}
	return done;
}

static size_t
fetch(void *ctx, uint32_t eip, uint8_t *buf, size_t len)
{
	struct fetch_ctx *c = ctx;
	uint32_t off = eip - c->start;

	if (c->len == 0 || eip < c->start || off + len > c->len) {
		/* To the end of the page, and no further than an instruction
		 * into the next: the bytes past it may be a device's, whose
		 * registers a read would disturb. */
		size_t want = MIN(sizeof(c->bytes), (size_t) (PGSIZE -
				  PGOFF(c->cs_base + eip) + INSN_MAXLEN));

		c->start = eip;
		c->len = read_code(c, eip, c->bytes, want);
		off = 0;
	}
	if (off >= c->len)
		return 0;
	len = MIN(len, (size_t) (c->len - off));
	memcpy(buf, c->bytes + off, len);
	return len;
}

/* Whether the guest's code under unit u is still what it was made from. */
static bool
still_same(struct vm *vm, const struct bt_unit *u)
{
	uint8_t now[BT_TU_MAX * INSN_MAXLEN];
	uint32_t n = u->tx.end - u->tx.eip;
	struct fetch_ctx c = { .vm = vm, .cs_base = u->cs_base };

	return read_code(&c, u->tx.eip, now, n) == n &&
	       memcmp(now, cache.copy + u->copy, n) == 0;
}

/* Watch the frames under [la, la + n) of guest code, and remember
 * where its pages were found; false if some frame cannot be watched. */
static bool
watch_code(struct vm *vm, uint32_t la, uint32_t n)
{
	uint32_t page, gpa;
	struct emu_fault f;

	for (page = ROUNDDOWN(la, PGSIZE); page < la + n; page += PGSIZE)
		if (linear_translate(vm, MAX(page, la), 0, &gpa, &f) < 0 ||
		    !remember_page(page, gpa >> PGSHIFT) ||
		    !watch_frame(vm, gpa >> PGSHIFT))
			return false;
	return true;
}

/* Whether some frame of code has been written too often to be watched
 * (a scan of a few frames costs less than the walks it saves). */
static bool
any_flooded(void)
{
	unsigned i;

	for (i = 0; i < cache.nframes; i++)
		if (cache.frame[i].writes >= BT_FRAME_FLOOD)
			return true;
	return false;
}

/* Whether the guest code at linear address la is in a frame written too
 * often to be watched. */
static bool
in_flooded_frame(struct vm *vm, uint32_t la)
{
	const struct code_frame *f;
	struct emu_fault fault;
	uint32_t gpa;

	if (linear_translate(vm, la, 0, &gpa, &fault) < 0)
		return false;
	f = find_frame(gpa >> PGSHIFT);
	return f != NULL && f->writes >= BT_FRAME_FLOOD;
}

/*
 * Form the unit at eip.  Code in a frame that is not watched is compared
 * with its copy at every entry instead, and so may change between any
 * two of its instructions (a store to the next one): it is translated an
 * instruction to a unit, and a unit ends before reaching such a frame.
 */
static void
form_unit(struct vm *vm, struct bt_tu *tu, uint32_t eip, struct fetch_ctx *c)
{
	uint32_t first = c->cs_base + eip, last;
	unsigned i;

	bt_tu_form(tu, eip, BT_TU_MAX, fetch, c);
	if (tu->n == 0 || !any_flooded())
		return;
	if (in_flooded_frame(vm, first)) {
		bt_tu_form(tu, eip, 1, fetch, c);
		return;
	}
	/* A unit spans two pages at most: cut it before the first
	 * instruction that reaches into a flooded second one. */
	last = c->cs_base + tu->end - 1;
	if ((last >> PGSHIFT) == (first >> PGSHIFT) || !in_flooded_frame(vm, last))
		return;
	for (i = 0; i < tu->n; i++)
		if ((c->cs_base + tu->at[i] + tu->insn[i].len - 1) >> PGSHIFT !=
		    first >> PGSHIFT) {
			bt_tu_form(tu, eip, MAX(i, 1u), fetch, c);
			return;
		}
}

/* Unlink unit i from its chain (found stale: a new one replaces it). */
static void
unlink_unit(unsigned h, int i)
{
	int *p;

	for (p = &cache.hash[h]; *p != -1; p = &cache.unit[*p].next)
		if (*p == i) {
			*p = cache.unit[i].next;
			return;
		}
}

/* Translate tu into unit u; false if a pool is full. */
static bool
make_unit(struct vm *vm, const struct bt_tu *tu, struct bt_unit *u,
	  uint32_t cs_base)
{
	uint32_t n = tu->end - tu->eip, off = 0;
	unsigned i;

	if (cache.ncopy + n > sizeof(cache.copy) ||
	    bt_translate(tu, &cache.buf, &u->tx) < 0)
		return false;
	u->cs_base = cs_base;
	u->copy = cache.ncopy;
	for (i = 0; i < tu->n; i++) {
		memcpy(cache.copy + u->copy + off, tu->insn[i].bytes,
		       tu->insn[i].len);
		off += tu->insn[i].len;
	}
	cache.ncopy += n;
	u->chainable = tu->n > 0 && watch_code(vm, cs_base + tu->eip, n);
	cache.st.translations++;
	cache.st.guest_insns += tu->n;
	for (i = 0; i < tu->n; i++)
		cache.st.by_class[tu->cls[i]]++;
	for (i = 0; i < u->tx.nmap; i++)
		if (u->tx.map[i].rule != BT_RULE_NONE)
			cache.st.by_rule[u->tx.map[i].rule]++;
	return true;
}

/* Make unit u of tu, dropping everything first if a pool is full. */
static void
make_unit_or_drop(struct vm *vm, const struct bt_tu *tu, struct bt_unit **u,
		  uint32_t cs_base)
{
	if (*u == &cache.scratch ? make_unit(vm, tu, *u, cs_base) :
	    cache.nunits < BT_MAX_UNITS && make_unit(vm, tu, *u, cs_base))
		return;
	cache.st.flushes++;
	drop_all(vm);
	if (*u != &cache.scratch)
		*u = &cache.unit[0];
	make_unit(vm, tu, *u, cs_base);
}

const struct bt_unit *
bt_cache_get(struct vm *vm, uint32_t eip, bool single)
{
	uint32_t cs_base = vm->vcpu.seg[SEG_CS].base;
	struct fetch_ctx c = { .vm = vm, .cs_base = cs_base };
	struct bt_tu tu;
	struct bt_unit *u;
	uint64_t t0;
	int i;

	cache.st.lookups++;
	for (i = cache.hash[hash_of(cs_base + eip)]; i != -1;
	     i = cache.unit[i].next) {
		u = &cache.unit[i];
		if (u->tx.eip != eip || u->cs_base != cs_base ||
		    u->single != single)
			continue;
		/* A chainable unit's frames are watched and its pages'
		 * mappings checked at every paging change: it is current. */
		if (u->chainable || still_same(vm, u))
			return u;
		cache.st.stale++;
		unlink_unit(hash_of(cs_base + eip), i);
		break;
	}
	/* The translator's cost, from here: under QEMU's -icount the TSC
	 * counts instructions, the paper's "cycles per translated
	 * instruction". */
	t0 = rdtsc();
	if (single)
		bt_tu_form(&tu, eip, 1, fetch, &c);
	else
		form_unit(vm, &tu, eip, &c);
	tu.alone = single;
	/* A unit of none: its one exit has the emulator raise the fault;
	 * once the guest has fixed it, the next look translates the code. */
	u = tu.n == 0 ? &cache.scratch : &cache.unit[cache.nunits];
	make_unit_or_drop(vm, &tu, &u, cs_base);
	cache.st.translate_tsc += rdtsc() - t0;
	u->single = single;
	/* A unit run alone returns to the monitor: never chained to. */
	u->chainable = u->chainable && !single;
	if (u != &cache.scratch) {
		unsigned h = hash_of(cs_base + eip);

		u->next = cache.hash[h];
		cache.hash[h] = cache.nunits++;
	}
	return u;
}

const struct bt_unit *
bt_cache_unit_at(const struct bt_unit *hint, uint32_t off)
{
	unsigned lo = 0, hi = cache.nunits;

	if (hint && off >= hint->tx.start && off < hint->tx.start + hint->tx.len)
		return hint;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct bt_unit *u = &cache.unit[mid];

		if (off < u->tx.start)
			hi = mid;
		else if (off >= u->tx.start + u->tx.len)
			lo = mid + 1;
		else
			return u;
	}
	return NULL;
}
