/*
 * unit_emulate_flags.c - shifts, rotates, double shifts, multiplication
 * and division, bit scans, conditions and the exchanges that compute
 * flags, emulated on a memory operand against the host CPU.
 *
 * As in unit_emulate_alu.c the oracle is the host: the same operation on
 * the same operands with the same incoming flags (inline asm), and the
 * emulator, running the guest's instruction on (%ebx), must produce the
 * same result and the same flags, where the SDM defines them.  The flags
 * it leaves undefined are not compared (emul_alu.c says what the
 * emulator leaves there, and unit_emulate_mem.c checks that choice).
 * Division faults are not run on the host, which would take the #DE
 * itself: a reference in 128-bit C arithmetic says which operands fault.
 */
#include <stdint.h>
#include "grade/unit/unit_emulate.h"

#define DATA	0x4000	/* the memory operand: (%ebx) */

/* Host flags in and out around one instruction; clear of the red zone. */
#define PRE	"lea -128(%%rsp), %%rsp; push %[f]; popfq; "
#define POST	"; pushfq; pop %[f]; lea 128(%%rsp), %%rsp"

static const uint32_t edges[] = {
	0, 1, 2, 3, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
	0x12345678, 0xdeadbeef, 0x0f0f0f0f,
};
#define NEDGES	((int) ARRAY_SIZE(edges))

static uint64_t seed = 0x13198a2e03707344ULL;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed >> 32;
}

/* Operand i of a sweep: the edge values, then random ones. */
static uint32_t
operand(int i)
{
	return i < NEDGES ? edges[i] : rnd();
}

static uint32_t
mask(int size)
{
	return size == 4 ? 0xffffffff : (1u << (8 * size)) - 1;
}

/* What one emulated run gave. */
struct out {
	int r;
	uint32_t mem, eax, ecx, edx, eflags, eip;
	struct emu_event ev;
};

/*
 * Run the instruction code (n bytes) with (%ebx) = DATA holding mem, the
 * three registers and the arithmetic flags given.
 */
static struct out
emu(const uint8_t *code, size_t n, uint32_t mem, uint32_t eax, uint32_t ecx,
    uint32_t edx, uint32_t fl)
{
	struct out o;
	struct vcpu v;

	fk_vcpu(&v);
	v.gpr[REG_EBX] = DATA;
	v.gpr[REG_EAX] = eax;
	v.gpr[REG_ECX] = ecx;
	v.gpr[REG_EDX] = edx;
	v.eflags = (v.eflags & ~FL_ARITH) | (fl & FL_ARITH);
	fk_put32(DATA, mem);
	o.r = fk_run_len(&v, code, n, &o.ev);
	o.mem = fk_get32(DATA);
	o.eax = v.gpr[REG_EAX];
	o.ecx = v.gpr[REG_ECX];
	o.edx = v.gpr[REG_EDX];
	o.eflags = v.eflags;
	o.eip = v.eip;
	return o;
}

/* An instruction's bytes: 66 when size is 2, the opcode (bytes), more. */
struct code {
	uint8_t b[INSN_MAXLEN];
	size_t n;
};

static void
put(struct code *c, int byte)
{
	c->b[c->n++] = byte;
}

static struct code
opcode(int size, int op)
{
	struct code c = { .n = 0 };

	if (size == 2)
		put(&c, 0x66);
	if (op > 0xff)
		put(&c, op >> 8);
	put(&c, op & 0xff);
	return c;
}

/* ------------------------------------------------------------------------
 * Shifts and rotates: c0/c1 ib, d0/d1 (by 1), d2/d3 (by %cl).
 * ------------------------------------------------------------------------ */

static uint32_t
host_shift(int op, int size, uint32_t a32, uint8_t count, uint32_t *flags)
{
	uint64_t a = a32, f = *flags, c = count;

#define SH(mn) do {								\
	if (size == 1)								\
		__asm__ volatile(PRE mn "b %%cl, %b[a]" POST			\
				 : [a] "+r" (a), [f] "+r" (f) : "c" (c) : "cc");	\
	else if (size == 2)							\
		__asm__ volatile(PRE mn "w %%cl, %w[a]" POST			\
				 : [a] "+r" (a), [f] "+r" (f) : "c" (c) : "cc");	\
	else									\
		__asm__ volatile(PRE mn "l %%cl, %k[a]" POST			\
				 : [a] "+r" (a), [f] "+r" (f) : "c" (c) : "cc");	\
} while (0)
	switch (op) {
	case 0: SH("rol"); break;
	case 1: SH("ror"); break;
	case 2: SH("rcl"); break;
	case 3: SH("rcr"); break;
	case 4: SH("shl"); break;
	case 5: SH("shr"); break;
	default: SH("sar"); break;
	}
#undef SH
	*flags = f;
	return a;
}

/* The flags the SDM defines after a shift or rotate (and the unaffected ones). */
static uint32_t
shift_defined(int op, int size, unsigned count)
{
	unsigned c = count & 31;

	if (c == 0)
		return FL_ARITH;		/* nothing changes */
	if (op < 4)				/* rotates: only CF, OF */
		return FL_ARITH & ~(c == 1 ? 0 : FL_OF);
	/* SHL and SHR leave CF undefined once the count reaches the size */
	return FL_PF | FL_ZF | FL_SF | (c == 1 ? FL_OF : 0) |
	       (op == 7 || c < 8u * size ? FL_CF : 0);
}

static void
check_shift(int op, int size, int enc, uint32_t a, uint8_t count, uint32_t fin)
{
	static const char *names[] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "", "sar" };
	struct code c = opcode(size, (enc == 0 ? 0xc0 : enc == 1 ? 0xd0 : 0xd2) + (size > 1));
	uint32_t want_f = fin, want, fm = shift_defined(op, size, count), m = mask(size);
	struct out o;

	put(&c, op << 3 | 3);
	if (enc == 0)
		put(&c, count);
	a &= m;
	want = host_shift(op, size, a, count, &want_f);
	o = emu(c.b, c.n, (0xa5a5a5a5 & ~m) | a, 0, 0x100 | count, 0, fin);
	cr_assert_eq(o.r, EMU_DONE);
	cr_assert_eq(o.mem & m, want & m, "%s%d %#x by %u (CF in %d): %#x, host %#x",
		     names[op], 8 * size, a, count, !!(fin & FL_CF), o.mem & m, want & m);
	cr_assert_eq(o.mem & ~m, 0xa5a5a5a5 & ~m);
	cr_assert_eq(o.eflags & fm, want_f & fm,
		     "%s%d %#x by %u (flags in %#x): flags %#x, host %#x", names[op],
		     8 * size, a, count, fin, o.eflags & fm, want_f & fm);
}

Test(emulate_flags, shifts_against_host)
{
	static const uint8_t counts[] = { 0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 0xff };
	static const int ops[] = { 0, 1, 2, 3, 4, 5, 7 };

	for (int k = 0; k < (int) ARRAY_SIZE(ops); k++)
		for (int size = 1; size <= 4; size *= 2)
			for (int j = 0; j < (int) ARRAY_SIZE(counts); j++)
				for (int i = 0; i < NEDGES + 16; i++) {
					uint32_t a = operand(i);
					uint8_t n = counts[j];

					for (int fin = 0; fin < 2; fin++) {
						uint32_t f = fin ? FL_ARITH : 0;

						check_shift(ops[k], size, 0, a, n, f);
						check_shift(ops[k], size, 2, a, n, f);
						if (n == 1)
							check_shift(ops[k], size, 1, a, n, f);
					}
				}
}

/* ------------------------------------------------------------------------
 * shld, shrd: 0f a4/ac ib and 0f a5/ad by %cl, source %edx.
 * ------------------------------------------------------------------------ */

static uint32_t
host_shd(bool left, int size, uint32_t a32, uint32_t s32, uint8_t count, uint32_t *flags)
{
	uint64_t a = a32, s = s32, f = *flags, c = count;

#define SHD(mn) do {								\
	if (size == 2)								\
		__asm__ volatile(PRE mn "w %%cl, %w[s], %w[a]" POST		\
				 : [a] "+r" (a), [f] "+r" (f) : [s] "r" (s), "c" (c) : "cc"); \
	else									\
		__asm__ volatile(PRE mn "l %%cl, %k[s], %k[a]" POST		\
				 : [a] "+r" (a), [f] "+r" (f) : [s] "r" (s), "c" (c) : "cc"); \
} while (0)
	if (left)
		SHD("shld");
	else
		SHD("shrd");
#undef SHD
	*flags = f;
	return a;
}

Test(emulate_flags, shld_shrd_against_host)
{
	for (int left = 0; left < 2; left++)
		for (int size = 2; size <= 4; size += 2)
			for (unsigned n = 0; n < 40; n++)
				for (int i = 0; i < NEDGES + 8; i++)
					for (int enc = 0; enc < 2; enc++) {
						uint32_t a = operand(i) & mask(size), s = rnd() & mask(size);
						uint32_t f = (i & 1) ? FL_ARITH : 0, want_f = f, want, fm;
						struct code c = opcode(size, (left ? 0x0fa4 : 0x0fac) + enc);
						struct out o;

						if ((n & 31) > 8u * size)
							continue;	/* undefined result */
						put(&c, 0x13);		/* (%ebx), source %edx */
						if (enc == 0)
							put(&c, n);
						want = host_shd(left, size, a, s, n, &want_f);
						o = emu(c.b, c.n, a, 0, n, s, f);
						fm = (n & 31) == 0 ? FL_ARITH : FL_CF | FL_PF | FL_ZF | FL_SF |
						     ((n & 31) == 1 ? FL_OF : 0);
						cr_assert_eq(o.r, EMU_DONE);
						cr_assert_eq(o.mem & mask(size), want & mask(size),
							     "%s%d %#x,%#x by %u: %#x, host %#x",
							     left ? "shld" : "shrd", 8 * size, a, s, n,
							     o.mem & mask(size), want & mask(size));
						cr_assert_eq(o.eflags & fm, want_f & fm,
							     "%s%d %#x,%#x by %u: flags %#x, host %#x",
							     left ? "shld" : "shrd", 8 * size, a, s, n,
							     o.eflags & fm, want_f & fm);
					}
}

/* ------------------------------------------------------------------------
 * mul, imul, div, idiv (f6/f7 /4-/7) and the two- and three-operand
 * imul (0f af, 69, 6b).
 * ------------------------------------------------------------------------ */

/* The host's eax, edx and flags after op (4-7) of r/m = s at size. */
static void
host_muldiv(int op, int size, uint32_t s32, uint64_t *eax, uint64_t *edx, uint32_t *flags)
{
	uint64_t a = *eax, d = *edx, f = *flags, s = s32;

#define MD(mn) do {								\
	if (size == 1)								\
		__asm__ volatile(PRE mn "b %b[s]" POST : "+a" (a), "+d" (d), [f] "+r" (f) \
				 : [s] "c" (s) : "cc");				\
	else if (size == 2)							\
		__asm__ volatile(PRE mn "w %w[s]" POST : "+a" (a), "+d" (d), [f] "+r" (f) \
				 : [s] "c" (s) : "cc");				\
	else									\
		__asm__ volatile(PRE mn "l %k[s]" POST : "+a" (a), "+d" (d), [f] "+r" (f) \
				 : [s] "c" (s) : "cc");				\
} while (0)
	switch (op) {
	case 4: MD("mul"); break;
	case 5: MD("imul"); break;
	case 6: MD("div"); break;
	default: MD("idiv"); break;
	}
#undef MD
	*eax = a;
	*edx = d;
	*flags = f;
}

/* Would div (op 6) or idiv (7) of size raise #DE?  128-bit C, no overflow. */
static bool
divide_faults(int op, int size, uint32_t eax, uint32_t edx, uint32_t s)
{
	int bits = 8 * size;
	__int128 n, d, q;

	if ((s & mask(size)) == 0)
		return true;
	if (size == 1) {
		n = op == 6 ? (__int128) (eax & 0xffff) : (__int128) (int16_t) eax;
		d = op == 6 ? (__int128) (s & 0xff) : (__int128) (int8_t) s;
	} else if (size == 2) {
		uint32_t w = (edx & 0xffff) << 16 | (eax & 0xffff);

		n = op == 6 ? (__int128) w : (__int128) (int32_t) w;
		d = op == 6 ? (__int128) (s & 0xffff) : (__int128) (int16_t) s;
	} else {
		uint64_t w = (uint64_t) edx << 32 | eax;

		n = op == 6 ? (__int128) w : (__int128) (int64_t) w;
		d = op == 6 ? (__int128) s : (__int128) (int32_t) s;
	}
	q = n / d;
	if (op == 6)
		return q >= ((__int128) 1 << bits);
	return q >= ((__int128) 1 << (bits - 1)) || q < -((__int128) 1 << (bits - 1));
}

static void
check_muldiv(int op, int size, uint32_t eax, uint32_t edx, uint32_t s, uint32_t fin)
{
	static const char *names[] = { "", "", "", "", "mul", "imul", "div", "idiv" };
	struct code c = opcode(size, 0xf6 + (size > 1));
	uint64_t ha = eax, hd = edx;
	uint32_t hf = fin, fm = op < 6 ? FL_CF | FL_OF : 0;
	struct out o;

	put(&c, op << 3 | 3);
	o = emu(c.b, c.n, s, eax, 0x77777777, edx, fin);
	if (op >= 6 && divide_faults(op, size, eax, edx, s)) {
		cr_assert_eq(o.r, EMU_FAULT, "%s%d %#x:%#x / %#x: no #DE", names[op],
			     8 * size, edx, eax, s);
		cr_assert_eq(o.ev.fault.vector, T_DIVIDE);
		cr_assert_not(o.ev.fault.has_err);
		cr_assert_eq(o.eax, eax, "a faulting %s changed %%eax", names[op]);
		cr_assert_eq(o.edx, edx, "a faulting %s changed %%edx", names[op]);
		cr_assert_eq(o.eip, CODE, "a faulting %s moved EIP", names[op]);
		cr_assert_eq(o.eflags & FL_ARITH, fin & FL_ARITH);
		return;
	}
	host_muldiv(op, size, s, &ha, &hd, &hf);
	cr_assert_eq(o.r, EMU_DONE, "%s%d: %s", names[op], 8 * size, emu_result_name(o.r));
	cr_assert_eq(o.eax, (uint32_t) ha, "%s%d %#x:%#x, %#x: eax %#x, host %#x",
		     names[op], 8 * size, edx, eax, s, o.eax, (uint32_t) ha);
	cr_assert_eq(o.edx, (uint32_t) hd, "%s%d %#x:%#x, %#x: edx %#x, host %#x",
		     names[op], 8 * size, edx, eax, s, o.edx, (uint32_t) hd);
	cr_assert_eq(o.eflags & fm, hf & fm, "%s%d %#x:%#x, %#x: flags %#x, host %#x",
		     names[op], 8 * size, edx, eax, s, o.eflags & fm, hf & fm);
	cr_assert_eq(o.ecx, 0x77777777);
	cr_assert_eq(o.mem, s);
}

Test(emulate_flags, mul_div_against_host)
{
	int faults = 0;

	for (int op = 4; op < 8; op++)
		for (int size = 1; size <= 4; size *= 2)
			for (int i = 0; i < NEDGES + 24; i++)
				for (int j = 0; j < NEDGES + 24; j++) {
					uint32_t a = operand(i), s = operand(j);
					/* dividends small enough to divide, and not */
					uint32_t d = (j & 3) == 0 ? 0 : (j & 3) == 1 ? ~0u : rnd();

					if (op >= 6 && divide_faults(op, size, a, d, s))
						faults++;
					check_muldiv(op, size, a, d, s, (i + j) & 1 ? FL_ARITH : 0);
				}
	cr_assert_gt(faults, 100, "too few #DE cases: %d", faults);
}

/* The quotient overflows of idiv the SDM names: -2^(n-1) / -1. */
Test(emulate_flags, idiv_overflow)
{
	check_muldiv(7, 4, 0, 0x80000000, 0xffffffff, 0);	/* -2^63 / -1 */
	check_muldiv(7, 4, 0x80000000, 0xffffffff, 0xffffffff, 0);	/* -2^31 / -1 */
	check_muldiv(7, 2, 0x8000, 0xffff, 0xffff, 0);
	check_muldiv(7, 1, 0xff80, 0, 0xff, 0);
	check_muldiv(6, 4, 0, 1, 1, 0);				/* 2^32 / 1 */
	check_muldiv(6, 1, 0x100, 0, 1, 0);
}

static uint32_t
host_imul2(int size, uint32_t a32, uint32_t b32, uint32_t *flags)
{
	uint64_t a = a32, b = b32, f = *flags;

	if (size == 2)
		__asm__ volatile(PRE "imulw %w[b], %w[a]" POST : [a] "+r" (a), [f] "+r" (f)
				 : [b] "r" (b) : "cc");
	else
		__asm__ volatile(PRE "imull %k[b], %k[a]" POST : [a] "+r" (a), [f] "+r" (f)
				 : [b] "r" (b) : "cc");
	*flags = f;
	return a;
}

Test(emulate_flags, imul_forms_against_host)
{
	for (int size = 2; size <= 4; size += 2)
		for (int form = 0; form < 3; form++)
			for (int i = 0; i < NEDGES + 24; i++)
				for (int j = 0; j < NEDGES + 24; j++) {
					uint32_t m = mask(size), a = operand(i) & m, b = operand(j) & m;
					uint32_t f = (i + j) & 1 ? FL_ARITH : 0, hf = f, want;
					struct code c = opcode(size, form == 0 ? 0x0faf :
							       form == 1 ? 0x69 : 0x6b);
					struct out o;

					put(&c, 0x13);		/* %edx, (%ebx) */
					if (form == 1) {
						for (int k = 0; k < size; k++)
							put(&c, b >> (8 * k));
					} else if (form == 2) {
						put(&c, b);
						b = (uint32_t) (int32_t) (int8_t) b & m;
					}
					/* imul %edx, (%ebx) -> %edx; imul $b, (%ebx), %edx */
					want = host_imul2(size, a, b, &hf);
					o = emu(c.b, c.n, a, 0, 0, form == 0 ? b : 0x5a5a5a5a, f);
					cr_assert_eq(o.r, EMU_DONE);
					cr_assert_eq(o.edx & m, want & m, "imul%d form %d %#x*%#x: %#x, "
						     "host %#x", 8 * size, form, a, b, o.edx & m, want & m);
					cr_assert_eq(o.edx & ~m, (form == 0 ? b : 0x5a5a5a5a) & ~m);
					cr_assert_eq(o.eflags & (FL_CF | FL_OF), hf & (FL_CF | FL_OF),
						     "imul%d form %d %#x*%#x: flags %#x, host %#x", 8 * size,
						     form, a, b, o.eflags & (FL_CF | FL_OF),
						     hf & (FL_CF | FL_OF));
				}
}

/* ------------------------------------------------------------------------
 * bsf, bsr (0f bc, 0f bd): ZF always; the index when the source is not 0.
 * ------------------------------------------------------------------------ */

static uint32_t
host_scan(bool fwd, int size, uint32_t s32, uint32_t d32, uint32_t *flags)
{
	uint64_t s = s32, d = d32, f = *flags;

#define SCAN(mn) do {								\
	if (size == 2)								\
		__asm__ volatile(PRE mn "w %w[s], %w[d]" POST : [d] "+r" (d), [f] "+r" (f) \
				 : [s] "r" (s) : "cc");				\
	else									\
		__asm__ volatile(PRE mn "l %k[s], %k[d]" POST : [d] "+r" (d), [f] "+r" (f) \
				 : [s] "r" (s) : "cc");				\
} while (0)
	if (fwd)
		SCAN("bsf");
	else
		SCAN("bsr");
#undef SCAN
	*flags = f;
	return d;
}

Test(emulate_flags, bsf_bsr_against_host)
{
	for (int fwd = 0; fwd < 2; fwd++)
		for (int size = 2; size <= 4; size += 2)
			for (int i = 0; i < NEDGES + 64; i++) {
				uint32_t m = mask(size), s = operand(i) & m, f = i & 1 ? FL_ARITH : 0;
				uint32_t hf = f, want = host_scan(fwd, size, s, 0x12345678, &hf);
				struct code c = opcode(size, fwd ? 0x0fbc : 0x0fbd);
				struct out o;

				put(&c, 0x13);
				o = emu(c.b, c.n, s, 0, 0, 0x12345678, f);
				cr_assert_eq(o.r, EMU_DONE);
				cr_assert_eq(o.eflags & FL_ZF, hf & FL_ZF);
				if (s != 0)
					cr_assert_eq(o.edx, (uint32_t) want, "%s%d %#x: %#x, host %#x",
						     fwd ? "bsf" : "bsr", 8 * size, s, o.edx,
						     (uint32_t) want);
			}
}

/* ------------------------------------------------------------------------
 * setcc (0f 90-9f) and cmovcc (0f 40-4f): every condition, every flag
 * combination that matters.
 * ------------------------------------------------------------------------ */

static bool
host_cond(int cc, uint32_t flags)
{
	uint64_t f = flags, r = 0;

#define CC(c) __asm__ volatile(PRE "set" c " %b[r]" POST : [r] "+r" (r), [f] "+r" (f) :: "cc")
	switch (cc) {
	case 0: CC("o"); break;	case 1: CC("no"); break;
	case 2: CC("b"); break;	case 3: CC("ae"); break;
	case 4: CC("e"); break;	case 5: CC("ne"); break;
	case 6: CC("be"); break;	case 7: CC("a"); break;
	case 8: CC("s"); break;	case 9: CC("ns"); break;
	case 10: CC("p"); break;	case 11: CC("np"); break;
	case 12: CC("l"); break;	case 13: CC("ge"); break;
	case 14: CC("le"); break;	default: CC("g"); break;
	}
#undef CC
	return r & 1;
}

Test(emulate_flags, setcc_cmovcc_against_host)
{
	static const uint32_t bits[] = { FL_CF, FL_PF, FL_ZF, FL_SF, FL_OF };

	for (int cc = 0; cc < 16; cc++)
		for (int k = 0; k < 32; k++) {
			uint32_t f = 0;
			bool want;
			struct code set = opcode(4, 0x0f90 + cc), mov = opcode(4, 0x0f40 + cc);
			struct code mov16 = opcode(2, 0x0f40 + cc);
			struct out o;

			for (int b = 0; b < 5; b++)
				f |= (k >> b) & 1 ? bits[b] : 0;
			want = host_cond(cc, f);
			put(&set, 0x03);		/* setcc (%ebx) */
			o = emu(set.b, set.n, 0xa5a5a5a5, 0, 0, 0, f);
			cr_assert_eq(o.r, EMU_DONE);
			cr_assert_eq(o.mem, 0xa5a5a500 | want, "set%x with flags %#x: %#x", cc, f,
				     o.mem);
			cr_assert_eq(o.eflags & FL_ARITH, f);
			put(&mov, 0x13);		/* cmovcc (%ebx), %edx */
			o = emu(mov.b, mov.n, 0x11223344, 0, 0, 0x55667788, f);
			cr_assert_eq(o.edx, want ? 0x11223344 : 0x55667788, "cmov%x with flags "
				     "%#x: %#x", cc, f, o.edx);
			put(&mov16, 0x13);
			o = emu(mov16.b, mov16.n, 0x11223344, 0, 0, 0x55667788, f);
			cr_assert_eq(o.edx, want ? 0x55663344 : 0x55667788);
		}
}

/* ------------------------------------------------------------------------
 * xadd, cmpxchg (their flags are add's and cmp's), cmps and scas.
 * ------------------------------------------------------------------------ */

/* The host's xadd (cx false) or cmpxchg of s into d, accumulator *acc. */
static uint32_t
host_xchgop(bool cx, int size, uint32_t d32, uint32_t *s, uint32_t *acc, uint32_t *flags)
{
	uint64_t d = d32, sv = *s, a = *acc, f = *flags;

#define XOP(mn) do {								\
	if (size == 1)								\
		__asm__ volatile(PRE mn "b %b[s], %b[d]" POST : [d] "+r" (d),	\
				 [s] "+r" (sv), "+a" (a), [f] "+r" (f) :: "cc");	\
	else if (size == 2)							\
		__asm__ volatile(PRE mn "w %w[s], %w[d]" POST : [d] "+r" (d),	\
				 [s] "+r" (sv), "+a" (a), [f] "+r" (f) :: "cc");	\
	else									\
		__asm__ volatile(PRE mn "l %k[s], %k[d]" POST : [d] "+r" (d),	\
				 [s] "+r" (sv), "+a" (a), [f] "+r" (f) :: "cc");	\
} while (0)
	if (cx)
		XOP("cmpxchg");
	else
		XOP("xadd");
#undef XOP
	*s = sv;
	*acc = a;
	*flags = f;
	return d;
}

Test(emulate_flags, xadd_cmpxchg_against_host)
{
	for (int cx = 0; cx < 2; cx++)
		for (int size = 1; size <= 4; size *= 2)
			for (int i = 0; i < NEDGES + 16; i++)
				for (int j = 0; j < NEDGES + 16; j++) {
					uint32_t m = mask(size), d = operand(i) & m;
					uint32_t s = (0x5a5a5a5a & ~m) | (operand(j) & m);
					uint32_t acc = (0xc3c3c3c3 & ~m) | ((j & 1) ? d : operand(j + 3) & m);
					uint32_t f = (i + j) & 1 ? FL_ARITH : 0, hs = s, ha = acc, hf = f;
					uint32_t want = host_xchgop(cx, size, d, &hs, &ha, &hf);
					struct code c = opcode(size, (cx ? 0x0fb0 : 0x0fc0) + (size > 1));
					struct out o;

					put(&c, 0x13);		/* op %edx/%dl, (%ebx) */
					o = emu(c.b, c.n, (0xa5a5a5a5 & ~m) | d, acc, 0, s, f);
					cr_assert_eq(o.r, EMU_DONE);
					cr_assert_eq(o.mem, (0xa5a5a5a5 & ~m) | (want & m),
						     "%s%d %#x, %#x (acc %#x): memory %#x, host %#x",
						     cx ? "cmpxchg" : "xadd", 8 * size, d, s, acc, o.mem,
						     want & m);
					cr_assert_eq(o.edx, hs);
					cr_assert_eq(o.eax, ha);
					cr_assert_eq(o.eflags & FL_ARITH, hf & FL_ARITH,
						     "%s%d %#x, %#x (acc %#x): flags %#x, host %#x",
						     cx ? "cmpxchg" : "xadd", 8 * size, d, s, acc,
						     o.eflags & FL_ARITH, hf & FL_ARITH);
				}
}

/* cmps and scas set cmp's flags, the host's for the same operands. */
Test(emulate_flags, cmps_scas_against_host)
{
	for (int size = 1; size <= 4; size *= 2)
		for (int i = 0; i < NEDGES + 8; i++)
			for (int j = 0; j < NEDGES + 8; j++) {
				uint32_t m = mask(size), a = operand(i) & m, b = operand(j) & m;
				uint32_t want_f = 0, got;
				uint64_t ha = a, f = 0;
				struct code c;
				struct emu_event ev;
				struct vcpu v;

				if (size == 1)
					__asm__ volatile(PRE "cmpb %b[b], %b[a]" POST
							 : [a] "+r" (ha), [f] "+r" (f) : [b] "r" ((uint64_t) b) : "cc");
				else if (size == 2)
					__asm__ volatile(PRE "cmpw %w[b], %w[a]" POST
							 : [a] "+r" (ha), [f] "+r" (f) : [b] "r" ((uint64_t) b) : "cc");
				else
					__asm__ volatile(PRE "cmpl %k[b], %k[a]" POST
							 : [a] "+r" (ha), [f] "+r" (f) : [b] "r" ((uint64_t) b) : "cc");
				want_f = f & FL_ARITH;
				for (int scas = 0; scas < 2; scas++) {
					c = opcode(size, (scas ? 0xae : 0xa6) + (size > 1));
					fk_vcpu(&v);
					v.gpr[REG_ESI] = DATA;
					v.gpr[REG_EDI] = DATA + 0x100;
					v.gpr[REG_EAX] = a;
					fk_put32(DATA, a);
					fk_put32(DATA + 0x100, b);
					cr_assert_eq(fk_run_len(&v, c.b, c.n, &ev), EMU_DONE);
					got = v.eflags & FL_ARITH;
					cr_assert_eq(got, want_f, "%s%d %#x, %#x: flags %#x, host %#x",
						     scas ? "scas" : "cmps", 8 * size, a, b, got, want_f);
					cr_assert_eq(v.gpr[REG_EDI], DATA + 0x100 + size);
					cr_assert_eq(v.gpr[REG_ESI], DATA + (scas ? 0 : size));
				}
			}
}
